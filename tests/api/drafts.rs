//! Drafts only the browser can open, post/redirect/get, and Exit: a journey's answers are kept
//! on the server sealed under a key that exists only in the browser's cookie; every press is a
//! 303 to the next step's own URL; Exit deletes the draft and the cookie.

use crate::helpers::*;
use pis_gateway::http::clock::{Clock, ManualTime};
use std::sync::Arc;
use std::time::Duration;

/// What a person types on the second page: the words must never be readable at rest.
const CANARY: &str = "zzdraftcanary the man in the grey van waits by the school gate";

const START: u64 = 1_800_000_000;

/// The first two pages sent, as a browser sends them; returns the second post's response.
pub(crate) async fn first_two_pages(app: &TestApp) -> Raw {
    let first = app.get("/forms/community").await;
    let token = extract_token(&first.body).expect("token");
    let gate = app
        .post_step(
            "/forms/community/before_you_start",
            &[
                ("_token", &token),
                ("_action", "continue"),
                ("gate.immediate_danger", "no"),
                ("gate.crime_against_you", "no"),
            ],
        )
        .await;
    assert_eq!(gate.status, 303, "{}", gate.body);
    assert_eq!(
        gate.location.as_deref(),
        Some("/forms/community/what_is_worrying_you")
    );
    let cookie = gate
        .set_cookies
        .iter()
        .find(|c| c.starts_with("pisg_draft="))
        .expect("the draft's key is set in a cookie");
    for attribute in [
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Path=/forms/community",
    ] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert!(
        !cookie.contains("Expires") && !cookie.contains("Max-Age"),
        "a session cookie, gone when the browser closes: {cookie}"
    );
    let worry = app
        .post_step(
            "/forms/community/what_is_worrying_you",
            &[
                ("_token", &token),
                ("_action", "continue"),
                ("worry_type", "PEOPLE_COMING_AND_GOING"),
                ("what_happened", CANARY),
                ("when_known", "ONGOING"),
                ("when-month", "10"),
                ("when-year", "2026"),
            ],
        )
        .await;
    assert_eq!(worry.status, 303, "{}", worry.body);
    assert_eq!(
        worry.location.as_deref(),
        Some("/forms/community/where_it_happened"),
        "{}",
        app.get("/forms/community/what_is_worrying_you").await.body
    );
    assert!(
        worry.set_cookies.is_empty(),
        "the key is set once, when the draft is made"
    );
    worry
}

/// Every byte of the spool's files.
fn spool_bytes(app: &TestApp) -> Vec<u8> {
    let dir = app.dir.path().join("spool");
    let mut all = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("spool dir") {
        let path = entry.expect("entry").path();
        if path.is_file() {
            all.extend(std::fs::read(&path).expect("read"));
        }
    }
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[actix_web::test]
async fn a_draft_is_sealed_in_the_spool_and_opens_only_with_the_browsers_cookie() {
    let app = spawn_app().await;
    let worry = first_two_pages(&app).await;
    assert_eq!(
        worry.location.as_deref(),
        Some("/forms/community/where_it_happened")
    );
    // The spool holds one draft, and nowhere in its files are the words typed.
    let (drafts, sealed): (i64, Vec<u8>) = app
        .db()
        .query_row("SELECT COUNT(*), MAX(sealed) FROM drafts", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .expect("drafts");
    assert_eq!(drafts, 1);
    assert!(!contains(&sealed, "zzdraftcanary"));
    assert!(!contains(&spool_bytes(&app), "zzdraftcanary"));

    // With the cookie, the page shows what was typed (a GET of the step's own URL), and no
    // page carries another page's answers.
    let page = app.get("/forms/community/what_is_worrying_you").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(CANARY), "{}", page.body);
    // Journey pages are never stored by the browser or anything between.
    for path in [
        "/forms/community",
        "/forms/community/what_is_worrying_you",
        "/forms/community/where_it_happened",
    ] {
        let raw = app.get_raw(path).await;
        assert_eq!(
            raw.headers
                .get("cache-control")
                .and_then(|v| v.to_str().ok()),
            Some("no-store"),
            "{path}"
        );
    }
    let next = app.get("/forms/community/where_it_happened").await;
    assert!(!next.body.contains("zzdraftcanary"));
    assert_eq!(
        next.body.matches("type=\"hidden\"").count(),
        1,
        "the form token is the page's only hidden input"
    );

    // Without the cookie, or with another key, nothing can be found: the start page.
    let kept = app.swap_jar(Default::default());
    let raw = app.get_raw("/forms/community/what_is_worrying_you").await;
    assert_eq!(raw.status, 303);
    assert_eq!(raw.location.as_deref(), Some("/forms/community"));
    let start = app.get("/forms/community").await;
    assert!(!start.body.contains("zzdraftcanary"));
    let mut forged = std::collections::HashMap::new();
    forged.insert(
        "community".to_string(),
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_string(),
    );
    app.swap_jar(forged);
    let raw = app.get_raw("/forms/community/what_is_worrying_you").await;
    assert_eq!(raw.location.as_deref(), Some("/forms/community"));
    app.swap_jar(kept);

    // A post with the cookie still needs the form's token, and a same-site origin.
    let no_token = app
        .post_step(
            "/forms/community/where_it_happened",
            &[("_action", "continue")],
        )
        .await;
    assert_eq!(no_token.status, 403);
    let origin = format!("https://localhost:{}", app.port);
    let cross = app
        .post_unfollowed(
            "/forms/community/where_it_happened",
            "application/x-www-form-urlencoded",
            b"_action=continue".to_vec(),
            &[
                ("Origin", "https://evil.example"),
                ("Sec-Fetch-Site", "cross-site"),
            ],
        )
        .await;
    assert_eq!(cross.status, 403, "{origin}");
    assert_eq!(app.count(), 0);
}

#[actix_web::test]
async fn back_and_forward_are_gets_and_every_press_is_a_303() {
    let app = spawn_app().await;
    let token = extract_token(&app.get("/forms/community").await.body).expect("token");
    first_two_pages(&app).await;
    // Back from the third page: a 303 to the second, answers intact; no resubmission.
    let back = app
        .post_step(
            "/forms/community/where_it_happened",
            &[
                ("_token", &token),
                ("_action", "back"),
                ("places[0].town", "Acomb"),
            ],
        )
        .await;
    assert_eq!(back.status, 303);
    assert_eq!(
        back.location.as_deref(),
        Some("/forms/community/what_is_worrying_you")
    );
    // A refresh (the same GET again) shows the same answers.
    for _ in 0..2 {
        let page = app.get("/forms/community/what_is_worrying_you").await;
        assert!(page.body.contains(CANARY));
    }
    let forward = app.get("/forms/community/where_it_happened").await;
    assert!(forward.body.contains("value=\"Acomb\""), "{}", forward.body);
    // Problems: a 303 back to the same page, which shows them.
    let empty = app
        .post_step(
            "/forms/community/where_it_happened",
            &[
                ("_token", &token),
                ("_action", "continue"),
                ("places[0].postcode", "not a postcode"),
            ],
        )
        .await;
    assert_eq!(empty.status, 303);
    assert_eq!(
        empty.location.as_deref(),
        Some("/forms/community/where_it_happened")
    );
    let shown = app.get("/forms/community/where_it_happened").await;
    assert!(shown.body.contains("There is a problem"));
    // Add another: a 303 to the new entry's first box.
    let add = app
        .post_step(
            "/forms/community/where_it_happened",
            &[
                ("_token", &token),
                ("_action", "add:places"),
                ("places[0].town", "Acomb"),
            ],
        )
        .await;
    assert_eq!(add.status, 303);
    assert_eq!(
        add.location.as_deref(),
        Some("/forms/community/where_it_happened#f-places[1].street_or_landmark")
    );
    let page = app.get("/forms/community/where_it_happened").await;
    assert!(page.body.contains("id=\"f-places[1].street_or_landmark\""));
    // Remove the first: lands on the entry that took its place.
    let remove = app
        .post_step(
            "/forms/community/where_it_happened",
            &[
                ("_token", &token),
                ("_action", "remove:places:0"),
                ("places[0].town", "Acomb"),
                ("places[1].town", "Selby"),
            ],
        )
        .await;
    assert_eq!(
        remove.location.as_deref(),
        Some("/forms/community/where_it_happened#f-places[0].street_or_landmark")
    );
    let page = app.get("/forms/community/where_it_happened").await;
    assert!(page.body.contains("value=\"Selby\"") && !page.body.contains("value=\"Acomb\""));
}

#[actix_web::test]
async fn exit_deletes_the_draft_and_the_cookie_and_a_stale_page_shows_only_the_start() {
    let app = spawn_app().await;
    first_two_pages(&app).await;
    let stale = app.swap_jar(Default::default());
    app.swap_jar(stale.clone());
    // Exit from any page: each form's exit in turn, then the neutral site.
    let mut at = "/exit".to_string();
    let mut hops = Vec::new();
    let mut removed = false;
    while at.starts_with('/') {
        let exit = app.get_raw(&at).await;
        assert_eq!(exit.status, 303, "{at}");
        removed |= exit
            .set_cookies
            .iter()
            .any(|c| c.starts_with("pisg_draft=;") && c.contains("Max-Age=0"));
        hops.push(at);
        at = exit.location.expect("a 303 says where");
    }
    assert_eq!(at, "https://www.bbc.co.uk/weather");
    assert_eq!(
        hops,
        ["/exit", "/forms/community/exit", "/forms/professional/exit"]
    );
    assert!(removed, "the draft's cookie is removed");
    assert!(app.cookie_for("/forms/community").is_none());
    let drafts: i64 = app
        .db()
        .query_row("SELECT COUNT(*) FROM drafts", [], |r| r.get(0))
        .expect("count");
    assert_eq!(drafts, 0, "the draft is deleted on the server");
    // Back, even by a browser that kept the old key: nothing but the start.
    app.swap_jar(stale);
    for path in [
        "/forms/community/where_it_happened",
        "/forms/community/what_is_worrying_you",
        "/forms/community",
    ] {
        let page = app.get(path).await;
        assert_eq!(page.status, 200);
        assert!(!page.body.contains("zzdraftcanary"), "{path}");
        assert!(
            page.body.contains("name=\"gate.immediate_danger\""),
            "{path}"
        );
    }
}

#[actix_web::test]
async fn a_draft_idle_for_draft_minutes_is_gone() {
    let time = Arc::new(ManualTime::new(START));
    let app = spawn_app_with_clock(|s| s.forms.draft_minutes = 10, Clock::new(time.clone())).await;
    first_two_pages(&app).await;
    time.advance(Duration::from_secs(9 * 60));
    let page = app.get("/forms/community/what_is_worrying_you").await;
    assert!(page.body.contains(CANARY), "still live after 9 minutes");
    time.advance(Duration::from_secs(2 * 60));
    let raw = app.get_raw("/forms/community/what_is_worrying_you").await;
    assert_eq!(raw.status, 303, "gone after 10 minutes without a page sent");
    assert_eq!(raw.location.as_deref(), Some("/forms/community"));
}
