//! The outbox worker: takes the most urgent due delivery, sends it, records the outcome, and
//! repeats; sleeps until woken by a new submission, the next due time, or the poll interval.

use super::clock::Clock;
use super::email;
use super::mailer::{Mailer, SendError};
use super::pressure::IntakePressure;
use super::retry::RetrySchedule;
use crate::ack::{TokenKey, TokenPolicy};
use crate::metrics::Metrics;
use crate::spool::{AttemptOutcome, DeliveryId, DueDelivery, OutboxStore, SpoolError, View};
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::Mutex;
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
    /// Deliveries being sent right now, so concurrent lanes never send the same one twice.
    in_flight: Mutex<HashSet<DeliveryId>>,
    lanes: usize,
    /// Lanes that send only IMMEDIATE and escalation emails (see `with_urgent_lanes`).
    urgent_lanes: usize,
    /// Wakes the urgent lanes, apart from `wake`: a lane that takes no routine work must not
    /// take the wake-up meant for one that does.
    urgent: Arc<Notify>,
    /// Base of acknowledgement links; none when empty.
    public_url: String,
    spool: Arc<dyn OutboxStore>,
    mailer: Mailer,
    schedule: RetrySchedule,
    clock: Arc<dyn Clock>,
    from: String,
    metrics: Arc<Metrics>,
    wake: Arc<Notify>,
    poll: Duration,
    /// When intake is busy, lanes after the first pause (see `pressure`).
    pressure: Option<Arc<IntakePressure>>,
    token_policy: TokenPolicy,
    token_key: TokenKey,
    /// The most a full view's evidence files may come to in one email, armored.
    max_attachment_bytes: usize,
    /// How long a lease on a delivery being sent lasts (see `delivery.lease_secs`).
    lease_secs: i64,
    /// Opens professionals' notice addresses, which the spool holds sealed.
    addresses: Arc<crate::secrets_key::Sealer>,
}

impl Outbox {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        spool: Arc<dyn OutboxStore>,
        mailer: Mailer,
        schedule: RetrySchedule,
        clock: Arc<dyn Clock>,
        from: String,
        metrics: Arc<Metrics>,
        wake: Arc<Notify>,
        poll: Duration,
    ) -> Self {
        Outbox {
            in_flight: Mutex::new(HashSet::new()),
            lanes: 1,
            urgent_lanes: 0,
            urgent: Arc::new(Notify::new()),
            public_url: String::new(),
            spool,
            mailer,
            schedule,
            clock,
            from,
            metrics,
            wake,
            poll,
            pressure: None,
            token_policy: TokenPolicy::default(),
            token_key: TokenKey::random(),
            max_attachment_bytes: 10 * 1024 * 1024,
            lease_secs: LEASE_SECS,
            addresses: Arc::new(
                crate::secrets_key::SecretsKey::random().sealer(crate::secrets_key::ADDRESS),
            ),
        }
    }

    /// Opens notice addresses with `sealer` (the one intake sealed them with).
    pub fn with_addresses(mut self, sealer: Arc<crate::secrets_key::Sealer>) -> Self {
        self.addresses = sealer;
        self
    }

    /// Lanes after the first pause while `pressure` says intake is busy.
    pub fn with_pressure(mut self, pressure: Arc<IntakePressure>) -> Self {
        self.pressure = Some(pressure);
        self
    }

    /// Sends on up to `lanes` connections at once (one delivery per lane). The SMTP pool keeps
    /// as many connections open.
    pub fn with_lanes(mut self, lanes: usize) -> Self {
        self.lanes = lanes.max(1);
        self
    }

    /// Adds `lanes` that send only IMMEDIATE and escalation emails, so urgent email never
    /// waits for a lane busy with the backlog and the emails of one IMMEDIATE report go out side
    /// by side. `wake` rouses them all at once (see [`ring_urgent`]); the mailer must keep a
    /// connection for each of them too.
    pub fn with_urgent_lanes(mut self, lanes: usize, wake: Arc<Notify>) -> Self {
        self.urgent_lanes = lanes;
        self.urgent = wake;
        self
    }

    /// Emails carry an acknowledgement link under this base URL.
    pub fn with_public_url(mut self, url: &str) -> Self {
        self.public_url = url.trim_end_matches('/').to_string();
        self
    }

    /// Tokens expire under `policy` (default 14 days).
    pub fn with_token_policy(mut self, policy: TokenPolicy) -> Self {
        self.token_policy = policy;
        self
    }

    /// `mail.max_attachment_bytes`.
    pub fn with_max_attachment_bytes(mut self, max: usize) -> Self {
        self.max_attachment_bytes = max;
        self
    }

    /// A lease on a delivery lasts `secs`: after that, a gateway that died mid-send has its
    /// delivery taken over by another on the same spool.
    pub fn with_lease_secs(mut self, secs: u64) -> Self {
        self.lease_secs = secs.max(1) as i64;
        self
    }

    /// Tokens are derived under `key`; with a key that survives restarts (derived from the
    /// signing key), a resend after a restart still carries the same link.
    pub fn with_token_key(mut self, key: TokenKey) -> Self {
        self.token_key = key;
        self
    }

    /// The delivery's one-time acknowledgement link. A resend carries the same live link (the
    /// token is recomputed, never stored); otherwise a new token is issued and its hash stored
    /// before the email leaves, so a link in a delivered email always works.
    async fn ack_link(&self, due: &DueDelivery, now: i64) -> Result<Option<String>, SpoolError> {
        if self.public_url.is_empty() {
            return Ok(None);
        }
        // The acknowledgement is the route's: every round of escalation to it carries the same
        // live link.
        let reference = &due.id.reference;
        let route = due.id.route.route_name();
        let latest = self.spool.latest_ack_token(reference, route).await?;
        let reused = latest.as_ref().and_then(|t| {
            let live = !t.used && t.issued_at >= self.token_policy.issued_after(now);
            let token = self.token_key.token(reference.as_str(), route, t.issued_at);
            // A token issued under another key (before a restart, say) cannot be recomputed;
            // a new one is issued instead, and the old one still works until it expires.
            (live && crate::ack::hash(&token) == t.hash).then_some(token)
        });
        let token = match reused {
            Some(token) => token,
            None => {
                // Issued after every earlier token of this delivery, so never the same token
                // as one already used or expired.
                let issued_at = latest.map_or(now, |t| now.max(t.issued_at + 1));
                let token = self.token_key.token(reference.as_str(), route, issued_at);
                self.spool
                    .add_ack_token(
                        crate::ack::hash(&token),
                        reference,
                        route,
                        due.ack,
                        issued_at,
                    )
                    .await?;
                token
            }
        };
        Ok(Some(format!("{}/ack/{token}", self.public_url)))
    }

    /// One-time links, one per file, for files too large together to attach: each token's
    /// hash is stored before the email leaves, so a link in a delivered email always works. A
    /// resend issues new links in place of the old ones, which stop working: only the latest
    /// email's links open the files. Without a
    /// public URL there is nowhere to link to, and the files are attached whatever their size.
    async fn download_links(
        &self,
        due: &DueDelivery,
        count: usize,
    ) -> Result<Option<Vec<String>>, SpoolError> {
        if self.public_url.is_empty() {
            tracing::warn!(reference = %due.id.reference, "evidence files are larger than mail.max_attachment_bytes but server.public_url is empty; attached all the same");
            return Ok(None);
        }
        let now = self.clock.now();
        let mut urls = Vec::with_capacity(count);
        for n in 1..=count {
            let (token, hash) = crate::ack::new_token();
            self.spool
                .add_download_token(
                    hash,
                    &due.id.reference,
                    due.id.route.route_name(),
                    n as u32,
                    now,
                )
                .await?;
            urls.push(format!("{}/files/{token}", self.public_url));
        }
        Ok(Some(urls))
    }

    /// Claims the most urgent due delivery no other lane is sending.
    ///
    /// Lanes claim in memory, so two never send the same delivery; the spool's lease then
    /// confirms the delivery is still due (the candidate list may be a moment old, and another
    /// lane may have just finished it) and, in a store shared by several gateways, takes it from
    /// the others.
    async fn claim(&self, now: i64, max_rank: i64) -> Result<Option<DueDelivery>, SpoolError> {
        let busy = lock(&self.in_flight).len();
        let candidates = self
            .spool
            .due(now, busy + self.lanes + self.urgent_lanes)
            .await?;
        // Most urgent first: once one is beyond `max_rank`, so are the rest.
        for d in candidates.into_iter().take_while(|d| d.rank <= max_rank) {
            let key = d.id.clone();
            if !lock(&self.in_flight).insert(key.clone()) {
                continue;
            }
            let leased = self
                .spool
                .lease(&d.id, d.attempts, now, now + self.lease_secs)
                .await;
            if let Ok(true) = leased {
                return Ok(Some(d));
            }
            lock(&self.in_flight).remove(&key);
            leased?;
        }
        Ok(None)
    }

    /// One step: send the most urgent due delivery and record what happened. Tests drive this
    /// directly. Errors are the spool's: the outcome of a send is always recorded or returned.
    pub async fn try_execute_task(&self) -> Result<Outcome, SpoolError> {
        self.try_execute_ranked(ROUTINE_RANK).await
    }

    /// As [`Outbox::try_execute_task`], sending only deliveries ranked `max_rank` or more urgent.
    async fn try_execute_ranked(&self, max_rank: i64) -> Result<Outcome, SpoolError> {
        let now = self.clock.now();
        let Some(due) = self.claim(now, max_rank).await? else {
            return Ok(Outcome::Idle);
        };
        let key = due.id.clone();
        let result = self.execute(due).await;
        lock(&self.in_flight).remove(&key);
        result
    }

    /// For an email to a professional's own address: the address, opened in memory with the
    /// secrets key, and its one link (the follow-up page, or the confirmation link sealed with
    /// the address). A sealed value that does not open fails for good.
    fn open_address(&self, due: &mut DueDelivery) -> Result<Option<String>, SendError> {
        let unreadable = || SendError {
            class: "sealed address unreadable (another secrets key?)".into(),
            permanent: true,
        };
        let opened = self
            .addresses
            .open_text(&due.mailbox)
            .ok_or_else(unreadable)?;
        let base = (!self.public_url.is_empty()).then_some(self.public_url.as_str());
        if due.view == View::FollowUpConfirm {
            let (address, token) = opened.split_once('\n').ok_or_else(unreadable)?;
            due.mailbox = address.to_string();
            return Ok(base.map(|b| format!("{b}/follow-up/confirm/{token}")));
        }
        due.mailbox = opened.to_string();
        Ok(base.map(|b| format!("{b}/follow-up")))
    }

    /// One attempt at a due delivery: the email sent, and its outcome recorded.
    async fn execute(&self, mut due: DueDelivery) -> Result<Outcome, SpoolError> {
        let result = self.send(&mut due).await?;
        let now = self.clock.now();
        let (outcome, recorded) = self.settle(&due, result, now);
        self.spool.record_attempt(&due.id, now, recorded).await?;
        Ok(outcome)
    }

    /// Builds the email (its address opened or its acknowledgement link made, its files
    /// attached or linked) and sends it. The outer error is the spool's, and stops the attempt;
    /// the inner one is the send's, and is recorded as the attempt's outcome.
    async fn send(&self, due: &mut DueDelivery) -> Result<Result<(), SendError>, SpoolError> {
        // An email to a professional's own address has nothing to acknowledge.
        let (ack_url, opened) = if due.view.to_sealed_address() {
            match self.open_address(due) {
                Ok(url) => (url, Ok(())),
                Err(e) => (None, Err(e)),
            }
        } else {
            (self.ack_link(due, self.clock.now()).await?, Ok(()))
        };
        let files = if due.view == View::Full {
            self.spool
                .attachments(&due.id.reference, due.id.route.route_name())
                .await?
        } else {
            Vec::new()
        };
        let links = if email::armored_size(&files) > self.max_attachment_bytes {
            self.download_links(due, files.len()).await?
        } else {
            None
        };
        let files = match (&links, files.is_empty()) {
            (_, true) => email::Files::None,
            (Some(urls), false) => email::Files::Linked(urls),
            (None, false) => email::Files::Attached(&files),
        };
        let keys_url = (!self.public_url.is_empty())
            .then(|| format!("{}/.well-known/pis-gateway/signing-keys", self.public_url));
        let result = match (
            opened,
            email::build(
                due,
                &self.from,
                email::Links {
                    ack: ack_url.as_deref(),
                    signing_keys: keys_url.as_deref(),
                },
                &files,
            ),
        ) {
            (Err(e), _) => Err(e),
            (Ok(()), Ok(message)) => self.mailer.send(message).await,
            (Ok(()), Err(e)) => Err(SendError {
                class: format!("build: {e}"),
                permanent: true,
            }),
        };
        Ok(result)
    }

    /// What a send's result means for its delivery (delivered, tried again later, or given up
    /// for an operator), logged and counted.
    fn settle(
        &self,
        due: &DueDelivery,
        result: Result<(), SendError>,
        now: i64,
    ) -> (Outcome, AttemptOutcome) {
        let (reference, route) = (due.id.reference.to_string(), due.id.route.to_string());
        let failures = due.attempts + 1;
        match result {
            Ok(()) => {
                tracing::info!(%reference, %route, attempts = failures, "delivered");
                self.metrics.inc(
                    crate::metrics::Counter::DeliveriesSent,
                    &[("route", &route)],
                );
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
                    self.metrics.inc(
                        crate::metrics::Counter::DeliveriesRetried,
                        &[("route", &route)],
                    );
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
                    self.metrics.inc(
                        crate::metrics::Counter::DeliveriesDeadLettered,
                        &[("route", &route)],
                    );
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
        }
    }

    /// Runs until `stop` turns true, each lane finishing the attempt in hand first.
    pub async fn run(self: Arc<Self>, stop: watch::Receiver<bool>) {
        tracing::info!(
            lanes = self.lanes,
            urgent_lanes = self.urgent_lanes,
            "outbox worker started"
        );
        let lanes: Vec<_> = (0..self.lanes)
            .map(|n| tokio::spawn(Arc::clone(&self).lane(n, stop.clone())))
            .chain(
                (0..self.urgent_lanes)
                    .map(|_| tokio::spawn(Arc::clone(&self).urgent_lane(stop.clone()))),
            )
            .collect();
        for lane in lanes {
            let _ = lane.await;
        }
        tracing::info!("outbox worker stopped");
    }

    async fn lane(self: Arc<Self>, n: usize, mut stop: watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                break;
            }
            // While intake is busy, lane 0 sends only IMMEDIATE, PRIORITY and escalation
            // emails, and the other lanes pause: the CPU goes to taking reports, and the
            // routine backlog, durable in the spool, drains when the surge ends.
            let surge = self.pressure.as_ref().is_some_and(|p| p.busy());
            if n > 0 && surge {
                tokio::select! {
                    _ = tokio::time::sleep(PRESSURE_PAUSE) => {}
                    _ = stop.changed() => {}
                }
                continue;
            }
            let max_rank = if surge { PRIORITY_RANK } else { ROUTINE_RANK };
            match self.try_execute_ranked(max_rank).await {
                // Every commit wakes the outbox; during a surge that would be thousands of
                // empty looks a second, so lane 0 looks again after a short sleep instead.
                Ok(Outcome::Idle) if surge => {
                    tokio::select! {
                        _ = tokio::time::sleep(SURGE_LOOK) => {}
                        _ = stop.changed() => {}
                    }
                }
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
                // There was work: rouse another lane in case there is more.
                Ok(_) => self.wake.notify_one(),
                Err(e) => {
                    tracing::error!(error = %e, "outbox cannot read or write the spool; retrying");
                    tokio::select! {
                        _ = tokio::time::sleep(self.poll) => {}
                        _ = stop.changed() => {}
                    }
                }
            }
        }
    }

    /// A lane that sends only IMMEDIATE and escalation emails. It never pauses for a surge and
    /// never takes routine work, so it is free the moment urgent email is queued.
    async fn urgent_lane(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                break;
            }
            // Listening before looking: a ring between the look and the wait is not lost.
            let rung = self.urgent.notified();
            tokio::pin!(rung);
            rung.as_mut().enable();
            match self.try_execute_ranked(URGENT_RANK).await {
                Ok(Outcome::Idle) => {
                    tokio::select! {
                        _ = rung => {}
                        _ = tokio::time::sleep(self.poll) => {}
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
    }
}

/// Wakes every urgent lane at once for urgent email queued (an IMMEDIATE report, an
/// escalation), so each of its emails has a lane; a lane busy sending looks again when done.
pub fn ring_urgent(urgent: &Notify) {
    urgent.notify_waiters();
}

/// How long a paused lane waits before looking at intake's pressure again.
const PRESSURE_PAUSE: Duration = Duration::from_millis(250);
/// During a surge, how often lane 0 looks for urgent email: the most an IMMEDIATE email waits
/// for the outbox then.
const SURGE_LOOK: Duration = Duration::from_millis(50);
/// How long a lease on a delivery lasts unless set: longer than any one send may take (the SMTP
/// timeouts are far shorter), so a lease runs out only when its holder has died.
const LEASE_SECS: i64 = 600;
/// Delivery ranks (see the spool's `deliveries.rank`).
const URGENT_RANK: i64 = 0;
const PRIORITY_RANK: i64 = 1;
const ROUTINE_RANK: i64 = 2;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The set only holds keys; a panic elsewhere cannot leave it inconsistent.
    m.lock().unwrap_or_else(|p| p.into_inner())
}
