//! The ceiling `bench/map` measures beside `pis-gateway map`: the cryptography alone. Every
//! envelope of a set is read, opened with the analyst's identity (prepared as `map` prepares
//! it), parsed, and its signature checked in batches of 256, on as many threads as there are
//! cores, with nothing extracted, linked or written. On a machine whose speed varies from one
//! minute to the next, `map`'s time over this one, taken in the same minute, says how much the
//! mapping itself costs.
//!
//! cargo run --release --example map_floor -- ANALYST_KEY SIGNING_KEYS ENVELOPE_DIR
//!
//! Prints the envelopes opened and checked, and the wall-clock seconds.

use pis_gateway::signing::{Checker, Keyring};
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [key, signers, dir] = args.as_slice() else {
        eprintln!("usage: map_floor ANALYST_KEY SIGNING_KEYS ENVELOPE_DIR");
        return ExitCode::FAILURE;
    };
    let key_text = match std::fs::read_to_string(key) {
        Ok(t) => zeroize::Zeroizing::new(t),
        Err(e) => {
            eprintln!("{key}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let keyring = match Keyring::read(std::path::Path::new(signers)) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("{signers}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(d) => d.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => {
            eprintln!("{dir}: {e}");
            return ExitCode::FAILURE;
        }
    };
    files.sort();
    let started = std::time::Instant::now();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let checker = Checker::new(&keyring);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let good: usize = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let identities = pis_gateway::keys::prepared::parse_identities(&key_text)
                        .unwrap_or_default();
                    let mut good = 0;
                    loop {
                        let at = next.fetch_add(256, std::sync::atomic::Ordering::Relaxed);
                        let Some(batch) = files.get(at..(at + 256).min(files.len())) else {
                            break;
                        };
                        if batch.is_empty() {
                            break;
                        }
                        let signed: Vec<_> = batch
                            .iter()
                            .filter_map(|f| {
                                let bytes = std::fs::read(f).ok()?;
                                let plain = pis_gateway::seal::decrypt(&bytes, &identities).ok()?;
                                let doc: serde_json::Value = serde_json::from_slice(&plain).ok()?;
                                checker.prepare(&doc).ok()
                            })
                            .collect();
                        let refs: Vec<_> = signed.iter().collect();
                        good += checker
                            .check_all(&refs)
                            .iter()
                            .filter(|r| r.is_ok())
                            .count();
                    }
                    good
                })
            })
            .collect();
        workers.into_iter().filter_map(|w| w.join().ok()).sum()
    });
    println!(
        "{good} of {} envelopes opened and checked in {:.2} s on {threads} threads",
        files.len(),
        started.elapsed().as_secs_f64()
    );
    if good == files.len() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
