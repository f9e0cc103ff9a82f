//! What `/follow-up` receives: the code and the words, urlencoded from the page that asks for
//! the code, or multipart from the thread's page with the files the submitter adds.
//!
//! Files are read under the same limits, memory budget and per-client share as a report's
//! ([`crate::http::multipart`]), and only under a token this gateway issued for this page:
//! the code itself is checked after the body is read (its derivation is slow and async), so
//! the files of a wrong code are held no longer than the request.

use super::form::cross_site;
use super::form_errors::{body_error, busy, forbidden, refused_upload, unreadable};
use crate::attachments::{AttachmentError, Upload};
use crate::http::body::{media_type, read_limited};
use crate::http::multipart::{read_multipart, Admission, MultipartError, MultipartLimits};
use crate::http::rate_limit::split;
use crate::http::token::TokenError;
use crate::http::uploads::Slot;
use crate::http::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

/// The file input on the thread's page.
pub(super) const ATTACHMENTS: &str = "attachments";

/// The fields in order, and the files with the memory they hold.
pub(super) struct Received {
    pub(super) pairs: Vec<(String, String)>,
    pub(super) uploads: Vec<Upload>,
    pub(super) file_error: Option<AttachmentError>,
    pub(super) _held: Option<Slot>,
}

impl Received {
    pub(super) fn field(&self, name: &str) -> &str {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// Whether any file was chosen (kept, or refused while arriving).
    pub(super) fn has_files(&self) -> bool {
        !self.uploads.is_empty() || self.file_error.is_some()
    }
}

pub(super) async fn read(
    state: &AppState,
    form_id: &str,
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<Received, HttpResponse> {
    match media_type(req).as_str() {
        "application/x-www-form-urlencoded" => {
            let body = read_limited(req, payload, &state.body)
                .await
                .map_err(|e| body_error(state, e))?;
            if cross_site(req) {
                return Err(forbidden(state));
            }
            let pairs = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
                .map_err(|_| forbidden(state))?;
            Ok(Received {
                pairs,
                uploads: Vec::new(),
                file_error: None,
                _held: None,
            })
        }
        "multipart/form-data" => {
            if cross_site(req) {
                return Err(forbidden(state));
            }
            let limits = MultipartLimits {
                text: &state.body,
                files: state.cleaner.limits(),
                file_field: ATTACHMENTS,
                uploads: &state.uploads,
                client: split(state.limits.client_of(req)),
            };
            let admit = |fields: &[(String, String)]| admit_files(state, form_id, fields);
            match read_multipart(req, payload, &limits, admit).await {
                Ok(parts) => Ok(Received {
                    pairs: parts.fields,
                    uploads: parts.files,
                    file_error: parts.file_error,
                    _held: parts.held,
                }),
                Err(MultipartError::Body(e)) => Err(body_error(state, e)),
                Err(MultipartError::Unexpected(_)) => Err(unreadable(state)),
                Err(MultipartError::Refused) => Err(refused_upload(state)),
                Err(MultipartError::Busy(why)) => Err(busy(state, why)),
            }
        }
        _ => Err(state.pages.message(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "This page could not be read",
            &["Send it from the follow-up page on this site."],
        )),
    }
}

/// Files are read only after a token this gateway issued for this page; one genuine but old
/// has its page shown again (to enter the code again), so its files are read past, not kept.
fn admit_files(state: &AppState, form_id: &str, fields: &[(String, String)]) -> Admission {
    let token = fields.iter().find(|(k, _)| k == "_token").map(|(_, v)| v);
    match token.map(|t| state.tokens.verify(form_id, t, state.now())) {
        Some(Ok(_)) => Admission::Keep,
        Some(Err(TokenError::Expired)) => Admission::Skip,
        Some(Err(TokenError::Invalid)) | None => Admission::Refuse,
    }
}
