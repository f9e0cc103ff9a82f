//! What the pages behind one-time links share (acknowledgement links and evidence downloads):
//! the first check of a token, the clock they are judged by, and what a link that cannot be
//! used, or cannot be checked, shows.

use crate::ack;
use crate::http::AppState;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;

/// Now, in Unix seconds, as link ages are reckoned.
pub(super) fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// The 404 for an unknown, used or expired link: it says nothing about which.
pub(super) fn gone(state: &AppState) -> HttpResponse {
    state.pages.message(
        StatusCode::NOT_FOUND,
        "This link cannot be used",
        &["It may have been used already, or be too old. Each link works once."],
    )
}

/// The 503 when the spool cannot be asked: `title` and `line` say what did not happen.
pub(super) fn unavailable(state: &AppState, title: &str, line: &str) -> HttpResponse {
    state
        .pages
        .message(StatusCode::SERVICE_UNAVAILABLE, title, &[line])
}

/// The 503 when a link cannot be checked for now.
pub(super) fn cannot_check(state: &AppState) -> HttpResponse {
    unavailable(
        state,
        "Please try again shortly",
        "The service cannot check this link right now.",
    )
}

/// The stored hash of `token`, or none when it could not be one of ours (wrong length or
/// alphabet): such a token never reaches the spool, and gets [`gone`].
pub(super) fn token_hash(token: &str) -> Option<[u8; 32]> {
    ack::plausible(token).then(|| ack::hash(token))
}
