//! The officer's signed calls to the gateway: `reply`, `status`, `share`, workflow steps.

use super::*;

pub(crate) fn officer_target(
    args: &OfficerArgs,
) -> anyhow::Result<pis_gateway::officer::commands::Target> {
    let reference = pis_gateway::reference::Reference::parse(&args.reference)
        .context("--reference is not a reference (PIS-XXXX-XXXX)")?;
    let desk = pis_gateway::desk::find(args.desk.desk.as_deref())?;
    let officer_key = args
        .officer_key
        .clone()
        .or_else(|| desk.as_ref().map(|d| d.officer_key.clone()))
        .context("give --officer-key, or write a desk file with `pis-gateway desk init`")?;
    Ok(pis_gateway::officer::commands::Target {
        gateway: args
            .gateway
            .clone()
            .or_else(|| desk.as_ref().map(|d| d.gateway.clone()))
            .unwrap_or_else(|| "https://localhost:8443".into()),
        ca: args
            .ca
            .clone()
            .or_else(|| desk.as_ref().and_then(|d| d.ca.clone())),
        officer_key,
        reference,
    })
}

pub(crate) fn officer_reply(
    args: &OfficerArgs,
    identity: &std::path::Path,
    message: &std::path::Path,
) -> anyhow::Result<ExitCode> {
    let target = officer_target(args)?;
    let n = officer_runtime()?.block_on(pis_gateway::officer::commands::reply(
        &target, identity, message,
    ))?;
    println!(
        "{}: reply {n} stored, sealed to the submitter and your route",
        target.reference
    );
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn officer_share(
    args: &OfficerArgs,
    signers: &Signers,
    forms: Option<std::path::PathBuf>,
    request: &pis_gateway::officer::share::Request<'_>,
    yes: bool,
) -> anyhow::Result<ExitCode> {
    use pis_gateway::open::{render, terminal_safe, Format, Provenance};
    if signers.allow_unsigned {
        anyhow::bail!("share sends only a document the gateway signed: drop --allow-unsigned");
    }
    let target = officer_target(args)?;
    let keys = trusted_keys(signers)?;
    let registry = match forms {
        Some(dir) => FormRegistry::load_dir(&dir)?,
        None => FormRegistry::built_in()?,
    };
    let prepared = pis_gateway::officer::share::prepare(request, &keys, &registry, &target)?;
    // What will go, as `open` shows it (every answer made safe for the terminal).
    print!(
        "{}",
        render(
            &prepared.document,
            &registry,
            Format::Text,
            &Provenance::Restricted(prepared.signed_by.clone()),
            &[],
        )
    );
    println!();
    if prepared.removed.is_empty() {
        println!("Taken out: nothing");
    } else {
        println!("Taken out: {}", terminal_safe(&prepared.removed.join(", ")));
    }
    println!(
        "This restricted view goes to route {} only.",
        terminal_safe(request.route)
    );
    if !yes {
        use std::io::{BufRead, Write};
        print!("Send it? Type yes to send: ");
        std::io::stdout().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim().to_ascii_lowercase().as_str(), "yes" | "y") {
            eprintln!("Nothing was sent.");
            return Ok(ExitCode::FAILURE);
        }
    }
    officer_runtime()?.block_on(pis_gateway::officer::share::send(
        &target,
        request.route,
        &prepared,
    ))?;
    println!(
        "{}: restricted view queued for {}, sealed to its recipients",
        target.reference,
        terminal_safe(request.route)
    );
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn officer_status(args: &OfficerArgs, status: &str) -> anyhow::Result<ExitCode> {
    let target = officer_target(args)?;
    let status: pis_gateway::spool::CaseStatus =
        status.parse().map_err(|e| anyhow::anyhow!("--set: {e}"))?;
    officer_runtime()?.block_on(pis_gateway::officer::commands::status(&target, status))?;
    println!("{}: status set to {}", target.reference, status.as_str());
    Ok(ExitCode::SUCCESS)
}

/// The step `--record` names, with the value it needs.
pub(crate) fn workflow_step(
    step: &str,
    grade: Option<String>,
    force_ref: Option<String>,
) -> anyhow::Result<pis_gateway::spool::Step> {
    use pis_gateway::spool::workflow::{ForceRef, Grade};
    use pis_gateway::spool::{Step, StepKind};
    let kind = StepKind::parse(step)
        .filter(|k| *k != StepKind::SharedWithMace)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "--record: one of triaged, graded, recorded or closed (sharing records \
                 shared_with_mace itself)"
            )
        })?;
    let needs = |flag: &str, given: bool, wanted: bool| -> anyhow::Result<()> {
        match (given, wanted) {
            (true, false) => anyhow::bail!(
                "{flag} goes only with --record {}",
                match flag {
                    "--grade" => "graded",
                    _ => "recorded",
                }
            ),
            (false, true) => anyhow::bail!("--record {step} needs {flag}"),
            _ => Ok(()),
        }
    };
    needs("--grade", grade.is_some(), kind == StepKind::Graded)?;
    needs(
        "--force-ref",
        force_ref.is_some(),
        kind == StepKind::Recorded,
    )?;
    Ok(match kind {
        StepKind::Graded => Step::Graded(
            Grade::parse_3x5x2(grade.as_deref().unwrap_or_default())
                .map_err(|e| anyhow::anyhow!("--grade: {e}"))?,
        ),
        StepKind::Recorded => Step::Recorded(
            ForceRef::parse(force_ref.as_deref().unwrap_or_default())
                .map_err(|e| anyhow::anyhow!("--force-ref: {e}"))?,
        ),
        StepKind::Closed => Step::Closed,
        StepKind::Triaged | StepKind::SharedWithMace => Step::Triaged,
    })
}

pub(crate) fn officer_record(
    args: &OfficerArgs,
    step: &str,
    grade: Option<String>,
    force_ref: Option<String>,
) -> anyhow::Result<ExitCode> {
    let target = officer_target(args)?;
    let step = workflow_step(step, grade, force_ref)?;
    officer_runtime()?.block_on(pis_gateway::officer::commands::record_step(&target, &step))?;
    println!("{}: recorded {}", target.reference, step.kind().as_str());
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn officer_history(args: &OfficerArgs) -> anyhow::Result<ExitCode> {
    let target = officer_target(args)?;
    let lines = officer_runtime()?.block_on(pis_gateway::officer::commands::history(&target))?;
    println!("{}: workflow", target.reference);
    for line in lines {
        println!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}
