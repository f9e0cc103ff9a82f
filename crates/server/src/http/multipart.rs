//! Reading a `multipart/form-data` body: text fields and files, under the same size, deadline
//! and minimum-rate rules as any other body ([`super::body`]).
//!
//! Files are read straight from the connection into memory (wiped when dropped): never into a
//! temporary file, because a file on disk in clear is exactly what the gateway must not make.
//! A file's name and declared type are read past and not kept.
//!
//! Memory is only spent on a file once the caller has seen the text parts before it (a form's
//! token and step, the API's submission) and admitted it ([`Admission`]), and then only as the
//! shared budget and the client's share of uploads allow ([`crate::http::uploads`]).

use super::body::{BodyError, BodyLimits};
use super::rate_limit::ClientKey;
use super::uploads::{Busy, Slot, Uploads};
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
    /// The memory the files hold, reserved until this is dropped: keep it while they live.
    pub held: Option<Slot>,
}

/// What the caller makes of the files, given the text parts that came before the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Read and keep them.
    Keep,
    /// Read past them without keeping a byte (the answers after them are still wanted).
    Skip,
    /// Stop reading: files were not expected here, or not from this sender.
    Refuse,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MultipartError {
    Body(BodyError),
    /// A file part under a name the caller does not take files under.
    Unexpected(String),
    /// Files the caller refused to read, from what came before them.
    Refused,
    /// No memory for the files now: the client's share of uploads or everyone's budget.
    Busy(Busy),
}

/// The limits for one multipart body.
pub struct MultipartLimits<'a> {
    /// The text fields together (the answers), as for an urlencoded body.
    pub text: &'a BodyLimits,
    pub files: &'a AttachmentLimits,
    /// The name of the file parts (`attachments`).
    pub file_field: &'a str,
    /// The memory budget for files, and whose share this upload is.
    pub uploads: &'a Uploads,
    pub client: ClientKey,
}

impl MultipartLimits<'_> {
    /// The whole body: answers, files and the parts' own headers.
    fn whole(&self) -> BodyLimits {
        BodyLimits {
            max_bytes: self.text.max_bytes + self.files.max_total_bytes + 64 * 1024,
            timeout: std::time::Duration::from_secs(self.files.upload_timeout_secs)
                .max(self.text.timeout),
            min_rate: self.text.min_rate,
            idle: self.text.idle,
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
    let state = (Some(payload), 0usize, start);
    futures_util::stream::unfold(state, move |(payload, received, last)| {
        let why = Rc::clone(&why);
        async move {
            let mut payload = payload?;
            let until = limits.next_deadline(start, received, last, limits.timeout);
            let fail = |e: BodyError| {
                why.set(Some(e));
                Some((Err(PayloadError::Overflow), (None, received, last)))
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
                    Some((Ok(chunk), (Some(payload), n, Instant::now())))
                }
            }
        }
    })
    // The multipart reader may ask again after the end; a fused stream keeps answering "done".
    .fuse()
}

/// Appends `chunk` to a file being read, reserving from `slot` whatever the buffer grows by
/// before it grows. When the buffer must grow it grows into a fresh one and the old is wiped as
/// it drops: a `Vec` growing by itself would free each smaller copy of the file unwiped.
/// Doubling (up to the per-file limit) keeps the copying to about one file's worth.
fn append_wiped(
    bytes: &mut Zeroizing<Vec<u8>>,
    chunk: &[u8],
    max: usize,
    slot: &mut Slot,
) -> Result<(), Busy> {
    let need = bytes.len() + chunk.len();
    if need > bytes.capacity() {
        let capacity = (bytes.capacity() * 2).max(64 * 1024).min(max).max(need);
        slot.reserve(capacity - bytes.capacity())?;
        let mut grown = Zeroizing::new(Vec::with_capacity(capacity));
        grown.extend_from_slice(bytes);
        *bytes = grown;
    }
    bytes.extend_from_slice(chunk);
    Ok(())
}

type Why = Rc<Cell<Option<BodyError>>>;

fn broken(why: &Why) -> MultipartError {
    MultipartError::Body(why.get().unwrap_or(BodyError::Broken))
}

/// Reads every part. Text fields must stay within `limits.text.max_bytes` together; files
/// are counted and sized as they arrive, so a sixth file or an oversized one is refused
/// without reading it all into memory. At the first file part, `admit` is asked, with the text
/// parts read so far, what to do with the files.
pub async fn read_multipart(
    req: &HttpRequest,
    payload: web::Payload,
    limits: &MultipartLimits<'_>,
    admit: impl Fn(&[(String, String)]) -> Admission,
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
    let why: Why = Rc::new(Cell::new(None));
    let mut multipart =
        actix_multipart::Multipart::new(req.headers(), guarded(payload, whole, Rc::clone(&why)));
    let mut parts = Parts::default();
    let mut text_bytes = 0usize;
    let mut admission = None;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(|_| broken(&why))?;
        let name = field.name().unwrap_or_default().to_string();
        let is_file = field
            .content_disposition()
            .is_some_and(|d| d.get_filename().is_some());
        if name != limits.file_field && !is_file {
            let value = read_text(&mut field, &mut text_bytes, limits, &why).await?;
            parts.fields.push((name, value));
            continue;
        }
        if name != limits.file_field {
            return Err(MultipartError::Unexpected(name));
        }
        match *admission.get_or_insert_with(|| admit(&parts.fields)) {
            Admission::Refuse => return Err(MultipartError::Refused),
            Admission::Skip => {
                while let Some(chunk) = field.next().await {
                    chunk.map_err(|_| broken(&why))?;
                }
            }
            Admission::Keep => {
                if parts.held.is_none() {
                    let slot = limits.uploads.begin(limits.client);
                    parts.held = Some(slot.map_err(MultipartError::Busy)?);
                }
                read_file(&mut field, &mut parts, limits, &why).await?;
            }
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

/// One text part, within what is left of the text fields' allowance.
async fn read_text(
    field: &mut actix_multipart::Field,
    text_bytes: &mut usize,
    limits: &MultipartLimits<'_>,
    why: &Why,
) -> Result<String, MultipartError> {
    let mut value = Vec::new();
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(|_| broken(why))?;
        *text_bytes += chunk.len();
        if *text_bytes > limits.text.max_bytes {
            return Err(MultipartError::Body(BodyError::TooLarge));
        }
        value.extend_from_slice(&chunk);
    }
    String::from_utf8(value).map_err(|_| MultipartError::Body(BodyError::Broken))
}

/// One admitted file part, into `parts.files` (or `parts.file_error`), its memory reserved from
/// `parts.held` as it grows.
async fn read_file(
    field: &mut actix_multipart::Field,
    parts: &mut Parts,
    limits: &MultipartLimits<'_>,
    why: &Why,
) -> Result<(), MultipartError> {
    // A browser sends a part with an empty file name when no file was chosen.
    let chosen = field
        .content_disposition()
        .and_then(|d| d.get_filename())
        .is_none_or(|f| !f.is_empty());
    let n = parts.files.len() + 1;
    let mut bytes = Zeroizing::new(Vec::new());
    let mut over = false;
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(|_| broken(why))?;
        // Once a file breaks a limit, the rest is read past (the answers after it are still
        // wanted, to show the page again) but not kept.
        if over || parts.file_error.is_some() {
            continue;
        }
        if bytes.len() + chunk.len() > limits.files.max_file_bytes {
            over = true;
            bytes = Zeroizing::new(Vec::new());
            continue;
        }
        let Some(slot) = parts.held.as_mut() else {
            return Err(MultipartError::Refused);
        };
        append_wiped(&mut bytes, &chunk, limits.files.max_file_bytes, slot)
            .map_err(MultipartError::Busy)?;
    }
    if parts.file_error.is_some() || (!chosen && bytes.is_empty()) {
        return Ok(());
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
    Ok(())
}
