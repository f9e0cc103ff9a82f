//! The retry schedule: exponential backoff from an initial delay, with ±20 % jitter so a queue
//! that failed together does not retry in lock-step, capped, and abandoned after a maximum age.

use crate::config::DeliverySettings;
use rand::Rng;

#[derive(Debug, Clone, Copy)]
pub struct RetrySchedule {
    pub initial_secs: u64,
    pub max_delay_secs: u64,
    pub max_age_secs: u64,
}

impl From<&DeliverySettings> for RetrySchedule {
    fn from(d: &DeliverySettings) -> Self {
        RetrySchedule {
            initial_secs: d.retry_initial_secs,
            max_delay_secs: d.retry_max_delay_secs,
            max_age_secs: d.retry_max_age_secs,
        }
    }
}

impl RetrySchedule {
    /// Delay before the next try after `failures` failed attempts (1 for the first failure),
    /// before jitter.
    pub fn base_delay(&self, failures: u32) -> u64 {
        let exp = failures.saturating_sub(1).min(32);
        self.initial_secs
            .saturating_mul(1u64 << exp)
            .min(self.max_delay_secs)
    }

    /// When to try again, or `None` when the delivery has been failing for longer than the
    /// maximum age and must be dead-lettered.
    pub fn next_attempt(&self, failures: u32, retry_from: i64, now: i64) -> Option<i64> {
        if now.saturating_sub(retry_from) >= self.max_age_secs as i64 {
            return None;
        }
        let base = self.base_delay(failures) as f64;
        let jittered = base * rand::thread_rng().gen_range(0.8..=1.2);
        Some(now + (jittered.round() as i64).max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: RetrySchedule = RetrySchedule {
        initial_secs: 30,
        max_delay_secs: 1800,
        max_age_secs: 72 * 3600,
    };

    #[test]
    fn delays_double_up_to_the_cap() {
        let d: Vec<u64> = (1..=9).map(|f| S.base_delay(f)).collect();
        assert_eq!(d, vec![30, 60, 120, 240, 480, 960, 1800, 1800, 1800]);
        assert_eq!(S.base_delay(u32::MAX), 1800);
    }

    #[test]
    fn jitter_stays_within_a_fifth_and_time_runs_out() {
        for _ in 0..100 {
            let next = S.next_attempt(2, 0, 1000).expect("in time");
            assert!((1048..=1072).contains(&next), "{next}");
        }
        assert_eq!(S.next_attempt(5, 0, 72 * 3600), None);
        assert!(S.next_attempt(5, 0, 72 * 3600 - 1).is_some());
    }
}
