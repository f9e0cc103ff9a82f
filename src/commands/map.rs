//! `map`: the analyst's link chart, built on their own machine.

use super::*;

/// `map --reports`: the folder the reports' pages go to, made before anything is decrypted.
pub(crate) fn report_pages(
    reports: bool,
    out: &std::path::Path,
) -> anyhow::Result<Option<pis_gateway::map::ReportPages>> {
    if !reports {
        return Ok(None);
    }
    let forms = pis_gateway::forms::FormRegistry::built_in()?;
    Ok(Some(pis_gateway::map::ReportPages::create(
        out.join("reports"),
        forms,
    )?))
}

/// What the map was limited to, said on its page and in the pack.
fn filter_note(since: Option<&str>, locality: Option<&str>) -> String {
    let mut note = String::new();
    if let Some(d) = since {
        note.push_str(&format!("Received on or after {d}. "));
    }
    if let Some(l) = locality {
        note.push_str(&format!("Locality {l}. "));
    }
    note
}

pub(crate) fn map(args: MapArgs) -> anyhow::Result<ExitCode> {
    use pis_gateway::map;
    let MapArgs {
        identity,
        since,
        locality,
        out,
        draw,
        workspace: workspace_file,
        reports,
        signers,
        inputs,
    } = args;
    let started = std::time::Instant::now();
    // Read (and checked) before the long decryption, so a wrong file fails at once.
    let mut workspace = match &workspace_file {
        Some(f) => map::workspace::Workspace::load(f)?,
        None => map::workspace::Workspace::default(),
    };
    let trust = map::Trust {
        keys: trusted_keys(&signers)?,
        allow_unsigned: signers.allow_unsigned,
        pages: report_pages(reports, &out)?,
    };
    // Read once; each decrypting thread parses its own copy.
    let key_text = zeroize::Zeroizing::new(
        std::fs::read_to_string(&identity)
            .map_err(|e| anyhow::anyhow!("reading identity file {}: {e}", identity.display()))?,
    );
    if pis_gateway::keys::parse_identities(&key_text).is_none_or(|i| i.is_empty()) {
        anyhow::bail!("{} holds no usable age identity", identity.display());
    }
    let identities = || pis_gateway::keys::parse_identities(&key_text).unwrap_or_default();
    let locality = locality.map(|l| l.trim().to_uppercase().replace(' ', "_"));
    let keep = |s: &map::entities::Submission| {
        since.as_deref().is_none_or(|d| s.date.as_str() >= d)
            && locality
                .as_deref()
                .is_none_or(|l| s.localities.iter().any(|x| x == l))
    };
    let loaded = map::read_inputs(&inputs, &identities, &trust, &keep, &workspace.decisions());
    let linked = started.elapsed();
    for (input, why) in &loaded.failures {
        eprintln!("{input}: {why} (skipped)");
    }
    for (input, why) in &loaded.unverified {
        eprintln!("{input}: warning: {why} (mapped because of --allow-unsigned)");
    }
    let mut graph = loaded.graph;
    if let Some(pages) = &trust.pages {
        pages.settle(graph.reports.iter().map(|r| r.reference.as_str()))?;
        graph.report_pages = true;
        eprintln!("report pages written to {}", pages.dir().display());
    }
    let note = filter_note(since.as_deref(), locality.as_deref());
    if let (Some(l), Some(_)) = (&locality, &workspace_file) {
        // The day this pack is made, kept in the workspace: the next meeting's pack counts
        // what is newly linked from it.
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        let today = time::OffsetDateTime::now_utc().date().format(&fmt)?;
        workspace.record_pack(l, &today);
    }
    map::output::write_all(&graph, &out, &note, locality.as_deref(), draw, &workspace)?;
    if let Some(f) = &workspace_file {
        // Written back (created when new) so it is the analyst's, 0600, whatever it was before.
        workspace.save(f)?;
        let (applied, unknown) = graph.decisions;
        eprintln!(
            "workspace {}: {} decisions, {applied} merges applied, {unknown} naming nothing in this map",
            f.display(),
            workspace.decisions.len()
        );
    }
    if loaded.evidence_files > 0 {
        let files: usize = graph.reports.iter().map(|r| r.attachments).sum();
        eprintln!(
            "{} evidence files (<reference>-N.age) left unopened; the mapped reports list {files} files",
            loaded.evidence_files
        );
    }
    eprintln!(
        "{} submissions mapped ({} inputs skipped): {} entities, {} links, {} possible links, {} clusters; written to {} in {:.1} s (read, checked and linked {:.1} s, written {:.1} s)",
        graph.reports.len(),
        loaded.failures.len(),
        graph.entities.len(),
        graph.links.len(),
        graph.possible_links.len(),
        graph.clusters.len(),
        out.display(),
        started.elapsed().as_secs_f64(),
        linked.as_secs_f64(),
        (started.elapsed() - linked).as_secs_f64(),
    );
    Ok(if graph.reports.is_empty() && !loaded.failures.is_empty() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
