//! Follow-up: what the spool keeps so that a submitter can hear back and add more.
//!
//! The server never holds a submitter's follow-up code: only the lookup id and the age
//! recipient (public key) derived from it, the case status police set, and the messages, each
//! sealed (binary age) to the submitter and the route's recipients. All of it is purged with
//! the submission.

use super::SpoolFuture;
use crate::reference::Reference;
pub use pis_core::workflow::{CaseStatus, UnknownStatus};

/// The follow-up key of a submission: the server never holds the code, only these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpKey {
    pub lookup_id: [u8; 32],
    /// The submitter's age X25519 recipient (public key), derived from the code.
    pub recipient: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpRecord {
    pub reference: Reference,
    pub recipient: String,
    pub status: CaseStatus,
    pub status_at: i64,
    /// A professional asked for a content-free notice when police write.
    pub notify: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageFrom {
    Officer,
    Submitter,
}

impl MessageFrom {
    pub fn as_str(&self) -> &'static str {
        match self {
            MessageFrom::Officer => "officer",
            MessageFrom::Submitter => "submitter",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "officer" => Some(MessageFrom::Officer),
            "submitter" => Some(MessageFrom::Submitter),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    pub n: u32,
    pub at: i64,
    pub from: MessageFrom,
    /// Binary age, sealed on the officer's machine to the submitter and the route's recipients
    /// (or, for the submitter's own words, by the gateway to the same).
    pub sealed: Vec<u8>,
}

/// The delivery name of the content-free notice for message `n` (`follow_up.n`).
pub const NOTICE_ROUTE: &str = "follow_up";

/// The follow-up thread of a submission.
pub trait FollowUpStore: Send + Sync + 'static {
    fn follow_up_by_lookup(&self, lookup_id: [u8; 32]) -> SpoolFuture<'_, Option<FollowUpRecord>>;

    fn follow_up_by_reference(
        &self,
        reference: &Reference,
    ) -> SpoolFuture<'_, Option<FollowUpRecord>>;

    /// Sets the status and writes a `follow_up_status` audit event (officer key id, status), in
    /// one transaction. `false` when the submission has no follow-up key (or is purged).
    fn set_case_status(
        &self,
        reference: &Reference,
        status: CaseStatus,
        officer: &str,
        now: i64,
    ) -> SpoolFuture<'_, bool>;

    /// Stores an officer's sealed reply and writes a `follow_up_reply` audit event (officer
    /// key id, message number, byte size — never content). Queues the professional's notice
    /// email when `notify` is set. `None` when there is no follow-up key.
    fn add_reply(
        &self,
        reference: &Reference,
        sealed: Vec<u8>,
        officer: &str,
        now: i64,
    ) -> SpoolFuture<'_, Option<u32>>;

    /// Stores the submitter's own words (sealed by the gateway to the submitter and the
    /// route's recipients, so they see what they sent) and writes a `follow_up_addendum` audit
    /// event naming the addendum's own reference. `None` when there is no follow-up key.
    fn add_submitter_message(
        &self,
        reference: &Reference,
        sealed: Vec<u8>,
        addendum: &Reference,
        now: i64,
    ) -> SpoolFuture<'_, Option<u32>>;

    /// Confirms a professional's notice address by the SHA-256 of the token in the link sent
    /// to it: once, and only for a live submission received after `issued_after`. Writes a
    /// `follow_up_notify_confirmed` audit event. Notices are queued only once confirmed.
    fn confirm_notify(
        &self,
        token_hash: [u8; 32],
        issued_after: i64,
        now: i64,
    ) -> SpoolFuture<'_, bool>;

    /// Messages, oldest first.
    fn messages(&self, reference: &Reference) -> SpoolFuture<'_, Vec<StoredMessage>>;

    /// Records a signed request's nonce for an officer key id; `false` if it was already used.
    /// Nonces older than `forget_before` may be deleted in the same call.
    fn use_officer_nonce(
        &self,
        officer: &str,
        nonce: [u8; 16],
        now: i64,
        forget_before: i64,
    ) -> SpoolFuture<'_, bool>;

    /// Writes an `officer_request_refused` audit event (reason code, officer key id if one was
    /// presented, path) — no request content.
    fn audit_officer_refusal(
        &self,
        reason: &str,
        officer: Option<&str>,
        path: &str,
        now: i64,
    ) -> SpoolFuture<'_, ()>;
}

/// The audit code of a reply: message number and sealed size, never content.
pub fn reply_code(n: u32, bytes: usize) -> String {
    format!("{n}:{bytes}")
}

/// The audit code of a status change.
pub fn status_code(status: CaseStatus) -> &'static str {
    status.as_str()
}

/// The audit code of a refused officer request: reason and path (the officer key id goes in
/// the entry's route column).
pub fn refusal_code(reason: &str, path: &str) -> String {
    // The path came with the request: only printable ASCII, and not much of it, reaches a
    // terminal through `audit export`.
    let path: String = path
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(120)
        .collect();
    format!("{reason} {path}")
}
