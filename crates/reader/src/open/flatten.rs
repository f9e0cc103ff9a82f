//! A flattened copy of a PDF for the officer to read instead of the original: each page
//! rendered to a PNG by Debian's `pdftoppm` (poppler-utils), gathered into one HTML page whose
//! Content-Security-Policy forbids every request and which holds no script, link or form —
//! nothing in it can act. `pdftoppm` runs with no network (a new network namespace through
//! `unshare`, where the system allows one), a cap on its address space and CPU time
//! (`prlimit`), a wall-clock limit after which it is killed, in a private temporary folder
//! that is removed afterwards. The original is still written beside it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How `pdftoppm` is run.
#[derive(Debug, Clone)]
pub struct Flattener {
    pub pdftoppm: PathBuf,
    pub wall_time: Duration,
    pub cpu_secs: u64,
    pub memory_bytes: u64,
    /// Dots per inch: 110 reads well on a screen and prints legibly on A4.
    pub dpi: u32,
}

impl Default for Flattener {
    fn default() -> Self {
        Flattener {
            pdftoppm: "pdftoppm".into(),
            wall_time: Duration::from_secs(120),
            cpu_secs: 120,
            memory_bytes: 2 * 1024 * 1024 * 1024,
            dpi: 110,
        }
    }
}

/// What became of a PDF's flattened copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flat {
    /// Written: the file's name (beside the original), its pages, and whether the network
    /// was shut off for `pdftoppm`.
    Written {
        name: String,
        pages: usize,
        no_network: bool,
    },
    /// Not written, and why.
    Failed(String),
}

impl Flat {
    pub fn describe(&self) -> String {
        match self {
            Flat::Written {
                name,
                pages,
                no_network,
            } => format!(
                "flattened copy: {name} ({pages} page{} as images; read this, not the original{})",
                if *pages == 1 { "" } else { "s" },
                if *no_network {
                    ""
                } else {
                    "; pdftoppm ran with the network reachable: unshare was not allowed here"
                }
            ),
            Flat::Failed(why) => format!("no flattened copy: {why}"),
        }
    }
}

impl Flattener {
    /// Renders `pdf` and writes `<stem>.flattened.html` into `dir` (mode 0600, never over an
    /// existing file).
    pub fn flatten(&self, pdf: &[u8], dir: &Path, stem: &str) -> Flat {
        match self.render(pdf) {
            Ok((pages, no_network)) => {
                let name = format!("{stem}.flattened.html");
                match write_new(&dir.join(&name), page_html(stem, &pages).as_bytes()) {
                    Ok(()) => Flat::Written {
                        name,
                        pages: pages.len(),
                        no_network,
                    },
                    Err(e) => Flat::Failed(format!("cannot write it: {e}")),
                }
            }
            Err(why) => Flat::Failed(why),
        }
    }

    /// Each page as PNG bytes, in order, and whether the network was shut off.
    fn render(&self, pdf: &[u8]) -> Result<(Vec<Vec<u8>>, bool), String> {
        let work = tempfile::Builder::new()
            .prefix("pis-flatten-")
            .tempdir()
            .map_err(|e| format!("no private temporary folder: {e}"))?;
        let input = work.path().join("in.pdf");
        write_new(&input, pdf).map_err(|e| format!("cannot write the temporary copy: {e}"))?;
        let out = work.path().join("out");
        std::fs::create_dir(&out).map_err(|e| format!("cannot make a folder: {e}"))?;
        let no_network = unshare_allowed();
        let mut cmd = if no_network {
            let mut c = Command::new("unshare");
            c.args(["--net", "--map-root-user", "--", "prlimit"]);
            c
        } else {
            Command::new("prlimit")
        };
        cmd.arg(format!("--as={}", self.memory_bytes))
            .arg(format!("--cpu={}", self.cpu_secs))
            .arg("--")
            .arg(&self.pdftoppm)
            .args(["-png", "-r", &self.dpi.to_string()])
            .arg(&input)
            .arg(out.join("page"))
            .current_dir(work.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("prlimit (util-linux) could not be started: {e}"))?;
        let deadline = Instant::now() + self.wall_time;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10))
                }
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!(
                        "pdftoppm went over its time limit ({:?}) and was stopped",
                        self.wall_time
                    ));
                }
            }
        };
        if !status.success() {
            return Err(if pdftoppm_missing(&self.pdftoppm) {
                "pdftoppm is not installed (Debian package poppler-utils)".into()
            } else {
                format!("pdftoppm failed or went over its memory or CPU limit ({status})")
            });
        }
        let pages = pages_in(&out).map_err(|e| format!("cannot read its pages: {e}"))?;
        if pages.is_empty() {
            return Err("pdftoppm made no pages".into());
        }
        Ok((pages, no_network))
    }
}

/// `page-1.png`, `page-01.png`, … in page order (pdftoppm pads the number to the page count).
fn pages_in(dir: &Path) -> std::io::Result<Vec<Vec<u8>>> {
    let mut numbered = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        let n = name
            .strip_prefix("page-")
            .and_then(|r| r.strip_suffix(".png"))
            .and_then(|r| r.parse::<u32>().ok());
        if let Some(n) = n {
            numbered.push((n, dir.join(&name)));
        }
    }
    numbered.sort();
    numbered
        .into_iter()
        .map(|(_, p)| std::fs::read(p))
        .collect()
}

/// Whether this process may make a network namespace of its own (a user namespace maps the
/// officer to root inside it, so no privilege is needed where the kernel allows that).
fn unshare_allowed() -> bool {
    Command::new("unshare")
        .args(["--net", "--map-root-user", "--", "true"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn pdftoppm_missing(program: &Path) -> bool {
    Command::new(program)
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_err()
}

/// One page of images only: no script, link or form, and a policy that forbids any request.
fn page_html(stem: &str, pages: &[Vec<u8>]) -> String {
    use base64::Engine as _;
    use std::fmt::Write as _;
    let mut out = format!(
        "<!DOCTYPE html><html lang=en-GB><head><meta charset=utf-8>\
         <meta http-equiv=Content-Security-Policy content=\"default-src 'none'; img-src data:; \
         style-src 'unsafe-inline'\"><meta name=referrer content=no-referrer>\
         <title>{stem}: flattened</title><style>body{{font:11pt Arial,sans-serif;margin:1em}}\
         img{{display:block;max-width:100%;margin:0 auto 1em;border:1px solid #b1b4b6}}\
         @media print{{img{{break-after:page;border:0}}p{{display:none}}}}</style></head><body>\
         <p>{stem}: each page rendered to an image by pdftoppm. Nothing on these pages can \
         act; the original PDF is beside this file.</p>"
    );
    for (i, png) in pages.iter().enumerate() {
        let _ = write!(
            out,
            "<img alt=\"Page {}\" src=\"data:image/png;base64,{}\">",
            i + 1,
            base64::engine::general_purpose::STANDARD.encode(png)
        );
    }
    out.push_str("</body></html>\n");
    out
}

fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PDF of `pages` A4 pages, each with a black square 200 points wide whose lower left
    /// corner is 100 points from the page's lower left.
    fn squares(pages: usize) -> Vec<u8> {
        use lopdf::{dictionary, Document, Object, Stream};
        let mut doc = Document::with_version("1.7");
        let pages_id = doc.new_object_id();
        let content = doc.add_object(Stream::new(
            dictionary! {},
            b"0 0 0 rg 100 100 200 200 re f".to_vec(),
        ));
        let kids: Vec<Object> = (0..pages)
            .map(|_| {
                doc.add_object(dictionary! {
                    "Type" => "Page",
                    "Parent" => pages_id,
                    "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
                    "Contents" => content,
                })
                .into()
            })
            .collect();
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Kids" => kids, "Count" => pages as i64,
            }),
        );
        let catalog = doc.add_object(dictionary! {"Type" => "Catalog", "Pages" => pages_id});
        doc.trailer.set("Root", catalog);
        let mut out = Vec::new();
        doc.save_to(&mut out).expect("written");
        out
    }

    fn have_pdftoppm() -> bool {
        let found = !pdftoppm_missing(Path::new("pdftoppm"));
        if !found {
            eprintln!("SKIPPED: pdftoppm is not installed (Debian package poppler-utils; .ci/run installs it)");
        }
        found
    }

    fn images(html: &str) -> Vec<image::DynamicImage> {
        use base64::Engine as _;
        html.split("src=\"data:image/png;base64,")
            .skip(1)
            .map(|rest| {
                let b64 = &rest[..rest.find('"').expect("attribute ends")];
                let png = base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .expect("base64");
                image::load_from_memory_with_format(&png, image::ImageFormat::Png).expect("a PNG")
            })
            .collect()
    }

    #[test]
    fn each_page_comes_out_as_an_image_in_one_page_with_nothing_that_can_act() {
        if !have_pdftoppm() {
            return;
        }
        let dir = tempfile::tempdir().expect("dir");
        let flat = Flattener::default().flatten(&squares(2), dir.path(), "PIS-TEST-1");
        let Flat::Written { name, pages, .. } = &flat else {
            panic!("{flat:?}");
        };
        assert_eq!((name.as_str(), *pages), ("PIS-TEST-1.flattened.html", 2));
        let path = dir.path().join(name);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path)
            .expect("written")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let html = std::fs::read_to_string(&path).expect("read");
        assert!(html.contains("default-src 'none'"));
        for active in ["<script", "<a ", "<form", "<iframe", "<object", "<embed"] {
            assert!(!html.contains(active), "{active}");
        }
        let imgs = images(&html);
        assert_eq!(imgs.len(), 2);
        for img in imgs {
            // A4 at 110 dpi, rounded up; the square is black, the rest of the page white.
            let rgb = img.to_rgb8();
            assert_eq!((rgb.width(), rgb.height()), (910, 1287));
            let at = |x_pt: u32, y_pt_from_top: u32| {
                rgb.get_pixel(x_pt * 110 / 72, y_pt_from_top * 110 / 72).0
            };
            assert_eq!(at(200, 842 - 200), [0, 0, 0], "inside the square");
            assert_eq!(at(50, 50), [255, 255, 255], "outside it");
        }
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("list").count(),
            1,
            "only the flattened copy is left: the working folder was elsewhere and is gone"
        );
    }

    #[test]
    fn pdftoppm_over_its_time_limit_is_killed_and_no_copy_is_written() {
        if !have_pdftoppm() {
            return;
        }
        let dir = tempfile::tempdir().expect("dir");
        let hurried = Flattener {
            wall_time: Duration::from_millis(1),
            ..Flattener::default()
        };
        let flat = hurried.flatten(&squares(40), dir.path(), "PIS-TEST-1");
        assert_eq!(
            flat,
            Flat::Failed("pdftoppm went over its time limit (1ms) and was stopped".into())
        );
        assert!(flat
            .describe()
            .starts_with("no flattened copy: pdftoppm went over"));
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 0);
    }

    #[test]
    fn a_file_pdftoppm_cannot_read_gives_no_copy_and_says_so() {
        if !have_pdftoppm() {
            return;
        }
        let dir = tempfile::tempdir().expect("dir");
        let flat = Flattener::default().flatten(b"%PDF-1.7\nnot really", dir.path(), "X-1");
        assert!(
            matches!(&flat, Flat::Failed(why) if why.contains("pdftoppm failed")),
            "{flat:?}"
        );
    }
}
