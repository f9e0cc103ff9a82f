//! How hard intake is working, so the outbox can step back during a surge.
//!
//! On a small machine the CPU that armours and writes emails is the CPU that seals and commits
//! new reports. During a surge the outbox keeps one lane sending, most urgent first, so an
//! IMMEDIATE email never waits behind the surge; its other lanes pause until intake calms down,
//! and the routine backlog, already durable in the spool, drains then.

use std::sync::Mutex;
use std::time::Instant;

pub struct IntakePressure {
    started: Instant,
    /// Submissions per second at or above which intake counts as busy.
    busy_at: u64,
    window: Mutex<Window>,
}

/// Submissions counted in the current whole second and in the one before it.
#[derive(Default)]
struct Window {
    second: u64,
    current: u64,
    previous: u64,
}

impl Window {
    fn roll_to(&mut self, now: u64) {
        if now != self.second {
            self.previous = if now == self.second.saturating_add(1) {
                self.current
            } else {
                0
            };
            self.current = 0;
            self.second = now;
        }
    }
}

impl IntakePressure {
    pub fn new(busy_at_per_second: u64) -> Self {
        IntakePressure {
            started: Instant::now(),
            busy_at: busy_at_per_second,
            window: Mutex::new(Window::default()),
        }
    }

    fn roll(&self, w: &mut Window) {
        w.roll_to(self.started.elapsed().as_secs());
    }

    /// One submission committed.
    pub fn record(&self) {
        let mut w = lock(&self.window);
        self.roll(&mut w);
        w.current += 1;
    }

    /// Intake took at least the threshold in the last whole second, or has already in this one.
    pub fn busy(&self) -> bool {
        if self.busy_at == 0 {
            return false;
        }
        let mut w = lock(&self.window);
        self.roll(&mut w);
        w.previous >= self.busy_at || w.current >= self.busy_at
    }
}

impl crate::intake::IntakeLoad for IntakePressure {
    fn committed(&self) {
        self.record();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Three counters; a panic elsewhere cannot leave them inconsistent.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_once_the_rate_reaches_the_threshold_and_never_with_zero() {
        let p = IntakePressure::new(3);
        assert!(!p.busy());
        p.record();
        p.record();
        assert!(!p.busy());
        p.record();
        assert!(p.busy());
        let off = IntakePressure::new(0);
        for _ in 0..1000 {
            off.record();
        }
        assert!(!off.busy());
    }

    #[test]
    fn the_window_keeps_the_last_whole_second_and_forgets_older_ones() {
        let mut w = Window {
            second: 5,
            current: 9,
            previous: 4,
        };
        w.roll_to(5);
        assert_eq!((w.current, w.previous), (9, 4));
        w.roll_to(6);
        assert_eq!((w.current, w.previous), (0, 9));
        w.current = 7;
        w.roll_to(9);
        assert_eq!((w.current, w.previous), (0, 0));
    }
}
