//! Pages for a weak signal: static files compressed at build time and cached for a year under
//! fingerprinted names, pages never compressed and never cached, and a first visit to the start
//! page small enough for a poor mobile connection.

use crate::helpers::*;
use std::io::Read;

struct Fetched {
    status: u16,
    headers: actix_web::http::header::HeaderMap,
    body: Vec<u8>,
}

impl Fetched {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

async fn fetch(app: &TestApp, path: &str, accept_encoding: Option<&str>) -> Fetched {
    let mut req = app.client.get(app.url(path));
    if let Some(a) = accept_encoding {
        req = req.insert_header(("Accept-Encoding", a));
    }
    let mut res = req.send().await.expect("GET");
    let body = res.body().limit(4 << 20).await.expect("body").to_vec();
    Fetched {
        status: res.status().as_u16(),
        headers: res.headers().clone(),
        body,
    }
}

/// Every `/static/` URL a page links to (stylesheets, script), in page order.
fn static_urls(html: &str) -> Vec<String> {
    let mut urls = Vec::new();
    for attr in ["href=\"", "src=\""] {
        for (i, _) in html.match_indices(attr) {
            let rest = &html[i + attr.len()..];
            let url = &rest[..rest.find('"').unwrap_or(0)];
            if url.starts_with("/static/") {
                urls.push(url.to_string());
            }
        }
    }
    urls
}

fn unbrotli(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(body, 4096)
        .read_to_end(&mut out)
        .expect("valid brotli");
    out
}

fn gunzip(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(body)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

#[actix_web::test]
async fn pages_link_static_files_by_fingerprint_and_they_are_cached_for_a_year() {
    let app = spawn_app().await;
    let home = fetch(&app, "/", None).await;
    let urls = static_urls(&String::from_utf8_lossy(&home.body));
    assert_eq!(urls.len(), 3, "{urls:?}");
    for url in &urls {
        let name = url.trim_start_matches("/static/");
        // app.<8 hex>.css: the name changes whenever the content does.
        let parts: Vec<&str> = name.split('.').collect();
        assert_eq!(parts.len(), 3, "{url}");
        assert!(
            parts[1].len() == 8 && parts[1].chars().all(|c| c.is_ascii_hexdigit()),
            "{url}"
        );
        let on_disk = std::fs::read(
            repo()
                .join("forms/static")
                .join(format!("{}.{}", parts[0], parts[2])),
        )
        .expect("the file behind the URL");

        let br = fetch(&app, url, Some("gzip, deflate, br")).await;
        assert_eq!(br.status, 200, "{url}");
        assert_eq!(
            br.header("cache-control"),
            Some("public, max-age=31536000, immutable"),
            "{url}"
        );
        assert_eq!(br.header("vary"), Some("Accept-Encoding"), "{url}");
        assert_eq!(br.header("content-encoding"), Some("br"), "{url}");
        assert_eq!(unbrotli(&br.body), on_disk, "{url}");
        assert!(br.body.len() < on_disk.len(), "{url}");

        let gz = fetch(&app, url, Some("gzip")).await;
        assert_eq!(gz.header("content-encoding"), Some("gzip"), "{url}");
        assert_eq!(gz.header("vary"), Some("Accept-Encoding"), "{url}");
        assert_eq!(gunzip(&gz.body), on_disk, "{url}");

        let plain = fetch(&app, url, None).await;
        assert_eq!(plain.header("content-encoding"), None, "{url}");
        assert_eq!(plain.body, on_disk, "{url}");

        // The plain name still answers, so old links and an operator's own templates work,
        // but only briefly cached: its content changes with an upgrade.
        let old = fetch(
            &app,
            &format!("/static/{}.{}", parts[0], parts[2]),
            Some("br"),
        )
        .await;
        assert_eq!(old.status, 200, "{url}");
        assert_eq!(old.header("cache-control"), Some("public, max-age=3600"));
        assert_eq!(old.header("content-encoding"), Some("br"));
        assert_eq!(unbrotli(&old.body), on_disk);
    }
    let missing = fetch(&app, "/static/app.00000000.css", Some("br")).await;
    assert_eq!(missing.status, 404);
}

#[actix_web::test]
async fn pages_are_never_compressed_nor_cached() {
    // A page can carry what the person typed; compressing it beside attacker-chosen text
    // would leak it (BREACH), and a shared phone must not keep it.
    let app = spawn_app().await;
    for path in ["/", "/forms/community", "/follow-up", "/privacy"] {
        let page = fetch(&app, path, Some("br, gzip, deflate, *")).await;
        assert_eq!(page.status, 200, "{path}");
        assert_eq!(page.header("content-encoding"), None, "{path}");
        assert_eq!(page.header("cache-control"), Some("no-store"), "{path}");
        assert!(
            String::from_utf8_lossy(&page.body).contains("<!DOCTYPE html>"),
            "{path}"
        );
    }
}

/// Budget for a first visit to the start page on a weak signal: the HTML and every file it
/// links to, as sent to a browser that accepts brotli and gzip.
const FIRST_VISIT_BUDGET: usize = 60 * 1024;

#[actix_web::test]
async fn a_first_visit_to_the_start_page_transfers_at_most_60_kb() {
    let app = spawn_app().await;
    let accept = Some("br, gzip");
    let home = fetch(&app, "/", accept).await;
    assert_eq!(home.status, 200);
    let mut total = home.body.len();
    let mut lines = vec![format!("/ {} bytes", home.body.len())];
    let urls = static_urls(&String::from_utf8_lossy(&home.body));
    assert!(!urls.is_empty());
    for url in urls {
        let f = fetch(&app, &url, accept).await;
        assert_eq!(f.status, 200, "{url}");
        total += f.body.len();
        lines.push(format!(
            "{url} {} bytes ({})",
            f.body.len(),
            f.header("content-encoding").unwrap_or("identity")
        ));
    }
    // The figure in the README's pages section comes from this line.
    println!("first visit to /: {total} bytes\n{}", lines.join("\n"));
    assert!(
        total <= FIRST_VISIT_BUDGET,
        "first visit is {total} bytes, over {FIRST_VISIT_BUDGET}:\n{}",
        lines.join("\n")
    );
}

/// The start page's first paint waits for no other request: it carries its own rules
/// (`forms/static/start-inline.css`), allowed by their hash and nothing looser, and links the
/// stylesheets after its content, where they block nothing and are kept for the next page.
#[actix_web::test]
async fn the_start_page_paints_from_its_own_html_under_a_strict_policy() {
    use base64::Engine;
    let app = spawn_app().await;
    let home = fetch(&app, "/", None).await;
    let html = String::from_utf8_lossy(&home.body).to_string();
    let (head, body) = html.split_once("</head>").expect("a head");
    assert!(!head.contains("rel=\"stylesheet\""), "{head}");
    assert!(!head.contains("<script"), "{head}");
    let style = head
        .split_once("<style>")
        .and_then(|(_, rest)| rest.split_once("</style>"))
        .map(|(s, _)| s)
        .expect("the start page's own rules");
    let shipped =
        std::fs::read_to_string(repo().join("forms/static/start-inline.css")).expect("shipped");
    assert_eq!(style, shipped);
    let digest = ring::digest::digest(&ring::digest::SHA256, style.as_bytes());
    let source = format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest.as_ref())
    );
    let csp = home.header("content-security-policy").expect("a policy");
    assert!(
        csp.contains(&format!("style-src 'self' {source};")),
        "{csp}"
    );
    assert!(!csp.contains("unsafe"), "{csp}");
    assert!(csp.contains("script-src 'self';"), "{csp}");
    let after_content = &body[body.find("</footer>").expect("a footer")..];
    for sheet in ["govuk-frontend.", "app."] {
        assert!(
            after_content.contains(&format!("<link rel=\"stylesheet\" href=\"/static/{sheet}")),
            "{sheet}: {after_content}"
        );
    }

    // Other pages link the stylesheets as before, under the plain policy.
    let other = fetch(&app, "/privacy", None).await;
    let other_html = String::from_utf8_lossy(&other.body).to_string();
    assert!(!other_html.contains("<style"));
    assert!(other_html
        .split_once("</head>")
        .expect("a head")
        .0
        .contains("rel=\"stylesheet\""));
    let plain = other.header("content-security-policy").expect("a policy");
    assert!(plain.contains("style-src 'self';"), "{plain}");
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir").flatten() {
        let path = entry.path();
        if entry.file_name() == "node_modules" {
            continue;
        }
        if path.is_dir() {
            copy_tree(&path, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).expect("copy");
        }
    }
}

/// An operator's own forms folder without `static/start-inline.css`: the start page links the
/// stylesheets in its head, as every other page does, under the plain policy.
#[actix_web::test]
async fn without_its_inline_rules_the_start_page_links_the_stylesheets_as_before() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&repo().join("forms"), dir.path());
    std::fs::remove_file(dir.path().join("static/start-inline.css")).expect("remove");
    let forms = dir.path().to_path_buf();
    let app = spawn_app_with(move |s| s.forms.dir = forms).await;
    let home = fetch(&app, "/", None).await;
    assert_eq!(home.status, 200);
    let html = String::from_utf8_lossy(&home.body).to_string();
    let (head, body) = html.split_once("</head>").expect("a head");
    assert!(!html.contains("<style"), "{head}");
    for sheet in ["govuk-frontend.", "app."] {
        assert!(
            head.contains(&format!("<link rel=\"stylesheet\" href=\"/static/{sheet}")),
            "{sheet}: {head}"
        );
        assert!(
            !body.contains(&format!("href=\"/static/{sheet}")),
            "linked once"
        );
    }
    let csp = home.header("content-security-policy").expect("a policy");
    assert!(csp.contains("style-src 'self';"), "{csp}");
}
