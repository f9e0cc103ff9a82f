//! The desk's pages and forms. Every request passes the `Host` check and gets the desk's
//! headers; every page but the start link needs the session cookie; every POST needs the
//! session's CSRF token (and a same-origin `Origin` when the browser sends one).

use super::app::Desk;
use super::guard::{self, Flash};
use super::pages;
use super::queue::Filter;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

const CSS: &str = include_str!("desk.css");

pub(super) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("")
            .wrap(actix_web::middleware::from_fn(guard_and_headers))
            .route("/start/{token}", web::get().to(start))
            .route("/desk.css", web::get().to(css))
            .route("/", web::get().to(queue))
            .route("/reload", web::post().to(reload))
            .route("/case/{reference}", web::get().to(case))
            .route("/case/{reference}/report", web::get().to(report))
            .route("/case/{reference}/share", web::get().to(share_page))
            .route("/case/{reference}/share", web::post().to(share_send))
            .route("/case/{reference}/intel.json", web::get().to(intel_json))
            .route("/case/{reference}/{action}", web::post().to(act))
            .default_service(web::to(|| async {
                pages::plain(
                    StatusCode::NOT_FOUND,
                    "Not found",
                    "There is no such page on the desk.",
                )
            })),
    );
}

/// The `Host` check first (a refused request reaches no handler), then the headers every
/// answer carries.
async fn guard_and_headers(
    req: ServiceRequest,
    next: actix_web::middleware::Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let port = req
        .app_data::<web::Data<Desk>>()
        .map(|d| d.port)
        .unwrap_or_default();
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    let mut res = if guard::host_allowed(host, port) {
        next.call(req).await?.map_into_boxed_body()
    } else {
        let page = pages::plain(
            StatusCode::MISDIRECTED_REQUEST,
            "Wrong address",
            "The desk answers only at 127.0.0.1 or localhost on its own port.",
        );
        req.into_response(page)
    };
    let h = res.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, guard::CSP),
        (header::CACHE_CONTROL, "no-store"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        // Not `no-referrer`: under it a browser sends `Origin: null` with the desk's own form
        // posts, which the origin check must refuse. Nothing leaves the desk's origin anyway.
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        // The report page sets its own policy (its inline style's hash); keep it.
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
    h.insert(
        header::HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        header::HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("same-origin"),
    );
    Ok(res)
}

/// Why a request is turned away.
#[derive(Debug, Clone, Copy)]
enum Refused {
    NoSession,
    Forged,
}

impl Refused {
    fn page(self) -> HttpResponse {
        match self {
            Refused::NoSession => pages::plain(
                StatusCode::UNAUTHORIZED,
                "Open the desk with its link",
                "Use the link the desk printed when it started. Each link works once; start the \
                 desk again for a new one.",
            ),
            Refused::Forged => pages::plain(
                StatusCode::FORBIDDEN,
                "This form has expired",
                "Go back to the desk, reload the page and try again.",
            ),
        }
    }
}

/// The session the request's cookie names (its id and CSRF token).
fn session(desk: &Desk, req: &HttpRequest) -> Result<(String, String), Refused> {
    guard::session_cookie(req)
        .and_then(|id| desk.sessions.csrf(&id).map(|csrf| (id, csrf)))
        .ok_or(Refused::NoSession)
}

async fn start(desk: web::Data<Desk>, token: web::Path<String>) -> HttpResponse {
    match desk.sessions.exchange(&token) {
        Some(id) => HttpResponse::SeeOther()
            .insert_header((header::LOCATION, "/"))
            .insert_header((
                header::SET_COOKIE,
                format!("{}={id}; Path=/; HttpOnly; SameSite=Strict", guard::COOKIE),
            ))
            .finish(),
        None => pages::plain(
            StatusCode::FORBIDDEN,
            "This link was used already",
            "Each link the desk prints works once. Start the desk again for a new one.",
        ),
    }
}

async fn css() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .body(CSS)
}

async fn queue(desk: web::Data<Desk>, req: HttpRequest) -> HttpResponse {
    let (id, csrf) = match session(&desk, &req) {
        Ok(s) => s,
        Err(refused) => return refused.page(),
    };
    // A filter that cannot be read is shown as no filter: the query string is the officer's.
    let filter = web::Query::<Filter>::from_query(req.query_string())
        .map(|q| q.into_inner())
        .unwrap_or_default();
    let flash = desk.sessions.take_flash(&id);
    let (page, readable) = pages::queue(&desk, &filter, &csrf, flash.as_ref());
    if readable {
        pages::html(page)
    } else {
        HttpResponse::BadRequest()
            .content_type("text/html; charset=utf-8")
            .body(page)
    }
}

#[derive(serde::Deserialize)]
pub struct Form {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    step: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    intelligence: String,
    #[serde(default)]
    handling: String,
    #[serde(default)]
    force_reference: String,
}

/// The session id of a POST whose CSRF token and origin check out.
fn checked_post(desk: &Desk, req: &HttpRequest, csrf: &str) -> Result<String, Refused> {
    let (id, expected) = session(desk, req)?;
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|h| h.to_str().ok());
    if !guard::same(&expected, csrf) || !guard::origin_allowed(origin, desk.port) {
        return Err(Refused::Forged);
    }
    Ok(id)
}

async fn reload(desk: web::Data<Desk>, req: HttpRequest, form: web::Form<Form>) -> HttpResponse {
    let id = match checked_post(&desk, &req, &form.csrf) {
        Ok(id) => id,
        Err(refused) => return refused.page(),
    };
    let flash = match desk.reload() {
        Ok(n) => {
            desk.refresh_all().await;
            Flash {
                ok: true,
                text: format!("The mailbox was read again: {n} reports."),
            }
        }
        Err(e) => Flash {
            ok: false,
            text: format!("The mailbox could not be read: {e:#}"),
        },
    };
    desk.sessions.set_flash(&id, flash);
    see_other("/")
}

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish()
}

fn exists(desk: &Desk, reference: &str) -> bool {
    crate::reference::Reference::parse(reference).is_some()
        && desk
            .inbox
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .cases
            .iter()
            .any(|c| c.reference == reference)
}

fn no_case() -> HttpResponse {
    pages::plain(
        StatusCode::NOT_FOUND,
        "No such report",
        "The mailbox holds no report with this reference.",
    )
}

async fn case(
    desk: web::Data<Desk>,
    req: HttpRequest,
    reference: web::Path<String>,
) -> HttpResponse {
    let (id, csrf) = match session(&desk, &req) {
        Ok(s) => s,
        Err(refused) => return refused.page(),
    };
    if !exists(&desk, &reference) {
        return no_case();
    }
    let workflow = desk.refresh(&reference).await;
    desk.mark_seen(&reference);
    let flash = desk.sessions.take_flash(&id);
    pages::html(pages::case(
        &desk,
        &reference,
        workflow.as_ref(),
        &csrf,
        flash.as_ref(),
    ))
}

async fn report(
    desk: web::Data<Desk>,
    req: HttpRequest,
    reference: web::Path<String>,
) -> HttpResponse {
    if let Err(refused) = session(&desk, &req) {
        return refused.page();
    }
    match pages::report(&desk, &reference) {
        Some((page, csp)) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CONTENT_SECURITY_POLICY, csp))
            .body(page),
        None => no_case(),
    }
}

async fn act(
    desk: web::Data<Desk>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    form: web::Form<Form>,
) -> HttpResponse {
    let (reference, action) = path.into_inner();
    let id = match checked_post(&desk, &req, &form.csrf) {
        Ok(id) => id,
        Err(refused) => return refused.page(),
    };
    if !exists(&desk, &reference) {
        return no_case();
    }
    if !super::mace::allows(desk.config.role, &action) {
        return not_for_role();
    }
    let form = form.into_inner();
    let outcome = super::actions::run(&desk, &reference, &action, &form.into()).await;
    let flash = match outcome {
        Ok(text) => Flash { ok: true, text },
        Err(e) => Flash {
            ok: false,
            text: format!("Not done: {e:#}"),
        },
    };
    desk.sessions.set_flash(&id, flash);
    see_other(&format!("/case/{reference}#result"))
}

/// What a MACE coordinator's desk answers to an officer's action: refused, not only hidden.
fn not_for_role() -> HttpResponse {
    pages::plain(
        StatusCode::FORBIDDEN,
        "Not on a MACE coordinator's desk",
        "This desk is a MACE coordinator's: it confirms receipt and nothing else.",
    )
}

/// The case, when the request has a session, the case exists and the role allows `action`.
fn officers_case(
    desk: &Desk,
    req: &HttpRequest,
    reference: &str,
    action: &str,
) -> Result<(String, String, super::inbox::Case), Box<HttpResponse>> {
    let (id, csrf) = session(desk, req).map_err(|r| Box::new(r.page()))?;
    if !super::mace::allows(desk.config.role, action) {
        return Err(Box::new(not_for_role()));
    }
    let inbox = desk.inbox.read().unwrap_or_else(|e| e.into_inner());
    let case = inbox
        .cases
        .iter()
        .find(|c| c.reference == reference)
        .cloned()
        .ok_or_else(|| Box::new(no_case()))?;
    Ok((id, csrf, case))
}

async fn share_page(
    desk: web::Data<Desk>,
    req: HttpRequest,
    reference: web::Path<String>,
) -> HttpResponse {
    let (_, csrf, case) = match officers_case(&desk, &req, &reference, "share") {
        Ok(x) => x,
        Err(page) => return *page,
    };
    if let Err(e) = super::share::shareable(&case) {
        return pages::plain(
            StatusCode::CONFLICT,
            "This report cannot be shared",
            &e.to_string(),
        );
    }
    let choices = super::share::Choices::parse(req.query_string().as_bytes());
    let routes = super::share::mace_routes(&desk).await;
    pages::html(pages::wrapped(
        &format!("Share {}", case.reference),
        &super::share::page(&desk, &case, &choices, &routes, &csrf),
    ))
}

async fn share_send(
    desk: web::Data<Desk>,
    req: HttpRequest,
    reference: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let choices = super::share::Choices::parse(&body);
    let id = match checked_post(&desk, &req, &choices.csrf) {
        Ok(id) => id,
        Err(refused) => return refused.page(),
    };
    let (_, _, case) = match officers_case(&desk, &req, &reference, "share") {
        Ok(x) => x,
        Err(page) => return *page,
    };
    let flash = match super::share::send(&desk, &case, &choices).await {
        Ok(text) => {
            desk.refresh(&reference).await;
            Flash { ok: true, text }
        }
        Err(e) => Flash {
            ok: false,
            text: format!("Not shared: {e:#}"),
        },
    };
    desk.sessions.set_flash(&id, flash);
    see_other(&format!("/case/{reference}#result"))
}

async fn intel_json(
    desk: web::Data<Desk>,
    req: HttpRequest,
    reference: web::Path<String>,
) -> HttpResponse {
    let (_, _, case) = match officers_case(&desk, &req, &reference, "intel-json") {
        Ok(x) => x,
        Err(page) => return *page,
    };
    let inbox = desk.inbox.read().unwrap_or_else(|e| e.into_inner());
    match super::share::intel_json(&desk, &inbox.cases, &case) {
        Ok(json) => HttpResponse::Ok()
            .content_type("application/json")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}.intel.json\"",
                    case.reference
                        .chars()
                        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                        .collect::<String>()
                ),
            ))
            .body(json),
        Err(e) => pages::plain(StatusCode::CONFLICT, "Not exported", &e.to_string()),
    }
}

impl From<Form> for super::actions::Request {
    fn from(f: Form) -> Self {
        super::actions::Request {
            message: zeroize::Zeroizing::new(f.message),
            status: f.status,
            step: f.step,
            grade: format!("{}/{}/{}", f.source, f.intelligence, f.handling),
            force_reference: f.force_reference,
        }
    }
}
