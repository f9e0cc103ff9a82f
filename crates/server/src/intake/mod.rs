//! Intake: from validated answers to a durable, sealed submission and its reference.
//!
//! Shared by the HTML form and the JSON API: triage, locality, routing, one envelope per route
//! in that route's view, one transaction; the reference is returned only once the spool has
//! committed.
//!
//! Sealing runs on the HTTP worker that took the request. It is tens of microseconds of CPU per
//! recipient, and the workers are as many as the cores: handing it to another thread added two
//! context switches per submission and no capacity (intake at 64 connections went from about
//! 4,400 to 6,100 submissions a second when the hand-off was removed; see docs/src/performance.md).
//! Evidence files are the exception: they are sealed once on the blocking pool
//! ([`seal_files`]), since megabytes of encryption on a worker hold back every report behind it.

use crate::attachments::Cleaned;
use crate::forms::{FormSpec, Validated};
use crate::locality::LocalityTable;
use crate::metrics::Metrics;
use crate::reference::Reference;
use crate::routing::{Decision, Routes, View};
use crate::seal;
use crate::signing::SigningKey;
use crate::spool::{CommitOutcome, NewEnvelope, NewSubmission, Spool, SpoolError};
use crate::triage::{Priority, Triage};
use crate::views;
use serde_json::{Map, Value};
use std::sync::Arc;
use time::format_description::well_known::Rfc3339;
use tokio::sync::Notify;

mod prepare;
mod sealing;

pub use crate::forms::fields::{ADDENDUM_FIELD, ADDENDUM_FORM};
pub use prepare::{localities, prepare, routing_facts, Prepared};
use sealing::{seal_addendum, thread_copy};
pub use sealing::{seal_all, seal_files, SealedFiles};
/// The key of an addendum's delivery notice that names the report it adds to.
pub const ADDENDUM_TO: &str = "addendum_to";

/// What the submitter is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub reference: Reference,
    pub priority: Priority,
    pub received_at: String,
    /// The same form was sent before; this is its original reference.
    pub duplicate: bool,
    /// The follow-up key offered with it was committed with it (so its code may be shown).
    pub follow_up: bool,
}

/// A follow-up key to commit with a submission (derived from a code the server does not keep),
/// and for a professional who asked, the work address for a content-free notice.
#[derive(Debug, Clone)]
pub struct FollowUpRequest {
    pub key: crate::spool::FollowUpKey,
    pub notice: Option<String>,
}

/// What a submitter added on /follow-up, sealed to the police intelligence route(s).
pub struct Addendum<'a> {
    /// The report it adds to, named in the signed document.
    pub original: &'a Reference,
    pub text: &'a str,
    /// The form token's hash: a page sent twice adds once.
    pub token_hash: Option<[u8; 32]>,
    /// The submitter's own key, so the copy kept in the thread opens with their code.
    pub submitter: &'a age::x25519::Recipient,
    /// Evidence files added with it, cleaned as a report's are, sealed to the same routes.
    pub files: Vec<Cleaned>,
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

/// Where intake reports its load: the outbox steps back during a surge (see
/// `delivery::IntakePressure`).
pub trait IntakeLoad: Send + Sync {
    /// One submission committed.
    fn committed(&self);
}

/// The decision-making tables, loaded once at start.
#[derive(Debug, Clone)]
pub struct Rules {
    pub triage: Triage,
    pub localities: LocalityTable,
}

pub struct Intake {
    spool: Arc<dyn Spool>,
    routes: Arc<Routes>,
    rules: Arc<Rules>,
    metrics: Arc<Metrics>,
    /// Wakes the outbox when a submission commits.
    outbox: Arc<Notify>,
    /// Wakes the outbox's urgent lanes when an IMMEDIATE submission commits.
    urgent: Option<Arc<Notify>>,
    /// Counts commits, so the outbox can step back during a surge.
    pressure: Option<Arc<dyn IntakeLoad>>,
    /// Signs every document before it is sealed.
    signer: Arc<SigningKey>,
    /// Seals a professional's notice address under the key kept outside the database.
    addresses: Arc<crate::secrets_key::Sealer>,
}

impl Intake {
    pub fn new(
        spool: Arc<dyn Spool>,
        routes: Arc<Routes>,
        rules: Arc<Rules>,
        metrics: Arc<Metrics>,
        outbox: Arc<Notify>,
        signer: Arc<SigningKey>,
    ) -> Self {
        Intake {
            spool,
            routes,
            rules,
            metrics,
            outbox,
            urgent: None,
            pressure: None,
            signer,
            // A key of this process's own until the gateway's is given (`with_addresses`).
            addresses: Arc::new(
                crate::secrets_key::SecretsKey::random().sealer(crate::secrets_key::ADDRESS),
            ),
        }
    }

    /// Seals notice addresses with `sealer` (the secrets key's [`crate::secrets_key::ADDRESS`]).
    pub fn with_addresses(mut self, sealer: Arc<crate::secrets_key::Sealer>) -> Self {
        self.addresses = sealer;
        self
    }

    /// The key documents are signed with.
    pub fn signer(&self) -> &Arc<SigningKey> {
        &self.signer
    }

    /// Rings `urgent` (the outbox's urgent lanes) when an IMMEDIATE submission commits.
    pub fn with_urgent_wake(mut self, urgent: Arc<Notify>) -> Self {
        self.urgent = Some(urgent);
        self
    }

    /// Counts each commit into `pressure` (shared with the outbox).
    pub fn with_pressure(mut self, pressure: Arc<dyn IntakeLoad>) -> Self {
        self.pressure = Some(pressure);
        self
    }

    /// When the narrative describes danger now that the gate answers did not, what was
    /// noticed in plain words, so the HTML journey can ask the submitter before they send.
    pub fn narrative_check(&self, answers: &Map<String, Value>) -> Option<Vec<String>> {
        self.rules
            .triage
            .narrative_check(answers, time::OffsetDateTime::now_utc())
    }

    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    pub fn spool(&self) -> &Arc<dyn Spool> {
        &self.spool
    }

    /// Wakes the outbox for work queued outside intake (an officer's share with MACE).
    pub fn wake_outbox(&self) {
        self.outbox.notify_one();
    }

    pub fn routes(&self) -> &Arc<Routes> {
        &self.routes
    }

    pub async fn submit(
        &self,
        form: &Arc<FormSpec>,
        validated: Validated,
        token_hash: Option<[u8; 32]>,
    ) -> Result<Receipt, IntakeError> {
        self.submit_flagged(form, validated, token_hash, &[]).await
    }

    /// As [`Intake::submit`], with reason codes observed outside the answers (such as
    /// `suspected_automated`). They are recorded and never change the priority: a flagged
    /// submission is still delivered like any other.
    pub async fn submit_flagged(
        &self,
        form: &Arc<FormSpec>,
        validated: Validated,
        token_hash: Option<[u8; 32]>,
        flags: &[&str],
    ) -> Result<Receipt, IntakeError> {
        self.submit_via(form, validated, token_hash, flags, None)
            .await
    }

    /// As [`Intake::submit_flagged`], naming the partner agency that sent it (from its API
    /// token) in every sealed document as `submitted_via`.
    pub async fn submit_via(
        &self,
        form: &Arc<FormSpec>,
        validated: Validated,
        token_hash: Option<[u8; 32]>,
        flags: &[&str],
        agency: Option<&str>,
    ) -> Result<Receipt, IntakeError> {
        self.submit_with_files(form, validated, token_hash, flags, agency, Vec::new())
            .await
    }

    /// As [`Intake::submit_via`], with cleaned evidence files. Each is sealed, on its own, to
    /// the recipients of every route that gets the full view, and to no other; the restricted
    /// views and notices never learn there were files. The cleaned bytes are wiped once sealed.
    pub async fn submit_with_files(
        &self,
        form: &Arc<FormSpec>,
        validated: Validated,
        token_hash: Option<[u8; 32]>,
        flags: &[&str],
        agency: Option<&str>,
        files: Vec<Cleaned>,
    ) -> Result<Receipt, IntakeError> {
        self.submit_with_follow_up(form, validated, token_hash, flags, agency, files, None)
            .await
    }

    /// As [`Intake::submit_with_files`], committing a follow-up key with the submission.
    #[allow(clippy::too_many_arguments)]
    #[tracing::instrument(name = "intake", skip_all, fields(form = %form.id, reference, priority, files = files.len()))]
    pub async fn submit_with_follow_up(
        &self,
        form: &Arc<FormSpec>,
        validated: Validated,
        token_hash: Option<[u8; 32]>,
        flags: &[&str],
        agency: Option<&str>,
        files: Vec<Cleaned>,
        follow_up: Option<FollowUpRequest>,
    ) -> Result<Receipt, IntakeError> {
        if let Some(receipt) = self.sent_before(token_hash).await? {
            return Ok(receipt);
        }
        let now = time::OffsetDateTime::now_utc();
        let mut prepared = prepare(&self.routes, &self.rules, form, &validated.answers, now);
        for flag in flags {
            if !prepared.triage.reasons.iter().any(|r| r == flag) {
                prepared.triage.reasons.push(flag.to_string());
            }
        }
        let stamp = Stamp::of(now)?;
        // Evidence files do not name the reference: they are sealed once, off the HTTP worker
        // (a 10 MiB file is milliseconds of ChaCha20 per route, which would hold back every
        // small report queued on the same worker).
        let files = seal_files(&prepared.decisions, files).await?;
        let draft = Draft {
            form_id: &form.id,
            form_version: form.version,
            stamp: &stamp,
            prepared: &prepared,
            token_hash,
            kind: Kind::Submission { follow_up },
        };
        self.commit(draft, |reference| {
            seal_all(
                reference,
                &stamp.at,
                form,
                &validated,
                &prepared,
                &self.signer,
                agency,
                &files,
            )
        })
        .await
    }

    /// Seals what a submitter added on /follow-up like a submission of its own (own
    /// reference, own acknowledgement link, triaged like any report) to the police
    /// intelligence route(s) only, its signed document naming the original reference; and
    /// seals a copy for the thread to the same recipients and the submitter, so that their
    /// code shows them what they sent. Returns the addendum's receipt; a page sent twice gets
    /// the first one's (and adds nothing to the thread again).
    #[tracing::instrument(name = "addendum", skip_all, fields(reference, priority))]
    pub async fn submit_addendum(&self, a: Addendum<'_>) -> Result<Receipt, IntakeError> {
        if let Some(receipt) = self.sent_before(a.token_hash).await? {
            return Ok(receipt);
        }
        let now = time::OffsetDateTime::now_utc();
        let mut answers = Map::new();
        if !a.text.is_empty() {
            answers.insert(ADDENDUM_FIELD.into(), Value::String(a.text.to_string()));
        }
        let triage = self.rules.triage.assess(&answers, now);
        let decisions: Vec<Decision> = self
            .routes
            .all()
            .iter()
            .filter(|r| r.role == crate::routing::Role::PoliceIntelligence)
            .map(|r| Decision {
                route: Arc::clone(r),
                view: View::Full,
            })
            .collect();
        if decisions.is_empty() {
            return Err(seal::SealError::NoRecipients.into());
        }
        let prepared = Prepared {
            triage,
            localities: Vec::new(),
            decisions,
        };
        let stamp = Stamp::of(now)?;
        let mut thread_recipients: Vec<age::x25519::Recipient> = prepared
            .decisions
            .iter()
            .flat_map(|d| d.route.recipients.iter().cloned())
            .collect();
        thread_recipients.push(a.submitter.clone());
        let copy = seal::encrypt_to(
            thread_copy(a.text, a.files.len()).as_bytes(),
            &thread_recipients,
        )?;
        let files = seal_files(&prepared.decisions, a.files).await?;
        let draft = Draft {
            form_id: ADDENDUM_FORM,
            form_version: 1,
            stamp: &stamp,
            prepared: &prepared,
            token_hash: a.token_hash,
            kind: Kind::Addendum {
                original: a.original,
                copy,
            },
        };
        self.commit(draft, |reference| {
            seal_addendum(
                reference,
                &stamp.at,
                &answers,
                &prepared,
                a.original,
                &self.signer,
                &files,
            )
        })
        .await
    }

    /// A professional's notice address sealed for the spool, with the confirmation link's
    /// token sealed beside it for the first email (the spool keeps only the token's hash).
    fn notice_address(&self, address: &str) -> crate::spool::NoticeAddress {
        let (token, token_hash) = crate::ack::new_token();
        crate::spool::NoticeAddress {
            sealed: self.addresses.seal_text(address),
            confirm_mailbox: self.addresses.seal_text(&format!("{address}\n{token}")),
            token_hash,
        }
    }

    /// The first receipt for a form page sent before (by its token's hash), if it was.
    async fn sent_before(
        &self,
        token_hash: Option<[u8; 32]>,
    ) -> Result<Option<Receipt>, IntakeError> {
        let Some(hash) = token_hash else {
            return Ok(None);
        };
        match self.spool.reference_for_token(hash).await? {
            Some(reference) => self.duplicate(reference).await.map(Some),
            None => Ok(None),
        }
    }

    /// The one commit path of submissions and addenda. Draws a reference, seals under it
    /// (`seal` names it in every document) and commits. A reference clashes only with one
    /// kept from before references were numbered, or with a number another gateway on the
    /// same spool took; the documents name the reference, so they are then sealed again under
    /// a fresh one. Once durable: what the kind adds, the log, the metrics, the outbox's
    /// wake-up and the receipt.
    async fn commit<F>(&self, draft: Draft<'_>, seal: F) -> Result<Receipt, IntakeError>
    where
        F: Fn(&Reference) -> Result<Vec<NewEnvelope>, seal::SealError>,
    {
        let Draft {
            form_id,
            form_version,
            stamp,
            prepared,
            token_hash,
            kind,
        } = draft;
        let priority = prepared.triage.priority;
        let (follow_up, with_key) = match &kind {
            Kind::Submission { follow_up } => (follow_up.as_ref(), follow_up.is_some()),
            Kind::Addendum { .. } => (None, false),
        };
        let notice = follow_up
            .and_then(|f| f.notice.as_deref())
            .map(|address| self.notice_address(address));
        for _ in 0..4 {
            let (number, reference) = self.spool.next_reference()?;
            let envelopes = seal(&reference)?;
            let outcome = self
                .spool
                .commit(NewSubmission {
                    number,
                    reference: reference.clone(),
                    received_at: stamp.at.clone(),
                    received_unix: stamp.unix,
                    form_id: form_id.to_string(),
                    form_version,
                    priority,
                    reason_codes: prepared.triage.reasons.clone(),
                    token_hash,
                    ack_deadline: prepared
                        .decisions
                        .iter()
                        .filter_map(|d| d.route.ack_minutes(priority))
                        .min()
                        .map(|m| stamp.unix + 60 * m as i64),
                    envelopes,
                    follow_up: follow_up.map(|f| f.key.clone()),
                    follow_up_notice: notice.clone(),
                })
                .await?;
            match outcome {
                CommitOutcome::Committed(reference) => {
                    let span = tracing::Span::current();
                    span.record("reference", reference.as_str());
                    span.record("priority", priority.as_str());
                    match kind {
                        Kind::Submission { .. } => {
                            let routes: Vec<&str> = prepared
                                .decisions
                                .iter()
                                .map(|d| d.route.name.as_str())
                                .collect();
                            tracing::info!(reasons = ?prepared.triage.reasons, ?routes, "submission committed");
                        }
                        Kind::Addendum { original, copy } => {
                            // The thread's copy after the addendum itself: if this write fails
                            // the addendum has still reached police (its reference is shown),
                            // only the submitter's own copy of their words is missing from the
                            // thread.
                            if let Err(e) = self
                                .spool
                                .add_submitter_message(original, copy, &reference, stamp.unix)
                                .await
                            {
                                tracing::error!(error = %e, "the thread's copy of an addendum was not stored");
                            }
                            tracing::info!(reasons = ?prepared.triage.reasons, "follow-up addendum committed");
                        }
                    }
                    self.metrics.inc(
                        crate::metrics::Counter::SubmissionsAccepted,
                        &[("form", form_id), ("priority", priority.as_str())],
                    );
                    self.wake_after_commit(priority);
                    return Ok(Receipt {
                        reference,
                        priority,
                        received_at: stamp.at.clone(),
                        duplicate: false,
                        follow_up: with_key,
                    });
                }
                CommitOutcome::Duplicate(reference) => return self.duplicate(reference).await,
                CommitOutcome::ReferenceTaken => continue,
            }
        }
        Err(IntakeError::NoReference)
    }

    /// Counts the commit for the outbox's surge check and wakes the outbox: its urgent lanes
    /// too for an IMMEDIATE report, so each of its emails has a lane at once.
    fn wake_after_commit(&self, priority: Priority) {
        if let Some(p) = &self.pressure {
            p.committed();
        }
        self.outbox.notify_one();
        if priority == Priority::Immediate {
            if let Some(urgent) = &self.urgent {
                crate::delivery::ring_urgent(urgent);
            }
        }
    }

    async fn duplicate(&self, reference: Reference) -> Result<Receipt, IntakeError> {
        let record = self.spool.submission(&reference).await?;
        // The stored priority is what the original submission was given; if the record cannot
        // be read, claim the highest rather than tell someone it was routine.
        let (priority, received_at) = record
            .map(|r| (r.priority, r.received_at))
            .unwrap_or((Priority::Immediate, String::new()));
        tracing::info!(reference = %reference, "form sent again; original reference returned");
        Ok(Receipt {
            reference,
            priority,
            received_at,
            duplicate: true,
            follow_up: false,
        })
    }
}

/// When a submission or addendum was received: RFC 3339 to the second, and Unix seconds.
struct Stamp {
    at: String,
    unix: i64,
}

impl Stamp {
    fn of(now: time::OffsetDateTime) -> Result<Self, IntakeError> {
        let at = now
            .replace_nanosecond(0)
            .unwrap_or(now)
            .format(&Rfc3339)
            .map_err(|_| IntakeError::NoReference)?;
        Ok(Stamp {
            at,
            unix: now.unix_timestamp(),
        })
    }
}

/// What one commit holds besides its envelopes.
struct Draft<'a> {
    form_id: &'a str,
    form_version: u32,
    stamp: &'a Stamp,
    prepared: &'a Prepared,
    token_hash: Option<[u8; 32]>,
    kind: Kind<'a>,
}

/// What the two commit paths store differently.
enum Kind<'a> {
    /// A report, with the follow-up key (and notice address) committed in its transaction.
    Submission { follow_up: Option<FollowUpRequest> },
    /// An addendum, whose words sealed for the original's thread are stored once it has its
    /// own reference.
    Addendum {
        original: &'a Reference,
        copy: Vec<u8>,
    },
}
