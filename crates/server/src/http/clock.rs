//! Time for the HTTP layer, injectable so tests step it instead of waiting: the rate limiter's
//! buckets refill by it, and form tokens carry its wall-clock seconds.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub trait Time: Send + Sync + 'static {
    /// Monotonic time since some fixed start (the buckets' clock).
    fn elapsed(&self) -> Duration;
    /// Wall-clock Unix seconds (form tokens, surges).
    fn unix(&self) -> u64;
}

/// The real clocks.
pub struct SystemTime {
    start: Instant,
}

impl Default for SystemTime {
    fn default() -> Self {
        SystemTime {
            start: Instant::now(),
        }
    }
}

impl Time for SystemTime {
    fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }
    fn unix(&self) -> u64 {
        time::OffsetDateTime::now_utc().unix_timestamp().max(0) as u64
    }
}

/// Time that moves only when told to (tests).
pub struct ManualTime {
    start_unix: u64,
    nanos: AtomicU64,
}

impl ManualTime {
    pub fn new(start_unix: u64) -> Self {
        ManualTime {
            start_unix,
            nanos: AtomicU64::new(0),
        }
    }

    pub fn advance(&self, by: Duration) {
        self.nanos
            .fetch_add(by.as_nanos().min(u64::MAX as u128) as u64, Ordering::SeqCst);
    }
}

impl Time for ManualTime {
    fn elapsed(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::SeqCst))
    }
    fn unix(&self) -> u64 {
        self.start_unix + self.elapsed().as_secs()
    }
}

/// A shared clock, usable as governor's clock.
#[derive(Clone)]
pub struct Clock(Arc<dyn Time>);

impl Clock {
    pub fn new(time: Arc<dyn Time>) -> Self {
        Clock(time)
    }

    pub fn system() -> Self {
        Clock(Arc::new(SystemTime::default()))
    }

    pub fn unix(&self) -> u64 {
        self.0.unix()
    }
}

impl governor::clock::Clock for Clock {
    type Instant = Duration;
    fn now(&self) -> Duration {
        self.0.elapsed()
    }
}
