//! Intake: from validated answers to a durable, sealed submission and its reference.
//!
//! Shared by the HTML form and the JSON API. Sealing runs on the blocking pool, bounded by a
//! semaphore so a surge queues instead of starving the runtime; the reference is returned only
//! once the spool has committed.

use crate::forms::{FormSpec, Validated};
use crate::metrics::Metrics;
use crate::reference::Reference;
use crate::routing::Routes;
use crate::seal;
use crate::spool::{CommitOutcome, NewEnvelope, NewSubmission, Spool, SpoolError};
use crate::triage::{self, Priority};
use std::sync::Arc;
use time::format_description::well_known::Rfc3339;
use tokio::sync::{Notify, Semaphore};

/// What the submitter is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub reference: Reference,
    pub priority: Priority,
    pub received_at: String,
    /// The same form was sent before; this is its original reference.
    pub duplicate: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// The spool cannot take the submission; nothing was stored, no reference is given.
    #[error("spool unavailable")]
    Unavailable(#[from] SpoolError),
    #[error("sealing failed")]
    Seal(#[from] seal::SealError),
    #[error("no free reference after several attempts")]
    NoReference,
}

pub struct Intake {
    spool: Arc<dyn Spool>,
    routes: Arc<Routes>,
    sealing: Semaphore,
    metrics: Arc<Metrics>,
    /// Wakes the outbox when a submission commits.
    outbox: Arc<Notify>,
}

impl Intake {
    pub fn new(
        spool: Arc<dyn Spool>,
        routes: Arc<Routes>,
        seal_threads: usize,
        metrics: Arc<Metrics>,
        outbox: Arc<Notify>,
    ) -> Self {
        Intake {
            spool,
            routes,
            sealing: Semaphore::new(seal_threads.max(1)),
            metrics,
            outbox,
        }
    }

    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    pub fn spool(&self) -> &Arc<dyn Spool> {
        &self.spool
    }

    pub fn routes(&self) -> &Arc<Routes> {
        &self.routes
    }

    #[tracing::instrument(name = "intake", skip_all, fields(form = %form.id, reference, priority))]
    pub async fn submit(
        &self,
        form: &FormSpec,
        validated: Validated,
        token_hash: Option<[u8; 32]>,
    ) -> Result<Receipt, IntakeError> {
        if let Some(hash) = token_hash {
            if let Some(reference) = self.spool.reference_for_token(hash).await? {
                return self.duplicate(reference).await;
            }
        }
        let triage = triage::assess(&validated.answers);
        let routes = self.routes.select();
        let now = time::OffsetDateTime::now_utc();
        let received_unix = now.unix_timestamp();
        let received_at = now
            .replace_nanosecond(0)
            .unwrap_or(now)
            .format(&Rfc3339)
            .map_err(|_| IntakeError::NoReference)?;
        let validated = Arc::new(validated);
        // A clash of 40-bit random references is rare; when it happens the documents name the
        // reference, so they are sealed again under a fresh one.
        for _ in 0..4 {
            let reference = Reference::random();
            let envelopes = {
                let _permit = self
                    .sealing
                    .acquire()
                    .await
                    .map_err(|_| IntakeError::NoReference)?;
                let (reference, received_at, validated, routes) = (
                    reference.clone(),
                    received_at.clone(),
                    Arc::clone(&validated),
                    routes.clone(),
                );
                let (form_id, form_version, triage) =
                    (form.id.clone(), form.version, triage.clone());
                tokio::task::spawn_blocking(move || {
                    let doc = seal::Document {
                        reference: &reference,
                        received_at: &received_at,
                        form_id: &form_id,
                        form_version,
                        priority: triage.priority,
                        reasons: &triage.reasons,
                        answers: &validated.answers,
                        notes: &validated.notes,
                    };
                    routes
                        .iter()
                        .map(|route| {
                            let plain = seal::canonical_json(&doc, route)?;
                            Ok(NewEnvelope {
                                route: route.name.clone(),
                                mailbox: route.mailbox.clone(),
                                view: route.view.as_str(),
                                body: seal::encrypt(&plain, route)?,
                            })
                        })
                        .collect::<Result<Vec<_>, seal::SealError>>()
                })
                .await
                .map_err(|_| seal::SealError::Encrypt)??
            };
            let outcome = self
                .spool
                .commit(NewSubmission {
                    reference: reference.clone(),
                    received_at: received_at.clone(),
                    received_unix,
                    form_id: form.id.clone(),
                    form_version: form.version,
                    priority: triage.priority,
                    reason_codes: triage.reasons.iter().map(|r| r.to_string()).collect(),
                    token_hash,
                    envelopes,
                })
                .await?;
            match outcome {
                CommitOutcome::Committed(reference) => {
                    let span = tracing::Span::current();
                    span.record("reference", reference.as_str());
                    span.record("priority", triage.priority.as_str());
                    tracing::info!(reasons = ?triage.reasons, "submission committed");
                    self.metrics.inc(
                        "pisg_submissions_accepted_total",
                        &[("form", &form.id), ("priority", triage.priority.as_str())],
                    );
                    self.outbox.notify_one();
                    return Ok(Receipt {
                        reference,
                        priority: triage.priority,
                        received_at,
                        duplicate: false,
                    });
                }
                CommitOutcome::Duplicate(reference) => return self.duplicate(reference).await,
                CommitOutcome::ReferenceTaken => continue,
            }
        }
        Err(IntakeError::NoReference)
    }

    async fn duplicate(&self, reference: Reference) -> Result<Receipt, IntakeError> {
        let record = self.spool.submission(reference.as_str()).await?;
        let (priority, received_at) = record
            .map(|r| {
                (
                    Priority::parse(&r.priority).unwrap_or(Priority::Routine),
                    r.received_at,
                )
            })
            .unwrap_or((Priority::Routine, String::new()));
        tracing::info!(reference = %reference, "form sent again; original reference returned");
        Ok(Receipt {
            reference,
            priority,
            received_at,
            duplicate: true,
        })
    }
}
