//! The officer's workflow on a submission, recorded: triaged, graded (the officer's own
//! grading, a tagged value so that schemes other than 3x5x2 can follow), recorded (the force
//! intelligence system's reference), shared with MACE and closed. Each step is a numbered row
//! with the officer's key id and time, written with its audit event in one transaction and
//! purged with the submission. No submitter content is ever in a step.

use super::SpoolFuture;
use crate::reference::Reference;
pub use pis_core::workflow::{
    BadForceRef, BadGrade, BadStoredStep, ForceRef, Grade, Handling, Intelligence, Source, Step,
    StepKind, StepOutcome, MAX_FORCE_REF,
};

/// Whether a submission's workflow has a `closed` step: one query, the same SQL on both
/// backends, where `param` (`?1` or `$1`) is the submission's id.
pub fn closed_sql(param: &str) -> String {
    format!(
        "SELECT EXISTS (SELECT 1 FROM workflow_steps WHERE submission = {param} AND step = '{}')",
        StepKind::Closed.as_str()
    )
}

/// One recorded step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowEntry {
    pub n: u32,
    pub at: i64,
    /// The officer's key id.
    pub officer: String,
    pub step: Step,
}

/// Where the unpurged submissions stand, for `/metrics` and `/readyz`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkflowStats {
    /// Submissions by their latest step's kind; `received` for those with none.
    pub by_state: Vec<(String, u64)>,
    /// IMMEDIATE and PRIORITY submissions with no step, received before the cut-off.
    pub untriaged: u64,
    /// When the oldest of those was received (Unix seconds).
    pub oldest_untriaged_at: Option<i64>,
}

/// The state of a submission with no step yet.
pub const RECEIVED: &str = "received";

/// The priorities expected to be triaged within `workflow.triage_within_minutes`.
pub const TRIAGE_PRIORITIES: &str = "('IMMEDIATE', 'PRIORITY')";

/// Counts by state (one query, the same SQL on both backends).
pub const STATE_COUNTS_SQL: &str = "SELECT COALESCE((SELECT w.step FROM workflow_steps w
         WHERE w.submission = s.id ORDER BY w.n DESC LIMIT 1), 'received') AS state, COUNT(*)
     FROM submissions s WHERE s.purged_at IS NULL GROUP BY state ORDER BY state";

/// The audit event kind of a recorded step.
pub const AUDIT_KIND: &str = "workflow_step";

pub trait WorkflowStore: Send + Sync + 'static {
    /// Records a step and its `workflow_step` audit event (officer key id, step code) in one
    /// transaction: [`StepOutcome::Gone`] when the submission does not exist or has been
    /// purged, [`StepOutcome::Closed`] (nothing stored) when its workflow is closed. Steps are
    /// otherwise taken in the order officers record them: a grade may be revised, and a
    /// triage recorded late is still a triage.
    fn record_step(
        &self,
        reference: &Reference,
        step: Step,
        officer: &str,
        now: i64,
    ) -> SpoolFuture<'_, StepOutcome>;

    /// The steps, oldest first.
    fn workflow(&self, reference: &Reference) -> SpoolFuture<'_, Vec<WorkflowEntry>>;

    /// Unpurged submissions by state, and the IMMEDIATE and PRIORITY ones received before
    /// `triage_before` with no step recorded.
    fn workflow_stats(&self, triage_before: i64) -> SpoolFuture<'_, WorkflowStats>;
}

/// The untriaged query: `$1`/`?1` is the cut-off.
pub fn untriaged_sql(param: &str) -> String {
    format!(
        "SELECT COUNT(*), MIN(s.received_unix) FROM submissions s
         WHERE s.purged_at IS NULL AND s.priority IN {TRIAGE_PRIORITIES}
           AND s.received_unix < {param}
           AND NOT EXISTS (SELECT 1 FROM workflow_steps w WHERE w.submission = s.id)"
    )
}
