//! Building and running the gateway: load and check everything, bind, serve.

use crate::ack::{TokenKey, TokenPolicy};
use crate::config::Settings;
use crate::delivery::mailer::Mailer;
use crate::delivery::retry::RetrySchedule;
use crate::delivery::{IntakePressure, Outbox, SystemClock};
use crate::forms::FormRegistry;
use crate::housekeeping::Housekeeping;
use crate::http::pages::Pages;
use crate::http::routes::assets::Assets;
use crate::http::token::FormTokens;
use crate::http::{headers, logging, routes, AppState};
use crate::intake::{Intake, Rules};
use crate::locality::LocalityTable;
use crate::metrics::Metrics;
use crate::routing::Routes;
use crate::signing::SigningKey;
use crate::spool::{RetentionPolicy, Spool};
use crate::triage::Triage;
use actix_web::dev::Server;
use actix_web::{middleware, web, App, HttpServer};
use anyhow::Context;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

pub struct Application {
    port: u16,
    server: Server,
    /// `/metrics` and `/readyz`, on `server.admin_listen`.
    admin: Option<(u16, Server)>,
    outbox: Option<Outbox>,
    housekeeping: Option<Housekeeping>,
}

/// rustls with the ring provider, TLS 1.3 and 1.2 only.
pub fn tls_config(settings: &Settings) -> anyhow::Result<rustls::ServerConfig> {
    let certs = CertificateDer::pem_file_iter(&settings.server.tls_cert)
        .with_context(|| format!("reading {}", settings.server.tls_cert.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("parsing {}", settings.server.tls_cert.display()))?;
    let key = PrivateKeyDer::from_pem_file(&settings.server.tls_key)
        .with_context(|| format!("reading the key in {}", settings.server.tls_key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .context("choosing TLS versions")?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .context("pairing the TLS certificate and key")?;
    Ok(config)
}

/// The operators' listener: probes and metrics in plain HTTP, one worker, no rate limit and no
/// request log (a scrape every few seconds is not news); reachable from this host's monitoring
/// only.
fn admin_server(addr: &str, state: web::Data<AppState>) -> anyhow::Result<(u16, Server)> {
    let listener = TcpListener::bind(addr).with_context(|| format!("binding {addr}"))?;
    let port = listener.local_addr()?.port();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .configure(routes::configure_admin)
    })
    .workers(1)
    .client_request_timeout(Duration::from_secs(10))
    .shutdown_timeout(5)
    .listen(listener)?
    .run();
    Ok((port, server))
}

impl Application {
    /// Loads forms, templates, keys and the spool, binds the listener and prepares the server.
    /// Fails before binding if anything is wrong.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, crate::http::clock::Clock::system()).await
    }

    /// As [`Application::build`], with the HTTP layer's clock (rate limits, form tokens) given.
    pub async fn build_with_clock(
        settings: Settings,
        clock: crate::http::clock::Clock,
    ) -> anyhow::Result<Self> {
        let (forms, assets, pages) = load_forms(&settings)?;
        let routes = Arc::new(Routes::from_settings(&settings.routes)?);
        let signer = Arc::new(
            SigningKey::load(&settings.server.signing_key).context("loading server.signing_key")?,
        );
        let signing_keys = settings.published_signing_keys(signer.public());
        // Woken by intake and housekeeping here, and by other gateways on a shared spool.
        let wake = Arc::new(Notify::new());
        let urgent = Arc::new(Notify::new());
        let spool = crate::spool::open(&settings.spool).await?;
        let addresses = Arc::new(address_sealer(&settings)?);
        // Only this gateway's own IMMEDIATE commits ring the urgent lanes: each gateway on a
        // shared spool sends its own on its own urgent lanes, and a remote commit of any kind
        // would otherwise rouse one of them for nothing.
        spool.wake_on_remote_commit(Arc::clone(&wake));
        let (secret, pepper) = spool_secrets(&*spool).await?;
        let tokens = FormTokens::new(&secret, settings.server.form_token_max_age_minutes * 60);
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        let metrics = Arc::new(Metrics::default());
        let ack_tokens = TokenPolicy::from_days(settings.escalation.ack_token_days);
        let pressure = Arc::new(IntakePressure::new(
            settings.delivery.busy_intake_per_second,
        ));
        let shared = Shared {
            spool,
            signer,
            metrics,
            wake,
            urgent,
            addresses,
            pressure,
        };
        let outbox = shared.outbox(&settings, ack_tokens)?;
        let rules = Arc::new(load_rules(&settings)?);
        let housekeeping = shared.housekeeping(&settings, &routes);
        let officers = crate::officer::verify::Officers::from_routes(&routes).serving(
            crate::officer::request::host_of(&settings.server.public_url).unwrap_or_default(),
        );
        let intake = shared.intake(routes, rules);
        let plain = settings.server.dangerous_plain_http;
        let cleaner = cleaner(&settings, cores)?;
        let state = web::Data::new(AppState {
            forms,
            pages,
            assets,
            intake,
            tokens,
            contacts: settings.contacts.clone(),
            limits: crate::http::rate_limit::RateLimits::new(&settings.limits, clock),
            min_fill_seconds: settings.limits.min_fill_seconds,
            draft_idle_secs: 60 * i64::from(settings.forms.draft_minutes),
            body: body_limits(&settings),
            uploads: crate::http::uploads::Uploads::new(
                settings.attachments.max_bytes_in_flight,
                settings.attachments.max_uploads_per_client,
            ),
            cleaner,
            plain_http: plain,
            ack_tokens,
            download_links: crate::ack::TokenPolicy::from_days(settings.mail.download_link_days),
            signing_keys,
            officers,
            triage_within_secs: 60 * settings.workflow.triage_within_minutes as i64,
            readiness: Default::default(),
            saved: saved_drafts(&settings)?,
            // As many derivations at once as file decodes: a core stays with the HTTP workers.
            follow_up: crate::follow_up::Deriver::new(
                pepper,
                crate::follow_up::Cost::default(),
                cores.saturating_sub(1),
            ),
        });
        let admin = match settings.server.admin_listen.trim() {
            "" => None,
            addr => Some(admin_server(addr, state.clone())?),
        };
        let listener = TcpListener::bind(&settings.server.listen)
            .with_context(|| format!("binding {}", settings.server.listen))?;
        let port = listener.local_addr()?.port();
        let workers = if settings.server.workers == 0 {
            cores
        } else {
            settings.server.workers
        };
        let server = http_server(state, &settings, listener, workers)?;
        Ok(Application {
            port,
            server,
            admin,
            outbox: Some(outbox),
            housekeeping: Some(housekeeping),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The admin listener's port, when there is one.
    pub fn admin_port(&self) -> Option<u16> {
        self.admin.as_ref().map(|(port, _)| *port)
    }

    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until the server stops (SIGINT/SIGTERM or a handle), with the outbox worker
    /// alongside; then lets the worker finish the attempt in hand.
    pub async fn run_until_stopped(mut self) -> std::io::Result<()> {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let worker = self
            .outbox
            .take()
            .map(|o| tokio::spawn(Arc::new(o).run(stopped.clone())));
        let chores = self
            .housekeeping
            .take()
            .map(|h| tokio::spawn(h.run(stopped)));
        let admin = self.admin.take().map(|(_, server)| {
            let handle = server.handle();
            (handle, tokio::spawn(server))
        });
        let result = self.server.await;
        if let Some((handle, task)) = admin {
            handle.stop(true).await;
            let _ = task.await;
        }
        let _ = stop.send(true);
        for task in [worker, chores].into_iter().flatten() {
            let _ = task.await;
        }
        result
    }
}

/// The forms, the static files and the page templates, all read from `forms.dir`.
fn load_forms(settings: &Settings) -> anyhow::Result<(FormRegistry, Assets, Pages)> {
    let forms = FormRegistry::load_dir(&settings.forms.dir).context("loading form specs")?;
    let assets =
        Assets::load(&settings.forms.dir.join("static")).context("loading static files")?;
    let pages = Pages::load(&settings.forms.dir.join("templates"))
        .context("loading page templates")?
        .with_asset_urls(assets.urls())
        .with_inline_styles(assets.inline_styles())
        .with_languages(&settings.public.languages);
    Ok((forms, assets, pages))
}

/// The form-token key and the follow-up KDF's pepper. Both are spool secrets, so every gateway
/// on a shared spool and a spool copied elsewhere (`spool copy` carries secrets) agree on them.
async fn spool_secrets(spool: &dyn Spool) -> anyhow::Result<(Vec<u8>, Vec<u8>)> {
    let secret = spool
        .secret("form_token", 32)
        .await
        .context("reading the form-token key")?;
    let pepper = spool
        .secret(
            crate::follow_up::keys::PEPPER_SECRET,
            crate::follow_up::keys::PEPPER_LEN,
        )
        .await
        .context("reading the follow-up pepper")?;
    Ok((secret, pepper))
}

/// Seals a professional's notice address. Its key is kept outside the database: a reader of
/// the spool cannot open what it seals.
fn address_sealer(settings: &Settings) -> anyhow::Result<crate::secrets_key::Sealer> {
    let secrets_path = settings.spool.secrets_key_path();
    let secrets = crate::secrets_key::SecretsKey::load_or_create(&secrets_path)
        .with_context(|| format!("the secrets key {}", secrets_path.display()))?;
    Ok(secrets.sealer(crate::secrets_key::ADDRESS))
}

/// One file decoding fewer than the cores (at least one): the rest wait their turn, and a core
/// is always left to the HTTP workers, so small reports are not held behind photos
/// (`cargo bench --bench uploads`: p99 192 ms with a decode per core, 73-83 ms with one on 2
/// cores).
fn cleaner(settings: &Settings, cores: usize) -> anyhow::Result<crate::attachments::Cleaner> {
    Ok(crate::attachments::Cleaner::new(
        settings.attachments,
        cores.saturating_sub(1),
        pdf_scanner(settings)?,
    ))
}

/// The triage rules and the locality table.
fn load_rules(settings: &Settings) -> anyhow::Result<Rules> {
    Ok(Rules {
        triage: Triage::load(&settings.routing.triage_rules)?
            .with_narrative_max(settings.triage.narrative_max),
        localities: LocalityTable::load(&settings.routing.localities)?,
    })
}

/// Each PDF sent is analysed by this same executable (or the one configured) as a limited
/// child process.
fn pdf_scanner(settings: &Settings) -> anyhow::Result<crate::attachments::PdfScanner> {
    Ok(match &settings.pdf_scanner {
        Some(program) => crate::attachments::PdfScanner::new(program.clone()),
        None => crate::attachments::PdfScanner::this_program()
            .context("finding this executable, to analyse PDFs with")?,
    })
}

fn body_limits(settings: &Settings) -> crate::http::body::BodyLimits {
    crate::http::body::BodyLimits {
        max_bytes: settings.server.max_body_bytes,
        timeout: Duration::from_secs(settings.server.body_timeout_secs),
        min_rate: settings.server.body_min_bytes_per_second,
        idle: Duration::from_secs(settings.server.body_idle_secs),
    }
}

/// "Save and come back later": its own mail transport, so a saved form's link is not queued
/// behind the outbox.
fn saved_drafts(settings: &Settings) -> anyhow::Result<crate::http::saved::SavedDrafts> {
    Ok(crate::http::saved::SavedDrafts {
        mailer: Mailer::from_settings(&settings.mail, 1)
            .context("setting up the mail transport for saved forms")?,
        from: settings.mail.from.clone(),
        public_url: settings.server.public_url.trim_end_matches('/').to_string(),
        keep_secs: 86_400 * i64::from(settings.forms.saved_draft_days),
    })
}

/// The public HTTP(S) server on `listener`, its middleware in order.
fn http_server(
    state: web::Data<AppState>,
    settings: &Settings,
    listener: TcpListener,
    workers: usize,
) -> anyhow::Result<Server> {
    let plain = settings.server.dangerous_plain_http;
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            // Outermost last: headers on every response, the 429s included.
            .wrap(middleware::from_fn(crate::http::rate_limit::limit))
            .wrap(middleware::from_fn(logging::log_request))
            .wrap(headers::security_headers(!plain))
            // Outermost of all: every page, a 429's included, in the request's language.
            .wrap(middleware::from_fn(crate::http::language::page_language))
            .configure(routes::configure)
            .default_service(web::to(routes::home::not_found))
    })
    .workers(workers)
    .client_request_timeout(Duration::from_secs(10))
    .client_disconnect_timeout(Duration::from_secs(2))
    .keep_alive(Duration::from_secs(30))
    .max_connections(settings.limits.max_connections)
    .shutdown_timeout(15);
    Ok(if plain {
        server.listen(listener)?
    } else {
        server.listen_rustls_0_23(listener, tls_config(settings)?)?
    }
    .run())
}

/// What intake, the outbox and housekeeping share: the spool, the signing key, the counters,
/// and the bells that wake the senders.
struct Shared {
    spool: Arc<dyn Spool>,
    signer: Arc<SigningKey>,
    metrics: Arc<Metrics>,
    /// Woken by intake and housekeeping here, and by other gateways on a shared spool.
    wake: Arc<Notify>,
    /// Woken only by this gateway's own IMMEDIATE commits.
    urgent: Arc<Notify>,
    /// Seals a professional's notice address under the key kept outside the database.
    addresses: Arc<crate::secrets_key::Sealer>,
    pressure: Arc<IntakePressure>,
}

impl Shared {
    /// The outbox: its lanes, retries, links and the mail transport.
    fn outbox(&self, settings: &Settings, ack_tokens: TokenPolicy) -> anyhow::Result<Outbox> {
        Ok(Outbox::new(
            self.spool.clone(),
            Mailer::from_settings(
                &settings.mail,
                settings.delivery.concurrency + settings.delivery.urgent_lanes,
            )
            .context("setting up the mail transport")?,
            RetrySchedule::from(&settings.delivery),
            Arc::new(SystemClock),
            settings.mail.from.clone(),
            Arc::clone(&self.metrics),
            Arc::clone(&self.wake),
            Duration::from_secs(settings.delivery.poll_interval_secs),
        )
        .with_lanes(settings.delivery.concurrency)
        .with_urgent_lanes(settings.delivery.urgent_lanes, Arc::clone(&self.urgent))
        .with_lease_secs(settings.delivery.lease_secs)
        .with_public_url(&settings.server.public_url)
        .with_token_policy(ack_tokens)
        .with_max_attachment_bytes(settings.mail.max_attachment_bytes)
        // Derived from the signing key, which lives outside the spool: a resend after a
        // restart carries the same link, and a copy of the spool alone yields no token.
        .with_token_key(TokenKey::derived_from(self.signer.derivation_secret()))
        .with_addresses(Arc::clone(&self.addresses))
        .with_pressure(Arc::clone(&self.pressure)))
    }

    /// Housekeeping: escalation, retention and the audit head's log.
    fn housekeeping(&self, settings: &Settings, routes: &Routes) -> Housekeeping {
        Housekeeping::new(
            Arc::clone(&self.spool),
            Arc::new(SystemClock),
            Arc::clone(&self.metrics),
            routes.escalation(),
            60 * settings.escalation.repeat_minutes as i64,
            RetentionPolicy {
                grace_secs: 86_400 * settings.retention.grace_days as i64,
                max_age_secs: 86_400 * settings.retention.max_age_days as i64,
                warn_secs: 86_400 * settings.retention.warn_days as i64,
            },
            60 * settings.escalation.audit_head_log_minutes as i64,
            Arc::clone(&self.wake),
            Duration::from_secs(settings.escalation.check_interval_secs),
        )
        .with_signer(Arc::clone(&self.signer))
        .with_urgent_wake(Arc::clone(&self.urgent))
        .with_draft_minutes(settings.forms.draft_minutes)
    }

    /// Intake, the last to be made: it takes the shared parts.
    fn intake(self, routes: Arc<Routes>, rules: Arc<Rules>) -> Intake {
        Intake::new(
            self.spool,
            routes,
            rules,
            self.metrics,
            self.wake,
            self.signer,
        )
        .with_pressure(self.pressure)
        .with_urgent_wake(self.urgent)
        .with_addresses(self.addresses)
    }
}
