//! Reading a `multipart/form-data` body: text fields and files, under the same size, deadline
//! and minimum-rate rules as any other body ([`super::body`]).
//!
//! Files are read straight from the connection into memory (wiped when dropped): never into a
//! temporary file, because a file on disk in clear is exactly what the gateway must not make.
//! A file's name and declared type are read past and not kept.

use super::body::{BodyError, BodyLimits};
use crate::attachments::{AttachmentError, AttachmentLimits, Upload};
use actix_web::error::PayloadError;
use actix_web::{web, HttpRequest};
use futures_util::StreamExt;
use std::cell::Cell;
use std::rc::Rc;
use tokio::time::Instant;
use zeroize::Zeroizing;

/// The text fields in order, and the files in order (from 1).
#[derive(Default)]
pub struct Parts {
    pub fields: Vec<(String, String)>,
    pub files: Vec<Upload>,
    /// The first limit a file broke while arriving; `files` is then empty.
    pub file_error: Option<AttachmentError>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MultipartError {
    Body(BodyError),
    /// A file part under a name the caller does not take files under.
    Unexpected(String),
}

/// The limits for one multipart body.
pub struct MultipartLimits<'a> {
    /// The text fields together (the answers), as for an urlencoded body.
    pub text: &'a BodyLimits,
    pub files: &'a AttachmentLimits,
    /// The name of the file parts (`attachments`).
    pub file_field: &'a str,
}

impl MultipartLimits<'_> {
    /// The whole body: answers, files and the parts' own headers.
    fn whole(&self) -> BodyLimits {
        BodyLimits {
            max_bytes: self.text.max_bytes + self.files.max_total_bytes + 64 * 1024,
            timeout: std::time::Duration::from_secs(self.files.upload_timeout_secs)
                .max(self.text.timeout),
            min_rate: self.text.min_rate,
        }
    }
}

/// The payload, cut off at the size limit, the deadline or the minimum rate. Which of these
/// ended it is left in `why`, since the multipart reader only passes on that it failed.
fn guarded(
    payload: web::Payload,
    limits: BodyLimits,
    why: Rc<Cell<Option<BodyError>>>,
) -> impl futures_util::Stream<Item = Result<web::Bytes, PayloadError>> {
    let start = Instant::now();
    futures_util::stream::unfold((Some(payload), 0usize), move |(payload, received)| {
        let why = Rc::clone(&why);
        async move {
            let mut payload = payload?;
            let until = (start + limits.timeout).min(limits.rate_deadline(start, received));
            let fail = |e: BodyError| {
                why.set(Some(e));
                Some((Err(PayloadError::Overflow), (None, received)))
            };
            match tokio::time::timeout_at(until, payload.next()).await {
                Err(_) => fail(BodyError::TooSlow),
                Ok(None) => None,
                Ok(Some(Err(_))) => fail(BodyError::Broken),
                Ok(Some(Ok(chunk))) if received + chunk.len() > limits.max_bytes => {
                    fail(BodyError::TooLarge)
                }
                Ok(Some(Ok(chunk))) => {
                    let n = received + chunk.len();
                    Some((Ok(chunk), (Some(payload), n)))
                }
            }
        }
    })
    // The multipart reader may ask again after the end; a fused stream keeps answering "done".
    .fuse()
}

/// Appends `chunk` to a file being read. When the buffer must grow it grows into a fresh one
/// and the old is wiped as it drops: a `Vec` growing by itself would free each smaller copy of
/// the file unwiped. Doubling (up to the per-file limit) keeps the copying to about one file's
/// worth.
fn append_wiped(bytes: &mut Zeroizing<Vec<u8>>, chunk: &[u8], max: usize) {
    let need = bytes.len() + chunk.len();
    if need > bytes.capacity() {
        let capacity = (bytes.capacity() * 2).max(64 * 1024).min(max).max(need);
        let mut grown = Zeroizing::new(Vec::with_capacity(capacity));
        grown.extend_from_slice(bytes);
        *bytes = grown;
    }
    bytes.extend_from_slice(chunk);
}

/// Reads every part. Text fields must stay within `limits.text.max_bytes` together; files
/// are counted and sized as they arrive, so a sixth file or an oversized one is refused
/// without reading it all into memory.
pub async fn read_multipart(
    req: &HttpRequest,
    payload: web::Payload,
    limits: &MultipartLimits<'_>,
) -> Result<Parts, MultipartError> {
    let whole = limits.whole();
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > whole.max_bytes as u64) {
        return Err(MultipartError::Body(BodyError::TooLarge));
    }
    let why = Rc::new(Cell::new(None));
    let mut multipart =
        actix_multipart::Multipart::new(req.headers(), guarded(payload, whole, Rc::clone(&why)));
    let broken = |why: &Rc<Cell<Option<BodyError>>>| {
        MultipartError::Body(why.get().unwrap_or(BodyError::Broken))
    };
    let mut parts = Parts::default();
    let mut text_bytes = 0usize;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(|_| broken(&why))?;
        let name = field.name().unwrap_or_default().to_string();
        let is_file = field
            .content_disposition()
            .is_some_and(|d| d.get_filename().is_some());
        if name == limits.file_field || is_file {
            if name != limits.file_field {
                return Err(MultipartError::Unexpected(name));
            }
            // A browser sends a part with an empty file name when no file was chosen.
            let chosen = field
                .content_disposition()
                .and_then(|d| d.get_filename())
                .is_none_or(|f| !f.is_empty());
            let n = parts.files.len() + 1;
            let mut bytes = Zeroizing::new(Vec::new());
            let mut over = false;
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(|_| broken(&why))?;
                // Once a file breaks a limit, the rest is read past (the answers after it are
                // still wanted, to show the page again) but not kept.
                if over || parts.file_error.is_some() {
                    continue;
                }
                if bytes.len() + chunk.len() > limits.files.max_file_bytes {
                    over = true;
                    bytes = Zeroizing::new(Vec::new());
                    continue;
                }
                append_wiped(&mut bytes, &chunk, limits.files.max_file_bytes);
            }
            if parts.file_error.is_some() || (!chosen && bytes.is_empty()) {
                continue;
            }
            let refused = if over {
                Some(AttachmentError::TooLarge {
                    n,
                    max: limits.files.max_file_bytes,
                })
            } else if n > limits.files.max_files {
                Some(AttachmentError::TooMany {
                    max: limits.files.max_files,
                })
            } else {
                None
            };
            match refused {
                Some(e) => {
                    parts.file_error = Some(e);
                    parts.files.clear();
                }
                None => parts.files.push(Upload { n, bytes }),
            }
        } else {
            let mut value = Vec::new();
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(|_| broken(&why))?;
                text_bytes += chunk.len();
                if text_bytes > limits.text.max_bytes {
                    return Err(MultipartError::Body(BodyError::TooLarge));
                }
                value.extend_from_slice(&chunk);
            }
            let value =
                String::from_utf8(value).map_err(|_| MultipartError::Body(BodyError::Broken))?;
            parts.fields.push((name, value));
        }
    }
    let total: usize = parts.files.iter().map(|f| f.bytes.len()).sum();
    if total > limits.files.max_total_bytes && parts.file_error.is_none() {
        parts.file_error = Some(AttachmentError::TotalTooLarge {
            max: limits.files.max_total_bytes,
        });
        parts.files.clear();
    }
    Ok(parts)
}
