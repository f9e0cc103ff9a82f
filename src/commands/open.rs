//! `open`: the officer's envelopes, decrypted and checked on their own machine.

use super::*;

pub(crate) type OpenInputs = (std::path::PathBuf, Signers, Vec<std::path::PathBuf>);

/// `open`'s identity, signers and inputs, each from the desk file where not given.
pub(crate) fn open_from_desk(
    identity: Option<std::path::PathBuf>,
    desk: &DeskFile,
    signers: Signers,
    imap: bool,
    mut envelopes: Vec<std::path::PathBuf>,
) -> anyhow::Result<OpenInputs> {
    // A mailbox over IMAP stands in for the desk file's folder.
    if envelopes.is_empty() && !imap {
        envelopes.push(
            pis_gateway::desk::find(desk.desk.as_deref())?
                .map(|d| d.mailbox)
                .context("name the envelopes, or write a desk file with `pis-gateway desk init`")?,
        );
    }
    Ok((
        identity_of(identity, desk)?,
        desk_signers(signers, desk)?,
        envelopes,
    ))
}

/// Whose signature a document carries: the gateway's, or (for a view shared with MACE) a
/// published officer key's.
pub(crate) fn provenance_of(
    doc: &serde_json::Value,
    keys: &Keyring,
    officers: &Keyring,
) -> Result<pis_gateway::open::Provenance, String> {
    use pis_gateway::officer::signed_share;
    use pis_gateway::open::Provenance;
    use pis_gateway::signing::VerifyError;
    match pis_gateway::signing::verify_document(doc, keys) {
        Ok(id) => Ok(Provenance::Signed(id)),
        Err(VerifyError::UnknownKey(id)) if officers.get(&id).is_some() => {
            signed_share::verify(doc, officers)
                .map(Provenance::SharedBy)
                .map_err(|e| e.to_string())
        }
        Err(e) => Err(e.to_string()),
    }
}

/// The documents whose signatures check (or, with `--allow-unsigned`, all of them, marked),
/// each with its provenance; each refused one is said and counted in `failed`.
pub(crate) fn verified<'a>(
    documents: Vec<(&'a String, serde_json::Value)>,
    keys: &Keyring,
    officers: &Keyring,
    allow_unsigned: bool,
    failed: &mut usize,
) -> Vec<(&'a String, serde_json::Value, pis_gateway::open::Provenance)> {
    use pis_gateway::open::Provenance;
    let mut shown = Vec::new();
    for (path, doc) in documents {
        match provenance_of(&doc, keys, officers) {
            Ok(p) => shown.push((path, doc, p)),
            Err(e) if allow_unsigned => {
                eprintln!("{path}: warning: {e} (shown because of --allow-unsigned)");
                shown.push((path, doc, Provenance::Unverified(e.to_string())));
            }
            Err(e) => {
                *failed += 1;
                eprintln!("{path}: refused: {e} (--allow-unsigned shows it anyway)");
            }
        }
    }
    shown
}

pub(crate) fn open(
    identity: std::path::PathBuf,
    format: pis_gateway::open::Format,
    forms: Option<std::path::PathBuf>,
    signers: Signers,
    extract: Option<std::path::PathBuf>,
    imap: &pis_gateway::cli::ImapArgs,
    envelopes: Vec<std::path::PathBuf>,
) -> anyhow::Result<ExitCode> {
    use pis_gateway::open::Provenance;
    let keys = trusted_keys(&signers)?;
    let officers = trusted_officers(&signers)?;
    let identities = pis_gateway::keys::read_identities(&identity)?;
    let registry = match forms {
        Some(dir) => FormRegistry::load_dir(&dir)?,
        None => FormRegistry::built_in()?,
    };
    let mut failed: usize = 0;
    // Everything is decrypted first: a document is JSON, anything else is an evidence file,
    // matched to its document by the SHA-256 the document records.
    let mut documents = Vec::new();
    let mut files = Vec::new();
    let mut file_labels = Vec::new();
    let (mut envelopes, mut problems) = pis_gateway::open::mailbox::envelopes_in(&envelopes);
    if let Some(settings) = imap.settings()? {
        let (more, trouble) = pis_gateway::open::imap::read_imap(&settings)?;
        envelopes.extend(more);
        problems.extend(trouble);
    }
    for problem in problems {
        failed += 1;
        eprintln!("{problem}");
    }
    for envelope in &envelopes {
        let path = &envelope.label;
        let plain = match pis_gateway::seal::decrypt(&envelope.bytes, &identities) {
            Ok(plain) => plain,
            Err(e) => {
                failed += 1;
                eprintln!("{path}: {e}");
                continue;
            }
        };
        match serde_json::from_slice::<serde_json::Value>(&plain) {
            Ok(doc) if doc.is_object() => documents.push((path, doc)),
            _ => {
                files.push(plain);
                file_labels.push(path);
            }
        }
    }
    let mut matched = vec![false; files.len()];
    let shown = verified(
        documents,
        &keys,
        &officers,
        signers.allow_unsigned,
        &mut failed,
    );
    // Each addendum after the report it adds to, graded as that report when it is verified.
    let docs: Vec<&serde_json::Value> = shown.iter().map(|(_, d, _)| d).collect();
    for placed in pis_gateway::open::thread::order(&docs) {
        let (_, doc, provenance) = &shown[placed.index];
        let original = placed
            .original
            .map(|i| &shown[i])
            .filter(|(_, _, p)| !matches!(p, Provenance::Unverified(_)))
            .map(|(_, d, _)| d);
        let mut views = pis_gateway::open::files_of(doc, &files);
        for v in &views {
            if let Some(bytes) = v.bytes {
                if let Some(i) = files.iter().position(|f| f.as_slice() == bytes) {
                    matched[i] = true;
                }
            }
        }
        // Written first, so the report can name each PDF's flattened copy.
        if let Some(dir) = &extract {
            if !extract_files(dir, doc, &mut views) {
                failed += 1;
            }
        }
        print!(
            "{}",
            pis_gateway::open::render_in_thread(
                doc, original, &registry, format, provenance, &views
            )
        );
    }
    for (path, _) in file_labels.iter().zip(&matched).filter(|(_, m)| !**m) {
        failed += 1;
        eprintln!(
            "{path}: not a document, and no document given lists it (a changed file matches none)"
        );
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Writes a document's files, and each PDF's flattened copy, into `dir`; false if they
/// could not be written. A flattened copy that could not be made is said, not a failure: the
/// original is written.
pub(crate) fn extract_files(
    dir: &std::path::Path,
    doc: &serde_json::Value,
    views: &mut [pis_gateway::open::FileView<'_>],
) -> bool {
    let reference = doc.get("reference").and_then(|r| r.as_str()).unwrap_or("");
    let flattener = pis_gateway::open::Flattener::default();
    let written = match pis_gateway::open::extract(dir, reference, views, &flattener) {
        Ok(paths) => {
            for p in paths {
                eprintln!("wrote {}", p.display());
            }
            true
        }
        Err(e) => {
            eprintln!("{}: cannot write its files: {e}", dir.display());
            false
        }
    };
    for v in views.iter() {
        if let Some(pis_gateway::open::Flat::Failed(why)) = &v.flat {
            eprintln!("file {}: no flattened copy: {why}", v.facts.n);
        }
    }
    written
}
