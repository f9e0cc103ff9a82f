//! Reading request bodies with a hard size limit and a deadline, before any parsing.

use actix_web::{web, HttpRequest};
use futures_util::StreamExt;
use std::time::Duration;
use tokio::time::Instant;

/// How long a client may take to send its first bytes before the minimum rate applies.
const GRACE: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyError {
    TooLarge,
    /// The body did not arrive whole within the deadline, or came in slower than the minimum
    /// rate: a slow client holding a connection (and a worker's attention) open.
    TooSlow,
    /// The client went away or sent a broken body.
    Broken,
}

/// What a body may be: how big, how long it may take, how slowly it may come.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    pub max_bytes: usize,
    pub timeout: Duration,
    /// Bytes a second, on average, once the grace period is over.
    pub min_rate: u64,
    /// The longest wait for the next byte, however fast the body came before it.
    pub idle: Duration,
}

impl BodyLimits {
    /// When the body has fallen below the minimum rate, having `received` bytes by then.
    pub(crate) fn rate_deadline(&self, start: Instant, received: usize) -> Instant {
        if self.min_rate == 0 {
            return start + self.timeout;
        }
        let secs = received as f64 / self.min_rate as f64;
        start + GRACE + Duration::from_secs_f64(secs.min(86_400.0))
    }

    /// When the next chunk must have come: the overall deadline, the minimum rate, and the idle
    /// limit since the last chunk, whichever is first.
    pub(crate) fn next_deadline(
        &self,
        start: Instant,
        received: usize,
        last: Instant,
        timeout: Duration,
    ) -> Instant {
        (start + timeout)
            .min(self.rate_deadline(start, received))
            .min(last + self.idle)
    }
}

/// Reads the whole body, refusing it as soon as it passes `limits.max_bytes` (a declared length
/// over the limit is refused before a byte is read), or once it is later than its deadline or
/// slower than the minimum rate.
pub async fn read_limited(
    req: &HttpRequest,
    mut payload: web::Payload,
    limits: &BodyLimits,
) -> Result<web::Bytes, BodyError> {
    let limit = limits.max_bytes;
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge);
    }
    let start = Instant::now();
    let mut last = start;
    let mut body = web::BytesMut::with_capacity(declared.unwrap_or(0).min(limit as u64) as usize);
    loop {
        let until = limits.next_deadline(start, body.len(), last, limits.timeout);
        let next = tokio::time::timeout_at(until, payload.next())
            .await
            .map_err(|_| BodyError::TooSlow)?;
        let Some(chunk) = next else { break };
        let chunk = chunk.map_err(|_| BodyError::Broken)?;
        last = Instant::now();
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The media type of the request, lower-cased, without parameters.
pub fn media_type(req: &HttpRequest) -> String {
    req.headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default()
}
