//! The browser journey: fetch a form, fill it in, post it with its token, read the reference.

use crate::helpers::*;

fn fields_with_token(answers: &serde_json::Value, token: &str) -> Vec<(String, String)> {
    let mut f = as_form_fields(answers);
    f.push(("_token".into(), token.into()));
    f
}

async fn post_owned(app: &TestApp, form: &str, fields: &[(String, String)]) -> Page {
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    app.post_form(form, &borrowed).await
}

#[actix_web::test]
async fn a_community_report_from_the_browser_form_is_sealed_for_police_intelligence() {
    let app = spawn_app().await;
    let token = app.form_token("community").await;
    let page = post_owned(
        &app,
        "community",
        &fields_with_token(&community_answers(), &token),
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Information sent"), "{}", page.body);
    let reference = extract_reference(&page.body).expect("reference shown");

    let doc = app.open(&reference);
    assert_eq!(doc["schema"], "pis-gateway/submission/v1");
    assert_eq!(doc["reference"], reference.as_str());
    assert_eq!(doc["form"], "community");
    assert_eq!(doc["priority"], "ROUTINE");
    let a = &doc["answers"];
    assert_eq!(a["places"][0]["postcode"], "YO24 3BZ");
    assert_eq!(a["when"], "2026-10");
    assert_eq!(a["risk_to_you"], "yes");
    assert_eq!(
        a["worry_type"],
        serde_json::json!(["PEOPLE_COMING_AND_GOING"])
    );
    // Every answer given arrived.
    for key in community_answers().as_object().expect("object").keys() {
        assert!(
            a.get(key).is_some(),
            "{key} missing from the sealed document"
        );
    }
}

#[actix_web::test]
async fn a_professional_report_with_every_section_arrives_whole() {
    let app = spawn_app().await;
    let token = app.form_token("professional").await;
    let page = post_owned(
        &app,
        "professional",
        &fields_with_token(&professional_answers(), &token),
    )
    .await;
    assert_eq!(page.status, 200);
    let reference =
        extract_reference(&page.body).unwrap_or_else(|| panic!("no reference in {}", page.body));
    let a = app.open(&reference)["answers"].clone();
    for key in professional_answers().as_object().expect("object").keys() {
        assert!(a.get(key).is_some(), "{key} missing");
    }
    assert_eq!(a["people"].as_array().map(Vec::len), Some(2));
    assert_eq!(a["vehicles"][0]["registration"], "YX21KCD");
    assert_eq!(a["submitter.phone"], "+441904123456");
    assert_eq!(a["submitter.work_email"], "dsl@example.sch.uk");
    assert_eq!(a["details"].as_str().map(|s| s.contains('\r')), Some(false));
}

#[actix_web::test]
async fn sending_the_same_page_twice_gives_the_same_reference_and_one_copy() {
    let app = spawn_app().await;
    let token = app.form_token("community").await;
    let fields = fields_with_token(&community_answers(), &token);
    let first =
        extract_reference(&post_owned(&app, "community", &fields).await.body).expect("first");
    let again = post_owned(&app, "community", &fields).await;
    assert_eq!(
        extract_reference(&again.body).as_deref(),
        Some(first.as_str())
    );
    assert!(again.body.contains("already been sent"));
    assert_eq!(app.count(), 1);
}

#[actix_web::test]
async fn a_missing_forged_or_cross_site_token_is_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let answers = as_form_fields(&community_answers());
    let no_token = post_owned(&app, "community", &answers).await;
    assert_eq!(no_token.status, 403);

    let token = app.form_token("community").await;
    let forged = format!("{}x", &token[..token.len() - 1]);
    assert_eq!(
        post_owned(
            &app,
            "community",
            &fields_with_token(&community_answers(), &forged)
        )
        .await
        .status,
        403
    );

    let other_form = app.form_token("professional").await;
    assert_eq!(
        post_owned(
            &app,
            "community",
            &fields_with_token(&community_answers(), &other_form)
        )
        .await
        .status,
        403
    );

    let body = serde_urlencoded::to_string(fields_with_token(&community_answers(), &token))
        .expect("encode");
    let cross = app
        .post_raw(
            "/forms/community",
            "application/x-www-form-urlencoded",
            body.into_bytes(),
            &[
                ("Origin", "https://evil.example"),
                ("Sec-Fetch-Site", "cross-site"),
            ],
        )
        .await;
    assert_eq!(cross.status, 403);
    assert_eq!(app.count(), 0);
}

/// The error summary of a page: the text between its title and the end of its list.
fn error_summary(body: &str) -> &str {
    let start = body.find("There is a problem").expect("error summary");
    let end = body[start..].find("</ul>").expect("summary list") + start;
    &body[start..end]
}

#[actix_web::test]
async fn errors_are_summarised_linked_to_their_fields_and_never_echoed_in_messages() {
    let app = spawn_app().await;
    let token = app.form_token("community").await;
    let canary = "zz-canary-<script>alert(1)</script>";
    // Each page checks its own questions.
    let worry = app
        .post_form(
            "community",
            &[
                ("_token", &token),
                ("_step", "what_is_worrying_you"),
                ("_action", "continue"),
                ("what_happened", "short"),
                ("when_known", "ON_DATE"),
                ("when-day", "31"),
                ("when-month", "02"),
                ("when-year", "2026"),
            ],
        )
        .await;
    assert_eq!(worry.status, 200);
    assert!(
        worry.body.contains("<title>Error: "),
        "title marks the error"
    );
    let summary = error_summary(&worry.body);
    for anchor in ["#f-what_happened", "#f-when-day"] {
        assert!(
            summary.contains(anchor),
            "summary lacks {anchor}: {summary}"
        );
    }
    assert!(
        !summary.contains("#f-gate"),
        "another page's questions are not this page's problems"
    );

    let place = app
        .post_form(
            "community",
            &[
                ("_token", &token),
                ("_step", "where_it_happened"),
                ("_action", "continue"),
                ("places[0].postcode", canary),
            ],
        )
        .await;
    let summary = error_summary(&place.body);
    assert!(summary.contains("#f-places[0].postcode"), "{summary}");
    assert!(!summary.contains("zz-canary"), "a message echoed the value");
    // The raw script never appears unescaped anywhere on the page.
    assert!(!place.body.contains("<script>alert(1)</script>"));
    // What the submitter typed is kept (escaped) so they can correct it.
    assert!(place.body.contains("zz-canary-&lt;script&gt;"));

    // Sending everything at once with a problem shows the first page that has one.
    let whole = app
        .post_form(
            "community",
            &[("_token", &token), ("gate.immediate_danger", "maybe")],
        )
        .await;
    let summary = error_summary(&whole.body);
    assert!(summary.contains("#f-gate.immediate_danger-0"), "{summary}");
    // (Attribute values are HTML-escaped, '/' included.)
    assert!(whole
        .body
        .contains(&"action=\"/forms/community/before_you_start\"".replace('/', "&#x2f;")));
    assert_eq!(app.count(), 0);
}

#[actix_web::test]
async fn add_another_keeps_the_answers_and_adds_an_empty_item_and_remove_takes_one_out() {
    let app = spawn_app().await;
    let token = app.form_token("community").await;
    let page = app
        .post_form(
            "community",
            &[
                ("_token", &token),
                ("_step", "people_vehicles_and_phones"),
                ("_action", "add:people"),
                ("what_happened", "Typed before adding a person"),
                ("people[0].name", "Tee"),
            ],
        )
        .await;
    assert_eq!(page.status, 200);
    assert!(
        !page.body.contains("There is a problem"),
        "no errors on add"
    );
    assert!(
        page.body.contains("name=\"people[1].name\""),
        "second person slot"
    );
    assert!(
        !page.body.contains("Typed before adding a person"),
        "no page carries another page's answers"
    );
    // The first is summarised now, the new one open.
    assert!(page
        .body
        .contains("<dt class=\"govuk-summary-list__key\">Person 1</dt>"));
    assert!(page.body.contains(">Tee</dd>"), "{}", page.body);

    let removed = app
        .post_form(
            "community",
            &[
                ("_token", &token),
                ("_step", "people_vehicles_and_phones"),
                ("_action", "remove:people:0"),
                ("people[0].name", "Tee"),
                ("people[1].name", "Jay"),
                ("people[2].name", "Kay"),
            ],
        )
        .await;
    assert!(!removed.body.contains("value=\"Tee\""), "the first is gone");
    assert!(
        removed
            .body
            .contains("name=\"people[0].name\" type=\"text\"")
            || removed.body.contains("name=\"people[0].name\"")
    );
    // The entry that took the first one's place is open; the other is summarised after it.
    let jay = removed.body.find("value=\"Jay\"").expect("Jay kept");
    let kay = removed
        .body
        .find("<dt class=\"govuk-summary-list__key\">Person 2</dt>")
        .expect("Kay kept");
    assert!(removed.body[kay..].contains("Kay"));
    assert!(jay < kay, "order kept");
    assert!(
        !removed.body.contains("name=\"people[2].name\""),
        "renumbered"
    );
    assert_eq!(app.count(), 0);
}

#[actix_web::test]
async fn wrong_content_types_oversized_bodies_and_unknown_forms_get_4xx() {
    let app = spawn_app().await;
    let json = app
        .post_raw("/forms/community", "application/json", b"{}".to_vec(), &[])
        .await;
    assert_eq!(json.status, 415);
    let big = vec![b'a'; 300 * 1024];
    let too_big = app
        .post_raw(
            "/forms/community",
            "application/x-www-form-urlencoded",
            big,
            &[],
        )
        .await;
    assert_eq!(too_big.status, 413);
    assert!(too_big.body.contains("too long"));
    assert_eq!(app.get("/forms/nope").await.status, 404);
    assert_eq!(app.get("/no/such/page").await.status, 404);
}

#[actix_web::test]
async fn an_immediate_report_tells_the_submitter_to_call_999() {
    let app = spawn_app().await;
    let token = app.form_token("community").await;
    let mut answers = community_answers();
    answers["gate.immediate_danger"] = "yes".into();
    let page = post_owned(&app, "community", &fields_with_token(&answers, &token)).await;
    assert!(page.body.contains("call 999 now"), "{}", page.body);
    let reference = extract_reference(&page.body).expect("reference");
    let doc = app.open(&reference);
    assert_eq!(doc["priority"], "IMMEDIATE");
    assert_eq!(doc["reason_codes"], serde_json::json!(["gate_danger_now"]));
    let routes: Vec<String> = app
        .db()
        .prepare("SELECT route FROM deliveries WHERE submission = (SELECT id FROM submissions WHERE reference = ?1) ORDER BY route")
        .and_then(|mut st| st.query_map([&reference], |r| r.get(0))?.collect())
        .expect("deliveries");
    assert_eq!(routes, vec!["control_room", "police_intelligence"]);
}

#[actix_web::test]
async fn the_gate_comes_first_and_danger_interrupts_with_999_then_lets_them_continue() {
    let app = spawn_app().await;
    let gate = app.get("/forms/community").await;
    assert!(gate.body.contains("name=\"gate.immediate_danger\""));
    assert!(
        !gate.body.contains("name=\"what_happened\""),
        "only the gate questions come first"
    );
    let token = extract_token(&gate.body).expect("token");
    let step = [("_step", "before_you_start"), ("_action", "continue")];

    let calm = app
        .post_form(
            "community",
            &[
                &[
                    ("_token", token.as_str()),
                    ("gate.immediate_danger", "no"),
                    ("gate.crime_against_you", "no"),
                ][..],
                &step,
            ]
            .concat(),
        )
        .await;
    assert!(
        calm.body.contains("name=\"what_happened\""),
        "no danger: straight on to the next page"
    );
    assert!(!calm.body.contains("Call 999 now"));

    let unanswered = app
        .post_form(
            "community",
            &[&[("_token", token.as_str())][..], &step].concat(),
        )
        .await;
    assert!(unanswered.body.contains("There is a problem"));
    assert!(!unanswered.body.contains("name=\"what_happened\""));

    let danger = app
        .post_form(
            "community",
            &[
                &[
                    ("_token", token.as_str()),
                    ("gate.immediate_danger", "not_sure"),
                    ("gate.crime_against_you", "no"),
                ][..],
                &step,
            ]
            .concat(),
        )
        .await;
    assert!(danger.body.contains("Call 999 now"), "{}", danger.body);
    assert!(danger.body.contains("emergencySMS") && danger.body.contains("18000"));
    assert!(
        !danger.body.contains("name=\"gate.immediate_danger\""),
        "no answers ride along in the page"
    );
    assert_eq!(app.count(), 0, "nothing is sent by the gate step");

    let form = app
        .post_form(
            "community",
            &[
                ("_token", &token),
                ("_step", "gate_ack"),
                ("_action", "continue"),
                ("gate.immediate_danger", "not_sure"),
                ("gate.crime_against_you", "no"),
            ],
        )
        .await;
    assert!(form.body.contains("name=\"what_happened\""));
    // The gate answer is kept in the draft: the first page shows it chosen again.
    let back = app.get("/forms/community").await;
    assert!(
        back.body.contains("value=\"not_sure\" checked"),
        "the gate answer is kept"
    );
}

#[actix_web::test]
async fn a_professional_about_a_specific_child_is_told_to_make_a_referral() {
    let app = spawn_app().await;
    let token = app.form_token("professional").await;
    let page = post_owned(
        &app,
        "professional",
        &fields_with_token(&professional_answers(), &token),
    )
    .await;
    assert!(
        page.body
            .contains("You should also make a safeguarding referral"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("0300 131 2 131"),
        "contacts come from config"
    );
}

#[actix_web::test]
async fn pages_carry_the_security_headers() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/forms/community"))
        .send()
        .await
        .expect("GET");
    let h = res.headers();
    assert_eq!(
        h.get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    assert!(h
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("default-src 'none'") && !v.contains("unsafe-inline")));
    assert!(h.get("strict-transport-security").is_some());
    assert_eq!(
        h.get("x-frame-options").and_then(|v| v.to_str().ok()),
        Some("DENY")
    );
    assert!(h.get("server").is_none());
}

#[actix_web::test]
async fn the_accessibility_statement_privacy_notice_and_exit_this_page_are_served() {
    let app = spawn_app().await;
    let a11y = app.get("/accessibility").await;
    assert_eq!(a11y.status, 200);
    assert!(a11y.body.contains("WCAG") && a11y.body.contains("2.2"));
    let privacy = app.get("/privacy").await;
    assert_eq!(privacy.status, 200);
    assert!(privacy.body.contains("30 days") && privacy.body.contains("90 days"));
    assert!(privacy.body.contains("do not record your IP address"));
    let home = app.get("/").await;
    assert!(
        home.body.contains("href=\"/accessibility\"") && home.body.contains("href=\"/privacy\"")
    );
    for number in [
        "0800 1111",
        "0808 800 5000",
        "ceop.police.uk",
        "0800 555 111",
    ] {
        assert!(home.body.contains(number), "signposting lacks {number}");
    }

    let community = app.get("/forms/community").await;
    // The one script, by its fingerprinted name (app.<hash>.js).
    let script = community
        .body
        .split("<script src=\"/static/app.")
        .nth(1)
        .expect("the script is loaded");
    assert!(
        script.starts_with(|c: char| c.is_ascii_hexdigit()),
        "{script}"
    );
    assert!(script.contains(".js\" defer></script>"), "{script}");
    assert!(community
        .body
        .contains("data-module=\"govuk-exit-this-page\""));
    // Exit goes through the gateway's exit, which deletes every draft first.
    assert!(community.body.contains("href=\"/exit\""));
    assert!(home.body.contains("href=\"/exit\""));
    assert!(home.body.contains("href=\"/hide-your-visit\""));
    assert!(!community.body.contains("<script>"), "no inline script");
    let professional = app.get("/forms/professional").await;
    assert!(!professional.body.contains("govuk-exit-this-page"));
    for (file, kind, needle) in [
        ("app.js", "text/javascript", "govuk-exit-this-page"),
        ("govuk-frontend.css", "text/css", ".govuk-exit-this-page"),
    ] {
        let mut res = app
            .client
            .get(app.url(&format!("/static/{file}")))
            .send()
            .await
            .expect("GET");
        assert_eq!(res.status().as_u16(), 200);
        assert!(res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with(kind)));
        let body = res.body().limit(1 << 20).await.expect("body");
        let text = String::from_utf8_lossy(&body);
        assert!(text.contains(needle), "{file} lacks {needle}");
        assert!(!text.contains("GDS Transport"), "{file} names the GDS font");
    }
}

#[actix_web::test]
async fn a_same_origin_post_with_origin_null_is_accepted_and_a_cross_site_one_is_not() {
    // Browsers send `Origin: null` for a form post from a page with a strict referrer policy;
    // `Sec-Fetch-Site` (which no page can set) tells where it came from.
    let app = spawn_app().await;
    let token = app.form_token("community").await;
    let body = serde_urlencoded::to_string(fields_with_token(&community_answers(), &token))
        .expect("encode");
    let app = &app;
    let post = |site: &'static str| {
        let body = body.clone();
        async move {
            app.post_raw(
                "/forms/community",
                "application/x-www-form-urlencoded",
                body.into_bytes(),
                &[("Origin", "null"), ("Sec-Fetch-Site", site)],
            )
            .await
        }
    };
    assert_eq!(post("cross-site").await.status, 403);
    assert_eq!(post("same-site").await.status, 403);
    assert_eq!(app.count(), 0);
    let ok = post("same-origin").await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert!(extract_reference(&ok.body).is_some());
    // Without Sec-Fetch-Site (an older browser), `Origin: null` is still refused.
    let old = app
        .post_raw(
            "/forms/community",
            "application/x-www-form-urlencoded",
            body.into_bytes(),
            &[("Origin", "null")],
        )
        .await;
    assert_eq!(old.status, 403);
}
