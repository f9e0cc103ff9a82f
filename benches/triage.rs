//! The narrative reader's cost per KiB of narrative, with the shipped rules.
//!
//! `cargo bench --bench triage` reads every narrative of the development and held-out corpora
//! (tests/data/triage/), one at a time as intake does, and prints microseconds per KiB: over
//! all of them, over those with no danger concept (most reports, where no time expression is
//! parsed), over those with one, and for long answers built from several narratives (up to
//! the professional form's 5,000 characters), over the narratives written in the languages
//! of the packs (tests/data/triage/round3/, read by the pack its language detection chooses),
//! and over all of them again with the rules alone, without the learned reader.
//! Reference time as in `triage-eval`.
//!
//! Instruction counts, repeatable on a loaded machine, for one case:
//! `PISG_BENCH_ROUNDS=1 PISG_BENCH_CASE=danger valgrind --tool=callgrind
//! --toggle-collect='*measured_pass*' target/release/deps/triage-<hash>`.

use pis_gateway::triage::{eval, Triage};

// The gateway's own allocator (src/main.rs), so the figures are what intake pays.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn texts(name: &str) -> Vec<String> {
    lines(name).into_iter().filter_map(text).collect()
}

fn lines(name: &str) -> Vec<Value> {
    let path = format!("{}/tests/data/triage/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path)
        .expect("corpus")
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .collect()
}

fn text(v: Value) -> Option<String> {
    v["text"].as_str().map(str::to_string)
}

/// One timed pass over `texts`, kept out of line so that
/// `valgrind --tool=callgrind --toggle-collect='*measured_pass*'` counts only the reader's work.
#[inline(never)]
fn measured_pass(triage: &Triage, texts: &[String], worst: &mut Duration) {
    for t in texts {
        let answers = json!({"details": t});
        let answers = answers.as_object().expect("object");
        let one = Instant::now();
        std::hint::black_box(triage.assess(answers, eval::REFERENCE));
        *worst = (*worst).max(one.elapsed());
    }
}

/// Microseconds per KiB over `rounds` passes, and the worst single text in µs.
fn measure(triage: &Triage, texts: &[String], rounds: usize) -> (f64, f64) {
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut worst = Duration::ZERO;
    let start = Instant::now();
    for _ in 0..rounds {
        measured_pass(triage, texts, &mut worst);
    }
    let total = start.elapsed().as_secs_f64() * 1e6;
    (
        total / (rounds as f64 * bytes as f64 / 1024.0),
        worst.as_secs_f64() * 1e6,
    )
}

fn main() {
    let rules = format!("{}/config/triage.toml", env!("CARGO_MANIFEST_DIR"));
    let triage = Triage::load(std::path::Path::new(&rules)).expect("shipped rules");
    let mut all = texts("dev.jsonl");
    all.extend(texts("holdout.jsonl"));
    let (danger, calm): (Vec<String>, Vec<String>) = all.iter().cloned().partition(|t| {
        !triage
            .read_narrative(
                json!({"details": t}).as_object().expect("object"),
                eval::REFERENCE,
            )
            .is_empty()
    });
    let mut long = Vec::new();
    let mut cur = String::new();
    for t in &all {
        if cur.len() + t.len() + 1 > 5000 {
            long.push(std::mem::take(&mut cur));
        }
        cur.push_str(t);
        cur.push(' ');
    }
    let languages: Vec<String> = lines("round3/dev.jsonl")
        .into_iter()
        .filter(|v| v["language"].as_str().is_some_and(|l| l != "en"))
        .filter_map(text)
        .collect();
    let rounds = std::env::var("PISG_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    // `PISG_BENCH_CASE=calm|danger|long|all` measures one case only (for callgrind).
    let only = std::env::var("PISG_BENCH_CASE").ok();
    // Warm-up pass, as the gateway warms the time parser at start (not counted by callgrind).
    for t in &all {
        std::hint::black_box(triage.assess(
            json!({"details": t}).as_object().expect("object"),
            eval::REFERENCE,
        ));
    }
    println!("narrative reader, shipped rules, {rounds} rounds");
    println!("| texts | count | mean bytes | µs per KiB | worst text µs |");
    println!("|---|---|---|---|---|");
    for (key, name, set) in [
        ("all", "all", &all),
        ("calm", "no danger concept", &calm),
        ("danger", "with a danger concept", &danger),
        ("long", "long answers (≤ 5,000 chars)", &long),
        ("languages", "in a pack's language", &languages),
    ] {
        if only.as_deref().is_some_and(|o| o != key) {
            continue;
        }
        let mean = set.iter().map(String::len).sum::<usize>() / set.len().max(1);
        let (per_kib, worst) = measure(&triage, set, rounds);
        println!(
            "| {name} | {} | {mean} | {per_kib:.0} | {worst:.0} |",
            set.len()
        );
    }
    // The learned reader's share of the cost: the same texts read by the rules alone.
    if only.as_deref().is_none_or(|o| o == "rules") {
        let rules_only = triage.clone().without_model();
        let mean = all.iter().map(String::len).sum::<usize>() / all.len().max(1);
        let (per_kib, worst) = measure(&rules_only, &all, rounds);
        println!(
            "| all, rules alone (no learned reader) | {} | {mean} | {per_kib:.0} | {worst:.0} |",
            all.len()
        );
    }
}
