//! Sealing: each route's document signed and sealed to its recipients, and evidence files
//! sealed once on the blocking pool.

use super::*;

/// An addendum's envelopes: one per police intelligence route, its document naming the
/// report it adds to.
pub(super) fn seal_addendum(
    reference: &Reference,
    received_at: &str,
    answers: &Map<String, Value>,
    prepared: &Prepared,
    original: &Reference,
    signer: &SigningKey,
    files: &SealedFiles,
) -> Result<Vec<NewEnvelope>, seal::SealError> {
    prepared
        .decisions
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let doc = seal::Document {
                reference,
                received_at,
                form_id: ADDENDUM_FORM,
                form_version: 1,
                priority: prepared.triage.priority,
                reasons: &prepared.triage.reasons,
                localities: &prepared.localities,
                answers,
                notes: &[],
                findings: &prepared.triage.findings,
                languages: &prepared.triage.languages,
                submitted_via: None,
                attachments: &files.facts,
                follow_up_of: Some(original),
                page_language: None,
            };
            let sealed = files.per_decision.get(i).cloned().unwrap_or_default();
            let mut envelope = sealed_envelope(d, &doc, signer, sealed)?;
            // The email names the report it adds to, and threads under it in the inbox: a
            // reference is no content (every report's subject carries one).
            envelope.notice =
                Some(serde_json::json!({ ADDENDUM_TO: original.as_str() }).to_string());
            Ok(envelope)
        })
        .collect()
}

/// The words the submitter sees again in their thread: what they wrote, and how many files
/// went with it (the files themselves go to police only).
pub(super) fn thread_copy(text: &str, files: usize) -> String {
    match (text.is_empty(), files) {
        (_, 0) => text.to_string(),
        (true, 1) => "(1 file added)".to_string(),
        (true, n) => format!("({n} files added)"),
        (false, 1) => format!("{text}\n(1 file added)"),
        (false, n) => format!("{text}\n({n} files added)"),
    }
}

/// A decision's envelope holding `doc`, signed and sealed to the route's recipients, with the
/// files already sealed to them.
fn sealed_envelope(
    d: &Decision,
    doc: &seal::Document<'_>,
    signer: &SigningKey,
    attachments: Vec<Arc<Vec<u8>>>,
) -> Result<NewEnvelope, seal::SealError> {
    let plain = seal::canonical_json(doc, &d.route, d.view, signer)?;
    Ok(NewEnvelope {
        route: d.route.name.clone(),
        mailbox: d.route.mailbox.clone(),
        view: d.view.into(),
        body: Some(seal::encrypt(&plain, &d.route)?),
        notice: None,
        ack: d.route.ack_kind(doc.priority),
        attachments,
    })
}

/// Evidence files sealed for one submission: their facts (for the full view's document), and
/// for each route decision, in the same order, the files sealed to that route's recipients
/// (none for a route that does not get the full view).
#[derive(Default)]
pub struct SealedFiles {
    facts: Vec<crate::attachments::Facts>,
    per_decision: Vec<Vec<Arc<Vec<u8>>>>,
}

impl SealedFiles {
    /// No files.
    pub fn none() -> Self {
        SealedFiles::default()
    }
}

/// Seals each cleaned file, on its own, to every full-view decision's recipients, on the
/// blocking pool. The cleaned bytes are wiped as soon as the last route has its copy.
pub async fn seal_files(
    decisions: &[Decision],
    files: Vec<Cleaned>,
) -> Result<SealedFiles, seal::SealError> {
    if files.is_empty() {
        return Ok(SealedFiles::none());
    }
    let routes: Vec<Option<Arc<crate::routing::Route>>> = decisions
        .iter()
        .map(|d| (d.view == View::Full).then(|| Arc::clone(&d.route)))
        .collect();
    tokio::task::spawn_blocking(move || {
        let facts = files.iter().map(|f| f.facts.clone()).collect();
        let per_decision = routes
            .iter()
            .map(|route| match route {
                Some(route) => files
                    .iter()
                    .map(|f| seal::encrypt(&f.bytes, route).map(Arc::new))
                    .collect(),
                None => Ok(Vec::new()),
            })
            .collect::<Result<_, _>>()?;
        drop(files);
        Ok(SealedFiles {
            facts,
            per_decision,
        })
    })
    .await
    .map_err(|_| seal::SealError::Encrypt)?
}

/// One envelope per route decision, each holding only what its view allows; a full view's
/// envelope also carries each file sealed on its own to the same recipients (`files`, from
/// [`seal_files`] over the same decisions).
#[allow(clippy::too_many_arguments)]
pub fn seal_all(
    reference: &Reference,
    received_at: &str,
    form: &FormSpec,
    validated: &Validated,
    prepared: &Prepared,
    signer: &SigningKey,
    agency: Option<&str>,
    files: &SealedFiles,
) -> Result<Vec<NewEnvelope>, seal::SealError> {
    let facts = &files.facts;
    let restricted = views::restricted(form, &validated.answers);
    let restricted_notes = views::notes_for(&restricted, &validated.notes);
    let notice = views::notice(&validated.answers);
    prepared
        .decisions
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let full = d.view == View::Full;
            let (answers, notes) = match d.view {
                View::Full => (&validated.answers, validated.notes.as_slice()),
                View::Restricted => (&restricted, restricted_notes.as_slice()),
                // Categories and localities only, sealed to the route like every other view.
                View::Notice => (&notice, &[][..]),
            };
            let doc = seal::Document {
                reference,
                received_at,
                form_id: &form.id,
                form_version: form.version,
                priority: prepared.triage.priority,
                reasons: &prepared.triage.reasons,
                localities: &prepared.localities,
                answers,
                notes,
                findings: &prepared.triage.findings,
                languages: &prepared.triage.languages,
                submitted_via: if d.view == View::Notice { None } else { agency },
                attachments: if full { facts } else { &[] },
                follow_up_of: None,
                page_language: validated.page_language,
            };
            let attachments = match files.per_decision.get(i) {
                Some(sealed) if full => sealed.clone(),
                _ => Vec::new(),
            };
            sealed_envelope(d, &doc, signer, attachments)
        })
        .collect()
}
