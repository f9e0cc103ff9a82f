//! The CPU ceiling for `bash bench/run`: the gateway's submission endpoint with the spool taken
//! out. The same TLS (rustls, ring), the same actix-web server settings, the same body limits,
//! strict JSON parsing and form validation, the same triage, routing, signing and age sealing to
//! the configured routes' recipients; then the envelopes are dropped and a 201 of the same shape
//! is sent. What the gateway does beyond this (rate limiting, the request log, the spool commit
//! and its reference, waking the outbox) is what the ratio to this ceiling measures.
//!
//! Every step is the gateway's own library code (`body::read_limited`, `api::parse_submission`,
//! `forms::validate`, `intake::prepare`, `intake::seal_all`, `api::created`), so a change to
//! those moves both.
//!
//!   cargo bench --bench cpu_ceiling -- --config <gateway.toml>   (serves until killed)

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use anyhow::Context;
use pis_gateway::forms::{validate, FormRegistry};
use pis_gateway::http::body::{media_type, read_limited, BodyError, BodyLimits};
use pis_gateway::http::error::ApiError;
use pis_gateway::http::routes::api;
use pis_gateway::intake::{self, Rules};
use pis_gateway::locality::LocalityTable;
use pis_gateway::reference::ReferenceCipher;
use pis_gateway::routing::Routes;
use pis_gateway::signing::SigningKey;
use pis_gateway::triage::Triage;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use time::format_description::well_known::Rfc3339;

struct Ceiling {
    forms: FormRegistry,
    routes: Routes,
    rules: Rules,
    signer: SigningKey,
    body: BodyLimits,
    /// References as the spool numbers them, without the spool.
    cipher: ReferenceCipher,
    next: AtomicU64,
}

async fn submit(
    state: web::Data<Ceiling>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    if media_type(&req) != "application/json" {
        return Err(ApiError::UnsupportedMediaType);
    }
    let body = read_limited(&req, payload, &state.body)
        .await
        .map_err(|e| match e {
            BodyError::TooLarge => ApiError::TooLarge {
                limit: state.body.max_bytes,
            },
            BodyError::TooSlow => ApiError::TooSlow,
            BodyError::Broken => ApiError::Malformed,
        })?;
    let (spec, answers) = api::parse_submission(&state.forms, &body)?;
    let validated =
        validate(&spec, &answers, pis_gateway::ukdate::uk_today()).map_err(ApiError::Invalid)?;
    let now = time::OffsetDateTime::now_utc();
    let prepared = intake::prepare(&state.routes, &state.rules, &spec, &validated.answers, now);
    let received_at = now
        .replace_nanosecond(0)
        .unwrap_or(now)
        .format(&Rfc3339)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let reference = state
        .cipher
        .reference(state.next.fetch_add(1, Ordering::Relaxed));
    let envelopes = intake::seal_all(
        &reference,
        &received_at,
        &spec,
        &validated,
        &prepared,
        &state.signer,
        None,
        &intake::SealedFiles::none(),
    )
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    // What would be committed: dropped, having been built in full.
    std::hint::black_box(envelopes);
    Ok(api::created(
        &reference,
        prepared.triage.priority,
        &received_at,
    ))
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let config = args
        .iter()
        .position(|a| a == "--config")
        .and_then(|i| args.get(i + 1))
        .context("usage: cpu_ceiling --config <gateway.toml>")?;
    let settings = pis_gateway::config::load(std::path::Path::new(config))
        .map_err(|p| anyhow::anyhow!("{p}"))?;
    let state = web::Data::new(Ceiling {
        forms: FormRegistry::load_dir(&settings.forms.dir)?,
        routes: Routes::from_settings(&settings.routes)?,
        rules: Rules {
            triage: Triage::load(&settings.routing.triage_rules)?
                .with_narrative_max(settings.triage.narrative_max),
            localities: LocalityTable::load(&settings.routing.localities)?,
        },
        signer: SigningKey::load(&settings.server.signing_key)?,
        body: BodyLimits {
            max_bytes: settings.server.max_body_bytes,
            timeout: Duration::from_secs(settings.server.body_timeout_secs),
            min_rate: settings.server.body_min_bytes_per_second,
            idle: Duration::from_secs(settings.server.body_idle_secs),
        },
        cipher: ReferenceCipher::new(&rand::random()),
        next: AtomicU64::new(1),
    });
    let tls = pis_gateway::startup::tls_config(&settings)?;
    let workers = if settings.server.workers == 0 {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    } else {
        settings.server.workers
    };
    let listen = settings.server.listen.clone();
    actix_web::rt::System::new().block_on(async move {
        // The gateway's server settings (crates/server/src/startup.rs), its security headers included.
        HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .wrap(pis_gateway::http::headers::security_headers(true))
                .route("/api/v1/submissions", web::post().to(submit))
                .route("/healthz", web::get().to(|| async { "ok" }))
        })
        .workers(workers)
        .client_request_timeout(Duration::from_secs(10))
        .client_disconnect_timeout(Duration::from_secs(2))
        .keep_alive(Duration::from_secs(30))
        .max_connections(settings.limits.max_connections)
        .listen_rustls_0_23(
            std::net::TcpListener::bind(&listen).with_context(|| format!("binding {listen}"))?,
            tls,
        )?
        .run()
        .await
        .context("server stopped")
    })
}
