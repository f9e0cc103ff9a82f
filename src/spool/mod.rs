//! The spool: the gateway's durable state.
//!
//! Per submission: its envelopes (age, binary), a small cleartext record with no personal data
//! (reference, received time, form, priority, reason codes), one delivery row per route, and the
//! hash of the form token that produced it (so a resubmitted form gets the same reference).
//! Everything about one submission commits in one transaction.
//!
//! [`Spool`] is the seam for backends: SQLite ([`sqlite`]) is the embedded default; a PostgreSQL
//! backend implements the same trait over the same schema.

pub mod audit;
pub mod backend;
pub mod lifecycle;
pub mod partners;
pub mod postgres;
pub mod schema;
pub mod sqlite;

use crate::ack::{AckKind, Used};
use crate::reference::Reference;
use crate::triage::Priority;
use std::future::Future;
use std::pin::Pin;

pub type SpoolFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, SpoolError>> + Send + 'a>>;

#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    /// The store cannot take writes (disk full, read-only, I/O error). Nothing was committed.
    #[error("spool unavailable: {0}")]
    Unavailable(String),
    #[error("spool writer has stopped")]
    Stopped,
}

/// What one route gets: an envelope sealed to its recipients with its view, or for the
/// `notice` view no envelope and a few codes (categories, localities) for the email body.
pub struct NewEnvelope {
    pub route: String,
    pub mailbox: String,
    pub view: &'static str,
    pub body: Option<Vec<u8>>,
    pub notice: Option<String>,
    /// What this route's acknowledgement link does.
    pub ack: AckKind,
}

/// A submission ready to commit. Envelope bodies are ciphertext; the rest is content-free.
pub struct NewSubmission {
    /// The submission's number and the reference that enciphers it, drawn together from
    /// [`Spool::next_reference`].
    pub number: u64,
    pub reference: Reference,
    pub received_at: String,
    /// The same instant in Unix seconds, for scheduling.
    pub received_unix: i64,
    pub form_id: String,
    pub form_version: u32,
    pub priority: Priority,
    pub reason_codes: Vec<String>,
    /// SHA-256 of the form token's nonce: one submission per form page.
    pub token_hash: Option<[u8; 32]>,
    /// When an unacknowledged submission starts escalating (Unix seconds), if ever.
    pub ack_deadline: Option<i64>,
    pub envelopes: Vec<NewEnvelope>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitOutcome {
    /// Durable: the transaction holding the submission has committed and synced.
    Committed(Reference),
    /// The token was used before; this is the reference it produced. Nothing new was written.
    Duplicate(Reference),
    /// The reference is already taken (by a submission kept from before references were
    /// numbered); seal again under a new one.
    ReferenceTaken,
}

/// The cleartext record of a stored submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionRecord {
    pub reference: String,
    pub received_at: String,
    pub form_id: String,
    pub form_version: u32,
    pub priority: String,
    pub reason_codes: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct StoredEnvelope {
    pub route: String,
    pub view: String,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub reference: String,
    pub route: String,
    pub mailbox: String,
    pub view: String,
    pub state: String,
    pub attempts: u32,
    pub next_attempt_at: i64,
    pub last_error_class: Option<String>,
    pub delivered_at: Option<i64>,
    pub dead_at: Option<i64>,
}

/// A delivery whose time has come, with what the email needs. Content-free but for the
/// envelope, which is ciphertext.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    pub reference: String,
    pub route: String,
    pub mailbox: String,
    pub view: String,
    pub attempts: u32,
    pub retry_from: i64,
    /// 0 IMMEDIATE and escalations, 1 PRIORITY, 2 ROUTINE.
    pub rank: i64,
    pub priority: String,
    pub received_at: String,
    pub form_id: String,
    /// None for the `notice` view, which carries no attachment.
    pub envelope: Option<Vec<u8>>,
    /// For the `notice` view: `{"categories": [...], "localities": [...]}`.
    pub notice: Option<String>,
    /// What the delivery's link does: acknowledge (stops escalation) or confirm receipt.
    pub ack: AckKind,
}

/// An acknowledgement token as the spool knows it: its hash, when it was issued, whether used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedToken {
    pub hash: [u8; 32],
    pub issued_at: i64,
    pub used: bool,
}

/// What one delivery attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    Delivered,
    Retry { next_at: i64, class: String },
    Dead { class: String },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboxStats {
    pub pending: u64,
    pub dead: u64,
    /// Age in seconds of the oldest pending delivery (0 when none).
    pub oldest_pending_secs: i64,
}

pub trait Spool: Send + Sync + 'static {
    /// Commits one submission durably. Returns only after the commit is synced to disk.
    fn commit(&self, submission: NewSubmission) -> SpoolFuture<'_, CommitOutcome>;

    /// The reference an already-used form token produced, if any.
    fn reference_for_token(&self, token_hash: [u8; 32]) -> SpoolFuture<'_, Option<Reference>>;

    /// Proves the store can take a write right now (for `/readyz`).
    fn probe_writable(&self) -> SpoolFuture<'_, ()>;

    /// A fresh submission number and its reference. Each is handed out once; one not
    /// committed is simply skipped.
    fn next_reference(&self) -> Result<(u64, Reference), SpoolError>;

    fn submission(&self, reference: &str) -> SpoolFuture<'_, Option<SubmissionRecord>>;
    fn envelopes(&self, reference: &str) -> SpoolFuture<'_, Vec<StoredEnvelope>>;
    fn deliveries(&self, reference: &str) -> SpoolFuture<'_, Vec<DeliveryRecord>>;
    fn count_submissions(&self) -> SpoolFuture<'_, u64>;

    /// Up to `limit` pending deliveries due at or before `now`, most urgent first.
    fn due(&self, now: i64, limit: usize) -> SpoolFuture<'_, Vec<DueDelivery>>;

    /// When the next pending delivery falls due (it may be in the past).
    fn next_due_at(&self) -> SpoolFuture<'_, Option<i64>>;

    /// Records an attempt durably before the outbox moves on.
    fn record_attempt(
        &self,
        reference: &str,
        route: &str,
        now: i64,
        outcome: AttemptOutcome,
    ) -> SpoolFuture<'_, ()>;

    /// Pending and dead deliveries, oldest first.
    fn outbox(&self) -> SpoolFuture<'_, Vec<DeliveryRecord>>;

    /// Puts a submission's dead (or pending) deliveries back in the queue, due now, with a fresh
    /// retry window. Returns how many were re-queued.
    fn requeue(&self, reference: &str, now: i64) -> SpoolFuture<'_, usize>;

    fn outbox_stats(&self, now: i64) -> SpoolFuture<'_, OutboxStats>;

    /// Stores the hash of an acknowledgement token, issued at `now`, before the email that
    /// carries it is sent.
    fn add_ack_token(
        &self,
        token_hash: [u8; 32],
        reference: &str,
        route: &str,
        kind: AckKind,
        now: i64,
    ) -> SpoolFuture<'_, ()>;

    /// The newest token issued for a delivery, so that a resend can carry the same link.
    fn latest_ack_token(
        &self,
        reference: &str,
        route: &str,
    ) -> SpoolFuture<'_, Option<IssuedToken>>;

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

    /// Queues an escalation delivery to each (route, mailbox) for every unacknowledged
    /// submission whose escalation time has come, and schedules the next one. Returns the
    /// references escalated. Runs in one transaction, so a restart neither loses nor repeats one.
    fn escalate_due(
        &self,
        now: i64,
        repeat_secs: i64,
        routes: Vec<(String, String)>,
    ) -> SpoolFuture<'_, Vec<String>>;

    /// Purges envelopes whose time has come; warns about unacknowledged ones nearing it.
    fn purge_due(
        &self,
        now: i64,
        policy: lifecycle::RetentionPolicy,
    ) -> SpoolFuture<'_, lifecycle::PurgeReport>;

    fn audit_head(&self) -> SpoolFuture<'_, Option<(i64, Vec<u8>)>>;
    fn audit_entries(&self) -> SpoolFuture<'_, Vec<audit::Entry>>;

    /// The active partner agency whose API token has this hash.
    fn partner_for_token(&self, token_hash: [u8; 32]) -> SpoolFuture<'_, Option<String>>;

    /// Adds a partner agency with the hash of its new token; `false` if one of that name is
    /// active.
    fn add_partner(&self, name: &str, token_hash: [u8; 32], now: i64) -> SpoolFuture<'_, bool>;

    /// Revokes a partner's token; `false` if there is no active partner of that name.
    fn revoke_partner(&self, name: &str, now: i64) -> SpoolFuture<'_, bool>;

    fn partners(&self) -> SpoolFuture<'_, Vec<partners::PartnerRecord>>;

    /// A server secret kept with the state it protects (the form-token key), created on first
    /// use so it survives restarts.
    fn secret(&self, name: &str, len: usize) -> SpoolFuture<'_, Vec<u8>>;
}
