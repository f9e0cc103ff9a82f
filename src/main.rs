#![forbid(unsafe_code)]

use anyhow::Context;
use clap::Parser;
use pis_gateway::cli::{
    AuditAction, Cli, Command, DeskAction, DeskArgs, DeskFile, MapArgs, OfficerArgs, OutboxAction,
    PartnerAction, Signers, SpoolAction,
};
use pis_gateway::config;
use pis_gateway::forms::FormRegistry;
use pis_gateway::secrets_key::SecretsKey;
use pis_gateway::signing::{Keyring, SigningKey};
use pis_gateway::startup::Application;
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Everything the gateway creates is for its own user only: the spool, the outbox and its
    // .eml files (which carry live acknowledgement links), keys, exports and map output.
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve { config } => serve(config),
        Command::CheckConfig { config } => check_config(config),
        Command::Keygen {
            output,
            signing,
            officer,
        } => keygen(output, signing, officer),
        Command::Reply {
            identity,
            officer,
            message,
        } => identity_of(identity, &officer.desk)
            .and_then(|identity| officer_reply(&officer, &identity, &message)),
        Command::Status {
            officer,
            set,
            record,
            grade,
            force_ref,
        } => match (set, record) {
            (Some(set), _) => officer_status(&officer, &set),
            (None, Some(step)) => officer_record(&officer, &step, grade, force_ref),
            (None, None) => officer_history(&officer),
        },
        Command::Share {
            identity,
            officer,
            route,
            envelope,
            remove,
            keep_suggested,
            yes,
            forms,
            signers,
        } => identity_of(identity, &officer.desk).and_then(|identity| {
            officer_share(
                &officer,
                &desk_signers(signers, &officer.desk)?,
                forms,
                &pis_gateway::officer::share::Request {
                    envelope: &envelope,
                    identity: &identity,
                    route: &route,
                    remove: &remove,
                    suggested: !keep_suggested,
                },
                yes,
            )
        }),
        Command::Outbox { config, action } => outbox(config, action),
        Command::Audit { config, action } => audit(config, action),
        Command::Partner { config, action } => partner(config, action),
        Command::Spool {
            action: SpoolAction::Copy { from, to },
        } => spool_copy(&from, &to),
        Command::Map(args) => map(args),
        Command::TriageEval {
            rules,
            strict,
            explain,
            corpus,
        } => triage_eval(rules, strict, explain, corpus),
        Command::ScanPdf {
            memory_bytes,
            cpu_secs,
        } => pis_gateway::attachments::pdf_scan::child(memory_bytes, cpu_secs)
            .map(|()| ExitCode::SUCCESS)
            .map_err(anyhow::Error::from),
        Command::Open {
            identity,
            desk,
            format,
            forms,
            signers,
            extract,
            imap,
            envelopes,
        } => open_from_desk(identity, &desk, signers, imap.mailbox.is_some(), envelopes).and_then(
            |(identity, signers, envelopes)| {
                open(identity, format, forms, signers, extract, &imap, envelopes)
            },
        ),
        Command::Desk(args) => desk(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn triage_eval(
    rules: Option<std::path::PathBuf>,
    strict: bool,
    explain: Option<String>,
    corpus: Option<std::path::PathBuf>,
) -> anyhow::Result<ExitCode> {
    use pis_gateway::triage::{eval, Triage};
    let default = std::path::Path::new("config/triage.toml");
    let triage = match rules {
        Some(path) => Triage::load(&path)?,
        None if default.is_file() => Triage::load(default)?,
        None => Triage::from_toml(pis_gateway::triage::SHIPPED_RULES)?,
    };
    if let Some(text) = explain {
        for line in triage.explain(&text, eval::REFERENCE) {
            println!(
                "{}",
                line.chars().filter(|c| !c.is_control()).collect::<String>()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let corpus = corpus.context("a corpus file is needed")?;
    let text = std::fs::read_to_string(&corpus)
        .with_context(|| format!("cannot read {}", corpus.display()))?;
    let report =
        eval::run(&triage, &text).map_err(|e| anyhow::anyhow!("{}: {e}", corpus.display()))?;
    print!("{}", report.render());
    let failed = report.immediate_found < report.immediate || !report.under.is_empty();
    Ok(if strict && failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Loads and validates the configuration, listing every problem on standard error.
fn load_checked(flag: Option<std::path::PathBuf>) -> anyhow::Result<Option<config::Settings>> {
    let path = config::config_path(flag.as_deref());
    let source = path.display().to_string();
    let settings = match config::load(&path) {
        Ok(s) => s,
        Err(problems) => {
            eprint!("{problems}");
            return Ok(None);
        }
    };
    let mut problems: Vec<String> = settings
        .validate(&source)
        .iter()
        .map(ToString::to_string)
        .collect();
    if let Err(e) = FormRegistry::load_dir(&settings.forms.dir) {
        problems.extend(e.to_string().lines().map(str::to_string));
    }
    if settings.routing.triage_rules.is_file() {
        if let Err(e) = pis_gateway::triage::Triage::load(&settings.routing.triage_rules) {
            problems.push(format!("{source}: routing.triage_rules: {e}"));
        }
    }
    if settings.routing.localities.is_file() {
        if let Err(e) = pis_gateway::locality::LocalityTable::load(&settings.routing.localities) {
            problems.push(format!("{source}: routing.localities: {e}"));
        }
    }
    if let Err(e) = pis_gateway::http::pages::Pages::load(&settings.forms.dir.join("templates")) {
        problems.push(format!(
            "{}: {e}",
            settings.forms.dir.join("templates").display()
        ));
    }
    if !settings.server.dangerous_plain_http && problems.is_empty() {
        if let Err(e) = pis_gateway::startup::tls_config(&settings) {
            problems.push(format!("{source}: server.tls_cert/server.tls_key: {e:#}"));
        }
    }
    if problems.is_empty() {
        Ok(Some(settings))
    } else {
        for p in &problems {
            eprintln!("{p}");
        }
        eprintln!("{} problem(s) found", problems.len());
        Ok(None)
    }
}

fn check_config(flag: Option<std::path::PathBuf>) -> anyhow::Result<ExitCode> {
    let Some(settings) = load_checked(flag)? else {
        return Ok(ExitCode::FAILURE);
    };
    for w in settings.warnings() {
        eprintln!("warning: {w}");
    }
    // Validation loaded the key already; a failure here would have been listed above.
    let signer = SigningKey::load(&settings.server.signing_key)?;
    for (i, k) in settings
        .published_signing_keys(signer.public())
        .iter()
        .enumerate()
    {
        let which = if i == 0 { "current" } else { "previous" };
        println!("signing key {} ({which}) {}", k.id(), k.to_base64());
    }
    for r in &settings.routes {
        for k in r
            .officers
            .iter()
            .filter_map(|k| pis_gateway::signing::PublicKey::parse(k))
        {
            println!("officer key {} on route {}", k.id(), r.name);
        }
    }
    println!("spool {}", pis_gateway::spool::describe(&settings.spool));
    println!("configuration OK");
    Ok(ExitCode::SUCCESS)
}

fn serve(flag: Option<std::path::PathBuf>) -> anyhow::Result<ExitCode> {
    // Problems with the configuration go to standard error before logging is set up: the log
    // format is part of the configuration.
    let Some(settings) = load_checked(flag)? else {
        return Ok(ExitCode::FAILURE);
    };
    pis_gateway::telemetry::init(settings.log.format, std::io::stderr);
    for w in settings.warnings() {
        tracing::warn!("{w}");
    }
    let listen = settings.server.listen.clone();
    let tls = !settings.server.dangerous_plain_http;
    let spool = pis_gateway::spool::describe(&settings.spool);
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings).await?;
        tracing::info!(
            %listen,
            port = app.port(),
            admin_port = app.admin_port().unwrap_or(0),
            tls,
            %spool,
            "pis-gateway serving"
        );
        app.run_until_stopped()
            .await
            .context("server stopped with an error")?;
        tracing::info!("pis-gateway stopped");
        Ok(ExitCode::SUCCESS)
    })
}

fn officer_target(args: &OfficerArgs) -> anyhow::Result<pis_gateway::officer::commands::Target> {
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

/// `--identity`, else the desk file's.
fn identity_of(
    flag: Option<std::path::PathBuf>,
    desk: &DeskFile,
) -> anyhow::Result<std::path::PathBuf> {
    match flag {
        Some(path) => Ok(path),
        None => pis_gateway::desk::find(desk.desk.as_deref())?
            .map(|d| d.identity)
            .context("give --identity, or write a desk file with `pis-gateway desk init`"),
    }
}

/// The signers given, else (with neither --signer nor --config) the desk file's pinned keys.
fn desk_signers(mut signers: Signers, desk: &DeskFile) -> anyhow::Result<Signers> {
    if signers.signer.is_empty() && signers.config.is_none() {
        if let Some(d) = pis_gateway::desk::find(desk.desk.as_deref())? {
            signers.signer.push(d.signing_keys);
        }
    }
    Ok(signers)
}

type OpenInputs = (std::path::PathBuf, Signers, Vec<std::path::PathBuf>);

/// `open`'s identity, signers and inputs, each from the desk file where not given.
fn open_from_desk(
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

/// `desk init` writes the desk file; `desk` runs the desk until Ctrl-C.
fn desk(args: DeskArgs) -> anyhow::Result<ExitCode> {
    let DeskArgs {
        init,
        desk,
        port,
        open,
    } = args;
    if let Some(DeskAction::Init(init)) = init {
        return desk_init(init);
    }
    let path = desk
        .desk
        .or_else(pis_gateway::desk::default_path)
        .context("give --desk FILE (no home folder for the default desk file)")?;
    let config = pis_gateway::desk::load(&path)
        .with_context(|| "write one with `pis-gateway desk init`".to_string())?;
    actix_web::rt::System::new().block_on(async move {
        let running = pis_gateway::desk::start(config, port)?;
        println!(
            "The desk is at 127.0.0.1:{}. Open it with this link (it works once):\n{}\n\
             Stop the desk with Ctrl-C; what it decrypted is gone when it stops.",
            running.port, running.url
        );
        if open {
            if let Err(e) = std::process::Command::new("xdg-open")
                .arg(&running.url)
                .spawn()
            {
                eprintln!("could not open the browser ({e}): open the link yourself");
            }
        }
        running
            .server
            .await
            .context("the desk stopped with an error")?;
        Ok(ExitCode::SUCCESS)
    })
}

fn desk_init(init: pis_gateway::cli::DeskInit) -> anyhow::Result<ExitCode> {
    use pis_gateway::desk::init::{complete, Given};
    use std::io::{BufRead, IsTerminal, Write};
    let path = init
        .desk
        .or_else(pis_gateway::desk::default_path)
        .context("give --desk FILE (no home folder for the default desk file)")?;
    let given = Given {
        gateway: init.gateway,
        ca: init.ca,
        identity: init.identity,
        officer_key: init.officer_key,
        signing_keys: init.signing_keys,
        mailbox: init.mailbox,
        port: init.port,
    };
    let mut ask = |question: &str| -> anyhow::Result<String> {
        print!("{question}: ");
        std::io::stdout().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        Ok(answer.trim().to_string())
    };
    let interactive = std::io::stdin().is_terminal();
    let config = complete(given, interactive.then_some(&mut ask as _))?;
    pis_gateway::desk::config::write(&path, &config)?;
    println!("desk file written to {} (mode 0600)", path.display());
    Ok(ExitCode::SUCCESS)
}

/// The officer commands make a few requests, one after another.
fn officer_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

fn officer_reply(
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

fn officer_share(
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

fn officer_status(args: &OfficerArgs, status: &str) -> anyhow::Result<ExitCode> {
    let target = officer_target(args)?;
    let status: pis_gateway::spool::CaseStatus =
        status.parse().map_err(|e| anyhow::anyhow!("--set: {e}"))?;
    officer_runtime()?.block_on(pis_gateway::officer::commands::status(&target, status))?;
    println!("{}: status set to {}", target.reference, status.as_str());
    Ok(ExitCode::SUCCESS)
}

/// The step `--record` names, with the value it needs.
fn workflow_step(
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

fn officer_record(
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

fn officer_history(args: &OfficerArgs) -> anyhow::Result<ExitCode> {
    let target = officer_target(args)?;
    let lines = officer_runtime()?.block_on(pis_gateway::officer::commands::history(&target))?;
    println!("{}: workflow", target.reference);
    for line in lines {
        println!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}

fn keygen(
    output: Option<std::path::PathBuf>,
    signing: bool,
    officer: bool,
) -> anyhow::Result<ExitCode> {
    if officer {
        let Some(path) = output else {
            anyhow::bail!("--officer needs --output FILE (the private key is never printed)");
        };
        // An officer key is an Ed25519 key like the gateway's own, made the same way.
        let public = SigningKey::create(&path)?;
        eprintln!(
            "officer key {} written to {} (mode 0600); keep it on your own machine. List its \
             public key in your route's officers:\n  officers = [\"{}\"]",
            public.id(),
            path.display(),
            public.to_base64()
        );
        println!("{}", public.to_base64());
        return Ok(ExitCode::SUCCESS);
    }
    if signing {
        let Some(path) = output else {
            anyhow::bail!("--signing needs --output FILE (the private key is never printed)");
        };
        let public = SigningKey::create(&path)?;
        eprintln!(
            "signing key written to {} (mode 0600); set server.signing_key to it, outside the spool",
            path.display()
        );
        println!("signing key {} {}", public.id(), public.to_base64());
        return Ok(ExitCode::SUCCESS);
    }
    match output {
        Some(path) => {
            let public = pis_gateway::keys::keygen(&path)?;
            eprintln!(
                "identity written to {} (keep it off the gateway server)",
                path.display()
            );
            println!("{public}");
        }
        None => {
            use age::secrecy::ExposeSecret;
            let identity = age::x25519::Identity::generate();
            eprintln!("Public key: {}", identity.to_public());
            println!("# public key: {}", identity.to_public());
            println!("{}", identity.to_string().expose_secret());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The keys a reader trusts: every `--signer` file, and the keys of `--config`.
fn trusted_keys(signers: &Signers) -> anyhow::Result<Keyring> {
    let mut keys = Vec::new();
    for path in &signers.signer {
        keys.extend(
            Keyring::read(path)
                .with_context(|| format!("reading signing keys from {}", path.display()))?
                .0,
        );
    }
    if let Some(path) = &signers.config {
        let settings = config::load(path).map_err(|p| anyhow::anyhow!("{p}"))?;
        let current = SigningKey::load(&settings.server.signing_key)
            .context("reading server.signing_key of --config")?;
        keys.extend(settings.published_signing_keys(current.public()));
    }
    if keys.is_empty() && !signers.allow_unsigned {
        anyhow::bail!(
            "no signing keys to check documents against: give --signer FILE (from \
             /.well-known/pis-gateway/signing-keys) or --config FILE, or --allow-unsigned"
        );
    }
    Ok(Keyring(keys))
}

/// The officer keys a reader trusts for shared views: the `officers` of every `--signer` file
/// (as `/.well-known/pis-gateway/signing-keys` publishes them), and the officers of
/// `--config`'s routes that may share.
fn trusted_officers(signers: &Signers) -> anyhow::Result<Keyring> {
    use pis_gateway::officer::signed_share::published_officers;
    let mut keys = Vec::new();
    for path in &signers.signer {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading signing keys from {}", path.display()))?;
        keys.extend(published_officers(&text));
    }
    if let Some(path) = &signers.config {
        let settings = config::load(path).map_err(|p| anyhow::anyhow!("{p}"))?;
        // A reader's config may hold the signing key and no routes: then no officer is
        // trusted, which refuses shares rather than accepting anything.
        if let Ok(routes) = pis_gateway::routing::Routes::from_settings(&settings.routes) {
            let officers = pis_gateway::officer::verify::Officers::from_routes(&routes);
            keys.extend(officers.sharers().into_iter().map(|(k, _)| k.clone()));
        }
    }
    Ok(Keyring(keys))
}

/// Whose signature a document carries: the gateway's, or (for a view shared with MACE) a
/// published officer key's.
fn provenance_of(
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
fn verified<'a>(
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

fn open(
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
fn extract_files(
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

fn outbox(flag: Option<std::path::PathBuf>, action: OutboxAction) -> anyhow::Result<ExitCode> {
    let path = config::config_path(flag.as_deref());
    let settings = config::load(&path).map_err(|p| anyhow::anyhow!("{p}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let spool = pis_gateway::spool::open(&settings.spool).await?;
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        match action {
            OutboxAction::List => {
                let rows = spool.outbox().await?;
                println!(
                    "{:<15} {:<22} {:<8} {:>8}  {:<20} LAST ERROR",
                    "REFERENCE", "ROUTE", "STATE", "ATTEMPTS", "NEXT ATTEMPT"
                );
                for r in &rows {
                    let when = if r.state == pis_gateway::spool::DeliveryState::Dead {
                        "-".to_string()
                    } else {
                        time::OffsetDateTime::from_unix_timestamp(r.next_attempt_at)
                            .ok()
                            .and_then(|t| {
                                t.format(&time::format_description::well_known::Rfc3339)
                                    .ok()
                            })
                            .unwrap_or_default()
                    };
                    println!(
                        "{:<15} {:<22} {:<8} {:>8}  {:<20} {}",
                        r.reference,
                        r.route,
                        r.state,
                        r.attempts,
                        when,
                        r.last_error_class.as_deref().unwrap_or("-")
                    );
                }
                let stats = spool.outbox_stats(now).await?;
                eprintln!("{} pending, {} dead", stats.pending, stats.dead);
                Ok(ExitCode::SUCCESS)
            }
            OutboxAction::Retry { reference } => {
                let Some(r) = pis_gateway::reference::Reference::parse(&reference) else {
                    anyhow::bail!("not a reference (PIS-XXXX-XXXX)");
                };
                let n = spool.requeue(&r, now).await?;
                if n == 0 {
                    eprintln!("{r}: nothing to retry (unknown, or already delivered)");
                    return Ok(ExitCode::FAILURE);
                }
                println!(
                    "{r}: {n} deliver{} queued",
                    if n == 1 { "y" } else { "ies" }
                );
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}

fn partner(flag: Option<std::path::PathBuf>, action: PartnerAction) -> anyhow::Result<ExitCode> {
    let path = config::config_path(flag.as_deref());
    let settings = config::load(&path).map_err(|p| anyhow::anyhow!("{p}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let spool = pis_gateway::spool::open(&settings.spool).await?;
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let when = |t: i64| {
            time::OffsetDateTime::from_unix_timestamp(t)
                .ok()
                .and_then(|t| {
                    t.format(&time::format_description::well_known::Rfc3339)
                        .ok()
                })
                .unwrap_or_default()
        };
        match action {
            PartnerAction::Add { name } => {
                if !pis_gateway::partners::valid_name(&name) {
                    anyhow::bail!(
                        "a partner name is 2 to 64 lower-case letters, digits, `-` or `_`"
                    );
                }
                let (token, hash) = pis_gateway::partners::new_token();
                if !spool.add_partner(&name, hash, now).await? {
                    eprintln!("{name}: already a partner; revoke it first to issue a new token");
                    return Ok(ExitCode::FAILURE);
                }
                eprintln!(
                    "{name}: added. Its token follows, shown this once (only its hash is kept); \
                     the partner sends it as `Authorization: Bearer <token>`."
                );
                println!("{token}");
                Ok(ExitCode::SUCCESS)
            }
            PartnerAction::List => {
                println!("{:<32} {:<22} REVOKED", "PARTNER", "ADDED");
                for p in spool.partners().await? {
                    println!(
                        "{:<32} {:<22} {}",
                        p.name,
                        when(p.created_at),
                        p.revoked_at.map(when).unwrap_or_else(|| "-".into())
                    );
                }
                Ok(ExitCode::SUCCESS)
            }
            PartnerAction::Revoke { name } => {
                if spool.revoke_partner(&name, now).await? {
                    println!("{name}: revoked");
                    Ok(ExitCode::SUCCESS)
                } else {
                    eprintln!("{name}: no active partner of that name");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    })
}

/// `spool copy`: everything from one spool into another, empty one, then both compared.
/// What is sealed (the spool's secrets and notice addresses) is sealed under the source's
/// `spool.secrets_key_file`. A destination without a key file gets a copy of the source's (mode
/// 0600), and the copy is as stored; a destination with a key of its own gets everything sealed
/// again under it, which is how the key is rotated. `Some((source's, destination's))` then.
fn secrets_keys(
    source: &pis_gateway::config::SpoolSettings,
    destination: &pis_gateway::config::SpoolSettings,
) -> anyhow::Result<Option<(SecretsKey, SecretsKey)>> {
    let (from, to) = (source.secrets_key_path(), destination.secrets_key_path());
    let key = std::fs::read(&from).with_context(|| format!("reading {}", from.display()))?;
    match std::fs::read(&to) {
        Ok(theirs) if theirs == key => Ok(None),
        Ok(_) => {
            println!(
                "re-sealing under the destination's secrets key {}",
                to.display()
            );
            Ok(Some((
                SecretsKey::load_or_create(&from)?,
                SecretsKey::load_or_create(&to)
                    .context("the destination's spool.secrets_key_file")?,
            )))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            pis_gateway::keyfile::write_new(&to, &key)?;
            println!("copied the secrets key to {}", to.display());
            Ok(None)
        }
        Err(e) => Err(e).with_context(|| format!("reading {}", to.display())),
    }
}

fn spool_copy(from: &std::path::Path, to: &std::path::Path) -> anyhow::Result<ExitCode> {
    use pis_gateway::spool::{self, transfer};
    let load = |p: &std::path::Path| {
        config::load(p).map_err(|problems| anyhow::anyhow!("{}: {problems}", p.display()))
    };
    let (source, destination) = (load(from)?.spool, load(to)?.spool);
    if source == destination {
        anyhow::bail!("--from and --to name the same spool");
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let from = spool::open(&source)
            .await
            .context("opening the source spool")?;
        let keys = secrets_keys(&source, &destination)?;
        let keys = keys.as_ref().map(|(a, b)| (a, b));
        let to = spool::open(&destination)
            .await
            .context("opening the destination spool")?;
        let counts = match transfer::copy_with(&*from, &*to, keys).await {
            Ok(counts) => counts,
            Err(e) => {
                eprintln!("spool copy: {e:#}");
                return Ok(ExitCode::FAILURE);
            }
        };
        println!("copied {counts}");
        // Opened again: the destination now holds the source's reference key.
        drop(to);
        let to = spool::open(&destination)
            .await
            .context("opening the destination spool again")?;
        match transfer::verify_copy_with(&*from, &*to, keys).await {
            Ok(v) => {
                let head = v.audit_head.map_or_else(
                    || "-".to_string(),
                    |(seq, hash)| format!("{seq}:{}", spool::audit::to_hex(&hash)),
                );
                println!(
                    "verified: {}; audit chain intact on both sides: {} entries, head {head}",
                    v.counts, v.audit_entries
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("spool copy: the copy does not match its source: {e:#}");
                Ok(ExitCode::FAILURE)
            }
        }
    })
}

fn audit(flag: Option<std::path::PathBuf>, action: AuditAction) -> anyhow::Result<ExitCode> {
    use pis_gateway::spool::audit;
    let path = config::config_path(flag.as_deref());
    let settings = config::load(&path).map_err(|p| anyhow::anyhow!("{p}"))?;
    // Read-only: verifying must not change what it verifies.
    let entries = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(async {
            let log = pis_gateway::spool::open_audit(&settings.spool).await?;
            anyhow::Ok(log.audit_entries().await?)
        })?;
    match action {
        AuditAction::Export => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            for e in &entries {
                writeln!(out, "{}", serde_json::to_string(e)?)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditAction::Verify { head, signer } => {
            let expected = match head.as_deref() {
                None => None,
                Some(h) => Some(audit_head(h, &settings, &signer)?),
            };
            match audit::verify(&entries, expected.as_ref().map(|(s, h)| (*s, h.as_slice()))) {
                Ok(n) => {
                    let last = entries
                        .last()
                        .map(|e| format!("{}:{}", e.seq, audit::to_hex(&e.hash)));
                    println!(
                        "audit log intact: {n} entries; head {}",
                        last.unwrap_or_else(|| "-".into())
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(broken) => {
                    println!("audit log BROKEN: {broken}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}

/// The head given to `audit verify --head`: a signed log line, whose signature must check out
/// against the configuration's signing keys (or `--signer` files), or a plain N:H.
fn audit_head(
    given: &str,
    settings: &config::Settings,
    signer: &[std::path::PathBuf],
) -> anyhow::Result<(i64, Vec<u8>)> {
    use pis_gateway::signing::SignedHead;
    if let Some(signed) = SignedHead::parse(given) {
        let mut keys = trusted_keys(&Signers {
            signer: signer.to_vec(),
            config: None,
            allow_unsigned: true,
        })?;
        if let Ok(current) = SigningKey::load(&settings.server.signing_key) {
            keys.0
                .extend(settings.published_signing_keys(current.public()));
        }
        signed
            .verify(&keys)
            .map_err(|e| anyhow::anyhow!("the head's signature is not accepted: {e}"))?;
        return Ok((signed.seq, signed.hash));
    }
    given
        .trim()
        .split_once(':')
        .and_then(|(s, h)| {
            Some((
                s.parse::<i64>().ok()?,
                pis_gateway::spool::audit::from_hex(h)?,
            ))
        })
        .ok_or_else(|| {
            anyhow::anyhow!(
                "--head must be the signed log line (seq=… hash=… key=… sig=…) or SEQ:HEX"
            )
        })
}

/// `map --reports`: the folder the reports' pages go to, made before anything is decrypted.
fn report_pages(
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

fn map(args: MapArgs) -> anyhow::Result<ExitCode> {
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
    let workspace = match &workspace_file {
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
    let mut note = String::new();
    if let Some(d) = &since {
        note.push_str(&format!("Received on or after {d}. "));
    }
    if let Some(l) = &locality {
        note.push_str(&format!("Locality {l}. "));
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
