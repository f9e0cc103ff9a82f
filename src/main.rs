#![forbid(unsafe_code)]

mod commands;

use clap::Parser;
use pis_gateway::cli::Cli;
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Everything the gateway creates is for its own user only: the spool, the outbox and its
    // .eml files (which carry live acknowledgement links), keys, exports and map output.
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    match commands::dispatch(Cli::parse().command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
