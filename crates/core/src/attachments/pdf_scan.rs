//! The PDF analysis in a child process (`pis-gateway scan-pdf`), so a hostile file costs at
//! most the child: its address space and CPU time are capped by the child itself before it
//! reads a byte, and the gateway kills it when its time is up. The file travels through a
//! pipe, never through disk; the answer is a small JSON [`Scan`] naming only names from a
//! fixed list. Anything else (a crash, a kill, an answer that does not parse) is "not
//! analysed: treat as unsafe".

use super::pdf::{analyse, NotAnalysed, Scan};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The child's address space. lopdf holds the whole parsed file: a 10 MiB PDF of small
/// objects takes a few hundred MiB at most; a deflate bomb is stopped here.
pub const MEMORY_BYTES: u64 = 1024 * 1024 * 1024;
/// The child's CPU time, in seconds, and the wall-clock time the gateway gives it.
pub const CPU_SECS: u64 = 10;
pub const WALL_TIME: Duration = Duration::from_secs(15);
/// The most the child may answer: a few names.
const MAX_ANSWER: u64 = 64 * 1024;

/// How `serve` runs the analysis.
#[derive(Debug, Clone)]
pub struct PdfScanner {
    /// This program (`pis-gateway`), run as `scan-pdf`.
    pub program: PathBuf,
    pub memory_bytes: u64,
    pub cpu_secs: u64,
    pub wall_time: Duration,
}

impl PdfScanner {
    /// The running executable as the child, with the limits above.
    pub fn this_program() -> std::io::Result<Self> {
        Ok(Self::new(std::env::current_exe()?))
    }

    pub fn new(program: PathBuf) -> Self {
        PdfScanner {
            program,
            memory_bytes: MEMORY_BYTES,
            cpu_secs: CPU_SECS,
            wall_time: WALL_TIME,
        }
    }

    /// Runs the child on `bytes` and returns its answer, or "not analysed" with why. Blocks:
    /// call it from the blocking pool, as the cleaner does.
    pub fn scan(&self, bytes: &[u8]) -> Scan {
        let child = Command::new(&self.program)
            .arg("scan-pdf")
            .arg("--memory-bytes")
            .arg(self.memory_bytes.to_string())
            .arg("--cpu-secs")
            .arg(self.cpu_secs.to_string())
            .env_clear()
            // mimalloc otherwise reserves a GiB of address space at start, before the child
            // caps it, and serves allocations from it past the cap.
            .env("MIMALLOC_ARENA_RESERVE", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn();
        let Ok(mut child) = child else {
            tracing::error!("the PDF analysis could not be started");
            return Scan::not(NotAnalysed::Failed);
        };
        let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Scan::not(NotAnalysed::Failed);
        };
        let deadline = Instant::now() + self.wall_time;
        std::thread::scope(|s| {
            // The pipe holds 64 KiB: the file is written while the answer is read and the
            // clock runs. A child that stops reading ends the write with a broken pipe.
            s.spawn(move || {
                let _ = stdin.write_all(bytes);
            });
            let reader = s.spawn(move || {
                let mut answer = Vec::new();
                let _ = stdout.take(MAX_ANSWER).read_to_end(&mut answer);
                answer
            });
            let status = loop {
                match child.try_wait() {
                    Ok(Some(status)) => break Some(status),
                    Ok(None) if Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(5))
                    }
                    _ => {
                        let _ = child.kill();
                        let _ = child.wait();
                        break None;
                    }
                }
            };
            let answer = reader.join().unwrap_or_default();
            match status {
                None => {
                    tracing::warn!("a PDF's analysis went over its time limit and was stopped");
                    Scan::not(NotAnalysed::TimedOut)
                }
                Some(s) if s.success() => serde_json::from_slice(&answer).unwrap_or_else(|_| {
                    tracing::error!("the PDF analysis gave an answer that does not parse");
                    Scan::not(NotAnalysed::Failed)
                }),
                Some(_) => {
                    tracing::warn!("a PDF's analysis went over its limits or failed");
                    Scan::not(NotAnalysed::Failed)
                }
            }
        })
    }
}

/// `pis-gateway scan-pdf`: caps this process, reads one PDF on standard input, and writes its [`Scan`] as JSON. Refuses to analyse if the caps cannot be
/// set: an uncapped parse of a hostile file is what this process exists to avoid.
pub fn child(memory_bytes: u64, cpu_secs: u64) -> std::io::Result<()> {
    use rustix::process::{prlimit, Resource, Rlimit};
    let cap = |resource, limit| {
        prlimit(
            None,
            resource,
            Rlimit {
                current: Some(limit),
                maximum: Some(limit),
            },
        )
    };
    cap(Resource::As, memory_bytes)?;
    cap(Resource::Cpu, cpu_secs)?;
    cap(Resource::Nofile, 16)?;
    // The cap binds only mappings made from now on: if the allocator already holds a large
    // share of it, it is no cap, and this refuses to go on.
    let held = address_space_held().unwrap_or(u64::MAX);
    if held > memory_bytes / 4 {
        return Err(std::io::Error::other(format!(
            "{held} bytes of address space held before the cap: the cap would not bind"
        )));
    }
    let mut bytes = zeroize::Zeroizing::new(Vec::new());
    std::io::stdin()
        .take(memory_bytes)
        .read_to_end(&mut bytes)?;
    let scan = analyse(&bytes);
    let answer = serde_json::to_vec(&scan).map_err(std::io::Error::other)?;
    std::io::stdout().write_all(&answer)
}

/// This process's address space now (`VmSize` in /proc/self/status), in bytes.
fn address_space_held() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmSize:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}
