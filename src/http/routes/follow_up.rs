//! `/follow-up`: a submitter enters their follow-up code (always posted, never in a URL) and
//! sees the status police set and their messages, opened in memory for this request only with
//! the key derived from the code; and may answer or add information, which is sealed and
//! delivered like a report of its own.
//!
//! A code that matches nothing gets the same page as any other that matches nothing, after the
//! same key derivation: the page cannot tell a wrong code from an unknown or purged one.
//! Entries are limited per client (before the slow derivation) and per code.

use crate::follow_up::{Derived, FollowUpCode};
use crate::http::body::{media_type, read_limited};
use crate::http::rate_limit::{too_many_requests, Class};
use crate::http::token::TokenError;
use crate::http::AppState;
use crate::intake::{Addendum, Receipt};
use crate::spool::{FollowUpRecord, MessageFrom};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

/// The form id the page's tokens are issued for.
const FORM_ID: &str = "follow-up";
/// The most an addendum may say, in characters.
const MAX_ADDENDUM_CHARS: usize = 5_000;

const NO_MATCH: &str =
    "No report matches this code. Check you have typed it as it was shown to you";

#[derive(Serialize)]
struct Shown {
    from_police: bool,
    on: String,
    lines: Vec<String>,
}

#[derive(Default)]
struct Entry<'a> {
    error: Option<&'a str>,
    /// What was typed, shown back after a problem (it is theirs, and never logged).
    typed: &'a str,
    notice: Option<&'a str>,
}

fn entry(state: &AppState, e: Entry<'_>) -> HttpResponse {
    state.pages.respond(
        StatusCode::OK,
        "follow_up.html",
        minijinja::context! {
            thread => false,
            token => state.tokens.issue(FORM_ID, state.now()),
            error => e.error,
            typed => e.typed,
            notice => e.notice,
            contacts => &state.contacts,
        },
    )
}

pub async fn show(state: web::Data<AppState>) -> HttpResponse {
    entry(&state, Entry::default())
}

/// A day in words, in UK time.
fn day(unix: i64) -> String {
    let Ok(at) = time::OffsetDateTime::from_unix_timestamp(unix) else {
        return String::new();
    };
    let d = crate::ukdate::uk_date(at);
    format!("{} {} {}", d.day(), d.month(), d.year())
}

/// The thread, opened with the code's identity. A message that does not open is said so;
/// it does not hide the others.
async fn thread(
    state: &AppState,
    code: &FollowUpCode,
    keys: &Derived,
    record: &FollowUpRecord,
    sent: Option<&Receipt>,
    error: Option<&str>,
    draft: &str,
) -> HttpResponse {
    let messages = match state.intake.spool().messages(&record.reference).await {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(error = %e, "follow-up messages could not be read");
            return unavailable(state);
        }
    };
    let identities: Vec<Box<dyn age::Identity>> = vec![Box::new(keys.identity().clone())];
    let shown: Vec<Shown> = messages
        .iter()
        .map(|m| {
            let lines = match crate::seal::decrypt(&m.sealed, &identities) {
                Ok(plain) => String::from_utf8_lossy(&plain)
                    .lines()
                    .map(str::to_string)
                    .collect(),
                Err(_) => vec!["This message could not be opened.".to_string()],
            };
            Shown {
                from_police: m.from == MessageFrom::Officer,
                on: day(m.at),
                lines,
            }
        })
        .collect();
    state.pages.respond(
        StatusCode::OK,
        "follow_up.html",
        minijinja::context! {
            thread => true,
            token => state.tokens.issue(FORM_ID, state.now()),
            code => code.grouped(),
            reference => record.reference.as_str(),
            status => record.status.words(),
            status_on => day(record.status_at),
            messages => shown,
            sent => sent.map(|r| r.reference.as_str()),
            sent_again => sent.is_some_and(|r| r.duplicate),
            sent_immediate => sent.is_some_and(|r| r.priority == crate::triage::Priority::Immediate),
            error => error,
            draft => draft,
            max_chars => MAX_ADDENDUM_CHARS,
            contacts => &state.contacts,
        },
    )
}

fn unavailable(state: &AppState) -> HttpResponse {
    state.pages.message(
        StatusCode::SERVICE_UNAVAILABLE,
        "Sorry, there is a problem with this service",
        &[
            "Try again in a few minutes. Anything you wrote has not been sent: go back to keep it.",
            "If someone is in danger now, call 999. Otherwise you can call 101.",
        ],
    )
}

fn forbidden(state: &AppState) -> HttpResponse {
    state.pages.message(
        StatusCode::FORBIDDEN,
        "This page could not be checked",
        &[
            "Nothing has been sent. Open the follow-up page again from this site.",
            "If someone is in danger now, call 999.",
        ],
    )
}

pub async fn post(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    if media_type(&req) != "application/x-www-form-urlencoded" {
        return state.pages.message(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "This page could not be read",
            &["Send it from the follow-up page on this site."],
        );
    }
    let Ok(body) = read_limited(&req, payload, &state.body).await else {
        return state.pages.message(
            StatusCode::BAD_REQUEST,
            "This page could not be read",
            &["Nothing has been sent. Go back and try again."],
        );
    };
    if super::form::cross_site(&req) {
        return forbidden(&state);
    }
    let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body) else {
        return forbidden(&state);
    };
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let verified = match state.tokens.verify(FORM_ID, field("_token"), state.now()) {
        Ok(v) => v,
        Err(TokenError::Expired) => {
            return entry(
                &state,
                Entry {
                    notice: Some("This page had been open for a long time. Enter your code again."),
                    ..Entry::default()
                },
            )
        }
        Err(TokenError::Invalid) => return forbidden(&state),
    };
    let client = state.limits.client_of(&req);
    if let Err(wait) = state.limits.check_follow_up_client(client) {
        return too_many_requests(&state, false, Class::Navigation, wait);
    }
    let typed = field("code");
    let code = match FollowUpCode::parse(typed) {
        Ok(c) => c,
        Err(e) => {
            let message = if typed.trim().is_empty() {
                "Enter your follow-up code".to_string()
            } else {
                format!(
                    "{}. Check you have typed it as it was shown to you",
                    capital(&e.to_string())
                )
            };
            return entry(
                &state,
                Entry {
                    error: Some(&message),
                    typed,
                    notice: None,
                },
            );
        }
    };
    // Always the full derivation and a lookup, whether or not the code is anyone's.
    let keys = match state.follow_up.derive(code.clone()).await {
        Ok(k) => k,
        Err(e) => {
            tracing::error!(error = %e, "follow-up key derivation failed");
            return unavailable(&state);
        }
    };
    if let Err(wait) = state.limits.check_follow_up_code(keys.lookup_id) {
        return too_many_requests(&state, false, Class::Navigation, wait);
    }
    let record = match state
        .intake
        .spool()
        .follow_up_by_lookup(keys.lookup_id)
        .await
    {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "follow-up lookup failed");
            return unavailable(&state);
        }
    };
    let Some(record) = record else {
        return entry(
            &state,
            Entry {
                error: Some(NO_MATCH),
                typed,
                notice: None,
            },
        );
    };
    if field("_action") != "add" {
        return thread(&state, &code, &keys, &record, None, None, "").await;
    }
    let text = field("addendum").trim();
    let problem = if text.is_empty() {
        Some("Enter what you want to add or tell the police".to_string())
    } else if text.chars().count() > MAX_ADDENDUM_CHARS {
        Some(format!(
            "What you add must be {MAX_ADDENDUM_CHARS} characters or fewer"
        ))
    } else {
        None
    };
    if let Some(problem) = problem {
        return thread(&state, &code, &keys, &record, None, Some(&problem), text).await;
    }
    // An addendum is sealed, spooled and delivered like a report, so it spends the same send
    // quota (per client and for everyone), or a code would be a way round it.
    if let Err(wait) = state.limits.check_send(client, Some(verified.issued_at)) {
        return too_many_requests(&state, false, Class::Send, wait);
    }
    let submitter = keys.recipient();
    let sent = state
        .intake
        .submit_addendum(Addendum {
            original: &record.reference,
            text,
            token_hash: Some(verified.hash),
            submitter: &submitter,
        })
        .await;
    match sent {
        Ok(receipt) => thread(&state, &code, &keys, &record, Some(&receipt), None, "").await,
        Err(e) => {
            tracing::error!(error = %e, "follow-up addendum not stored");
            unavailable(&state)
        }
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
