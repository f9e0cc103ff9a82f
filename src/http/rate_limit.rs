//! Rate limits (governor): per client and global, separately for submissions and for pages.
//!
//! The client is the peer address, with IPv6 taken by /64 (one household or phone gets a whole
//! /64, so per-address limits would be no limit at all). `X-Forwarded-For` is believed only from
//! configured proxies. Keys live in memory only and are never logged; the number of clients
//! tracked is capped so a flood of distinct addresses cannot grow memory without bound.

use crate::config::LimitSettings;
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Submission,
    Page,
}

/// A client as the limiter sees it: an IPv4 address or an IPv6 /64.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientKey {
    V4(u32),
    V6(u64),
}

impl From<IpAddr> for ClientKey {
    fn from(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(v4) => ClientKey::V4(u32::from(v4)),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => ClientKey::V4(u32::from(v4)),
                None => ClientKey::V6((u128::from(v6) >> 64) as u64),
            },
        }
    }
}

/// An address or CIDR block of a trusted proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Net {
    addr: IpAddr,
    prefix: u8,
}

impl Net {
    pub fn parse(s: &str) -> Option<Self> {
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = a.trim().parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            Some(p) => p.trim().parse::<u8>().ok().filter(|p| *p <= max)?,
            None => max,
        };
        Some(Net { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(n), IpAddr::V4(i)) => {
                let mask = if self.prefix == 0 {
                    0
                } else {
                    u32::MAX << (32 - self.prefix)
                };
                u32::from(n) & mask == u32::from(i) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(i)) => {
                let mask = if self.prefix == 0 {
                    0
                } else {
                    u128::MAX << (128 - self.prefix)
                };
                u128::from(n) & mask == u128::from(i) & mask
            }
            _ => false,
        }
    }
}

type Instant = <governor::clock::DefaultClock as governor::clock::Clock>::Instant;

fn wait_of(not_until: governor::NotUntil<Instant>) -> Duration {
    let clock = governor::clock::DefaultClock::default();
    not_until.wait_time_from(governor::clock::Clock::now(&clock))
}

struct Pair {
    client: DefaultKeyedRateLimiter<ClientKey>,
    global: DefaultDirectRateLimiter,
}

pub struct RateLimits {
    submission: Pair,
    page: Pair,
    /// Partner agencies' own quota, keyed by agency name (a handful; bounded by the partners
    /// an operator adds).
    partner: DefaultKeyedRateLimiter<String>,
    trusted: Vec<Net>,
    max_clients: usize,
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN))
}

fn per_second(n: u32) -> Quota {
    Quota::per_second(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN))
}

impl RateLimits {
    pub fn new(s: &LimitSettings) -> Self {
        let burst = |n: u32| NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN);
        RateLimits {
            submission: Pair {
                client: RateLimiter::keyed(
                    per_minute(s.submissions_per_minute).allow_burst(burst(s.submission_burst)),
                ),
                global: RateLimiter::direct(per_second(s.global_submissions_per_second)),
            },
            page: Pair {
                client: RateLimiter::keyed(
                    per_minute(s.pages_per_minute).allow_burst(burst(s.page_burst)),
                ),
                global: RateLimiter::direct(per_second(s.global_pages_per_second)),
            },
            partner: RateLimiter::keyed(
                per_minute(s.partner_submissions_per_minute)
                    .allow_burst(burst(s.partner_submission_burst)),
            ),
            trusted: s
                .trusted_proxies
                .iter()
                .filter_map(|p| Net::parse(p))
                .collect(),
            max_clients: s.max_tracked_clients.max(1),
        }
    }

    /// The client a request comes from: the peer, or behind trusted proxies the nearest
    /// address in `X-Forwarded-For` that is not itself a trusted proxy.
    pub fn client(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        if !self.trusted.iter().any(|n| n.contains(peer)) {
            return peer;
        }
        let Some(chain) = forwarded_for else {
            return peer;
        };
        for hop in chain.rsplit(',') {
            match hop.trim().parse::<IpAddr>() {
                Ok(ip) if self.trusted.iter().any(|n| n.contains(ip)) => continue,
                Ok(ip) => return ip,
                // A malformed entry: stop believing the chain from here.
                Err(_) => return peer,
            }
        }
        peer
    }

    /// `Err(wait)` when the request must be refused, with how long to wait.
    pub fn check(&self, class: Class, client: IpAddr) -> Result<(), Duration> {
        let pair = match class {
            Class::Submission => &self.submission,
            Class::Page => &self.page,
        };
        if pair.client.len() >= self.max_clients {
            pair.client.retain_recent();
            pair.client.shrink_to_fit();
            if pair.client.len() >= self.max_clients {
                // Memory stays bounded: past the cap, new clients wait until old ones expire.
                return Err(Duration::from_secs(1));
            }
        }
        pair.client
            .check_key(&ClientKey::from(client))
            .map_err(wait_of)?;
        pair.global.check().map_err(wait_of)?;
        Ok(())
    }

    /// The global limit alone: for a partner's submission, whose own quota is checked once its
    /// token is known ([`RateLimits::check_partner`]).
    pub fn check_global(&self, class: Class) -> Result<(), Duration> {
        let pair = match class {
            Class::Submission => &self.submission,
            Class::Page => &self.page,
        };
        pair.global.check().map_err(wait_of)
    }

    /// A partner agency's own quota, in place of the per-client one.
    pub fn check_partner(&self, agency: &str) -> Result<(), Duration> {
        self.partner.check_key(&agency.to_string()).map_err(wait_of)
    }

    /// The per-client limit alone: charged to a request whose partner token was refused, so
    /// that bad tokens are limited like anyone.
    pub fn check_client(&self, class: Class, client: IpAddr) -> Result<(), Duration> {
        let pair = match class {
            Class::Submission => &self.submission,
            Class::Page => &self.page,
        };
        pair.client
            .check_key(&ClientKey::from(client))
            .map_err(wait_of)
    }

    pub fn tracked_clients(&self) -> usize {
        self.submission.client.len() + self.page.client.len()
    }
}

/// The middleware: classifies the request, asks the limiter, answers 429 with `Retry-After`
/// (a page for people, JSON under `/api/`).
pub async fn limit(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    use actix_web::http::{header, Method, StatusCode};
    use actix_web::{web, ResponseError};
    let path = req.path();
    let exempt =
        matches!(path, "/healthz" | "/readyz" | "/metrics") || path.starts_with("/static/");
    let state = req.app_data::<web::Data<crate::http::AppState>>().cloned();
    if let (false, Some(state)) = (exempt, state) {
        let class = if req.method() == Method::GET || req.method() == Method::HEAD {
            Class::Page
        } else {
            Class::Submission
        };
        let peer = req
            .peer_addr()
            .map(|a| a.ip())
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
        let xff = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        let client = state.limits.client(peer, xff);
        // A partner's submission has its own quota, checked once its token is known.
        let partner = class == Class::Submission
            && path == "/api/v1/submissions"
            && req.headers().contains_key(header::AUTHORIZATION);
        let verdict = if partner {
            state.limits.check_global(class)
        } else {
            state.limits.check(class, client)
        };
        if let Err(wait) = verdict {
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let secs = secs.max(1).to_string();
            state.intake.metrics().inc(
                "pisg_rate_limited_total",
                &[(
                    "class",
                    if class == Class::Page {
                        "page"
                    } else {
                        "submission"
                    },
                )],
            );
            let mut resp = if path.starts_with("/api/") {
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
                header::HeaderValue::from_str(&secs)
                    .unwrap_or(header::HeaderValue::from_static("60")),
            );
            return Ok(req.into_response(resp));
        }
    }
    next.call(req).await.map(|r| r.map_into_boxed_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> RateLimits {
        let mut s = crate::config::Settings::default().limits;
        s.submissions_per_minute = 6;
        s.submission_burst = 3;
        s.trusted_proxies = vec!["10.0.0.0/8".into(), "::1".into()];
        s.max_tracked_clients = 50;
        RateLimits::new(&s)
    }

    #[test]
    fn a_client_gets_its_burst_then_waits() {
        let l = limits();
        let ip: IpAddr = "192.0.2.7".parse().expect("ip");
        for _ in 0..3 {
            assert!(l.check(Class::Submission, ip).is_ok());
        }
        let wait = l.check(Class::Submission, ip).expect_err("limited");
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(10),
            "{wait:?}"
        );
        assert!(
            l.check(Class::Submission, "192.0.2.8".parse().expect("ip"))
                .is_ok(),
            "others are not affected"
        );
        assert!(
            l.check(Class::Page, ip).is_ok(),
            "pages have their own quota"
        );
    }

    #[test]
    fn ipv6_clients_are_one_per_64() {
        let l = limits();
        for i in 0..3 {
            let ip: IpAddr = format!("2001:db8:1:2::{i}").parse().expect("ip");
            assert!(l.check(Class::Submission, ip).is_ok());
        }
        assert!(l
            .check(
                Class::Submission,
                "2001:db8:1:2:ffff::1".parse().expect("ip")
            )
            .is_err());
        assert!(l
            .check(Class::Submission, "2001:db8:1:3::1".parse().expect("ip"))
            .is_ok());
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let l = limits();
        let outsider: IpAddr = "198.51.100.1".parse().expect("ip");
        let proxy: IpAddr = "10.1.2.3".parse().expect("ip");
        assert_eq!(l.client(outsider, Some("203.0.113.9")), outsider);
        assert_eq!(
            l.client(proxy, Some("203.0.113.9, 10.9.9.9")),
            "203.0.113.9".parse::<IpAddr>().expect("ip")
        );
        assert_eq!(l.client(proxy, Some("garbage")), proxy);
        assert_eq!(l.client(proxy, None), proxy);
    }

    #[test]
    fn a_flood_of_distinct_addresses_stays_within_the_cap() {
        let l = limits();
        let mut refused = 0;
        for i in 0..10_000u32 {
            let ip = IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            if l.check(Class::Page, ip).is_err() {
                refused += 1;
            }
        }
        assert!(l.tracked_clients() <= 50, "{}", l.tracked_clients());
        assert!(refused > 0);
    }

    #[test]
    fn cidr_blocks_match() {
        let n = Net::parse("192.168.0.0/16").expect("net");
        assert!(n.contains("192.168.200.1".parse().expect("ip")));
        assert!(!n.contains("192.169.0.1".parse().expect("ip")));
        assert!(Net::parse("10.0.0.0/33").is_none());
        assert!(Net::parse("nonsense").is_none());
    }
}
