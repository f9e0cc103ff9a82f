//! Which limit a 503 stands for. A handler that sheds a request (the spool cannot take it, the
//! upload memory is spent) marks its response with the limit and asks the client to come back
//! with `Retry-After`; the request log names the limit, so the operator reading it knows what
//! was reached. The names are fixed words, never anything from the request.

use actix_web::http::header::{HeaderValue, RETRY_AFTER};
use actix_web::HttpResponse;

/// The limit a response was shed for, carried to the request log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shed(pub &'static str);

/// Seconds a shed client is asked to wait before sending again.
pub const RETRY_AFTER_SECS: &str = "30";

/// Marks `resp` as shed at `limit` and asks the client to try again later.
pub fn mark(resp: &mut HttpResponse, limit: &'static str) {
    resp.headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECS));
    resp.extensions_mut().insert(Shed(limit));
}

/// The limit an upload was refused at.
pub fn upload_limit(busy: crate::http::uploads::Busy) -> &'static str {
    match busy {
        crate::http::uploads::Busy::Client => "uploads_per_client",
        crate::http::uploads::Busy::Budget => "upload_bytes_in_flight",
    }
}
