//! The crypto floor for `bash bench/run`: only the cryptography of one report as shipped, on
//! every core. The report (`bench/professional.json` by default) is validated, triaged and
//! sealed once through the gateway's own code, to learn which routes it reaches and how large
//! each of their documents is; then each core does, again and again, what sealing costs and
//! nothing else: age encryption of a document of that size to every recipient of every route it
//! reaches, and the Ed25519 signature over it. No TLS, HTTP, JSON, validation, triage or spool.
//!
//! The CPU ceiling (`benches/cpu_ceiling.rs`) does all of those too, so what lies between the
//! two figures is the work around the cryptography, and what lies between the floor and the
//! machine's limit is the cryptography itself.
//!
//!   cargo bench --bench crypto_floor -- --config <gateway.toml> [--body FILE] [--seconds N]
//!
//! Prints `RESULT rate=<reports per second> envelopes=<per report> bytes=<sealed per report>
//! threads=<cores>`.

use anyhow::Context;
use pis_gateway::forms::{validate, FormRegistry};
use pis_gateway::http::routes::api;
use pis_gateway::intake::{self, Rules};
use pis_gateway::locality::LocalityTable;
use pis_gateway::reference::ReferenceCipher;
use pis_gateway::routing::Routes;
use pis_gateway::seal;
use pis_gateway::signing::SigningKey;
use pis_gateway::triage::Triage;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One route's share of a report: its recipients and the size of the document sealed to them.
struct Seal {
    recipients: Vec<age::x25519::Recipient>,
    plaintext: Vec<u8>,
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

/// The report's envelopes as the gateway seals them, each turned into the recipients and a
/// plaintext of the same length as its document.
fn seals_of(config: &str, body: &[u8]) -> anyhow::Result<(Vec<Seal>, SigningKey)> {
    let settings = pis_gateway::config::load(std::path::Path::new(config))
        .map_err(|p| anyhow::anyhow!("{p}"))?;
    let forms = FormRegistry::load_dir(&settings.forms.dir)?;
    let routes = Routes::from_settings(&settings.routes)?;
    let rules = Rules {
        triage: Triage::load(&settings.routing.triage_rules)?
            .with_narrative_max(settings.triage.narrative_max),
        localities: LocalityTable::load(&settings.routing.localities)?,
    };
    let signer = SigningKey::load(&settings.server.signing_key)?;
    let (spec, answers) =
        api::parse_submission(&forms, body).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let validated = validate(&spec, &answers, pis_gateway::ukdate::uk_today())
        .map_err(|e| anyhow::anyhow!("the report does not validate: {e:?}"))?;
    let now = time::OffsetDateTime::now_utc();
    let prepared = intake::prepare(&routes, &rules, &spec, &validated.answers, now);
    let reference = ReferenceCipher::new(&rand::random()).reference(1);
    let envelopes = intake::seal_all(
        &reference,
        "2026-12-01T14:30:00Z",
        &spec,
        &validated,
        &prepared,
        &signer,
        None,
        &intake::SealedFiles::none(),
    )?;
    let mut seals = Vec::new();
    for (decision, envelope) in prepared.decisions.iter().zip(&envelopes) {
        let Some(sealed) = &envelope.body else {
            continue;
        };
        let recipients = decision.route.recipients.clone();
        // age's overhead for these recipients (header and the last chunk's tag) is what an
        // empty plaintext seals to; the rest of the envelope is the document.
        let overhead = seal::encrypt_to(b"", &recipients)?.len();
        let size = sealed.len().saturating_sub(overhead);
        seals.push(Seal {
            recipients,
            plaintext: vec![0x7b; size],
        });
    }
    anyhow::ensure!(
        !seals.is_empty(),
        "the report reaches no route with an envelope"
    );
    Ok((seals, signer))
}

/// One report's cryptography: each document signed and sealed to its route's recipients.
fn one_report(seals: &[Seal], signer: &SigningKey) -> anyhow::Result<usize> {
    let mut bytes = 0;
    for s in seals {
        std::hint::black_box(signer.sign(&s.plaintext));
        bytes += std::hint::black_box(seal::encrypt_to(&s.plaintext, &s.recipients)?).len();
    }
    Ok(bytes)
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let config = arg(&args, "--config").context("usage: crypto_floor --config <gateway.toml>")?;
    let body_file = arg(&args, "--body").unwrap_or_else(|| "bench/professional.json".into());
    let seconds: u64 = arg(&args, "--seconds").map_or(Ok(10), |s| s.parse())?;
    let body = std::fs::read(&body_file).with_context(|| format!("reading {body_file}"))?;
    let (seals, signer) = seals_of(&config, &body)?;
    let bytes = one_report(&seals, &signer)?;
    let seals = Arc::new(seals);
    let signer = Arc::new(signer);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let done = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (seals, signer, done, stop) =
                (seals.clone(), signer.clone(), done.clone(), stop.clone());
            std::thread::spawn(move || -> anyhow::Result<()> {
                while !stop.load(Ordering::Relaxed) {
                    one_report(&seals, &signer)?;
                    done.fetch_add(1, Ordering::Relaxed);
                }
                Ok(())
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join()
            .map_err(|_| anyhow::anyhow!("a worker panicked"))??;
    }
    let rate = done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
    println!(
        "RESULT rate={rate:.0} envelopes={} bytes={bytes} threads={threads}",
        seals.len()
    );
    Ok(())
}
