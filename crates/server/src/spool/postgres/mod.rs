//! The shared spool: one PostgreSQL database for several gateways behind a load balancer.
//!
//! The same tables and meaning as the SQLite spool, and what several writers need besides:
//! submission numbers from a sequence, deliveries claimed with a lease, escalation rounds and
//! purge batches taken under row locks, the audit chain appended under a lock on its head, and
//! LISTEN/NOTIFY to wake the other gateways' outboxes (with polling as the fallback). A commit
//! is durable when PostgreSQL says so (`synchronous_commit` as the cluster sets it; on a
//! replicated cluster, `remote_apply` or `on` with synchronous standbys).

mod audit_log;
mod batch;
mod chain;
mod commit;
mod connect;
mod db;
mod drafts;
mod follow_up;
mod lifecycle;
pub mod migrate;
mod notify;
mod numbers;
mod outbox;
mod settings;
mod share;
mod submissions;
mod transfer;
mod workflow;

pub use audit_log::AuditReader;
pub use connect::{check_settings, parse as parse_url, Target, Tls, PASSWORD_ENV};

use super::{
    audit, AckStore, AttemptOutcome, AuditStore, CommitOutcome, DeliveryId, DeliveryRecord,
    Download, DownloadStore, DueDelivery, EscalationRoute, Housekeeping, IntakeStore, IssuedToken,
    NewSubmission, OutboxStats, OutboxStore, PartnerRecord, PartnerStore, PurgeReport, RecordStore,
    RetentionPolicy, SettingsStore, SpoolError, SpoolFuture, StoredEnvelope, SubmissionRecord,
    View,
};
use crate::ack::{AckKind, Used};
use crate::reference::{Reference, ReferenceCipher};
use crate::spool::secrets::{SpoolSecrets, Stored};
use crate::spool::SpoolSettings;
use crate::triage::Priority;
use anyhow::Context;
use db::{unavailable, DbError, DbResult, SUBMISSION_ID};
use deadpool_postgres::Pool;
use numbers::Numbers;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot, Notify};

/// The spool's secret for [`ReferenceCipher`], kept in the database's settings.
const REFERENCE_KEY: &str = "reference_key";
/// How long a proof that the database takes writes stands for `/readyz`.
const WRITABLE_FRESH: Duration = Duration::from_secs(5);

pub struct PostgresSpool {
    pool: Pool,
    cipher: Arc<ReferenceCipher>,
    numbers: Arc<Numbers>,
    commits: mpsc::Sender<commit::Job>,
    /// This gateway's name on the leases it takes: new at every start, so a restarted gateway
    /// waits out its predecessor's leases like any other.
    owner: String,
    writable: Arc<Writable>,
    /// Outboxes to wake when another gateway commits work (see `notify`).
    listeners: notify::Listeners,
    target: String,
    /// Seals the spool's secrets in `settings` (see [`crate::spool::secrets`]).
    secrets: Arc<SpoolSecrets>,
}

/// When the database last proved it takes writes; any failed write withdraws the proof.
struct Writable(Mutex<Option<Instant>>);

impl Writable {
    fn record(&self, ok: bool) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = ok.then(Instant::now);
    }

    fn fresh(&self) -> bool {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some_and(|at| at.elapsed() < WRITABLE_FRESH)
    }
}

impl PostgresSpool {
    /// Connects, migrates (once, whichever gateway comes first) and starts the committer and
    /// the listener that wakes this gateway's outbox when another gateway commits work.
    pub async fn open(settings: &SpoolSettings) -> anyhow::Result<Self> {
        let target = connect::target(settings)?;
        let tls = connect::tls_connector(settings)?;
        let pool = connect::pool(&target, tls.clone(), settings.postgres_pool_size)?;
        let described = target.describe();
        let mut client = pool
            .get()
            .await
            .with_context(|| format!("connecting to the spool database at {described}"))?;
        let applied = migrate::migrate(&mut client)
            .await
            .context("migrating the spool database")?;
        if !applied.is_empty() {
            tracing::info!(versions = ?applied, "spool database migrated");
        }
        drop(client);
        let key_file = settings.secrets_key_path();
        let secrets = Arc::new(
            SpoolSecrets::load(&key_file)
                .with_context(|| format!("the secrets key {}", key_file.display()))?,
        );
        let key: [u8; 32] = settings::secret(&pool, &secrets, REFERENCE_KEY, 32)
            .await
            .context("reading the reference key")?
            .try_into()
            .map_err(|_| anyhow::anyhow!("the spool's reference key is not 32 bytes"))?;
        let numbers = Numbers::open(pool.clone())
            .await
            .context("drawing submission numbers")?;
        let writable = Arc::new(Writable(Mutex::new(None)));
        let (tx, rx) = mpsc::channel(commit::QUEUE);
        let proof = Arc::clone(&writable);
        let bounds = commit::Bounds {
            max: settings.postgres_batch_max.max(1),
            wait: Duration::from_millis(settings.postgres_batch_wait_ms),
        };
        tokio::spawn(commit::run(pool.clone(), rx, bounds, move |ok| {
            proof.record(ok)
        }));
        let listeners = notify::Listeners::default();
        tokio::spawn(notify::listen(target.clone(), tls, listeners.clone()));
        let owner = {
            use rand::RngCore;
            let mut b = [0u8; 8];
            rand::rngs::OsRng.fill_bytes(&mut b);
            audit::to_hex(&b)
        };
        Ok(PostgresSpool {
            pool,
            cipher: Arc::new(ReferenceCipher::new(&key)),
            numbers,
            commits: tx,
            owner,
            writable,
            listeners,
            target: described,
            secrets,
        })
    }

    /// Where this spool is, for logs (no user, no password).
    pub fn describe(&self) -> &str {
        &self.target
    }

    /// The submission number a reference stands for, with the reference itself (a legacy one
    /// is found by that: see `SUBMISSION_ID`).
    fn number(&self, reference: &Reference) -> (i64, String) {
        (
            self.cipher.number(reference) as i64,
            reference.as_str().to_string(),
        )
    }

    fn spawn<T: Send + 'static>(
        &self,
        f: impl std::future::Future<Output = DbResult<T>> + Send + 'static,
    ) -> SpoolFuture<'_, T> {
        Box::pin(async move { f.await.map_err(unavailable) })
    }
}

impl From<DbError> for SpoolError {
    fn from(e: DbError) -> Self {
        unavailable(e)
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_group_commit;
