//! The stylesheets, script and other static files from `forms/static/`, held in memory.
//!
//! Each file answers at two names: its fingerprinted name (`app.3f2a9c1e.css`, the first 8 hex
//! digits of its SHA-256), which pages link to and which is cached for a year as `immutable`,
//! and its plain name (`app.css`), kept for old links and an operator's own templates, cached
//! briefly. A shipped text file also has brotli and gzip versions made at build time
//! (`crates/server/build.rs`), sent to a browser that asks for them. Nothing is compressed here at run time,
//! and pages are never compressed: they can carry the person's answers (BREACH).

use crate::http::AppState;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// A shipped compressible file as built: (name, bytes, brotli, gzip).
type Built = (&'static str, &'static [u8], &'static [u8], &'static [u8]);
const PRECOMPRESSED: &[Built] = include!(concat!(env!("OUT_DIR"), "/precompressed.rs"));

/// A fingerprinted name never changes content, so a browser keeps it for a year unasked.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// A plain name changes content with an upgrade: an hour, as before fingerprints.
const SHORT: &str = "public, max-age=3600";

struct Asset {
    kind: &'static str,
    body: web::Bytes,
    br: Option<web::Bytes>,
    gzip: Option<web::Bytes>,
}

/// The start page's own rules (`tests/browser/start-styles.mjs` writes them): carried in the
/// page, so on a slow link it paints without waiting a round trip for the stylesheets.
pub const START_STYLES: &str = "start-inline.css";

/// A stylesheet carried in a page's `<style>` element, and the Content-Security-Policy source
/// that allows exactly that text and nothing else.
#[derive(Debug, Clone)]
pub struct InlineStyle {
    pub text: String,
    /// `'sha256-…'` of `text`.
    pub source: String,
}

impl InlineStyle {
    /// None for text that could end the `<style>` element it goes in.
    fn new(body: &[u8]) -> Option<Self> {
        use base64::Engine;
        let text = std::str::from_utf8(body)
            .ok()?
            .trim_start_matches('\u{feff}');
        if text.contains("</") || text.contains("<!--") {
            return None;
        }
        let digest = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
        Some(InlineStyle {
            text: text.to_string(),
            source: format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
            ),
        })
    }
}

#[derive(Default)]
pub struct Assets {
    /// By plain name.
    files: HashMap<String, Asset>,
    /// Fingerprinted name to plain name.
    hashed: HashMap<String, String>,
    /// Plain name to fingerprinted name.
    names: BTreeMap<String, String>,
    /// The stylesheets made to go inline (`*-inline.css`), hashed once.
    inline: HashMap<String, InlineStyle>,
}

/// How a response body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Brotli,
    Gzip,
    Identity,
}

impl Assets {
    pub fn load(dir: &Path) -> std::io::Result<Self> {
        let mut assets = Assets::default();
        if !dir.is_dir() {
            return Ok(assets);
        }
        for entry in std::fs::read_dir(dir)?.flatten() {
            let path = entry.path();
            let Some(kind) = content_type(&path) else {
                continue;
            };
            let name = entry.file_name().to_string_lossy().to_string();
            let body = std::fs::read(&path)?;
            assets.insert(name, kind, body);
        }
        Ok(assets)
    }

    fn insert(&mut self, name: String, kind: &'static str, body: Vec<u8>) {
        let built = PRECOMPRESSED
            .iter()
            .find(|(n, raw, _, _)| *n == name && *raw == body.as_slice());
        // Only a version smaller than the file is worth sending.
        let smaller = |c: &'static [u8]| (c.len() < body.len()).then(|| web::Bytes::from_static(c));
        let (br, gzip) = match built {
            Some((_, _, br, gz)) => (smaller(br), smaller(gz)),
            None => {
                if PRECOMPRESSED.iter().any(|(n, ..)| *n == name) {
                    tracing::warn!(
                        file = %name,
                        "static file differs from the one built in: served uncompressed"
                    );
                }
                (None, None)
            }
        };
        if name.ends_with("-inline.css") {
            match InlineStyle::new(&body) {
                Some(style) => {
                    self.inline.insert(name.clone(), style);
                }
                None => tracing::warn!(
                    file = %name,
                    "stylesheet cannot go inline (not UTF-8, or holds </ or <!--): pages link the stylesheets instead"
                ),
            }
        }
        let hashed = fingerprinted(&name, &body);
        self.hashed.insert(hashed.clone(), name.clone());
        self.names.insert(name.clone(), hashed);
        self.files.insert(
            name,
            Asset {
                kind,
                body: web::Bytes::from(body),
                br,
                gzip,
            },
        );
    }

    /// The URL pages use for a static file: its fingerprinted name, or the plain name for a
    /// file that is not there (the link then fails as it would have anyway).
    pub fn url(&self, name: &str) -> String {
        format!(
            "/static/{}",
            self.names.get(name).map_or(name, |h| h.as_str())
        )
    }

    /// A stylesheet made to go inline (`*-inline.css`), if there is one and it can.
    pub fn inline_style(&self, name: &str) -> Option<&InlineStyle> {
        self.inline.get(name)
    }

    /// Every stylesheet that can go inline, by plain name (the templates' `inline_style`).
    pub fn inline_styles(&self) -> BTreeMap<String, String> {
        self.inline
            .iter()
            .map(|(n, s)| (n.clone(), s.text.clone()))
            .collect()
    }

    /// Plain name to URL, for every file (the templates' `static_url`).
    pub fn urls(&self) -> BTreeMap<String, String> {
        self.names
            .keys()
            .map(|n| (n.clone(), self.url(n)))
            .collect()
    }
}

fn content_type(path: &Path) -> Option<&'static str> {
    Some(match path.extension().and_then(|x| x.to_str())? {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        _ => return None,
    })
}

/// `app.css` with content `body` becomes `app.<first 8 hex digits of SHA-256>.css`.
pub fn fingerprinted(name: &str, body: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, body);
    let hex: String = digest.as_ref()[..4]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{hex}.{ext}"),
        None => format!("{name}.{hex}"),
    }
}

/// The coding to send, from an `Accept-Encoding` value: brotli, then gzip, when the client
/// accepts it (by name or `*`, with a q-value above zero).
pub fn negotiate(accept: Option<&str>) -> Coding {
    let accepts = |coding: &str| {
        let mut named = None;
        let mut star = None;
        for item in accept.unwrap_or("").split(',') {
            let mut parts = item.split(';');
            let token = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if token == coding {
                named = Some(q > 0.0);
            } else if token == "*" {
                star = Some(q > 0.0);
            }
        }
        named.or(star).unwrap_or(false)
    };
    if accepts("br") {
        Coding::Brotli
    } else if accepts("gzip") {
        Coding::Gzip
    } else {
        Coding::Identity
    }
}

pub async fn asset(
    state: web::Data<AppState>,
    req: HttpRequest,
    file: web::Path<String>,
) -> HttpResponse {
    let assets = &state.assets;
    let (name, cache) = match assets.hashed.get(file.as_str()) {
        Some(plain) => (plain.as_str(), IMMUTABLE),
        None => (file.as_str(), SHORT),
    };
    let Some(a) = assets.files.get(name) else {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("Not found");
    };
    let accept = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok());
    let (body, coding) = match negotiate(accept) {
        Coding::Brotli if a.br.is_some() => (a.br.clone(), Some("br")),
        Coding::Brotli | Coding::Gzip if a.gzip.is_some() => (a.gzip.clone(), Some("gzip")),
        _ => (None, None),
    };
    let mut res = HttpResponse::Ok();
    res.content_type(a.kind)
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::VARY, "Accept-Encoding"));
    if let Some(c) = coding {
        res.insert_header((header::CONTENT_ENCODING, c));
    }
    res.body(body.unwrap_or_else(|| a.body.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_follows_the_content() {
        let a = fingerprinted("app.css", b"body { color: black }");
        let b = fingerprinted("app.css", b"body { color: white }");
        assert_ne!(a, b);
        assert_eq!(a, fingerprinted("app.css", b"body { color: black }"));
        assert!(a.starts_with("app.") && a.ends_with(".css"), "{a}");
        assert_eq!(a.len(), "app.".len() + 8 + ".css".len(), "{a}");
    }

    #[test]
    fn a_changed_file_gets_a_new_url() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("app.css"), "a { color: red }").expect("write");
        let before = Assets::load(dir.path()).expect("load").url("app.css");
        std::fs::write(dir.path().join("app.css"), "a { color: blue }").expect("write");
        let after = Assets::load(dir.path()).expect("load").url("app.css");
        assert_ne!(before, after);
        assert!(before.starts_with("/static/app.") && before.ends_with(".css"));
    }

    #[test]
    fn an_inline_style_is_allowed_by_the_hash_of_exactly_its_text() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("start-inline.css"), "\u{feff}a{color:red}").expect("write");
        std::fs::write(dir.path().join("bad-inline.css"), "a{}</style><script>").expect("write");
        std::fs::write(dir.path().join("app.css"), "a{}").expect("write");
        let assets = Assets::load(dir.path()).expect("load");
        let style = assets.inline_style(START_STYLES).expect("inline");
        assert_eq!(style.text, "a{color:red}");
        // printf 'a{color:red}' | openssl dgst -sha256 -binary | base64
        assert_eq!(
            style.source,
            "'sha256-6hWWMOcF+mJesSJGYhmK2lkIIEw9Xc5XKGLPVzh8yxs='"
        );
        // Text that could end its element, or a stylesheet not made to go inline: linked.
        assert!(assets.inline_style("bad-inline.css").is_none());
        assert!(assets.inline_style("app.css").is_none());
        assert!(assets.inline_style("missing-inline.css").is_none());
        assert_eq!(
            assets.inline_styles().keys().collect::<Vec<_>>(),
            vec![START_STYLES]
        );
    }

    #[test]
    fn brotli_is_preferred_and_refusals_are_honoured() {
        assert_eq!(negotiate(Some("gzip, deflate, br")), Coding::Brotli);
        assert_eq!(negotiate(Some("gzip, br;q=0")), Coding::Gzip);
        assert_eq!(negotiate(Some("*")), Coding::Brotli);
        assert_eq!(negotiate(Some("br;q=0, *;q=0.5")), Coding::Gzip);
        assert_eq!(negotiate(Some("identity")), Coding::Identity);
        assert_eq!(negotiate(Some("GZIP")), Coding::Gzip);
        assert_eq!(negotiate(None), Coding::Identity);
    }

    #[test]
    fn the_shipped_files_were_compressed_at_build_time() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../forms/static");
        let assets = Assets::load(&dir).expect("load");
        for name in ["govuk-frontend.css", "app.css", "app.js"] {
            let a = assets.files.get(name).expect(name);
            assert!(a.br.is_some() && a.gzip.is_some(), "{name}");
        }
        // An operator's own version of a file is served as it is, never compressed here.
        let other = tempfile::tempdir().expect("tempdir");
        std::fs::write(other.path().join("app.css"), "a{}".repeat(500)).expect("write");
        let own = Assets::load(other.path()).expect("load");
        assert!(own.files["app.css"].br.is_none() && own.files["app.css"].gzip.is_none());
    }
}
