//! Server-rendered pages from the templates in `forms/templates/` (minijinja, HTML-escaped),
//! in the request's language (see [`crate::i18n`]): templates write their words as
//! `t("message-id", name=value)`, and every page knows its `page.lang`, `page.dir` and the
//! languages it can be read in.

use crate::i18n::page::{self, PageLang};
use crate::i18n::{Catalog, Lang};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use minijinja::value::Kwargs;
use minijinja::{Environment, State, Value};
use std::path::Path;
use std::sync::Arc;

pub struct Pages {
    env: Environment<'static>,
    catalog: Arc<Catalog>,
    /// `public.languages` less any the catalog lacks; English always first.
    languages: Vec<Lang>,
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

/// The page's language as the template's `page`.
fn page_value(page: PageLang, languages: &[Lang]) -> Value {
    minijinja::context! {
        lang => page.lang.code(),
        tag => page.lang.tag(),
        dir => page.lang.dir(),
        rtl => page.lang.rtl(),
        // Links to other pages keep a chosen language; one from the browser needs no help.
        query => if page.chosen { format!("?lang={}", page.lang.code()) } else { String::new() },
        languages => languages.iter().map(|l| minijinja::context! {
            code => l.code(), tag => l.tag(), name => l.native_name(), dir => l.dir(),
            current => *l == page.lang,
        }).collect::<Vec<_>>(),
    }
}

/// `t`'s arguments, as Fluent takes them.
fn fluent_args(kwargs: &Kwargs) -> Result<Vec<(String, String)>, minijinja::Error> {
    let mut out = Vec::new();
    for name in kwargs.args() {
        let v: Value = kwargs.get(name)?;
        out.push((name.to_string(), v.to_string()));
    }
    Ok(out)
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// The language of the page a template is rendering.
fn state_lang(state: &State<'_, '_>) -> Lang {
    state
        .lookup("page")
        .and_then(|p| p.get_attr("lang").ok())
        .and_then(|l| l.as_str().and_then(Lang::parse))
        .unwrap_or(Lang::En)
}

/// The message in the page's language (English when it lacks one). A missing English message
/// is a template error, so a typo in an id fails the page's tests rather than showing an id.
fn translate(
    catalog: &Catalog,
    state: &State<'_, '_>,
    id: &str,
    args: &[(String, String)],
) -> Result<String, minijinja::Error> {
    let lang = state_lang(state);
    let args: Vec<(&str, String)> = args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    catalog.lookup(lang, id, &args).ok_or_else(|| {
        minijinja::Error::new(
            minijinja::ErrorKind::UndefinedError,
            format!("no message {id} in forms/locales/en"),
        )
    })
}

/// `t`, `t_html`, `| translated` and `| isolate`: the templates' words in the page's language.
fn add_language_functions(env: &mut Environment<'static>, catalog: &Arc<Catalog>) {
    let c = Arc::clone(catalog);
    env.add_function(
        "t",
        move |state: &State<'_, '_>,
              id: String,
              kwargs: Kwargs|
              -> Result<String, minijinja::Error> {
            translate(&c, state, &id, &fluent_args(&kwargs)?)
        },
    );
    // For the few messages that carry their own markup (a link, a bold number): the
    // message is trusted (it ships with the forms), its arguments are escaped.
    let c = Arc::clone(catalog);
    env.add_function(
        "t_html",
        move |state: &State<'_, '_>,
              id: String,
              kwargs: Kwargs|
              -> Result<Value, minijinja::Error> {
            let args: Vec<(String, String)> = fluent_args(&kwargs)?
                .into_iter()
                .map(|(k, v)| (k, escape_html(&v)))
                .collect();
            Ok(Value::from_safe_string(translate(&c, state, &id, &args)?))
        },
    );
    // Words the code wrote in English (a route's page title, a notice kept in a draft).
    let c = Arc::clone(catalog);
    env.add_filter(
        "translated",
        move |state: &State<'_, '_>, text: String| -> String {
            c.translate_english(state_lang(state), &text)
        },
    );
    // A code, a number or a reference inside right-to-left text keeps its own direction
    // (and does not reorder the words around it): isolated where the page is RTL, as it is
    // elsewhere, so left-to-right pages stay as they were.
    env.add_filter("isolate", |state: &State<'_, '_>, value: Value| -> Value {
        let text = value.to_string();
        if state_lang(state).rtl() {
            Value::from_safe_string(format!("<bdi>{}</bdi>", escape_html(&text)))
        } else {
            Value::from(text)
        }
    });
}

impl Pages {
    /// Loads every `*.html` in `dir`, and the strings in the `locales` folder beside it. A
    /// template that does not compile, or a strings file that does not parse, stops start-up.
    pub fn load(dir: &Path) -> Result<Self, TemplateError> {
        let locales = dir.parent().unwrap_or(dir).join("locales");
        let catalog = Arc::new(Catalog::load(&locales).map_err(|e| TemplateError {
            name: e.file,
            message: e.message,
        })?);
        let mut env = Environment::new();
        add_language_functions(&mut env, &catalog);
        // Until `with_asset_urls`, a plain name (what `check-config` needs to render nothing).
        env.add_function("static_url", |name: String| {
            url_value(format!("/static/{name}"))
        });
        // Until `with_inline_styles`, none: the templates link the stylesheets.
        env.add_function("inline_style", |_: String| Value::from(()));
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
        let languages = catalog.languages();
        Ok(Pages {
            env,
            catalog,
            languages,
        })
    }

    /// Only these languages are offered (`public.languages`); English always is.
    pub fn with_languages(mut self, enabled: &[Lang]) -> Self {
        self.languages
            .retain(|l| *l == Lang::En || enabled.contains(l));
        self
    }

    /// The languages a page can be read in, English first.
    pub fn languages(&self) -> &[Lang] {
        &self.languages
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
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

    /// Stylesheets a template may carry inline (`inline_style("start-inline.css")`): the text
    /// as it is, or none, so the template links the stylesheets instead. The page's response
    /// must allow the text by its hash ([`crate::http::headers::csp_with_style`]).
    pub fn with_inline_styles(
        mut self,
        styles: std::collections::BTreeMap<String, String>,
    ) -> Self {
        self.env.add_function("inline_style", move |name: String| {
            styles
                .get(&name)
                .map_or(Value::from(()), |css| Value::from_safe_string(css.clone()))
        });
        self
    }

    /// The page in the request's language.
    pub fn render(&self, name: &str, ctx: Value) -> Result<String, TemplateError> {
        self.render_in(page::current(), name, ctx)
    }

    pub fn render_in(
        &self,
        page: PageLang,
        name: &str,
        ctx: Value,
    ) -> Result<String, TemplateError> {
        let ctx = minijinja::context! { page => page_value(page, &self.languages), ..ctx };
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
            minijinja::context! { title => title, paragraphs => paragraphs, translate => true },
        )
    }
}
