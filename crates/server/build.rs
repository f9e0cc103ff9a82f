//! Compresses the shipped static files (`forms/static/`) with brotli and gzip once, at build
//! time, so the server never spends CPU compressing on a request and never compresses a
//! response it builds itself (pages can carry a person's answers: BREACH). The results are
//! embedded with the file they were made from; at start-up `http::routes::assets` uses them
//! only for a file whose bytes are still exactly those (an operator's own file is served as
//! it is).

use std::io::Write;
use std::path::{Path, PathBuf};

/// Text types only: fonts and images are compressed already.
const COMPRESSIBLE: &[&str] = &["css", "js", "svg"];

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("manifest dir"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("out dir"));
    let dir = manifest.join("../../forms/static");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=../../forms/static");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    names.retain(|p| {
        p.extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| COMPRESSIBLE.contains(&x))
    });
    names.sort();
    let mut table = String::from("&[\n");
    for path in names {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("utf-8 name");
        let raw = std::fs::read(&path).expect("reading a static file");
        let br = write(&out, name, "br", &brotli(&raw));
        let gz = write(&out, name, "gz", &gzip(&raw));
        table.push_str(&format!(
            "    ({name:?}, include_bytes!({raw:?}), include_bytes!({br:?}), include_bytes!({gz:?})),\n",
            raw = path.display().to_string(),
        ));
    }
    table.push_str("]\n");
    std::fs::write(out.join("precompressed.rs"), table).expect("writing the table");
}

fn write(out: &Path, name: &str, ext: &str, data: &[u8]) -> String {
    let path = out.join(format!("{name}.{ext}"));
    std::fs::write(&path, data).expect("writing a compressed file");
    path.display().to_string()
}

/// Brotli at its best (quality 11, 4 MiB window): done once per build, read many times.
fn brotli(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &raw[..], &mut out, &params).expect("brotli");
    out
}

fn gzip(raw: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(raw).expect("gzip");
    enc.finish().expect("gzip")
}
