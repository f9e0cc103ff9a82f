//! Moving a deployment from one spool to another (`pis-gateway spool copy`), whatever the two
//! backends: everything is read out as backend-neutral rows and written in as they are, the
//! audit chain entry for entry, so nothing is re-sealed, re-numbered or re-chained.

use super::audit::{self, Entry};
use super::reseal::Reseal;
use super::{
    CaseStatus, DeliveryRoute, DeliveryState, Spool, SpoolFuture, StoredEnvelope, StoredMessage,
    View,
};
use crate::ack::AckKind;
use crate::reference::Reference;
use crate::secrets_key::SecretsKey;
use crate::triage::Priority;
use anyhow::{bail, Context};
use std::collections::BTreeMap;

/// Submissions read or written in one step.
const SUBMISSION_BATCH: usize = 200;
/// Audit entries read or written in one step.
const AUDIT_BATCH: usize = 5_000;

/// One sealed evidence file of one route's envelope (ciphertext).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentExport {
    pub route: String,
    /// Position from 1.
    pub n: u32,
    pub body: Vec<u8>,
}

/// Everything stored about one submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionExport {
    pub number: u64,
    pub reference: Reference,
    /// Kept from before references were enciphered numbers: found by its reference, not its
    /// number.
    pub legacy: bool,
    pub received_at: String,
    pub received_unix: i64,
    pub form_id: String,
    pub form_version: u32,
    pub priority: Priority,
    pub reason_codes: Vec<String>,
    pub token_hash: Option<[u8; 32]>,
    pub ack_deadline: Option<i64>,
    pub next_escalation_at: Option<i64>,
    pub escalations: u32,
    pub acknowledged_at: Option<i64>,
    pub acknowledged_route: Option<String>,
    pub purged_at: Option<i64>,
    pub purge_warned: bool,
    /// By route.
    pub envelopes: Vec<StoredEnvelope>,
    /// Sealed evidence files, by route and position.
    pub attachments: Vec<AttachmentExport>,
    /// By route.
    pub deliveries: Vec<DeliveryExport>,
    /// By hash.
    pub ack_tokens: Vec<AckTokenExport>,
    /// The follow-up key and status, if the submitter kept a code.
    pub follow_up: Option<FollowUpExport>,
    /// Sealed follow-up messages, by number.
    pub messages: Vec<StoredMessage>,
    /// The officer's workflow steps, by number.
    pub workflow: Vec<super::WorkflowEntry>,
}

/// A submission's follow-up row: the derived lookup id and public key (never the code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUpExport {
    pub lookup_id: [u8; 32],
    pub recipient: String,
    pub status: CaseStatus,
    pub status_at: i64,
    /// The notice address, sealed under the secrets key (carried as it is).
    pub notify: Option<String>,
    /// SHA-256 of the unused confirmation link's token.
    pub notify_token: Option<[u8; 32]>,
    pub notify_confirmed_at: Option<i64>,
}

/// A used officer request nonce (kept until the request's time window has passed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NonceExport {
    pub officer: String,
    pub nonce: [u8; 16],
    pub used_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryExport {
    pub route: DeliveryRoute,
    pub mailbox: String,
    pub view: View,
    pub notice: Option<String>,
    pub rank: i64,
    pub state: DeliveryState,
    pub attempts: u32,
    pub next_attempt_at: i64,
    pub retry_from: i64,
    pub last_attempt_at: Option<i64>,
    pub last_error_class: Option<String>,
    pub delivered_at: Option<i64>,
    pub dead_at: Option<i64>,
    pub acknowledged_at: Option<i64>,
    pub ack: AckKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AckTokenExport {
    pub hash: [u8; 32],
    pub route: String,
    pub created_at: i64,
    pub used_at: Option<i64>,
    pub kind: AckKind,
}

/// A partner agency with its token's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerExport {
    pub name: String,
    pub token_hash: [u8; 32],
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// One of the spool's settings, secrets among them (the reference key, so that references
/// keep enciphering the same numbers; the form-token key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub name: String,
    pub value: Vec<u8>,
}

/// How much a spool holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SpoolCounts {
    pub submissions: u64,
    pub envelopes: u64,
    pub deliveries: u64,
    pub ack_tokens: u64,
    pub audit_entries: u64,
    pub partners: u64,
}

impl SpoolCounts {
    /// Nothing a gateway has recorded. (A store opened once already holds its own reference
    /// key; that is replaced by the copied one.)
    pub fn is_empty(&self) -> bool {
        self.submissions == 0 && self.audit_entries == 0 && self.partners == 0
    }
}

impl std::fmt::Display for SpoolCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} submissions, {} envelopes, {} deliveries, {} acknowledgement tokens, {} audit entries, {} partners",
            self.submissions,
            self.envelopes,
            self.deliveries,
            self.ack_tokens,
            self.audit_entries,
            self.partners
        )
    }
}

/// Reading a whole spool out, and writing one into an empty store.
///
/// Imports write rows exactly as exported (no audit events of their own: the chain is copied).
/// Each call is one transaction. A store that has received an import must be opened again
/// before use: its reference key has changed.
pub trait TransferStore: Send + Sync + 'static {
    fn counts(&self) -> SpoolFuture<'_, SpoolCounts>;
    /// Every setting but transient ones (the write probe).
    fn export_settings(&self) -> SpoolFuture<'_, Vec<Setting>>;
    fn export_partners(&self) -> SpoolFuture<'_, Vec<PartnerExport>>;
    /// Up to `limit` submissions numbered above `after`, in number order.
    fn export_submissions(
        &self,
        after: u64,
        limit: usize,
    ) -> SpoolFuture<'_, Vec<SubmissionExport>>;
    /// Up to `limit` audit entries after sequence number `after`, in sequence order.
    fn export_audit(&self, after: i64, limit: usize) -> SpoolFuture<'_, Vec<Entry>>;
    /// Writes settings, replacing any of the same name. Refused once the store holds a
    /// submission: a live spool's reference key is never replaced.
    fn import_settings(&self, settings: Vec<Setting>) -> SpoolFuture<'_, ()>;
    fn import_partners(&self, partners: Vec<PartnerExport>) -> SpoolFuture<'_, ()>;
    /// Writes submissions with all their rows; numbering then goes on after the highest.
    fn import_submissions(&self, submissions: Vec<SubmissionExport>) -> SpoolFuture<'_, ()>;
    /// Appends entries as they are (their hashes already chain).
    fn import_audit(&self, entries: Vec<Entry>) -> SpoolFuture<'_, ()>;
    /// Officers' used request nonces, by officer and nonce: a copied spool still refuses a
    /// request replayed within its time window.
    fn export_officer_nonces(&self) -> SpoolFuture<'_, Vec<NonceExport>>;
    fn import_officer_nonces(&self, nonces: Vec<NonceExport>) -> SpoolFuture<'_, ()>;
}

/// Copies everything in `from` into `to`, which must be empty. Returns the source's counts.
/// `to` must be opened again afterwards (see [`TransferStore`]); [`verify_copy`] checks the
/// result.
pub async fn copy(from: &dyn Spool, to: &dyn Spool) -> anyhow::Result<SpoolCounts> {
    copy_with(from, to, None).await
}

/// The two secrets keys of a copy whose destination has a key of its own: what is sealed is
/// opened with the first and sealed again with the second (see [`super::reseal`]).
pub type Keys<'a> = Option<(&'a SecretsKey, &'a SecretsKey)>;

/// As [`copy`], re-sealing under the destination's key when `keys` are given.
pub async fn copy_with(
    from: &dyn Spool,
    to: &dyn Spool,
    keys: Keys<'_>,
) -> anyhow::Result<SpoolCounts> {
    let reseal = keys.map(|(open, seal)| Reseal {
        open,
        seal: Some(seal),
    });
    let existing = to.counts().await.context("reading the destination")?;
    if !existing.is_empty() {
        bail!("the destination spool is not empty ({existing}); refusing to copy into it");
    }
    let counts = from.counts().await.context("reading the source")?;
    let entries = from
        .audit_entries()
        .await
        .context("reading the source's audit log")?;
    audit::verify(&entries, None)
        .map_err(|b| anyhow::anyhow!("the source's audit log is broken: {b}; nothing copied"))?;
    drop(entries);

    let mut settings = from.export_settings().await?;
    if let Some(r) = &reseal {
        settings = r.settings(settings)?;
    }
    to.import_settings(settings)
        .await
        .context("writing settings")?;
    to.import_partners(from.export_partners().await?)
        .await
        .context("writing partners")?;
    to.import_officer_nonces(from.export_officer_nonces().await?)
        .await
        .context("writing officer request nonces")?;
    let mut after = 0;
    loop {
        let mut batch = from.export_submissions(after, SUBMISSION_BATCH).await?;
        let Some(last) = batch.last() else { break };
        after = last.number;
        if let Some(r) = &reseal {
            r.submissions(&mut batch)?;
        }
        to.import_submissions(batch)
            .await
            .context("writing submissions")?;
    }
    let mut after = 0;
    loop {
        let batch = from.export_audit(after, AUDIT_BATCH).await?;
        let Some(last) = batch.last() else { break };
        after = last.seq;
        to.import_audit(batch)
            .await
            .context("writing the audit log")?;
    }
    Ok(counts)
}

/// What [`verify_copy`] found: the counts and the audit head, the same on both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub counts: SpoolCounts,
    pub audit_entries: usize,
    pub audit_head: Option<(i64, Vec<u8>)>,
}

/// Checks that `to` holds what `from` holds: the same counts, the same rows, settings and
/// partners, an intact audit chain with the same head on both sides, references that still
/// find their submissions, and numbering past every copied submission.
pub async fn verify_copy(from: &dyn Spool, to: &dyn Spool) -> anyhow::Result<Verified> {
    verify_copy_with(from, to, None).await
}

/// As [`verify_copy`], for a copy re-sealed under `keys`: sealed values are compared opened,
/// in memory.
pub async fn verify_copy_with(
    from: &dyn Spool,
    to: &dyn Spool,
    keys: Keys<'_>,
) -> anyhow::Result<Verified> {
    let opened = |k| Reseal {
        open: k,
        seal: None,
    };
    let sides = keys.map(|(a, b)| (opened(a), opened(b)));
    let (a, b) = (from.counts().await?, to.counts().await?);
    if a != b {
        bail!("counts differ: source {a}; destination {b}");
    }
    let settings = |s: Vec<Setting>| -> BTreeMap<String, Vec<u8>> {
        s.into_iter().map(|s| (s.name, s.value)).collect()
    };
    let (mut ra, mut rb) = (from.export_settings().await?, to.export_settings().await?);
    if let Some((x, y)) = &sides {
        (ra, rb) = (x.settings(ra)?, y.settings(rb)?);
    }
    let (sa, sb) = (settings(ra), settings(rb));
    if let Some(name) = sa.keys().find(|k| sa.get(*k) != sb.get(*k)) {
        bail!("setting {name:?} differs");
    }
    if from.export_partners().await? != to.export_partners().await? {
        bail!("partners differ");
    }
    if from.export_officer_nonces().await? != to.export_officer_nonces().await? {
        bail!("officer request nonces differ");
    }
    let mut after = 0;
    let mut highest = 0;
    loop {
        let (mut x, mut y) = (
            from.export_submissions(after, SUBMISSION_BATCH).await?,
            to.export_submissions(after, SUBMISSION_BATCH).await?,
        );
        if let Some((p, q)) = &sides {
            p.submissions(&mut x)?;
            q.submissions(&mut y)?;
        }
        if x != y {
            let at = x
                .iter()
                .zip(&y)
                .find(|(p, q)| p != q)
                .map(|(p, _)| p.reference.to_string())
                .unwrap_or_else(|| "a batch boundary".into());
            bail!("submissions differ (at {at})");
        }
        let Some(last) = x.last() else { break };
        for s in [&x[0], last] {
            // Found by deciphering the reference: the reference key came across.
            if to.submission(&s.reference).await?.is_none() {
                bail!("{} cannot be found in the destination", s.reference);
            }
        }
        after = last.number;
        highest = highest.max(last.number);
    }
    let (ea, eb) = (from.audit_entries().await?, to.audit_entries().await?);
    let n = audit::verify(&ea, None)
        .map_err(|b| anyhow::anyhow!("the source's audit log is broken: {b}"))?;
    let head = from.audit_head().await?;
    let expected = head.as_ref().map(|(s, h)| (*s, h.as_slice()));
    let m = audit::verify(&eb, expected)
        .map_err(|b| anyhow::anyhow!("the destination's audit log is broken: {b}"))?;
    if n != m || ea != eb || head != to.audit_head().await? {
        bail!("the audit logs differ");
    }
    let (next, _) = to.next_reference()?;
    if next <= highest {
        bail!("the destination would number a new submission {next}, not after {highest}");
    }
    Ok(Verified {
        counts: a,
        audit_entries: n,
        audit_head: head,
    })
}
