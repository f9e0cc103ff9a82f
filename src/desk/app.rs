//! The desk's state and its server: bound to 127.0.0.1 only, one worker (one officer), the
//! mailbox decrypted into memory at start and dropped when the desk stops.

use super::config::DeskConfig;
use super::guard::Sessions;
use super::inbox::{Inbox, Trust};
use super::queue::Known;
use crate::forms::FormRegistry;
use crate::officer::commands::Target;
use std::collections::HashMap;
use std::sync::{Mutex, RwLock};

/// How many cases, from the top of the queue, the desk asks the gateway about at start and
/// when the mailbox is read again.
pub const REFRESHED: usize = 50;

pub struct Desk {
    pub config: DeskConfig,
    pub trust: Trust,
    pub forms: FormRegistry,
    pub inbox: RwLock<Inbox>,
    pub known: Mutex<HashMap<String, Known>>,
    pub sessions: Sessions,
    pub port: u16,
}

impl Desk {
    /// Reads the keys and the mailbox; `start` is the one-time token the printed URL carries.
    pub fn open(config: DeskConfig, port: u16, start: String) -> anyhow::Result<Self> {
        let trust = Trust::read(&config.signing_keys)?;
        let desk = Desk {
            trust,
            forms: FormRegistry::built_in()?,
            inbox: RwLock::new(Inbox::default()),
            known: Mutex::new(HashMap::new()),
            sessions: Sessions::new(start),
            port,
            config,
        };
        desk.reload()?;
        Ok(desk)
    }

    /// Reads the mailbox again, decrypting everything in it (the identity is read each time
    /// and dropped after).
    pub fn reload(&self) -> anyhow::Result<usize> {
        let path = &self.config.identity;
        let text = zeroize::Zeroizing::new(
            std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("reading identity file {}: {e}", path.display()))?,
        );
        if crate::keys::parse_identities(&text).is_none_or(|i| i.is_empty()) {
            anyhow::bail!("{} holds no usable age identity", path.display());
        }
        let identities = || crate::keys::parse_identities(&text).unwrap_or_default();
        let inbox = match &self.config.imap {
            Some(imap) => {
                // The IMAP reader runs its own small runtime, so on a thread of its own: this
                // may be called from within the desk's.
                let (envelopes, problems) = std::thread::scope(|s| {
                    s.spawn(|| crate::open::imap::read_imap(imap))
                        .join()
                        .map_err(|_| anyhow::anyhow!("the mailbox reader failed"))
                })??;
                super::inbox::read_envelopes(envelopes, problems, &identities, &self.trust)
            }
            None => super::inbox::read(&self.config.mailbox, &identities, &self.trust),
        };
        let n = inbox.cases.len();
        *self.inbox.write().unwrap_or_else(|e| e.into_inner()) = inbox;
        Ok(n)
    }

    pub fn target(&self, reference: &str) -> anyhow::Result<Target> {
        Ok(Target {
            gateway: self.config.gateway.clone(),
            ca: self.config.ca.clone(),
            officer_key: self.config.officer_key.clone(),
            reference: crate::reference::Reference::parse(reference)
                .ok_or_else(|| anyhow::anyhow!("not a reference"))?,
        })
    }

    pub fn known(&self, reference: &str) -> Known {
        self.known
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(reference)
            .cloned()
            .unwrap_or_default()
    }

    fn update(&self, reference: &str, f: impl FnOnce(&mut Known)) {
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        f(known.entry(reference.to_string()).or_default());
    }

    pub fn mark_acknowledged(&self, reference: &str) {
        self.update(reference, |k| k.acknowledged = Some(true));
    }

    /// Asks the gateway what it holds about a case: whether its link is used, its last
    /// workflow step. Returns the workflow (for the case page) when the gateway gave it.
    pub async fn refresh(&self, reference: &str) -> Option<crate::officer::commands::Workflow> {
        let link = {
            let inbox = self.inbox.read().unwrap_or_else(|e| e.into_inner());
            inbox
                .cases
                .iter()
                .find(|c| c.reference == reference)
                .and_then(|c| c.ack_link.clone())
        };
        if let Some(link) = link {
            use crate::officer::ack::{state, LinkState};
            if let Ok(s) = state(&self.config.gateway, self.config.ca.as_deref(), &link).await {
                self.update(reference, |k| {
                    k.acknowledged = Some(s == LinkState::UsedOrExpired)
                });
            }
        }
        let target = self.target(reference).ok()?;
        let workflow = crate::officer::commands::workflow(&target).await.ok()?;
        self.update(reference, |k| k.step = workflow.last_step());
        Some(workflow)
    }

    /// [`Desk::refresh`] for the first [`REFRESHED`] cases in the queue's order, one after
    /// another: each is two requests on connections of their own, and a large mailbox must not
    /// flood the gateway (the others are asked about when their case opens).
    pub async fn refresh_all(&self) {
        let references: Vec<String> = {
            let inbox = self.inbox.read().unwrap_or_else(|e| e.into_inner());
            let known = self.known.lock().unwrap_or_else(|e| e.into_inner()).clone();
            super::queue::select(&inbox.cases, &known, &super::queue::Filter::default())
                .into_iter()
                .take(REFRESHED)
                .map(|i| inbox.cases[i].reference.clone())
                .collect()
        };
        for r in references {
            self.refresh(&r).await;
        }
    }
}

/// A running desk: its port and the one-time URL to open it with.
pub struct Running {
    pub port: u16,
    pub url: String,
    pub server: actix_web::dev::Server,
}

/// Binds 127.0.0.1 (on `port`, or a free one), reads the mailbox, and returns the server to
/// run. The states are fetched from the gateway once it runs.
pub fn start(config: DeskConfig, port: Option<u16>) -> anyhow::Result<Running> {
    use anyhow::Context;
    let listener = std::net::TcpListener::bind(("127.0.0.1", port.or(config.port).unwrap_or(0)))
        .context("binding the desk to 127.0.0.1")?;
    let port = listener.local_addr()?.port();
    let token = super::guard::random_token();
    let desk = actix_web::web::Data::new(Desk::open(config, port, token.clone())?);
    let background = desk.clone();
    let server = actix_web::HttpServer::new(move || {
        actix_web::App::new()
            .app_data(desk.clone())
            // A reply of 16 KiB, percent-encoded, and the form's other fields.
            .app_data(actix_web::web::FormConfig::default().limit(128 * 1024))
            .configure(super::routes::configure)
    })
    .workers(1)
    .listen(listener)?
    .run();
    actix_web::rt::spawn(async move { background.refresh_all().await });
    Ok(Running {
        port,
        url: format!("http://127.0.0.1:{port}/start/{token}"),
        server,
    })
}
