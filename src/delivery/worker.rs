//! The outbox worker: takes the most urgent due delivery, sends it, records the outcome, and
//! repeats; sleeps until woken by a new submission, the next due time, or the poll interval.

use super::clock::Clock;
use super::email;
use super::mailer::Mailer;
use super::retry::RetrySchedule;
use crate::metrics::Metrics;
use crate::spool::{AttemptOutcome, Spool, SpoolError};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing is due.
    Idle,
    Delivered {
        reference: String,
        route: String,
    },
    Retrying {
        reference: String,
        route: String,
        class: String,
    },
    DeadLettered {
        reference: String,
        route: String,
        class: String,
    },
}

pub struct Outbox {
    spool: Arc<dyn Spool>,
    mailer: Mailer,
    schedule: RetrySchedule,
    clock: Arc<dyn Clock>,
    from: String,
    metrics: Arc<Metrics>,
    wake: Arc<Notify>,
    poll: Duration,
}

impl Outbox {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        spool: Arc<dyn Spool>,
        mailer: Mailer,
        schedule: RetrySchedule,
        clock: Arc<dyn Clock>,
        from: String,
        metrics: Arc<Metrics>,
        wake: Arc<Notify>,
        poll: Duration,
    ) -> Self {
        Outbox {
            spool,
            mailer,
            schedule,
            clock,
            from,
            metrics,
            wake,
            poll,
        }
    }

    /// One step: send the most urgent due delivery and record what happened. Tests drive this
    /// directly. Errors are the spool's: the outcome of a send is always recorded or returned.
    pub async fn try_execute_task(&self) -> Result<Outcome, SpoolError> {
        let now = self.clock.now();
        let Some(due) = self.spool.next_due(now).await? else {
            return Ok(Outcome::Idle);
        };
        let (reference, route) = (due.reference.clone(), due.route.clone());
        let result = match email::build(&due, &self.from) {
            Ok(message) => self.mailer.send(message).await,
            Err(e) => Err(super::mailer::SendError {
                class: format!("build: {e}"),
                permanent: true,
            }),
        };
        let now = self.clock.now();
        let failures = due.attempts + 1;
        let (outcome, recorded) = match result {
            Ok(()) => {
                tracing::info!(%reference, %route, attempts = failures, "delivered");
                self.metrics
                    .inc("pisg_deliveries_sent_total", &[("route", &route)]);
                (
                    Outcome::Delivered {
                        reference: reference.clone(),
                        route: route.clone(),
                    },
                    AttemptOutcome::Delivered,
                )
            }
            Err(e) => match (
                e.permanent,
                self.schedule.next_attempt(failures, due.retry_from, now),
            ) {
                (false, Some(next_at)) => {
                    tracing::warn!(%reference, %route, class = %e.class, attempts = failures, retry_in_secs = next_at - now, "delivery failed; will retry");
                    self.metrics
                        .inc("pisg_deliveries_retried_total", &[("route", &route)]);
                    (
                        Outcome::Retrying {
                            reference: reference.clone(),
                            route: route.clone(),
                            class: e.class.clone(),
                        },
                        AttemptOutcome::Retry {
                            next_at,
                            class: e.class,
                        },
                    )
                }
                (permanent, _) => {
                    tracing::error!(%reference, %route, class = %e.class, attempts = failures, permanent, "DEAD LETTER: delivery abandoned; needs an operator (pis-gateway outbox retry)");
                    self.metrics
                        .inc("pisg_deliveries_dead_lettered_total", &[("route", &route)]);
                    (
                        Outcome::DeadLettered {
                            reference: reference.clone(),
                            route: route.clone(),
                            class: e.class.clone(),
                        },
                        AttemptOutcome::Dead { class: e.class },
                    )
                }
            },
        };
        self.spool
            .record_attempt(&reference, &route, now, recorded)
            .await?;
        Ok(outcome)
    }

    /// Runs until `stop` turns true, finishing the attempt in hand first.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        tracing::info!("outbox worker started");
        loop {
            if *stop.borrow() {
                break;
            }
            match self.try_execute_task().await {
                Ok(Outcome::Idle) => {
                    let wait = match self.spool.next_due_at().await {
                        Ok(Some(at)) => Duration::from_secs((at - self.clock.now()).max(0) as u64)
                            .clamp(Duration::from_millis(10), self.poll),
                        _ => self.poll,
                    };
                    tokio::select! {
                        _ = self.wake.notified() => {}
                        _ = tokio::time::sleep(wait) => {}
                        _ = stop.changed() => {}
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(error = %e, "outbox cannot read or write the spool; retrying");
                    tokio::select! {
                        _ = tokio::time::sleep(self.poll) => {}
                        _ = stop.changed() => {}
                    }
                }
            }
        }
        tracing::info!("outbox worker stopped");
    }
}
