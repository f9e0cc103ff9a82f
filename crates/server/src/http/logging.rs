//! The request log: method, route template, status and duration. Deliberately no client
//! address, no user agent, no query string and no concrete path (a path can carry a token).

use super::shed::Shed;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use std::time::Instant;
use tracing::Instrument;

pub async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".into());
    let span = tracing::info_span!("request", %method, %route, status = tracing::field::Empty);
    let res = next.call(req).instrument(span.clone()).await?;
    let status = res.status().as_u16();
    span.record("status", status);
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let shed = res.response().extensions().get::<Shed>().copied();
    span.in_scope(|| match shed {
        // Refused on purpose, at a limit the operator can look up by its name.
        Some(Shed(limit)) => tracing::warn!(ms, limit, "request shed"),
        None if status >= 500 => tracing::error!(ms, "request failed"),
        None => tracing::info!(ms, "request"),
    });
    Ok(res)
}
