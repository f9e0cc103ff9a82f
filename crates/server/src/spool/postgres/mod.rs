//! The shared spool: one PostgreSQL database for several gateways behind a load balancer.
//!
//! The same tables and meaning as the SQLite spool, and what several writers need besides:
//! submission numbers from a sequence, deliveries claimed with a lease, escalation rounds and
//! purge batches taken under row locks, the audit chain appended under a lock on its head, and
//! LISTEN/NOTIFY to wake the other gateways' outboxes (with polling as the fallback). A commit
//! is durable when PostgreSQL says so (`synchronous_commit` as the cluster sets it; on a
//! replicated cluster, `remote_apply` or `on` with synchronous standbys).

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
mod share;
mod transfer;
mod workflow;

pub use connect::{check_settings, parse as parse_url, Target, Tls, PASSWORD_ENV};

use super::{
    audit, AckStore, AttemptOutcome, AuditStore, CommitOutcome, DeliveryId, DeliveryRecord,
    Download, DownloadStore, DueDelivery, EscalationRoute, Housekeeping, IntakeStore, IssuedToken,
    NewSubmission, OutboxStats, OutboxStore, PartnerRecord, PartnerStore, PurgeReport, RecordStore,
    RetentionPolicy, SettingsStore, SpoolError, SpoolFuture, StoredEnvelope, SubmissionRecord,
    View,
};
use crate::ack::{AckKind, Used};
use crate::config::SpoolSettings;
use crate::reference::{Reference, ReferenceCipher};
use crate::spool::secrets::{SpoolSecrets, Stored};
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
        let key: [u8; 32] = secret(&pool, &secrets, REFERENCE_KEY, 32)
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

/// The audit log of a PostgreSQL spool, read only: nothing is created or migrated.
pub struct AuditReader {
    pool: Pool,
}

impl AuditReader {
    pub async fn open(settings: &SpoolSettings) -> anyhow::Result<Self> {
        let target = connect::target(settings)?;
        let tls = connect::tls_connector(settings)?;
        let pool = connect::pool(&target, tls, 1)?;
        let client = pool.get().await.with_context(|| {
            format!("connecting to the spool database at {}", target.describe())
        })?;
        let version: Option<i64> = client
            .query_one(
                "SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN NULL
                        ELSE (SELECT MAX(version) FROM schema_migrations) END",
                &[],
            )
            .await?
            .get(0);
        match version {
            None => anyhow::bail!("no spool in the database at {}", target.describe()),
            Some(v) if v > migrate::CURRENT_VERSION => {
                anyhow::bail!("{}", migrate::MigrateError::Newer(v))
            }
            Some(_) => {}
        }
        drop(client);
        Ok(AuditReader { pool })
    }
}

impl AuditStore for AuditReader {
    fn audit_head(&self) -> SpoolFuture<'_, Option<(i64, Vec<u8>)>> {
        Box::pin(async move {
            let client = self.pool.get().await.map_err(DbError::from)?;
            Ok(chain::head(&client).await.map_err(DbError::from)?)
        })
    }

    fn audit_entries(&self) -> SpoolFuture<'_, Vec<audit::Entry>> {
        Box::pin(async move {
            let client = self.pool.get().await.map_err(DbError::from)?;
            Ok(chain::entries(&client).await.map_err(DbError::from)?)
        })
    }
}

/// A secret of the spool's, made on first use and kept sealed (see
/// [`crate::spool::secrets`]); one kept in clear by an older gateway is sealed now.
async fn secret(pool: &Pool, secrets: &SpoolSecrets, name: &str, len: usize) -> DbResult<Vec<u8>> {
    let key = format!("secret:{name}");
    let client = pool.get().await?;
    let mut fresh = vec![0u8; len];
    {
        use rand::RngCore;
        rand::rngs::OsRng.fill_bytes(&mut fresh);
    }
    // Two gateways starting together both offer a value; the first one stored wins and both
    // read it back.
    db::exec(
        &client,
        "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        &[&key, &secrets.seal(name, &fresh)],
    )
    .await?;
    let stored: Vec<u8> = db::one(
        &client,
        "SELECT value FROM settings WHERE name = $1",
        &[&key],
    )
    .await?
    .get(0);
    let (value, reseal) = match secrets.open(name, &stored)? {
        Stored::Sealed(v) if v.len() == len => return Ok(v.to_vec()),
        Stored::Clear(v) if v.len() == len => (v, true),
        _ => (fresh, false),
    };
    // Sealing a clear value, or replacing one of the wrong length, only where it is still the
    // one read, so that two gateways upgrading together keep one value.
    let written = db::exec(
        &client,
        "UPDATE settings SET value = $2 WHERE name = $1 AND value = $3",
        &[&key, &secrets.seal(name, &value), &stored],
    )
    .await?;
    if written == 0 && !reseal {
        drop(client);
        // Another gateway replaced it first: read what it wrote.
        return Box::pin(secret(pool, secrets, name, len)).await;
    }
    Ok(value)
}

impl IntakeStore for PostgresSpool {
    fn commit(&self, submission: NewSubmission) -> SpoolFuture<'_, CommitOutcome> {
        Box::pin(async move {
            let (tx, rx) = oneshot::channel();
            self.commits
                .send((Box::new(submission), tx))
                .await
                .map_err(|_| SpoolError::Stopped)?;
            rx.await.map_err(|_| SpoolError::Stopped)?
        })
    }

    fn reference_for_token(&self, token_hash: [u8; 32]) -> SpoolFuture<'_, Option<Reference>> {
        let pool = self.pool.clone();
        self.spawn(async move {
            let client = pool.get().await?;
            Ok(commit::reference_for_token(&client, &token_hash).await?)
        })
    }

    fn probe_writable(&self) -> SpoolFuture<'_, ()> {
        if self.writable.fresh() {
            return Box::pin(std::future::ready(Ok(())));
        }
        let pool = self.pool.clone();
        let writable = Arc::clone(&self.writable);
        self.spawn(async move {
            let result: DbResult<()> = async {
                let client = pool.get().await?;
                let now = time::OffsetDateTime::now_utc()
                    .unix_timestamp_nanos()
                    .to_be_bytes()
                    .to_vec();
                db::exec(
                    &client,
                    "INSERT INTO settings (name, value) VALUES ('probe', $1)
                     ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    &[&now],
                )
                .await?;
                Ok(())
            }
            .await;
            writable.record(result.is_ok());
            result
        })
    }

    fn next_reference(&self) -> Result<(u64, Reference), SpoolError> {
        let n = self.numbers.draw()?;
        Ok((n, self.cipher.reference(n)))
    }
}

impl RecordStore for PostgresSpool {
    fn submission(&self, reference: &Reference) -> SpoolFuture<'_, Option<SubmissionRecord>> {
        let (n, r) = self.number(reference);
        let pool = self.pool.clone();
        self.spawn(async move {
            let client = pool.get().await?;
            let sql = format!(
                "SELECT reference, received_at, form_id, form_version, priority, reason_codes
                 FROM submissions WHERE id = {SUBMISSION_ID}"
            );
            let row = db::opt(&client, &sql, &[&n, &r]).await?;
            Ok(row.and_then(|row| {
                Some(SubmissionRecord {
                    reference: Reference::parse(row.get(0))?,
                    received_at: row.get(1),
                    form_id: row.get(2),
                    form_version: row.get::<_, i32>(3).max(0) as u32,
                    priority: Priority::parse(row.get(4))?,
                    reason_codes: serde_json::from_str(row.get(5)).unwrap_or_default(),
                })
            }))
        })
    }

    fn envelopes(&self, reference: &Reference) -> SpoolFuture<'_, Vec<StoredEnvelope>> {
        let (n, r) = self.number(reference);
        let pool = self.pool.clone();
        self.spawn(async move {
            let client = pool.get().await?;
            let sql = format!(
                "SELECT route, view, body FROM envelopes WHERE submission = {SUBMISSION_ID}
                 ORDER BY route COLLATE \"C\""
            );
            let rows = db::rows(&client, &sql, &[&n, &r]).await?;
            Ok(rows
                .iter()
                .filter_map(|row| {
                    Some(StoredEnvelope {
                        route: row.get(0),
                        view: View::parse(row.get(1))?,
                        body: row.get(2),
                    })
                })
                .collect())
        })
    }

    fn deliveries(&self, reference: &Reference) -> SpoolFuture<'_, Vec<DeliveryRecord>> {
        let (n, r) = self.number(reference);
        let pool = self.pool.clone();
        self.spawn(async move {
            let client = pool.get().await?;
            let sql = format!(
                "SELECT {} FROM deliveries d JOIN submissions s ON s.id = d.submission
                 WHERE d.submission = {SUBMISSION_ID} ORDER BY d.route COLLATE \"C\"",
                outbox::DELIVERY_COLUMNS
            );
            let rows = db::rows(&client, &sql, &[&n, &r]).await?;
            Ok(rows.iter().filter_map(outbox::delivery_row).collect())
        })
    }

    fn count_submissions(&self) -> SpoolFuture<'_, u64> {
        let pool = self.pool.clone();
        self.spawn(async move {
            let client = pool.get().await?;
            let row = db::one(&client, "SELECT COUNT(*) FROM submissions", &[]).await?;
            Ok(row.get::<_, i64>(0).max(0) as u64)
        })
    }
}

impl DownloadStore for PostgresSpool {
    fn download_open(
        &self,
        token_hash: [u8; 32],
        issued_after: i64,
    ) -> SpoolFuture<'_, Option<(Reference, u32)>> {
        let pool = self.pool.clone();
        self.spawn(async move { lifecycle::download_open(&pool, &token_hash, issued_after).await })
    }

    fn take_download(
        &self,
        token_hash: [u8; 32],
        now: i64,
        issued_after: i64,
    ) -> SpoolFuture<'_, Option<Download>> {
        let pool = self.pool.clone();
        self.spawn(
            async move { lifecycle::take_download(&pool, &token_hash, now, issued_after).await },
        )
    }
}

impl OutboxStore for PostgresSpool {
    fn add_download_token(
        &self,
        token_hash: [u8; 32],
        reference: &Reference,
        route: &str,
        n: u32,
        now: i64,
    ) -> SpoolFuture<'_, ()> {
        let (number, r) = self.number(reference);
        let (pool, route) = (self.pool.clone(), route.to_string());
        self.spawn(async move {
            let mut client = pool.get().await?;
            // In place of any unused link to the same file, in one transaction: an email sent
            // again carries new links, and only its links work.
            let tx = client.transaction().await?;
            let replaced = format!(
                "DELETE FROM download_tokens t USING {SUBMISSION_ID} AS s(id)
                 WHERE t.submission = s.id AND t.route = $4::text AND t.n = $5::integer
                   AND t.used_at IS NULL AND t.token_hash <> $3::bytea"
            );
            db::exec(
                &tx,
                &replaced,
                &[&number, &r, &&token_hash[..], &route, &(n as i32)],
            )
            .await?;
            let sql = format!(
                "INSERT INTO download_tokens (token_hash, submission, route, n, created_at)
                 SELECT $3::bytea, id, $4::text, $5::integer, $6::bigint FROM {SUBMISSION_ID} AS s(id)
                 ON CONFLICT DO NOTHING"
            );
            db::exec(
                &tx,
                &sql,
                &[&number, &r, &&token_hash[..], &route, &(n as i32), &now],
            )
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn attachments(&self, reference: &Reference, route: &str) -> SpoolFuture<'_, Vec<Vec<u8>>> {
        let (n, r) = self.number(reference);
        let route = route.to_string();
        let pool = self.pool.clone();
        self.spawn(async move {
            let client = pool.get().await?;
            let sql = format!(
                "SELECT body FROM attachments WHERE submission = {SUBMISSION_ID} AND route = $3
                 ORDER BY n"
            );
            let rows = db::rows(&client, &sql, &[&n, &r, &route]).await?;
            Ok(rows.iter().map(|row| row.get(0)).collect())
        })
    }

    fn due(&self, now: i64, limit: usize) -> SpoolFuture<'_, Vec<DueDelivery>> {
        let (pool, owner) = (self.pool.clone(), self.owner.clone());
        self.spawn(async move { outbox::due(&pool, &owner, now, limit).await })
    }

    fn lease(
        &self,
        delivery: &DeliveryId,
        attempts: u32,
        now: i64,
        until: i64,
    ) -> SpoolFuture<'_, bool> {
        let (n, r) = self.number(&delivery.reference);
        let route = delivery.route.to_string();
        let (pool, owner) = (self.pool.clone(), self.owner.clone());
        self.spawn(async move {
            outbox::lease(&pool, &owner, n, &r, &route, attempts, now, until).await
        })
    }

    fn next_due_at(&self) -> SpoolFuture<'_, Option<i64>> {
        let (pool, owner) = (self.pool.clone(), self.owner.clone());
        self.spawn(async move {
            let client = pool.get().await?;
            Ok(db::one(&client, outbox::NEXT_DUE, &[&owner]).await?.get(0))
        })
    }

    fn record_attempt(
        &self,
        delivery: &DeliveryId,
        now: i64,
        outcome: AttemptOutcome,
    ) -> SpoolFuture<'_, ()> {
        let (n, r) = self.number(&delivery.reference);
        let route = delivery.route.to_string();
        let (pool, owner) = (self.pool.clone(), self.owner.clone());
        self.spawn(async move {
            let held = outbox::record_attempt(&pool, &owner, n, &r, &route, now, &outcome).await?;
            if !held {
                tracing::warn!(reference = %r, %route, "delivery lease ran out before its result was recorded; the gateway that took it over records its own");
            }
            Ok(())
        })
    }

    fn outbox(&self) -> SpoolFuture<'_, Vec<DeliveryRecord>> {
        let pool = self.pool.clone();
        self.spawn(async move {
            let client = pool.get().await?;
            let sql = format!(
                "SELECT {} FROM deliveries d JOIN submissions s ON s.id = d.submission
                 WHERE d.state IN ('pending', 'dead')
                 ORDER BY d.retry_from, s.reference COLLATE \"C\", d.route COLLATE \"C\"",
                outbox::DELIVERY_COLUMNS
            );
            let rows = db::rows(&client, &sql, &[]).await?;
            Ok(rows.iter().filter_map(outbox::delivery_row).collect())
        })
    }

    fn requeue(&self, reference: &Reference, now: i64) -> SpoolFuture<'_, usize> {
        let (n, r) = self.number(reference);
        let pool = self.pool.clone();
        self.spawn(async move { outbox::requeue(&pool, n, &r, now).await })
    }

    fn outbox_stats(&self, now: i64) -> SpoolFuture<'_, OutboxStats> {
        let pool = self.pool.clone();
        self.spawn(async move {
            let client = pool.get().await?;
            Ok(outbox::stats(&client, now).await?)
        })
    }

    fn add_ack_token(
        &self,
        token_hash: [u8; 32],
        reference: &Reference,
        route: &str,
        kind: AckKind,
        now: i64,
    ) -> SpoolFuture<'_, ()> {
        let (n, r) = self.number(reference);
        let (pool, route) = (self.pool.clone(), route.to_string());
        self.spawn(async move {
            let client = pool.get().await?;
            let sql = format!(
                "INSERT INTO ack_tokens (token_hash, submission, route, created_at, kind)
                 SELECT $3::bytea, id, $4::text, $5::bigint, $6::text FROM {SUBMISSION_ID} AS s(id)
                 ON CONFLICT DO NOTHING"
            );
            let n = db::exec(
                &client,
                &sql,
                &[&n, &r, &&token_hash[..], &route, &now, &kind.as_str()],
            )
            .await?;
            let stored = n == 1
                || db::opt(
                    &client,
                    "SELECT 1 FROM ack_tokens WHERE token_hash = $1",
                    &[&&token_hash[..]],
                )
                .await?
                .is_some();
            if !stored {
                return Err(DbError::Missing("no such submission for the token"));
            }
            Ok(())
        })
    }

    fn latest_ack_token(
        &self,
        reference: &Reference,
        route: &str,
    ) -> SpoolFuture<'_, Option<IssuedToken>> {
        let (n, r) = self.number(reference);
        let (pool, route) = (self.pool.clone(), route.to_string());
        self.spawn(async move {
            let client = pool.get().await?;
            let sql = format!(
                "SELECT token_hash, created_at, used_at IS NOT NULL FROM ack_tokens
                 WHERE submission = {SUBMISSION_ID} AND route = $3
                 ORDER BY created_at DESC LIMIT 1"
            );
            let row = db::opt(&client, &sql, &[&n, &r, &route]).await?;
            Ok(row.and_then(|row| {
                let hash: Vec<u8> = row.get(0);
                Some(IssuedToken {
                    hash: <[u8; 32]>::try_from(hash.as_slice()).ok()?,
                    issued_at: row.get(1),
                    used: row.get(2),
                })
            }))
        })
    }

    fn wake_on_remote_commit(&self, wake: Arc<Notify>) {
        self.listeners.push(wake);
    }
}

impl AckStore for PostgresSpool {
    fn ack_token_open(
        &self,
        token_hash: [u8; 32],
        issued_after: i64,
    ) -> SpoolFuture<'_, Option<AckKind>> {
        let pool = self.pool.clone();
        self.spawn(async move {
            let client = pool.get().await?;
            let row = db::opt(
                &client,
                "SELECT kind FROM ack_tokens
                 WHERE token_hash = $1 AND used_at IS NULL AND created_at >= $2",
                &[&&token_hash[..], &issued_after],
            )
            .await?;
            Ok(row.map(|r| AckKind::parse(r.get(0)).unwrap_or(AckKind::ConfirmReceipt)))
        })
    }

    fn acknowledge(
        &self,
        token_hash: [u8; 32],
        now: i64,
        issued_after: i64,
    ) -> SpoolFuture<'_, Option<Used>> {
        let pool = self.pool.clone();
        self.spawn(
            async move { lifecycle::acknowledge(&pool, &token_hash, now, issued_after).await },
        )
    }

    fn escalate_due(
        &self,
        now: i64,
        repeat_secs: i64,
        routes: Vec<EscalationRoute>,
    ) -> SpoolFuture<'_, Vec<Reference>> {
        let pool = self.pool.clone();
        self.spawn(async move { lifecycle::escalate_due(&pool, now, repeat_secs, &routes).await })
    }
}

impl Housekeeping for PostgresSpool {
    fn purge_due(&self, now: i64, policy: RetentionPolicy) -> SpoolFuture<'_, PurgeReport> {
        let pool = self.pool.clone();
        self.spawn(async move { lifecycle::purge_due(&pool, now, &policy).await })
    }
}

impl AuditStore for PostgresSpool {
    fn audit_head(&self) -> SpoolFuture<'_, Option<(i64, Vec<u8>)>> {
        let pool = self.pool.clone();
        self.spawn(async move {
            let client = pool.get().await?;
            Ok(chain::head(&client).await?)
        })
    }

    fn audit_entries(&self) -> SpoolFuture<'_, Vec<audit::Entry>> {
        let pool = self.pool.clone();
        self.spawn(async move {
            let client = pool.get().await?;
            Ok(chain::entries(&client).await?)
        })
    }
}

impl SettingsStore for PostgresSpool {
    fn secret(&self, name: &str, len: usize) -> SpoolFuture<'_, Vec<u8>> {
        let (pool, name) = (self.pool.clone(), name.to_string());
        let secrets = Arc::clone(&self.secrets);
        self.spawn(async move { secret(&pool, &secrets, &name, len).await })
    }
}

impl PartnerStore for PostgresSpool {
    fn partner_for_token(&self, token_hash: [u8; 32]) -> SpoolFuture<'_, Option<String>> {
        let pool = self.pool.clone();
        self.spawn(async move {
            let client = pool.get().await?;
            let row = db::opt(
                &client,
                "SELECT name FROM partners WHERE token_hash = $1 AND revoked_at IS NULL",
                &[&&token_hash[..]],
            )
            .await?;
            Ok(row.map(|r| r.get(0)))
        })
    }

    fn add_partner(&self, name: &str, token_hash: [u8; 32], now: i64) -> SpoolFuture<'_, bool> {
        let (pool, name) = (self.pool.clone(), name.to_string());
        self.spawn(async move {
            let mut client = pool.get().await?;
            let tx = client.transaction().await?;
            // Only a new name or a revoked one takes the token: an active partner's token is
            // never replaced silently.
            let added = db::opt(
                &tx,
                "INSERT INTO partners (name, token_hash, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (name) DO UPDATE
                     SET token_hash = excluded.token_hash, created_at = excluded.created_at,
                         revoked_at = NULL
                     WHERE partners.revoked_at IS NOT NULL
                 RETURNING name",
                &[&name, &&token_hash[..], &now],
            )
            .await?
            .is_some();
            if added {
                let e = chain::Event::new(now, "partner_added", None).code(Some(&name));
                chain::append(&tx, &[e]).await?;
            }
            tx.commit().await?;
            Ok(added)
        })
    }

    fn revoke_partner(&self, name: &str, now: i64) -> SpoolFuture<'_, bool> {
        let (pool, name) = (self.pool.clone(), name.to_string());
        self.spawn(async move {
            let mut client = pool.get().await?;
            let tx = client.transaction().await?;
            let n = db::exec(
                &tx,
                "UPDATE partners SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL",
                &[&name, &now],
            )
            .await?;
            if n > 0 {
                let e = chain::Event::new(now, "partner_revoked", None).code(Some(&name));
                chain::append(&tx, &[e]).await?;
            }
            tx.commit().await?;
            Ok(n > 0)
        })
    }

    fn partners(&self) -> SpoolFuture<'_, Vec<PartnerRecord>> {
        let pool = self.pool.clone();
        self.spawn(async move {
            let client = pool.get().await?;
            let rows = db::rows(
                &client,
                "SELECT name, created_at, revoked_at FROM partners ORDER BY name COLLATE \"C\"",
                &[],
            )
            .await?;
            Ok(rows
                .iter()
                .map(|r| PartnerRecord {
                    name: r.get(0),
                    created_at: r.get(1),
                    revoked_at: r.get(2),
                })
                .collect())
        })
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
