use super::*;
use crate::http::clock::{ManualTime, Time};
use std::sync::Arc;

fn ip(s: &str) -> IpAddr {
    s.parse().expect("ip")
}

fn settings() -> LimitSettings {
    let mut s = crate::config::Settings::default().limits;
    s.submissions_per_minute = 6;
    s.submission_burst = 3;
    s.trusted_proxies = vec!["10.0.0.0/8".into(), "::1".into()];
    s.max_tracked_clients = 50;
    s
}

fn limits_at(s: &LimitSettings) -> (RateLimits, Arc<ManualTime>) {
    let time = Arc::new(ManualTime::new(1_800_000_000));
    (RateLimits::new(s, Clock::new(time.clone())), time)
}

#[test]
fn a_client_gets_its_burst_then_waits() {
    let (l, time) = limits_at(&settings());
    let me = ip("192.0.2.7");
    for _ in 0..3 {
        assert!(l.check(Class::Send, me).is_ok());
    }
    let wait = l.check(Class::Send, me).expect_err("limited");
    assert_eq!(wait, Duration::from_secs(10), "one send every 10 s");
    assert!(
        l.check(Class::Send, ip("192.0.2.8")).is_ok(),
        "others are not affected"
    );
    assert!(
        l.check(Class::Page, me).is_ok(),
        "pages have their own quota"
    );
    assert!(
        l.check(Class::Navigation, me).is_ok(),
        "and so does moving through a form"
    );
    time.advance(Duration::from_secs(10));
    assert!(l.check(Class::Send, me).is_ok(), "refilled");
}

#[test]
fn ipv6_clients_are_one_per_64_and_share_their_56_and_48() {
    let mut s = settings();
    s.ipv6_56_clients = 2;
    s.ipv6_48_clients = 3;
    let (l, _) = limits_at(&s);
    for i in 0..3 {
        assert!(l
            .check(Class::Send, ip(&format!("2001:db8:1:200::{i}")))
            .is_ok());
    }
    assert!(
        l.check(Class::Send, ip("2001:db8:1:200:ffff::1")).is_err(),
        "one /64 is one client"
    );
    // Another /64 in the same /56: its own quota until the /56 (2 clients' worth) is spent.
    for i in 0..3 {
        assert!(l
            .check(Class::Send, ip(&format!("2001:db8:1:201::{i}")))
            .is_ok());
    }
    assert!(
        l.check(Class::Send, ip("2001:db8:1:2ff::1")).is_err(),
        "the /56 is spent"
    );
    // A fresh /56 in the same /48 gets one client's worth more: the /48 holds three.
    for i in 0..3 {
        assert!(l
            .check(Class::Send, ip(&format!("2001:db8:1:300::{i}")))
            .is_ok());
    }
    assert!(
        l.check(Class::Send, ip("2001:db8:1:400::1")).is_err(),
        "the /48 is spent"
    );
    assert!(
        l.check(Class::Send, ip("2001:db8:2::1")).is_ok(),
        "another /48 is someone else"
    );
}

#[test]
fn a_flood_of_distinct_addresses_never_locks_out_a_new_client() {
    let mut s = settings();
    s.global_pages_per_second = 1_000_000;
    let (l, _) = limits_at(&s);
    for i in 0..10_000u32 {
        let ip = IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 + i));
        assert!(l.check(Class::Page, ip).is_ok(), "client {i} refused");
    }
    assert!(l.tracked_clients() <= 50, "{}", l.tracked_clients());
    assert!(l.check(Class::Page, ip("192.0.2.1")).is_ok());
    // A flooder seen all along keeps its (spent) bucket while the newcomers churn.
    let flooder = ip("198.51.100.9");
    let (l, _) = limits_at(&settings());
    while l.check(Class::Send, flooder).is_ok() {}
    for i in 0..1000u32 {
        let _ = l.check(
            Class::Send,
            IpAddr::from(std::net::Ipv4Addr::from(0x0b00_0000 + i)),
        );
        assert!(l.check(Class::Send, flooder).is_err(), "forgotten at {i}");
    }
}

#[test]
fn a_journey_begun_before_a_surge_can_still_be_sent_during_it() {
    let mut s = settings();
    s.submissions_per_minute = 100_000;
    s.submission_burst = 100_000;
    s.global_submissions_per_second = 4;
    s.reserved_submissions_per_second = 2;
    let (l, time) = limits_at(&s);
    let before = time.unix();
    time.advance(Duration::from_secs(30));
    let flooder = ip("198.51.100.1");
    assert!(l.check_send(flooder, None).is_ok());
    assert!(l.check_send(flooder, None).is_ok());
    assert!(
        l.check_send(flooder, None).is_err(),
        "the open quota is spent"
    );
    let during = time.unix();
    assert!(
        l.check_send(ip("192.0.2.2"), Some(during)).is_err(),
        "a page served during the surge waits like everyone else"
    );
    assert!(l.check_send(ip("192.0.2.3"), Some(before)).is_ok());
    assert!(l.check_send(ip("192.0.2.4"), Some(before)).is_ok());
    assert!(
        l.check_send(ip("192.0.2.5"), Some(before)).is_err(),
        "the reserve is bounded too"
    );
    // Long after the surge, a new one: pages served in the calm before it are "before".
    time.advance(Duration::from_secs(SURGE_CALM_SECS + 5));
    let calm = time.unix();
    time.advance(Duration::from_secs(1));
    while l.check_send(flooder, None).is_ok() {}
    assert!(l.check_send(ip("192.0.2.6"), Some(calm)).is_ok());
}

#[test]
fn a_refused_credential_costs_its_sender_is_held_then_forgiven_and_never_spends_the_public_quota() {
    let mut s = settings();
    s.global_submissions_per_second = 4;
    s.reserved_submissions_per_second = 0;
    let (l, time) = limits_at(&s);
    let flooder = ip("203.0.113.66");
    for _ in 0..3 {
        assert!(l.check_unverified(flooder).is_ok());
        assert!(l.charge_refused_credential(flooder).is_ok());
    }
    let wait = l.charge_refused_credential(flooder).expect_err("spent");
    assert_eq!(
        l.check_unverified(flooder),
        Err(wait),
        "held, not looked up"
    );
    assert!(
        l.check_unverified(ip("192.0.2.1")).is_ok(),
        "others are not held"
    );
    for i in 1..=4 {
        assert!(
            l.check_send(ip(&format!("198.51.100.{i}")), None).is_ok(),
            "genuine client {i}"
        );
    }
    assert!(
        l.check_partner("agency").is_err(),
        "a partner, too, waits once the public has spent the global quota"
    );
    time.advance(wait);
    assert!(
        l.check_unverified(flooder).is_ok(),
        "forgiven once refilled"
    );
}
