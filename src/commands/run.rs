//! Running the gateway: `serve`, `check-config`, and `triage-eval` for whoever keeps the rules.

use super::*;

pub(crate) fn triage_eval(
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

pub(crate) fn check_config(flag: Option<std::path::PathBuf>) -> anyhow::Result<ExitCode> {
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

pub(crate) fn serve(flag: Option<std::path::PathBuf>) -> anyhow::Result<ExitCode> {
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
