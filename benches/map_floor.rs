//! The floor `bench/map` measures beside `pis-gateway map`: the cryptography alone, through the
//! same public APIs `map` uses. Every envelope of a set is read, opened with age's own X25519
//! identity (`keys::parse_identities`, age's decryptor), parsed, and its signature checked by
//! ring one at a time (`signing::Checker`), in runs of 256 per thread on as many threads as
//! there are cores, with nothing extracted, linked or written. On a machine whose speed varies
//! from one minute to the next, `map`'s time over this one, taken in the same minute, says how
//! much the mapping itself costs.
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
                    let identities =
                        pis_gateway::keys::parse_identities(&key_text).unwrap_or_default();
                    let mut good = 0;
                    loop {
                        let at = next.fetch_add(256, std::sync::atomic::Ordering::Relaxed);
                        let Some(batch) = files.get(at..(at + 256).min(files.len())) else {
                            break;
                        };
                        if batch.is_empty() {
                            break;
                        }
                        good += batch
                            .iter()
                            .filter(|f| {
                                let Ok(bytes) = std::fs::read(f) else {
                                    return false;
                                };
                                let Ok(plain) = pis_gateway::seal::decrypt(&bytes, &identities)
                                else {
                                    return false;
                                };
                                serde_json::from_slice::<serde_json::Value>(&plain)
                                    .is_ok_and(|doc| checker.verify(&doc).is_ok())
                            })
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
