//! Drafts: a web journey's answers between pages, sealed in the browser's key.
//!
//! The spool keeps only what the HTTP layer hands it: an id derived from a key that lives in
//! the submitter's cookie, and the answers sealed under that key. Without the cookie the server
//! can neither find a draft nor read one. A draft not written to for the idle period is treated
//! as gone and purged by housekeeping.

use super::SpoolFuture;

/// The id of a draft (derived from the browser's key, never the key itself).
pub type DraftId = [u8; 32];

pub trait DraftStore: Send + Sync + 'static {
    /// Stores (or replaces) a draft's sealed answers, touched at `now`.
    fn put_draft(&self, id: DraftId, sealed: Vec<u8>, now: i64) -> SpoolFuture<'_, ()>;

    /// A draft's sealed answers, if it exists and was touched at or after `idle_after`.
    fn draft(&self, id: DraftId, idle_after: i64) -> SpoolFuture<'_, Option<Vec<u8>>>;

    /// Deletes a draft; `false` when there was none.
    fn delete_draft(&self, id: DraftId) -> SpoolFuture<'_, bool>;

    /// Deletes every draft last touched before `idle_before`; returns how many.
    fn purge_drafts(&self, idle_before: i64) -> SpoolFuture<'_, u64>;
}
