//! The first decryption pass's progress: how many envelopes of how many are decrypted, shown
//! on the queue page if it is asked for before the pass ends, and on the terminal.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

pub struct Progress {
    total: AtomicUsize,
    done: AtomicUsize,
    reading: AtomicBool,
    /// The last tenth printed on the terminal (so each is printed once).
    tenth: AtomicUsize,
    /// Whether to print on the terminal (the command does; tests and embedders do not).
    print: bool,
}

impl Progress {
    /// Reading from the start: the desk is not ready until the first pass ends.
    pub fn new(print: bool) -> Self {
        Progress {
            total: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
            reading: AtomicBool::new(true),
            tenth: AtomicUsize::new(0),
            print,
        }
    }

    /// A pass begins over `total` envelopes.
    pub fn begin(&self, total: usize) {
        self.done.store(0, Ordering::Relaxed);
        self.tenth.store(0, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
        self.reading.store(true, Ordering::Release);
        if self.print {
            eprintln!("Decrypting the mailbox: {total} envelopes");
        }
    }

    /// One envelope done.
    pub fn tick(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        let total = self.total.load(Ordering::Relaxed).max(1);
        let tenth = (done * 10 / total).min(10);
        if self.print && self.tenth.fetch_max(tenth, Ordering::Relaxed) < tenth {
            eprintln!("  {done} of {total} ({}%)", tenth * 10);
        }
    }

    pub fn end(&self) {
        self.reading.store(false, Ordering::Release);
    }

    /// While a pass runs: envelopes done and in all (0 while the mailbox is still listed).
    pub fn reading(&self) -> Option<(usize, usize)> {
        self.reading.load(Ordering::Acquire).then(|| {
            (
                self.done.load(Ordering::Relaxed),
                self.total.load(Ordering::Relaxed),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_counts_up_and_then_reads_as_done() {
        let p = Progress::new(false);
        assert_eq!(
            p.reading(),
            Some((0, 0)),
            "reading before the mailbox is listed"
        );
        p.begin(3);
        p.tick();
        assert_eq!(p.reading(), Some((1, 3)));
        p.tick();
        p.tick();
        p.end();
        assert_eq!(p.reading(), None);
    }
}
