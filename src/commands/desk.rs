//! `desk` and `desk init`: the officer's desk on their own machine.

use super::*;

/// `desk init` writes the desk file; `desk` runs the desk until Ctrl-C.
pub(crate) fn desk(args: DeskArgs) -> anyhow::Result<ExitCode> {
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
        let identity = config.identity.clone();
        let mut ask = || pis_gateway::desk::identity::ask_on_terminal(&identity);
        let running = pis_gateway::desk::start_with(
            config,
            port,
            pis_gateway::desk::Opening {
                passphrase: &mut ask,
                print_progress: true,
            },
        )?;
        println!(
            "The desk is at 127.0.0.1:{}. Open it with this link (it works once):\n{}\n\
             Stop the desk with Ctrl-C; what it decrypted is gone when it stops. The mailbox \
             is being decrypted; the queue shows how far it has got.",
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

pub(crate) fn desk_init(init: pis_gateway::cli::DeskInit) -> anyhow::Result<ExitCode> {
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
        mace_localities: init.mace_localities,
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
