//! Rate limits (governor): per client and for everyone together, for each class of request.
//!
//! - **Pages** (`GET`): reading the site.
//! - **Navigation**: any `POST` to a form page. Continue, Back, Add another and Remove render
//!   the next page and store nothing, so a long journey spends this generous quota, not sends.
//! - **Sends**: the final "Send report" (checked by the form once it knows the press was a send),
//!   API submissions and every other write.
//!
//! A client is an IPv4 address or an IPv6 /64 (one household or phone gets a whole /64, so
//! per-address limits would be no limit at all); IPv6 clients also share the quota of their /56
//! and their /48, each a set multiple of one client's, so one free /48 is not 65,536 clients.
//! `X-Forwarded-For` is believed only from configured proxies ([`forwarded`]). Keys live in memory
//! only and are never logged; each table holds at most `limits.max_tracked_clients`, evicting the
//! client seen least recently ([`client_table`]).
//!
//! During a surge (the global send quota refusing people) part of that quota is kept for sends
//! whose form token was issued before the surge began: someone half-way through a report when
//! a flood starts can still send it. A token is good for one submission, so this cannot be
//! drawn on twice with the same page.
//!
//!
//! A request that carries an `Authorization` header is charged nothing until its token is
//! looked up. A verified partner agency then spends the agency's own quota, and the global send
//! quota only once that passes. A malformed or unknown token is charged to the client's own send
//! quota, never the global one, so junk headers cost the sender alone; once that quota is spent
//! the client is held, and its next credentials are refused before any lookup until it refills.
//!
//! [`forwarded`]: crate::http::forwarded
//! [`client_table`]: crate::http::client_table

use crate::config::LimitSettings;
use crate::http::client_table::ClientTable;
use crate::http::clock::Clock;
use crate::http::forwarded::TrustedProxies;
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use lru::LruCache;
use std::net::IpAddr;
use std::num::{NonZeroU32, NonZeroUsize};
use std::sync::Mutex;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Page,
    Navigation,
    Send,
}

impl Class {
    /// The metrics label.
    pub fn label(self) -> &'static str {
        match self {
            Class::Page => "page",
            Class::Navigation => "navigation",
            Class::Send => "submission",
        }
    }
}

/// A bucket key: an IPv4 address, or the leading bits of an IPv6 address (/64, /56 or /48,
/// each in its own table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientKey {
    V4(u32),
    V6(u64),
}

/// IPv4 (and IPv4-mapped IPv6) as one address; other IPv6 as its top 64 bits.
pub fn split(ip: IpAddr) -> ClientKey {
    match ip {
        IpAddr::V4(v4) => ClientKey::V4(u32::from(v4)),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => ClientKey::V4(u32::from(v4)),
            None => ClientKey::V6((u128::from(v6) >> 64) as u64),
        },
    }
}

type Keyed = RateLimiter<ClientKey, ClientTable<ClientKey>, Clock, NoOpMiddleware<Duration>>;
type Direct = RateLimiter<NotKeyed, InMemoryState, Clock, NoOpMiddleware<Duration>>;

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN)
}

/// `per_minute` a minute after a burst of `burst`.
fn per_minute(per_minute: u32, burst: u32) -> Quota {
    Quota::per_minute(nonzero(per_minute)).allow_burst(nonzero(burst))
}

fn keyed(quota: Quota, cap: usize, clock: &Clock) -> Keyed {
    RateLimiter::new(quota, ClientTable::new(cap), clock.clone())
}

fn direct(per_second: u32, clock: &Clock) -> Direct {
    RateLimiter::new(
        Quota::per_second(nonzero(per_second)),
        InMemoryState::default(),
        clock.clone(),
    )
}

/// One class's quotas: each client's (with its IPv6 /56 and /48), and everyone's together.
pub struct Tier {
    client: Keyed,
    v6_56: Keyed,
    v6_48: Keyed,
    global: Direct,
    clock: Clock,
}

impl Tier {
    pub fn new(
        per_min: u32,
        burst: u32,
        global_per_second: u32,
        s: &LimitSettings,
        clock: &Clock,
    ) -> Self {
        let cap = s.max_tracked_clients.max(1);
        let times = |n: u32| per_minute(per_min.saturating_mul(n), burst.saturating_mul(n));
        Tier {
            client: keyed(per_minute(per_min, burst), cap, clock),
            v6_56: keyed(times(s.ipv6_56_clients.max(1)), cap, clock),
            v6_48: keyed(times(s.ipv6_48_clients.max(1)), cap, clock),
            global: direct(global_per_second, clock),
            clock: clock.clone(),
        }
    }

    fn wait(&self, not_until: governor::NotUntil<Duration>) -> Duration {
        not_until.wait_time_from(governor::clock::Clock::now(&self.clock))
    }

    /// The client's own buckets, finest first: a flood from one /64 is stopped there and does
    /// not spend its neighbours' /56 and /48.
    pub fn check_client(&self, client: IpAddr) -> Result<(), Duration> {
        let key = split(client);
        self.client.check_key(&key).map_err(|n| self.wait(n))?;
        if let ClientKey::V6(bits) = key {
            self.v6_56
                .check_key(&ClientKey::V6(bits & !0xff))
                .map_err(|n| self.wait(n))?;
            self.v6_48
                .check_key(&ClientKey::V6(bits & !0xffff))
                .map_err(|n| self.wait(n))?;
        }
        Ok(())
    }

    pub fn check_global(&self) -> Result<(), Duration> {
        self.global.check().map_err(|n| self.wait(n))
    }

    pub fn check(&self, client: IpAddr) -> Result<(), Duration> {
        self.check_client(client)?;
        self.check_global()
    }

    pub fn tracked_clients(&self) -> usize {
        self.client.len() + self.v6_56.len() + self.v6_48.len()
    }
}

/// A surge ends after this long without the global send quota refusing anyone.
const SURGE_CALM_SECS: u64 = 60;

/// When the current surge began (Unix seconds), and when the global send quota last refused.
#[derive(Default)]
struct Surge {
    state: Mutex<Option<(u64, u64)>>,
}

impl Surge {
    /// Records a refusal at `now`; returns when this surge began.
    fn refused(&self, now: u64) -> u64 {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let began = match *state {
            Some((began, last)) if now.saturating_sub(last) <= SURGE_CALM_SECS => began,
            _ => now,
        };
        *state = Some((began, now));
        began
    }
}

/// Partner agencies tracked at once (a handful in practice; bounded by the partners an
/// operator adds).
const MAX_PARTNERS: usize = 1024;

type PartnerKeyed = RateLimiter<String, ClientTable<String>, Clock, NoOpMiddleware<Duration>>;

/// A follow-up code's bucket key: its lookup id.
type CodeKeyed = RateLimiter<[u8; 32], ClientTable<[u8; 32]>, Clock, NoOpMiddleware<Duration>>;

pub struct RateLimits {
    page: Tier,
    navigation: Tier,
    send: Tier,
    /// Follow-up code entries, per client.
    follow_up: Tier,
    /// Follow-up code entries, per code (by lookup id), wherever they come from.
    follow_up_code: CodeKeyed,
    /// Partner agencies' own quota, keyed by agency name.
    partner: PartnerKeyed,
    /// The part of the global send quota kept for journeys that began before a surge.
    reserve: Direct,
    /// Clients whose refused credentials spent their send quota, and until when (on the
    /// limiter's clock) their next credential is refused without a lookup.
    held: Mutex<LruCache<ClientKey, Duration>>,
    surge: Surge,
    trusted: TrustedProxies,
    clock: Clock,
}

impl RateLimits {
    pub fn new(s: &LimitSettings, clock: Clock) -> Self {
        let reserved = s
            .reserved_submissions_per_second
            .min(s.global_submissions_per_second.saturating_sub(1));
        RateLimits {
            page: Tier::new(
                s.pages_per_minute,
                s.page_burst,
                s.global_pages_per_second,
                s,
                &clock,
            ),
            navigation: Tier::new(
                s.navigation_per_minute,
                s.navigation_burst,
                s.global_navigation_per_second,
                s,
                &clock,
            ),
            send: Tier::new(
                s.submissions_per_minute,
                s.submission_burst,
                s.global_submissions_per_second - reserved,
                s,
                &clock,
            ),
            follow_up: Tier::new(
                s.follow_up_per_minute,
                s.follow_up_burst,
                s.global_navigation_per_second,
                s,
                &clock,
            ),
            follow_up_code: RateLimiter::new(
                Quota::per_hour(nonzero(s.follow_up_per_code_per_hour))
                    .allow_burst(nonzero(s.follow_up_per_code_burst)),
                ClientTable::new(s.max_tracked_clients.max(1)),
                clock.clone(),
            ),
            partner: RateLimiter::new(
                per_minute(s.partner_submissions_per_minute, s.partner_submission_burst),
                ClientTable::new(MAX_PARTNERS),
                clock.clone(),
            ),
            reserve: direct(reserved, &clock),
            held: Mutex::new(LruCache::new(
                NonZeroUsize::new(s.max_tracked_clients).unwrap_or(NonZeroUsize::MIN),
            )),
            surge: Surge::default(),
            trusted: TrustedProxies::new(&s.trusted_proxies),
            clock,
        }
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The client a request comes from (see [`TrustedProxies::client`]).
    pub fn client_of(&self, req: &actix_web::HttpRequest) -> IpAddr {
        let peer = req
            .peer_addr()
            .map(|a| a.ip())
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
        let lines: Vec<Option<&str>> = req
            .headers()
            .get_all("x-forwarded-for")
            .map(|v| v.to_str().ok())
            .collect();
        self.trusted.client(peer, lines.into_iter())
    }

    /// `Err(wait)` when a page or navigation request must be refused, with how long to wait.
    pub fn check(&self, class: Class, client: IpAddr) -> Result<(), Duration> {
        match class {
            Class::Page => self.page.check(client),
            Class::Navigation => self.navigation.check(client),
            Class::Send => self.check_send(client, None),
        }
    }

    /// A send. `issued_at` is when its form token was issued (Unix seconds), if it has one:
    /// a journey that began before the current surge may draw on the reserve.
    pub fn check_send(&self, client: IpAddr, issued_at: Option<u64>) -> Result<(), Duration> {
        self.send.check_client(client)?;
        let Err(wait) = self.send.check_global() else {
            return Ok(());
        };
        let began = self.surge.refused(self.clock.unix());
        match issued_at {
            Some(at) if at < began => self.reserve.check().map_err(|_| wait),
            _ => Err(wait),
        }
    }

    /// A follow-up code entered on /follow-up, charged to the client (before the slow key
    /// derivation, so a refused client costs nothing).
    pub fn check_follow_up_client(&self, client: IpAddr) -> Result<(), Duration> {
        self.follow_up.check(client)
    }

    /// A follow-up code entered, charged to the code itself (by its lookup id, known or not:
    /// the answer is the same either way).
    pub fn check_follow_up_code(&self, lookup_id: [u8; 32]) -> Result<(), Duration> {
        self.follow_up_code
            .check_key(&lookup_id)
            .map_err(|n| self.follow_up.wait(n))
    }

    /// A verified partner agency's send: the agency's own quota, in place of the client's, and
    /// then the global send quota.
    pub fn check_partner(&self, agency: &str) -> Result<(), Duration> {
        self.partner
            .check_key(&agency.to_string())
            .map_err(|n| self.send.wait(n))?;
        self.send.check_global()
    }

    /// A request with a credential not yet looked up: refused, with the wait, while the client
    /// is held for earlier refused credentials. Charges nothing.
    pub fn check_unverified(&self, client: IpAddr) -> Result<(), Duration> {
        let key = split(client);
        let now = governor::clock::Clock::now(&self.clock);
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        match held.get(&key) {
            Some(until) if *until > now => Err(*until - now),
            Some(_) => {
                held.pop(&key);
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// A credential that is malformed or names no active partner: charged to the client's own
    /// send quota (never the global one). `Err(wait)` once that is spent, and the client is then
    /// held for that long ([`RateLimits::check_unverified`]).
    pub fn charge_refused_credential(&self, client: IpAddr) -> Result<(), Duration> {
        self.send.check_client(client).inspect_err(|wait| {
            let until = governor::clock::Clock::now(&self.clock) + *wait;
            self.held
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .put(split(client), until);
        })
    }

    pub fn tracked_clients(&self) -> usize {
        self.page.tracked_clients()
            + self.navigation.tracked_clients()
            + self.send.tracked_clients()
    }
}

/// The answer to a refused request: 429 with `Retry-After`, a page for people and JSON under
/// `/api/`. Counted in `pisg_rate_limited_total` by class.
pub fn too_many_requests(
    state: &crate::http::AppState,
    api: bool,
    class: Class,
    wait: Duration,
) -> actix_web::HttpResponse {
    use actix_web::http::{header, StatusCode};
    use actix_web::ResponseError;
    let secs = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
    state.intake.metrics().inc(
        crate::metrics::Counter::RateLimited,
        &[("class", class.label())],
    );
    let mut resp = if api {
        crate::http::error::ApiError::RateLimited.error_response()
    } else {
        state.pages.message(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests",
            &[
                "Please wait a minute and try again. Nothing you typed has been sent yet: go back to keep your answers.",
                "If someone is in danger now, call 999.",
            ],
        )
    };
    resp.headers_mut().insert(
        header::RETRY_AFTER,
        header::HeaderValue::from_str(&secs.to_string())
            .unwrap_or(header::HeaderValue::from_static("60")),
    );
    resp
}

/// The middleware: classifies the request and asks the limiter. A form's final send is
/// checked again, as a send, by the form once it has read which button was pressed.
pub async fn limit(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    use actix_web::http::{header, Method};
    use actix_web::web;
    let path = req.path();
    let exempt = path == "/healthz" || path.starts_with("/static/");
    let state = req.app_data::<web::Data<crate::http::AppState>>().cloned();
    if let (false, Some(state)) = (exempt, state) {
        let class = if req.method() == Method::GET || req.method() == Method::HEAD {
            Class::Page
        } else if path.starts_with("/forms/") || path == "/follow-up" {
            // /follow-up has its own limits, per client and per code (checked by the page).
            Class::Navigation
        } else {
            Class::Send
        };
        let client = state.limits.client_of(req.request());
        // A credential is charged once its token is looked up (the partner's quota, or the
        // client's for a bad one); until then only a client held for bad ones is refused.
        let partner = class == Class::Send
            && path == "/api/v1/submissions"
            && req.headers().contains_key(header::AUTHORIZATION);
        let verdict = if partner {
            state.limits.check_unverified(client)
        } else {
            state.limits.check(class, client)
        };
        if let Err(wait) = verdict {
            let resp = too_many_requests(&state, path.starts_with("/api/"), class, wait);
            return Ok(req.into_response(resp));
        }
    }
    next.call(req).await.map(|r| r.map_into_boxed_body())
}

#[cfg(test)]
mod tests;
