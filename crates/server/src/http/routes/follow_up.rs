//! `/follow-up`: a submitter enters their follow-up code (always posted, never in a URL) and
//! sees the status police set and their messages, opened in memory for this request only with
//! the key derived from the code; and may answer or add information, which is sealed and
//! delivered like a report of its own, with any files they add cleaned as a report's are.
//!
//! A code that matches nothing gets the same page as any other that matches nothing, after the
//! same key derivation: the page cannot tell a wrong code from an unknown or purged one.
//! Entries are limited per client (before the slow derivation) and per code.

use super::follow_up_body;
use crate::attachments::{AttachmentError, CleanError};
use crate::follow_up::{Derived, FollowUpCode};
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
    /// The message did not open with the code's key: the page says so in its own words.
    unopened: bool,
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

/// A day in words, in UK time, in the page's language.
fn day(catalog: &crate::i18n::Catalog, unix: i64) -> String {
    let Ok(at) = time::OffsetDateTime::from_unix_timestamp(unix) else {
        return String::new();
    };
    let d = crate::ukdate::uk_date(at);
    crate::i18n::form_text::day_in_words(catalog, crate::i18n::page::current().lang, d)
}

/// What the thread's page says besides the thread: the addendum just sent, or the problem
/// with what was typed or chosen (the words typed are shown back, the files must be chosen
/// again).
#[derive(Default)]
struct Reply<'a> {
    sent: Option<&'a Receipt>,
    error: Option<&'a str>,
    file_error: Option<&'a str>,
    draft: &'a str,
}

/// The thread, opened with the code's identity. A message that does not open is said so;
/// it does not hide the others. A problem makes it a 422.
async fn thread(
    state: &AppState,
    code: &FollowUpCode,
    keys: &Derived,
    record: &FollowUpRecord,
    reply: Reply<'_>,
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
            let opened = crate::seal::decrypt(&m.sealed, &identities).ok();
            let unopened = opened.is_none();
            let lines = opened
                .map(|plain| {
                    String::from_utf8_lossy(&plain)
                        .lines()
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            Shown {
                from_police: m.from == MessageFrom::Officer,
                unopened,
                on: day(state.pages.catalog(), m.at),
                lines,
            }
        })
        .collect();
    let status = if reply.error.is_some() || reply.file_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let limits = state.cleaner.limits();
    let sent = reply.sent;
    state.pages.respond(
        status,
        "follow_up.html",
        minijinja::context! {
            thread => true,
            token => state.tokens.issue(FORM_ID, state.now()),
            code => code.grouped(),
            reference => record.reference.as_str(),
            status => record.status.words(),
            status_on => day(state.pages.catalog(), record.status_at),
            messages => shown,
            sent => sent.map(|r| r.reference.as_str()),
            sent_again => sent.is_some_and(|r| r.duplicate),
            sent_immediate => sent.is_some_and(|r| r.priority == crate::triage::Priority::Immediate),
            error => reply.error,
            file_error => reply.file_error,
            draft => reply.draft,
            max_chars => MAX_ADDENDUM_CHARS,
            pdf => takes_pdf(state, record).await,
            max_files => limits.max_files,
            max_file_mb => limits.max_file_bytes / (1024 * 1024),
            max_total_mb => limits.max_total_bytes / (1024 * 1024),
            contacts => &state.contacts,
        },
    )
}

/// Whether files added to this report may be PDFs: as the form it was sent on allows.
/// A report whose form is unknown takes images only.
async fn takes_pdf(state: &AppState, record: &FollowUpRecord) -> bool {
    match state.intake.spool().submission(&record.reference).await {
        Ok(Some(s)) => state
            .forms
            .get(&s.form_id)
            .is_some_and(|spec| super::form::takes_pdf(spec)),
        _ => false,
    }
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
    let received = match follow_up_body::read(&state, FORM_ID, &req, payload).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    let verified = match state
        .tokens
        .verify(FORM_ID, received.field("_token"), state.now())
    {
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
    let (code, keys, record) = match opened(&state, received.field("code")).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    if received.field("_action") != "add" {
        let reply = Reply::default();
        return thread(&state, &code, &keys, &record, reply).await;
    }
    let adding = Adding {
        client,
        issued_at: verified.issued_at,
        token_hash: verified.hash,
        received,
    };
    add(&state, &code, &keys, &record, adding).await
}

/// The code typed, its keys and the report it opens; or the page to show instead.
async fn opened(
    state: &AppState,
    typed: &str,
) -> Result<(FollowUpCode, Derived, FollowUpRecord), HttpResponse> {
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
            return Err(entry(
                state,
                Entry {
                    error: Some(&message),
                    typed,
                    notice: None,
                },
            ));
        }
    };
    // Always the full derivation and a lookup, whether or not the code is anyone's.
    let keys = match state.follow_up.derive(code.clone()).await {
        Ok(k) => k,
        Err(e) => {
            tracing::error!(error = %e, "follow-up key derivation failed");
            return Err(unavailable(state));
        }
    };
    if let Err(wait) = state.limits.check_follow_up_code(keys.lookup_id) {
        return Err(too_many_requests(state, false, Class::Navigation, wait));
    }
    match state
        .intake
        .spool()
        .follow_up_by_lookup(keys.lookup_id)
        .await
    {
        Ok(Some(record)) => Ok((code, keys, record)),
        Ok(None) => Err(entry(
            state,
            Entry {
                error: Some(NO_MATCH),
                typed,
                notice: None,
            },
        )),
        Err(e) => {
            tracing::error!(error = %e, "follow-up lookup failed");
            Err(unavailable(state))
        }
    }
}

/// "Send": the words and files the submitter adds, with what the send quota needs.
struct Adding {
    client: std::net::IpAddr,
    issued_at: u64,
    token_hash: [u8; 32],
    received: follow_up_body::Received,
}

/// Checks what is added, cleans its files, and seals it as an addendum to the report.
async fn add(
    state: &AppState,
    code: &FollowUpCode,
    keys: &Derived,
    record: &FollowUpRecord,
    mut a: Adding,
) -> HttpResponse {
    let text = a.received.field("addendum").trim().to_string();
    let problem = if text.is_empty() && !a.received.has_files() {
        Some("Enter what you want to add or tell the police".to_string())
    } else if text.chars().count() > MAX_ADDENDUM_CHARS {
        Some(format!(
            "What you add must be {MAX_ADDENDUM_CHARS} characters or fewer"
        ))
    } else {
        None
    };
    if let Some(problem) = problem {
        let reply = Reply {
            error: Some(&problem),
            draft: &text,
            ..Reply::default()
        };
        return thread(state, code, keys, record, reply).await;
    }
    // An addendum is sealed, spooled and delivered like a report, so it spends the same send
    // quota (per client and for everyone), or a code would be a way round it.
    if let Err(wait) = state.limits.check_send(a.client, Some(a.issued_at)) {
        return too_many_requests(state, false, Class::Send, wait);
    }
    let uploads = std::mem::take(&mut a.received.uploads);
    let files = match cleaned(state, record, a.received.file_error.take(), uploads).await {
        Ok(files) => files,
        Err(message) => {
            let reply = Reply {
                file_error: Some(&message),
                draft: &text,
                ..Reply::default()
            };
            return thread(state, code, keys, record, reply).await;
        }
    };
    let submitter = keys.recipient();
    let sent = state
        .intake
        .submit_addendum(Addendum {
            original: &record.reference,
            text: &text,
            token_hash: Some(a.token_hash),
            submitter: &submitter,
            files,
        })
        .await;
    match sent {
        Ok(receipt) => {
            let reply = Reply {
                sent: Some(&receipt),
                ..Reply::default()
            };
            thread(state, code, keys, record, reply).await
        }
        Err(e) => {
            tracing::error!(error = %e, "follow-up addendum not stored");
            unavailable(state)
        }
    }
}

/// The files chosen, cleaned as a report's are; or the message about the one refused.
async fn cleaned(
    state: &AppState,
    record: &FollowUpRecord,
    refused: Option<AttachmentError>,
    uploads: Vec<crate::attachments::Upload>,
) -> Result<Vec<crate::attachments::Cleaned>, String> {
    let refused = match refused {
        Some(e) => Some(e),
        None => match state
            .cleaner
            .clean_all(uploads, takes_pdf(state, record).await)
            .await
        {
            Ok(files) => return Ok(files),
            Err(CleanError::Refused(e)) => Some(e),
            Err(CleanError::Failed) => None,
        },
    };
    Err(refused
        .map(|e| format!("{}. Choose your files again", e.field_error().message))
        .unwrap_or_else(|| {
            "A file could not be read. Choose it again, or send what you wrote without it".into()
        }))
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
