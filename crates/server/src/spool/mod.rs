//! The spool: the gateway's durable state.
//!
//! Per submission: its envelopes (age, binary), a small cleartext record with no personal data
//! (reference, received time, form, priority, reason codes), one delivery row per route, and the
//! hash of the form token that produced it (so a resubmitted form gets the same reference).
//! Everything about one submission commits in one transaction.
//!
//! The seam for backends is a set of small traits, one per user of the spool: intake
//! ([`IntakeStore`]), the outbox ([`OutboxStore`]), acknowledgement and escalation
//! ([`AckStore`]), housekeeping ([`Housekeeping`]), the audit log ([`AuditStore`]), the
//! spool's own settings and secrets ([`SettingsStore`]), partner agencies ([`PartnerStore`]),
//! the stored records ([`RecordStore`]), moving a deployment ([`TransferStore`]) and the
//! follow-up thread between police and a submitter ([`FollowUpStore`]), officers' sharing
//! with MACE ([`ShareStore`]), the officer's workflow ([`WorkflowStore`]) and the web journey's
//! sealed drafts ([`DraftStore`]). [`Spool`] is all of them together, which is what
//! [`open`] returns and the gateway holds. SQLite ([`sqlite`]) is the embedded default.
//!
//! Nothing outside this module knows which backend is in use.

pub mod audit;
pub mod drafts;
pub mod follow_up;
pub mod postgres;
mod records;
pub mod reseal;
pub mod secrets;
pub mod settings;
pub mod share;
pub mod sqlite;
pub mod transfer;
mod types;
pub mod workflow;

pub use drafts::{DraftId, DraftStore};
pub use follow_up::{
    CaseStatus, FollowUpKey, FollowUpRecord, FollowUpStore, MessageFrom, StoredMessage,
};
pub use records::*;
pub use share::{NewShare, ShareOutcome, ShareStore};
pub use transfer::TransferStore;
pub use types::*;
pub use workflow::{Step, StepKind, StepOutcome, WorkflowEntry, WorkflowStore};

use crate::ack::{AckKind, Used};
use crate::reference::Reference;
pub use settings::{SpoolBackend, SpoolSettings};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub type SpoolFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, SpoolError>> + Send + 'a>>;

#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    /// The store cannot take writes (disk full, read-only, I/O error). Nothing was committed.
    #[error("spool unavailable: {0}")]
    Unavailable(String),
    #[error("spool writer has stopped")]
    Stopped,
    /// The spool is at a limit of its own (named here) and takes nothing for now.
    #[error("spool at its limit: {0}")]
    Exhausted(&'static str),
}

impl SpoolError {
    /// The limit a submission refused for this reason was shed at, as the request log names it.
    pub fn limit(&self) -> &'static str {
        match self {
            SpoolError::Unavailable(_) => "spool_unavailable",
            SpoolError::Stopped => "spool_stopped",
            SpoolError::Exhausted(limit) => limit,
        }
    }
}

/// Opens the spool the settings name (creating and migrating it if needed).
pub async fn open(settings: &SpoolSettings) -> anyhow::Result<Arc<dyn Spool>> {
    match settings.backend {
        SpoolBackend::Sqlite => Ok(Arc::new(sqlite::SqliteSpool::open_with_key(
            &settings.dir,
            &settings.secrets_key_path(),
        )?)),
        SpoolBackend::Postgres => Ok(Arc::new(postgres::PostgresSpool::open(settings).await?)),
    }
}

/// Opens the spool's audit log for reading only: verifying must not change what it verifies,
/// and a spool that does not exist is an error rather than created empty.
pub async fn open_audit(settings: &SpoolSettings) -> anyhow::Result<Box<dyn AuditStore>> {
    match settings.backend {
        SpoolBackend::Sqlite => Ok(Box::new(sqlite::AuditReader::open(&settings.dir)?)),
        SpoolBackend::Postgres => Ok(Box::new(postgres::AuditReader::open(settings).await?)),
    }
}

/// Where the spool is, for `check-config` and the start-up log (never a password).
pub fn describe(settings: &SpoolSettings) -> String {
    match settings.backend {
        SpoolBackend::Sqlite => format!("sqlite in {}", settings.dir.display()),
        SpoolBackend::Postgres => match postgres::parse_url(&settings.postgres_url) {
            Ok(target) => format!("postgres at {}", target.describe()),
            Err(e) => format!("postgres (spool.postgres_url {e})"),
        },
    }
}

/// Every part of the spool, as one object.
pub trait Spool:
    IntakeStore
    + RecordStore
    + OutboxStore
    + AckStore
    + DownloadStore
    + Housekeeping
    + AuditStore
    + SettingsStore
    + PartnerStore
    + TransferStore
    + FollowUpStore
    + ShareStore
    + WorkflowStore
    + DraftStore
{
}

impl<T> Spool for T where
    T: IntakeStore
        + RecordStore
        + OutboxStore
        + AckStore
        + DownloadStore
        + Housekeeping
        + AuditStore
        + SettingsStore
        + PartnerStore
        + TransferStore
        + FollowUpStore
        + ShareStore
        + WorkflowStore
        + DraftStore
{
}

/// The traits, for `use pis_gateway::spool::prelude::*` where a [`Spool`]'s methods are called.
pub mod prelude {
    pub use super::{
        AckStore, AuditStore, DownloadStore, DraftStore, FollowUpStore, Housekeeping, IntakeStore,
        OutboxStore, PartnerStore, RecordStore, SettingsStore, ShareStore, Spool, TransferStore,
        WorkflowStore,
    };
}

/// What intake needs: numbers, a durable commit, and the answer for a form used twice.
pub trait IntakeStore: Send + Sync + 'static {
    /// Commits one submission durably. Returns only after the commit is synced to disk.
    fn commit(&self, submission: NewSubmission) -> SpoolFuture<'_, CommitOutcome>;

    /// The reference an already-used form token produced, if any.
    fn reference_for_token(&self, token_hash: [u8; 32]) -> SpoolFuture<'_, Option<Reference>>;

    /// Proves the store can take a write right now (for `/readyz`).
    fn probe_writable(&self) -> SpoolFuture<'_, ()>;

    /// A fresh submission number and its reference. Each is handed out once; one not
    /// committed is simply skipped.
    fn next_reference(&self) -> Result<(u64, Reference), SpoolError>;
}

/// What is stored about a submission (content-free but for envelopes, which are ciphertext).
pub trait RecordStore: Send + Sync + 'static {
    fn submission(&self, reference: &Reference) -> SpoolFuture<'_, Option<SubmissionRecord>>;
    fn envelopes(&self, reference: &Reference) -> SpoolFuture<'_, Vec<StoredEnvelope>>;
    fn deliveries(&self, reference: &Reference) -> SpoolFuture<'_, Vec<DeliveryRecord>>;
    fn count_submissions(&self) -> SpoolFuture<'_, u64>;
}

/// What the outbox needs: due work, a lease on it, the attempt's result, and the links its
/// emails carry.
pub trait OutboxStore: Send + Sync + 'static {
    /// Up to `limit` pending deliveries due at or before `now`, most urgent first.
    fn due(&self, now: i64, limit: usize) -> SpoolFuture<'_, Vec<DueDelivery>>;

    /// Takes the delivery for sending until `until`, if it is still pending, due at `now` and
    /// unattempted since it was read (`attempts`). `false` when it is not (another lane or
    /// gateway has it, or has just finished it). Only the holder records its attempt.
    fn lease(
        &self,
        delivery: &DeliveryId,
        attempts: u32,
        now: i64,
        until: i64,
    ) -> SpoolFuture<'_, bool>;

    /// When the next pending delivery falls due (it may be in the past).
    fn next_due_at(&self) -> SpoolFuture<'_, Option<i64>>;

    /// The sealed evidence files of one route's envelope (binary age), file 1 first; empty
    /// when there are none or they have been purged. Read only when the email is built, so a
    /// batch of due deliveries never holds them all.
    fn attachments(&self, reference: &Reference, route: &str) -> SpoolFuture<'_, Vec<Vec<u8>>>;

    /// Stores the hash of a one-time download link for file `n` of a route's envelope, issued
    /// at `now`, before the email that carries it is sent. It replaces any unused link to the
    /// same file: when an email is sent again, only the links in the new one work.
    fn add_download_token(
        &self,
        token_hash: [u8; 32],
        reference: &Reference,
        route: &str,
        n: u32,
        now: i64,
    ) -> SpoolFuture<'_, ()>;

    /// Records an attempt durably before the outbox moves on.
    fn record_attempt(
        &self,
        delivery: &DeliveryId,
        now: i64,
        outcome: AttemptOutcome,
    ) -> SpoolFuture<'_, ()>;

    /// Pending and dead deliveries, oldest first.
    fn outbox(&self) -> SpoolFuture<'_, Vec<DeliveryRecord>>;

    /// Puts a submission's dead (or pending) deliveries back in the queue, due now, with a fresh
    /// retry window. Returns how many were re-queued.
    fn requeue(&self, reference: &Reference, now: i64) -> SpoolFuture<'_, usize>;

    fn outbox_stats(&self, now: i64) -> SpoolFuture<'_, OutboxStats>;

    /// Stores the hash of an acknowledgement token for the route's deliveries of a submission,
    /// issued at `now`, before the email that carries it is sent.
    fn add_ack_token(
        &self,
        token_hash: [u8; 32],
        reference: &Reference,
        route: &str,
        kind: AckKind,
        now: i64,
    ) -> SpoolFuture<'_, ()>;

    /// The newest token issued for a route's deliveries of a submission, so that a resend can
    /// carry the same link.
    fn latest_ack_token(
        &self,
        reference: &Reference,
        route: &str,
    ) -> SpoolFuture<'_, Option<IssuedToken>>;

    /// Wakes `wake` whenever another gateway on the same store commits work for the outbox
    /// (a shared store only; an embedded one has no other writer).
    fn wake_on_remote_commit(&self, _wake: Arc<tokio::sync::Notify>) {}
}

/// Acknowledgement links and escalation of what nobody acknowledged.
pub trait AckStore: Send + Sync + 'static {
    /// What the token does, if it exists, is unused and was issued at or after `issued_after`.
    fn ack_token_open(
        &self,
        token_hash: [u8; 32],
        issued_after: i64,
    ) -> SpoolFuture<'_, Option<AckKind>>;

    /// Uses the token once and writes its audit event. An acknowledgement records who
    /// acknowledged (the route) and when, and stops escalation; a receipt confirmation records
    /// only that. `None` for an unknown, used or expired token.
    fn acknowledge(
        &self,
        token_hash: [u8; 32],
        now: i64,
        issued_after: i64,
    ) -> SpoolFuture<'_, Option<Used>>;

    /// Queues an escalation delivery to each route for every unacknowledged submission whose
    /// escalation time has come, and schedules the next one. Returns the references escalated.
    /// Runs in one transaction, so a restart neither loses nor repeats one.
    fn escalate_due(
        &self,
        now: i64,
        repeat_secs: i64,
        routes: Vec<EscalationRoute>,
    ) -> SpoolFuture<'_, Vec<Reference>>;
}

/// Retention.
/// The one-time download links for evidence files too large to email (used by the HTTP layer).
pub trait DownloadStore: Send + Sync + 'static {
    /// The file a token opens, if the token exists, is unused, was issued at or after
    /// `issued_after`, and its file has not been purged.
    fn download_open(
        &self,
        token_hash: [u8; 32],
        issued_after: i64,
    ) -> SpoolFuture<'_, Option<(Reference, u32)>>;

    /// Uses the token once, writes its `attachment_downloaded` audit event and returns the
    /// sealed file; `None` for an unknown, used or expired token or a purged file.
    fn take_download(
        &self,
        token_hash: [u8; 32],
        now: i64,
        issued_after: i64,
    ) -> SpoolFuture<'_, Option<Download>>;
}

pub trait Housekeeping: Send + Sync + 'static {
    /// Purges envelopes whose time has come; warns about unacknowledged ones nearing it.
    fn purge_due(&self, now: i64, policy: RetentionPolicy) -> SpoolFuture<'_, PurgeReport>;
}

/// The hash-chained audit log (see [`audit`]).
pub trait AuditStore: Send + Sync + 'static {
    /// The last entry's sequence number and hash.
    fn audit_head(&self) -> SpoolFuture<'_, Option<(i64, Vec<u8>)>>;
    /// Every entry, in storage order (which is what a tamperer can reorder).
    fn audit_entries(&self) -> SpoolFuture<'_, Vec<audit::Entry>>;
}

/// Secrets kept with the state they protect.
pub trait SettingsStore: Send + Sync + 'static {
    /// A server secret (the form-token key, say), created on first use so it survives
    /// restarts.
    fn secret(&self, name: &str, len: usize) -> SpoolFuture<'_, Vec<u8>>;
}

/// Partner agencies' API tokens, by hash only.
pub trait PartnerStore: Send + Sync + 'static {
    /// The active partner agency whose API token has this hash.
    fn partner_for_token(&self, token_hash: [u8; 32]) -> SpoolFuture<'_, Option<String>>;

    /// Adds a partner agency with the hash of its new token; `false` if one of that name is
    /// active.
    fn add_partner(&self, name: &str, token_hash: [u8; 32], now: i64) -> SpoolFuture<'_, bool>;

    /// Revokes a partner's token; `false` if there is no active partner of that name.
    fn revoke_partner(&self, name: &str, now: i64) -> SpoolFuture<'_, bool>;

    fn partners(&self) -> SpoolFuture<'_, Vec<PartnerRecord>>;
}
