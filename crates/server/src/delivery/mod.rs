//! Delivery: the durable outbox, its worker, the mailer and the retry schedule.
//!
//! Every pending delivery row in the spool is sent by email, one per route per submission. Each
//! attempt's result is recorded durably before the next; a transient failure is retried with
//! exponential backoff and jitter, a permanent one (or running out of time) dead-letters the
//! delivery loudly. A send interrupted by a crash is sent again after restart with the same
//! Message-ID (at-least-once; receivers de-duplicate on it).

pub mod clock;
pub mod email;
pub mod mailer;
pub mod pressure;
pub mod retry;
pub mod smtp;
pub mod worker;

pub use clock::{Clock, ManualClock, SystemClock};
pub use pressure::IntakePressure;
pub use worker::{ring_urgent, Outbox, Outcome};
