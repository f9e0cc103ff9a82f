//! The stylesheet and other static files from `forms/static/`, held in memory.

use crate::http::AppState;
use actix_web::{web, HttpResponse};
use std::collections::HashMap;
use std::path::Path;

#[derive(Default)]
pub struct Assets {
    files: HashMap<String, (&'static str, web::Bytes)>,
}

impl Assets {
    pub fn load(dir: &Path) -> std::io::Result<Self> {
        let mut files = HashMap::new();
        if !dir.is_dir() {
            return Ok(Assets { files });
        }
        for entry in std::fs::read_dir(dir)?.flatten() {
            let path = entry.path();
            let kind = match path.extension().and_then(|x| x.to_str()) {
                Some("css") => "text/css; charset=utf-8",
                Some("js") => "text/javascript; charset=utf-8",
                Some("svg") => "image/svg+xml",
                Some("png") => "image/png",
                Some("ico") => "image/x-icon",
                Some("woff2") => "font/woff2",
                _ => continue,
            };
            let name = entry.file_name().to_string_lossy().to_string();
            files.insert(name, (kind, web::Bytes::from(std::fs::read(&path)?)));
        }
        Ok(Assets { files })
    }
}

pub async fn asset(state: web::Data<AppState>, file: web::Path<String>) -> HttpResponse {
    match state.assets.files.get(file.as_str()) {
        Some((kind, body)) => HttpResponse::Ok()
            .content_type(*kind)
            .insert_header(("Cache-Control", "public, max-age=3600"))
            .body(body.clone()),
        None => HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("Not found"),
    }
}
