//! The desk's state and its server: bound to 127.0.0.1 only, one worker (one officer), the
//! mailbox decrypted into memory at start and dropped when the desk stops.

use super::config::{DeskConfig, Role};
use super::guard::Sessions;
use super::inbox::{Inbox, Trust};
use super::progress::Progress;
use super::queue::Known;
use super::seen::Seen;
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
    /// The identity file's text (opened with its passphrase, if it has one), wiped on drop.
    identity: zeroize::Zeroizing<String>,
    /// The decryption pass under way, if one is.
    pub progress: Progress,
    /// What the officer has opened (references and times), kept beside the desk file.
    pub seen: Mutex<Seen>,
}

/// How the desk starts: the passphrase of a protected identity, and whether the first pass
/// prints its progress on the terminal.
pub struct Opening<'a> {
    pub passphrase: &'a mut dyn FnMut() -> anyhow::Result<age::secrecy::SecretString>,
    pub print_progress: bool,
}

impl Desk {
    /// Reads the keys (asking for the identity's passphrase if it has one); the mailbox is
    /// read by [`Desk::reload`]. `start` is the one-time token the printed URL carries.
    pub fn open(
        config: DeskConfig,
        port: u16,
        start: String,
        opening: Opening<'_>,
    ) -> anyhow::Result<Self> {
        let trust = Trust::read(&config.signing_keys)?;
        let identity = super::identity::read(&config.identity, opening.passphrase)?;
        let (seen, warning) = Seen::load(config.state_file.clone());
        if let Some(w) = warning {
            eprintln!("{w}: every case shows as new");
        }
        Ok(Desk {
            trust,
            forms: FormRegistry::built_in()?,
            inbox: RwLock::new(Inbox::default()),
            known: Mutex::new(HashMap::new()),
            sessions: Sessions::new(start),
            port,
            identity,
            progress: Progress::new(opening.print_progress),
            seen: Mutex::new(seen),
            config,
        })
    }

    /// Reads the mailbox again, decrypting everything in it on every core. A MACE
    /// coordinator's desk then keeps only the restricted views for their localities.
    pub fn reload(&self) -> anyhow::Result<usize> {
        let result = self.read_mailbox();
        self.progress.end();
        let mut inbox = result?;
        if self.config.role == Role::Mace {
            super::mace::explain(&self.config.localities, &mut inbox);
        }
        let n = inbox.cases.len();
        *self.inbox.write().unwrap_or_else(|e| e.into_inner()) = inbox;
        Ok(n)
    }

    /// The officer's identities, parsed afresh from the text held in memory.
    pub fn identities(&self) -> Vec<Box<dyn age::Identity>> {
        crate::keys::parse_identities(&self.identity).unwrap_or_default()
    }

    fn read_mailbox(&self) -> anyhow::Result<Inbox> {
        let identities = || self.identities();
        let localities = &self.config.localities;
        let mace = |doc: &serde_json::Value| super::mace::is_for(localities, doc);
        let everything = |_: &serde_json::Value| true;
        let keep: super::inbox::Keep<'_> = match self.config.role {
            Role::Mace => &mace,
            Role::Officer => &everything,
        };
        Ok(match &self.config.imap {
            Some(imap) => {
                // The IMAP reader runs its own small runtime, so on a thread of its own: this
                // may be called from within the desk's.
                let (envelopes, problems) = std::thread::scope(|s| {
                    s.spawn(|| crate::open::imap::read_imap(imap))
                        .join()
                        .map_err(|_| anyhow::anyhow!("the mailbox reader failed"))
                })??;
                super::inbox::read_envelopes(
                    envelopes,
                    problems,
                    &identities,
                    &self.trust,
                    &self.progress,
                    keep,
                )
            }
            None => super::inbox::read(
                &self.config.mailbox,
                &identities,
                &self.trust,
                &self.progress,
                keep,
            ),
        })
    }

    /// Marks a case opened now, in the state file beside the desk file.
    pub fn mark_seen(&self, reference: &str) {
        let now = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let inbox = self.inbox.read().unwrap_or_else(|e| e.into_inner());
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(e) = seen.open_case(reference, &inbox.cases, &now) {
            eprintln!("what was seen could not be saved: {e}");
        }
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
    /// A MACE coordinator's desk asks about the link only: the workflow is police
    /// intelligence's.
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
        if self.config.role == Role::Mace {
            return None;
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
            let fresh = HashMap::new();
            super::queue::select(
                &inbox.cases,
                &known,
                &fresh,
                &super::queue::Filter::default(),
            )
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

/// A running desk: its port, the one-time URL to open it with, and its state (the first
/// pass is under way when it is returned).
pub struct Running {
    pub port: u16,
    pub url: String,
    pub server: actix_web::dev::Server,
    pub desk: actix_web::web::Data<Desk>,
}

/// [`start_with`] for an identity without a passphrase, printing nothing.
pub fn start(config: DeskConfig, port: Option<u16>) -> anyhow::Result<Running> {
    let mut no_passphrase = || -> anyhow::Result<age::secrecy::SecretString> {
        anyhow::bail!("the identity is protected with a passphrase: start the desk in a terminal")
    };
    start_with(
        config,
        port,
        Opening {
            passphrase: &mut no_passphrase,
            print_progress: false,
        },
    )
}

/// Binds 127.0.0.1 (on `port`, or a free one), opens the keys, and returns the server to
/// run. The first decryption pass runs beside it (the queue shows its progress until it
/// ends), then the states are fetched from the gateway.
pub fn start_with(
    config: DeskConfig,
    port: Option<u16>,
    opening: Opening<'_>,
) -> anyhow::Result<Running> {
    use anyhow::Context;
    let listener = std::net::TcpListener::bind(("127.0.0.1", port.or(config.port).unwrap_or(0)))
        .context("binding the desk to 127.0.0.1")?;
    let port = listener.local_addr()?.port();
    let token = super::guard::random_token();
    let print = opening.print_progress;
    let desk = actix_web::web::Data::new(Desk::open(config, port, token.clone(), opening)?);
    let background = desk.clone();
    let data = desk.clone();
    let server = actix_web::HttpServer::new(move || {
        actix_web::App::new()
            .app_data(data.clone())
            // A reply of 16 KiB, percent-encoded, and the form's other fields.
            .app_data(actix_web::web::FormConfig::default().limit(128 * 1024))
            .configure(super::routes::configure)
    })
    .workers(1)
    .listen(listener)?
    .run();
    actix_web::rt::spawn(async move {
        let reader = background.clone();
        let began = std::time::Instant::now();
        let read = actix_web::rt::task::spawn_blocking(move || reader.reload()).await;
        match read {
            Ok(Ok(n)) if print => eprintln!(
                "The mailbox is open: {n} reports, decrypted in {:.1} s.",
                began.elapsed().as_secs_f64()
            ),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                eprintln!("The mailbox could not be read: {e:#}");
                let mut inbox = background.inbox.write().unwrap_or_else(|e| e.into_inner());
                inbox
                    .problems
                    .push(format!("The mailbox could not be read: {e:#}"));
            }
            Err(_) => eprintln!("The mailbox reader failed"),
        }
        background.refresh_all().await;
    });
    Ok(Running {
        port,
        url: format!("http://127.0.0.1:{port}/start/{token}"),
        server,
        desk,
    })
}
