//! Readiness with hysteresis. A spool on a nearly full disk can take one probe write and
//! refuse the next; a load balancer that follows every answer would then send submitters to a
//! node that turns them away half the time. Once a probe fails the node stays out until
//! several probes in a row have succeeded.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// Successful probes in a row needed to come back after a failure.
pub const RECOVERY_PROBES: u32 = 3;

#[derive(Debug)]
pub struct ReadinessGate {
    ready: AtomicBool,
    streak: AtomicU32,
}

impl Default for ReadinessGate {
    fn default() -> Self {
        ReadinessGate {
            ready: AtomicBool::new(true),
            streak: AtomicU32::new(RECOVERY_PROBES),
        }
    }
}

impl ReadinessGate {
    /// Records one probe and says whether the node is ready now.
    pub fn observe(&self, probe_ok: bool) -> bool {
        if !probe_ok {
            self.streak.store(0, Ordering::Relaxed);
            self.ready.store(false, Ordering::Relaxed);
            return false;
        }
        let streak = self
            .streak
            .fetch_add(1, Ordering::Relaxed)
            .saturating_add(1);
        if streak >= RECOVERY_PROBES {
            self.ready.store(true, Ordering::Relaxed);
        }
        self.ready.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_takes_the_node_out_until_probes_succeed_in_a_row() {
        let gate = ReadinessGate::default();
        assert!(gate.observe(true), "ready from the start");
        assert!(!gate.observe(false));
        // A disk that flaps: one success between failures never brings it back.
        for _ in 0..5 {
            assert!(!gate.observe(true));
            assert!(!gate.observe(false));
        }
        assert!(!gate.observe(true));
        assert!(!gate.observe(true));
        assert!(gate.observe(true), "back after {RECOVERY_PROBES} in a row");
        assert!(gate.observe(true));
    }
}
