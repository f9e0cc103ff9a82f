//! Server-rendered pages from the templates in `forms/templates/` (minijinja, HTML-escaped).

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use minijinja::{Environment, Value};
use std::path::Path;

pub struct Pages {
    env: Environment<'static>,
}

#[derive(Debug, thiserror::Error)]
#[error("template {name}: {message}")]
pub struct TemplateError {
    pub name: String,
    pub message: String,
}

/// A static URL as the template writes it: as it is when it is plain path characters (the
/// auto-escaper would otherwise write `/` as `&#x2f;`), escaped as any other text if not.
fn url_value(url: String) -> Value {
    let plain = url
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '-' | '_'));
    if plain {
        Value::from_safe_string(url)
    } else {
        Value::from(url)
    }
}

impl Pages {
    /// Loads every `*.html` in `dir`. A template that does not compile stops start-up.
    pub fn load(dir: &Path) -> Result<Self, TemplateError> {
        let mut env = Environment::new();
        // Until `with_asset_urls`, a plain name (what `check-config` needs to render nothing).
        env.add_function("static_url", |name: String| {
            url_value(format!("/static/{name}"))
        });
        let entries = std::fs::read_dir(dir).map_err(|e| TemplateError {
            name: dir.display().to_string(),
            message: e.to_string(),
        })?;
        let mut names = Vec::new();
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|x| x == "html") {
                let name = entry.file_name().to_string_lossy().to_string();
                let source = std::fs::read_to_string(&path).map_err(|e| TemplateError {
                    name: name.clone(),
                    message: e.to_string(),
                })?;
                env.add_template_owned(name.clone(), source)
                    .map_err(|e| TemplateError {
                        name: name.clone(),
                        message: e.to_string(),
                    })?;
                names.push(name);
            }
        }
        for required in [
            "home.html",
            "form.html",
            "confirmation.html",
            "message.html",
        ] {
            if !names.iter().any(|n| n == required) {
                return Err(TemplateError {
                    name: required.into(),
                    message: "missing".into(),
                });
            }
        }
        Ok(Pages { env })
    }

    /// Links to static files by their fingerprinted names (`static_url("app.css")`), so a
    /// browser can keep them for a year and still gets a new file after an upgrade.
    pub fn with_asset_urls(mut self, urls: std::collections::BTreeMap<String, String>) -> Self {
        self.env.add_function("static_url", move |name: String| {
            url_value(
                urls.get(&name)
                    .cloned()
                    .unwrap_or_else(|| format!("/static/{name}")),
            )
        });
        self
    }

    pub fn render(&self, name: &str, ctx: Value) -> Result<String, TemplateError> {
        self.env
            .get_template(name)
            .and_then(|t| t.render(ctx))
            .map_err(|e| TemplateError {
                name: name.into(),
                message: e.to_string(),
            })
    }

    /// A page response. A template failure is logged and answered with a plain page that
    /// still tells the person what to do.
    pub fn respond(&self, status: StatusCode, name: &str, ctx: Value) -> HttpResponse {
        match self.render(name, ctx) {
            Ok(html) => HttpResponse::build(status)
                .content_type("text/html; charset=utf-8")
                .body(html),
            Err(e) => {
                tracing::error!(error = %e, "page could not be rendered");
                HttpResponse::InternalServerError()
                    .content_type("text/plain; charset=utf-8")
                    .body("Sorry, there is a problem with this service. If someone is in danger, call 999.")
            }
        }
    }

    /// A simple page: a heading and paragraphs (403, 404, 413, 503 and the like).
    pub fn message(&self, status: StatusCode, title: &str, paragraphs: &[&str]) -> HttpResponse {
        self.respond(
            status,
            "message.html",
            minijinja::context! { title => title, paragraphs => paragraphs },
        )
    }
}
