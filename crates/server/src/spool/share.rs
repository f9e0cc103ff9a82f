//! Sharing with MACE: an officer's restricted view of a submission, sealed on the officer's
//! machine to a MACE route's recipients, stored as that route's envelope and queued for the
//! outbox like any other delivery (with its own confirm-receipt link), with a
//! `shared_with_mace` audit event (the officer's key id and the route; no content). One
//! transaction; the spool only ever holds the sealed bytes.

use super::SpoolFuture;
use crate::reference::Reference;

/// One share to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewShare {
    pub reference: Reference,
    /// The MACE route's name, as configured.
    pub route: String,
    pub mailbox: String,
    /// Binary age, sealed to the route's recipients.
    pub sealed: Vec<u8>,
    /// The officer's key id.
    pub officer: String,
    pub now: i64,
}

/// What became of a share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareOutcome {
    /// Stored and queued for delivery.
    Queued,
    /// The route already has a delivery of this submission (its own restricted view or
    /// notice, or an earlier share): nothing was stored, so no route ever holds two
    /// different views of one submission.
    AlreadyOnRoute,
    /// No such submission, or its envelopes have been purged.
    Gone,
    /// The submission's workflow is closed: nothing was stored (see
    /// [`super::workflow::StepOutcome::Closed`]).
    Closed,
}

/// The audit event's code: who shared it.
pub fn share_code(officer: &str) -> String {
    format!("officer={officer}")
}

/// The outbox rank of a share: as urgent as a PRIORITY delivery, since an officer chose to
/// send it now.
pub const SHARE_RANK: i64 = 1;

pub trait ShareStore: Send + Sync + 'static {
    /// Stores the sealed view, queues its delivery and writes the audit event, in one
    /// transaction.
    fn share_with_mace(&self, share: NewShare) -> SpoolFuture<'_, ShareOutcome>;
}
