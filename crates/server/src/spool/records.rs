//! What goes into the spool and what comes out, whatever the backend.

use super::follow_up::FollowUpKey;
use super::types::{DeliveryId, DeliveryRoute, DeliveryState, View};
use crate::ack::AckKind;
use crate::reference::Reference;
use crate::triage::Priority;

/// What one route gets: an envelope sealed to its recipients with its view, or for the
/// notice view no envelope and a few codes (categories, localities) for the email body.
pub struct NewEnvelope {
    pub route: String,
    pub mailbox: String,
    pub view: View,
    pub body: Option<Vec<u8>>,
    pub notice: Option<String>,
    /// What this route's acknowledgement link does.
    pub ack: AckKind,
    /// Evidence files, each sealed on its own to this route's recipients, in order (file 1
    /// first). Only a full view carries any; committed and purged with the envelope. Shared,
    /// so that sealing again under a fresh reference does not copy a 10 MiB file.
    pub attachments: Vec<std::sync::Arc<Vec<u8>>>,
}

impl NewEnvelope {
    /// Bytes of sealed files this envelope carries.
    pub fn attachment_bytes(&self) -> usize {
        self.attachments.iter().map(|a| a.len()).sum()
    }
}

/// A submission ready to commit. Envelope bodies are ciphertext; the rest is content-free.
pub struct NewSubmission {
    /// The submission's number and the reference that enciphers it, drawn together from
    /// [`super::IntakeStore::next_reference`].
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
    /// The follow-up key derived from the submitter's code, committed with the submission;
    /// `None` when the submitter declined a code.
    pub follow_up: Option<FollowUpKey>,
    /// A professional's work address for a content-free "there is a message for you" email
    /// when police write (only with a follow-up key), sealed; purged with the submission.
    pub follow_up_notice: Option<NoticeAddress>,
}

/// A professional's notice address, sealed under the secrets key kept outside the database
/// (the spool never opens it), and the first email, which asks them to confirm it: no notice
/// goes there until the link in it is followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeAddress {
    /// The address, sealed (`sealed1:…`): where notices go once it is confirmed.
    pub sealed: String,
    /// The address and the confirmation token, sealed together: the first email's mailbox.
    pub confirm_mailbox: String,
    /// SHA-256 of the confirmation token: the link's only trace in the spool.
    pub token_hash: [u8; 32],
}

/// The delivery name of the email that asks a professional to confirm their notice address.
pub const CONFIRM_ROUTE: &str = "follow_up.confirm";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitOutcome {
    /// Durable: the transaction holding the submission has committed and synced.
    Committed(Reference),
    /// The token was used before; this is the reference it produced. Nothing new was written.
    Duplicate(Reference),
    /// The reference is already taken (by a submission kept from before references were
    /// numbered, or by another gateway's); seal again under a new one.
    ReferenceTaken,
}

/// The cleartext record of a stored submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionRecord {
    pub reference: Reference,
    pub received_at: String,
    pub form_id: String,
    pub form_version: u32,
    pub priority: Priority,
    pub reason_codes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEnvelope {
    pub route: String,
    pub view: View,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub reference: Reference,
    pub route: DeliveryRoute,
    pub mailbox: String,
    pub view: View,
    pub state: DeliveryState,
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
    pub id: DeliveryId,
    pub mailbox: String,
    pub view: View,
    pub attempts: u32,
    pub retry_from: i64,
    /// 0 IMMEDIATE and escalations, 1 PRIORITY, 2 ROUTINE.
    pub rank: i64,
    pub priority: Priority,
    pub received_at: String,
    pub form_id: String,
    /// None for the notice and escalation views, which carry no attachment.
    pub envelope: Option<Vec<u8>>,
    /// For the notice view: `{"categories": [...], "localities": [...]}`; for an escalation,
    /// its round, how overdue, and the routes that were not acknowledged.
    pub notice: Option<String>,
    /// What the delivery's link does: acknowledge (stops escalation) or confirm receipt.
    pub ack: AckKind,
}

/// The order deliveries are sent in: most urgent first.
pub fn rank(p: Priority) -> i64 {
    match p {
        Priority::Immediate => 0,
        Priority::Priority => 1,
        Priority::Routine => 2,
    }
}

/// An escalation route: who is told when a delivery goes unacknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationRoute {
    pub name: String,
    pub mailbox: String,
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

/// A partner agency as the spool knows it. Holds no token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerRecord {
    pub name: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// A sealed evidence file handed out once through its download link (ciphertext).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    pub reference: Reference,
    pub route: String,
    /// Position from 1: the file is `<reference>-<n>.age`.
    pub n: u32,
    pub body: Vec<u8>,
}
