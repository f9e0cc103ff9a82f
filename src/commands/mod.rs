//! One module per group of commands, each function the whole of one command; `main` only
//! parses the command line and hands over. Helpers several commands share are here.

pub(crate) mod desk;
pub(crate) mod keys;
pub(crate) mod map;
pub(crate) mod officer;
pub(crate) mod open;
pub(crate) mod operator;
pub(crate) mod run;

pub(crate) use anyhow::Context;
pub(crate) use pis_gateway::cli::{
    AuditAction, Command, DeskAction, DeskArgs, DeskFile, MapArgs, OfficerArgs, OutboxAction,
    PartnerAction, Signers, SpoolAction,
};
pub(crate) use pis_gateway::config;
pub(crate) use pis_gateway::forms::FormRegistry;
pub(crate) use pis_gateway::secrets_key::SecretsKey;
pub(crate) use pis_gateway::signing::{Keyring, SigningKey};
pub(crate) use pis_gateway::startup::Application;
pub(crate) use std::process::ExitCode;

/// Loads and validates the configuration, listing every problem on standard error.
pub(crate) fn load_checked(
    flag: Option<std::path::PathBuf>,
) -> anyhow::Result<Option<config::Settings>> {
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

/// The officer commands make a few requests, one after another.
pub(crate) fn officer_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    runtime()
}

/// One thread is enough for a command: it waits on the spool or the network, one thing at a
/// time.
pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// The node's configuration (`--config`, else the default path), checked.
pub(crate) fn node_settings(flag: Option<std::path::PathBuf>) -> anyhow::Result<config::Settings> {
    let path = config::config_path(flag.as_deref());
    config::load(&path).map_err(|p| anyhow::anyhow!("{p}"))
}

/// The keys a reader trusts: every `--signer` file, and the keys of `--config`.
pub(crate) fn trusted_keys(signers: &Signers) -> anyhow::Result<Keyring> {
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
pub(crate) fn trusted_officers(signers: &Signers) -> anyhow::Result<Keyring> {
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

/// `--identity`, else the desk file's.
pub(crate) fn identity_of(
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
pub(crate) fn desk_signers(mut signers: Signers, desk: &DeskFile) -> anyhow::Result<Signers> {
    if signers.signer.is_empty() && signers.config.is_none() {
        if let Some(d) = pis_gateway::desk::find(desk.desk.as_deref())? {
            signers.signer.push(d.signing_keys);
        }
    }
    Ok(signers)
}

/// Runs one parsed command.
pub(crate) fn dispatch(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Serve { config } => run::serve(config),
        Command::CheckConfig { config } => run::check_config(config),
        Command::Keygen {
            output,
            signing,
            officer,
        } => keys::keygen(output, signing, officer),
        Command::Reply {
            identity,
            officer,
            message,
        } => identity_of(identity, &officer.desk)
            .and_then(|identity| officer::officer_reply(&officer, &identity, &message)),
        Command::Status {
            officer,
            set,
            record,
            grade,
            force_ref,
        } => match (set, record) {
            (Some(set), _) => officer::officer_status(&officer, &set),
            (None, Some(step)) => officer::officer_record(&officer, &step, grade, force_ref),
            (None, None) => officer::officer_history(&officer),
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
            officer::officer_share(
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
        Command::Outbox { config, action } => operator::outbox(config, action),
        Command::Audit { config, action } => operator::audit(config, action),
        Command::Partner { config, action } => operator::partner(config, action),
        Command::Spool {
            action: SpoolAction::Copy { from, to },
        } => operator::spool_copy(&from, &to),
        Command::Map(args) => map::map(args),
        Command::TriageEval {
            rules,
            strict,
            explain,
            corpus,
        } => run::triage_eval(rules, strict, explain, corpus),
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
        } => open::open_from_desk(identity, &desk, signers, imap.mailbox.is_some(), envelopes)
            .and_then(|(identity, signers, envelopes)| {
                open::open(identity, format, forms, signers, extract, &imap, envelopes)
            }),
        Command::Desk(args) => desk::desk(args),
    }
}
