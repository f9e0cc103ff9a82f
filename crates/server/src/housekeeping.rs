//! The periodic duties beside the outbox: escalating unacknowledged submissions, purging
//! envelopes whose time has come, and writing the audit chain's head to the log (so a
//! truncated audit tail can be detected against the logs).

use crate::delivery::Clock;
use crate::metrics::Metrics;
use crate::reference::Reference;
use crate::signing::{SignedHead, SigningKey};
use crate::spool::audit::to_hex;
use crate::spool::prelude::*;
use crate::spool::{EscalationRoute, PurgeReport, RetentionPolicy, SpoolError};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};

pub struct Housekeeping {
    pub spool: Arc<dyn Spool>,
    pub clock: Arc<dyn Clock>,
    pub metrics: Arc<Metrics>,
    pub escalation_routes: Vec<EscalationRoute>,
    pub repeat_secs: i64,
    pub retention: RetentionPolicy,
    pub head_every_secs: i64,
    /// Wakes the outbox when escalations are queued.
    pub outbox: Arc<Notify>,
    /// Wakes the outbox's urgent lanes, which send escalations.
    urgent: Option<Arc<Notify>>,
    pub interval: Duration,
    /// How long a web journey's draft lives without being written to (`forms.draft_minutes`).
    pub draft_idle_secs: i64,
    /// Signs the head written to the log.
    signer: Option<Arc<SigningKey>>,
    last_head: AtomicI64,
}

/// Writes the head to the log, signed when a key is at hand, so `audit verify --head` can take
/// the line as it stands.
fn log_head(signer: Option<&SigningKey>, seq: i64, hash: &[u8]) {
    match signer {
        Some(key) => {
            let head = SignedHead::sign(key, seq, hash);
            tracing::info!(
                seq,
                hash = %head.hash_hex(),
                key = %head.key_id,
                sig = %head.signature_base64(),
                "audit chain head"
            );
        }
        None => tracing::info!(seq, hash = %to_hex(hash), "audit chain head"),
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Tick {
    pub escalated: Vec<Reference>,
    pub purge: PurgeReport,
    /// Drafts purged for idleness.
    pub drafts_purged: u64,
}

impl Housekeeping {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        spool: Arc<dyn Spool>,
        clock: Arc<dyn Clock>,
        metrics: Arc<Metrics>,
        // Escalation routes as (name, mailbox).
        escalation_routes: Vec<(String, String)>,
        repeat_secs: i64,
        retention: RetentionPolicy,
        head_every_secs: i64,
        outbox: Arc<Notify>,
        interval: Duration,
    ) -> Self {
        Housekeeping {
            spool,
            clock,
            metrics,
            escalation_routes: escalation_routes
                .into_iter()
                .map(|(name, mailbox)| EscalationRoute { name, mailbox })
                .collect(),
            repeat_secs,
            retention,
            head_every_secs,
            outbox,
            urgent: None,
            interval,
            draft_idle_secs: 60 * crate::config::DEFAULT_DRAFT_MINUTES as i64,
            signer: None,
            last_head: AtomicI64::new(i64::MIN),
        }
    }

    /// Drafts idle for `minutes` are purged.
    pub fn with_draft_minutes(mut self, minutes: u32) -> Self {
        self.draft_idle_secs = 60 * i64::from(minutes);
        self
    }

    /// Rings `urgent` (the outbox's urgent lanes) when escalations are queued.
    pub fn with_urgent_wake(mut self, urgent: Arc<Notify>) -> Self {
        self.urgent = Some(urgent);
        self
    }

    /// Signs each logged head with the gateway's signing key.
    pub fn with_signer(mut self, signer: Arc<SigningKey>) -> Self {
        self.signer = Some(signer);
        self
    }

    /// One round. Tests drive this with a manual clock.
    pub async fn tick(&self) -> Result<Tick, SpoolError> {
        let now = self.clock.now();
        let escalated = self
            .spool
            .escalate_due(now, self.repeat_secs, self.escalation_routes.clone())
            .await?;
        for reference in &escalated {
            if self.escalation_routes.is_empty() {
                tracing::error!(%reference, "UNACKNOWLEDGED past its deadline and no escalation route is configured");
            } else {
                tracing::warn!(%reference, "unacknowledged past its deadline: escalation queued");
            }
            self.metrics.inc(crate::metrics::Counter::Escalations, &[]);
        }
        if !escalated.is_empty() {
            self.outbox.notify_one();
            if let Some(urgent) = &self.urgent {
                crate::delivery::ring_urgent(urgent);
            }
        }
        // A batch at a time, each its own transaction, so submissions commit in between.
        let mut purge = PurgeReport::default();
        loop {
            let batch = self.spool.purge_due(now, self.retention).await?;
            for (reference, why) in &batch.purged {
                tracing::info!(%reference, why = why.as_str(), "envelopes purged; the content-free record stays");
                self.metrics
                    .inc(crate::metrics::Counter::Purged, &[("why", why.as_str())]);
            }
            for reference in &batch.warned {
                tracing::warn!(%reference, "never acknowledged: its envelopes will be purged at the maximum age");
            }
            purge.purged.extend(batch.purged);
            purge.warned.extend(batch.warned);
            if !batch.more {
                break;
            }
        }
        let drafts_purged = self
            .spool
            .purge_drafts(now.saturating_sub(self.draft_idle_secs))
            .await?;
        if drafts_purged > 0 {
            tracing::info!(drafts = drafts_purged, "idle drafts purged");
            self.metrics
                .add(crate::metrics::Counter::DraftsPurged, &[], drafts_purged);
        }
        if now.saturating_sub(self.last_head.load(Ordering::Relaxed)) >= self.head_every_secs {
            if let Some((seq, hash)) = self.spool.audit_head().await? {
                log_head(self.signer.as_deref(), seq, &hash);
            }
            self.last_head.store(now, Ordering::Relaxed);
        }
        Ok(Tick {
            escalated,
            purge,
            drafts_purged,
        })
    }

    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        loop {
            if let Err(e) = self.tick().await {
                tracing::error!(error = %e, "housekeeping cannot reach the spool; retrying");
            }
            tokio::select! {
                _ = tokio::time::sleep(self.interval) => {}
                _ = stop.changed() => break,
            }
        }
        // The head at shutdown, so the last entries are covered by the log too.
        if let Ok(Some((seq, hash))) = self.spool.audit_head().await {
            log_head(self.signer.as_deref(), seq, &hash);
        }
    }
}
