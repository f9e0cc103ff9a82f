//! The professional's sitting: questions asked only where they apply (a child's school is not
//! asked about an adult), people picked from those entered, the task list, a copy to keep, and
//! an honest estimate of the time it takes.

use crate::helpers::*;
use serde_json::json;

const PEOPLE: &str = "/forms/professional/people_involved";

/// Posts the People page as a browser would, and returns the page it lands on.
async fn post_people(app: &TestApp, token: &str, fields: &[(&str, &str)], action: &str) -> Page {
    let mut all = vec![("_token", token), ("_action", action)];
    all.extend_from_slice(fields);
    let raw = app.post_step(PEOPLE, &all).await;
    assert_eq!(raw.status, 303, "{}", raw.body);
    let to = raw.location.expect("a 303 says where");
    app.get(to.split('#').next().unwrap_or(&to)).await
}

#[actix_web::test]
async fn child_only_questions_are_not_asked_about_an_adult_nor_kept() {
    let app = spawn_app().await;
    let token = app.form_token("professional").await;
    let page = post_people(
        &app,
        &token,
        &[
            ("people[0].role", "PERSON_POSING_RISK"),
            ("people[0].forename", "Tee"),
            // Typed (without script) into questions that turn out not to apply to an adult:
            // an answer a child's question would refuse is not checked, and nothing is kept.
            ("people[0].school_or_college", "zzhiddenschool"),
            ("people[0].looked_after", "banana"),
        ],
        // "Change" on the entry: the answers are saved and the entry stays open, whole.
        "edit:people:0",
    )
    .await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("There is a problem"), "{}", page.body);
    assert!(page.body.contains("name=\"people[0].forename\""));
    for hidden in [
        "people[0].school_or_college",
        "people[0].looked_after",
        "people[0].parents_aware",
    ] {
        assert!(
            !page.body.contains(&format!("name=\"{hidden}\"")),
            "{hidden} is not asked about an adult"
        );
    }
    assert!(
        !page.body.contains("zzhiddenschool"),
        "not kept in the draft"
    );
    // A new entry's role is not chosen yet: its child questions stay in view, saying when
    // they apply.
    let added = post_people(
        &app,
        &token,
        &[
            ("people[0].role", "PERSON_POSING_RISK"),
            ("people[0].forename", "Tee"),
        ],
        "add:people",
    )
    .await;
    assert!(added.body.contains("name=\"people[1].looked_after\""));
    assert!(added.body.contains("Only if you chose “A child at risk”"));

    // The same entry as a child: the questions are asked, and their answers kept and checked.
    let child = post_people(
        &app,
        &token,
        &[
            ("people[0].role", "CHILD_AT_RISK"),
            ("people[0].forename", "Jay"),
            ("people[0].school_or_college", "Vale School"),
            ("people[0].looked_after", "banana"),
        ],
        "continue",
    )
    .await;
    assert!(child.body.contains("There is a problem"), "{}", child.body);
    assert!(child.body.contains("value=\"Vale School\""));
    assert!(child.body.contains("name=\"people[0].parents_aware\""));
}

#[actix_web::test]
async fn the_api_ignores_answers_to_questions_an_entry_is_not_asked() {
    let app = spawn_app().await;
    let mut answers = professional_answers();
    answers["people"][1]["looked_after"] = json!("banana");
    answers["people"][1]["school_or_college"] = json!("zzadultschool");
    let (status, body) = app
        .post_json(&json!({"form": "professional", "answers": answers}))
        .await;
    assert_eq!(status, 201, "{body}");
    let doc = app.open(body["reference"].as_str().expect("reference"));
    let adult = &doc["answers"]["people"][1];
    assert!(adult.get("looked_after").is_none(), "{adult}");
    assert!(adult.get("school_or_college").is_none(), "{adult}");
    assert_eq!(doc["answers"]["people"][0]["currently_missing"], "no");

    // Asked about a child, the same answer is checked.
    answers["people"][0]["looked_after"] = json!("banana");
    let (status, body) = app
        .post_json(&json!({"form": "professional", "answers": answers}))
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body.to_string().contains("people[0].looked_after"),
        "{body}"
    );
}

#[actix_web::test]
async fn whose_is_it_offers_the_people_entered_so_far() {
    let app = spawn_app().await;
    let token = app.form_token("professional").await;
    // Before anyone is entered, a name can be typed.
    let blank = post_people(
        &app,
        &token,
        &[("phones[0].number", "07700 900123")],
        "add:people",
    )
    .await;
    assert!(blank
        .body
        .contains("<input class=\"govuk-input\" id=\"f-phones[0].linked_person\""));
    let page = post_people(
        &app,
        &token,
        &[
            ("people[0].role", "CHILD_AT_RISK"),
            ("people[0].forename", "Jay"),
            ("people[1].role", "PERSON_POSING_RISK"),
            ("people[1].aliases_nicknames", "Big T <b>"),
            ("phones[0].number", "07700 900123"),
            ("phones[0].linked_person", "typed before"),
        ],
        "add:phones",
    )
    .await;
    assert!(page
        .body
        .contains("<select class=\"govuk-select\" id=\"f-phones[0].linked_person\""));
    assert!(page
        .body
        .contains("<option value=\"Person 1: Jay\">Person 1: Jay</option>"));
    // What was typed is shown as text, never as markup.
    assert!(page.body.contains("Person 2: Big T &lt;b&gt;"));
    assert!(!page.body.contains("Big T <b>"));
    // An earlier typed answer is still on offer, chosen.
    assert!(page
        .body
        .contains("<option value=\"typed before\" selected>typed before</option>"));

    // A later page offers them too, and the choice is what is sent.
    let vehicles = app.get("/forms/professional/vehicles_seen").await;
    assert!(vehicles
        .body
        .contains("<option value=\"Person 2: Big T &lt;b&gt;\">"));
}

#[actix_web::test]
async fn the_task_list_shows_each_section_with_its_status_from_any_page() {
    let app = spawn_app().await;
    let token = app.form_token("professional").await;
    let first = app
        .post_step(
            "/forms/professional/before_you_start",
            &[
                ("_token", &token),
                ("_action", "continue"),
                ("gate.immediate_danger", "no"),
                ("urgency.now", "NONE"),
                ("urgency.soon", "NONE"),
                ("gate.specific_child", "no"),
                ("gate.radicalisation", "no"),
            ],
        )
        .await;
    assert_eq!(first.status, 303, "{}", first.body);
    // Half of a page, then "Save and view all sections": kept without being checked.
    let saved = app
        .post_step(
            "/forms/professional/about_you",
            &[
                ("_token", &token),
                ("_action", "tasks"),
                ("submitter.full_name", "Sam Lee"),
                ("submitter.work_email", "not an address"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    assert_eq!(saved.location.as_deref(), Some("/forms/professional/tasks"));
    let tasks = app.get("/forms/professional/tasks").await;
    assert_eq!(tasks.status, 200);
    let status_of = |section: &str| {
        let at = tasks
            .body
            .find(&format!("href=\"/forms/professional/{section}\""))
            .unwrap_or_else(|| panic!("no link to {section}: {}", tasks.body));
        let rest = &tasks.body[at..];
        let end = rest.find("</li>").expect("item ends");
        rest[..end].to_string()
    };
    assert!(status_of("before_you_start").contains("Completed"));
    assert!(status_of("about_you").contains("In progress"));
    assert!(status_of("people_involved").contains("Not started"));
    assert!(tasks.body.contains("You have completed 1 of"));
    assert!(!tasks.body.contains("Sam Lee"), "the list shows no answers");
    assert!(!tasks.body.contains("Check your answers and send"));
    // The page keeps what was typed, and says what is wrong only when it is continued.
    let about = app.get("/forms/professional/about_you").await;
    assert!(about.body.contains("value=\"Sam Lee\""));
    assert!(!about.body.contains("There is a problem"));
    assert!(
        about.body.contains("value=\"tasks\""),
        "reachable from every page"
    );
    // Without a draft the list is not shown: the start of the form is.
    app.swap_jar(Default::default());
    let gone = app.get_raw("/forms/professional/tasks").await;
    assert_eq!(gone.status, 303);
    assert_eq!(gone.location.as_deref(), Some("/forms/professional"));
}

/// Said at the gate that someone is in danger now, then the task list on the way: the Call 999
/// page comes again before the report goes, and leads back to the check page, where Send sends.
#[actix_web::test]
async fn after_the_task_list_danger_now_brings_the_call_999_page_back_before_sending() {
    use crate::journey::{form_action, press, Journey};
    let app = spawn_app().await;
    let mut answers = professional_answers();
    answers["gate.immediate_danger"] = json!("yes");
    let mut journey = Journey::open(&app, "professional", &answers).await;
    let mut asked = 0;
    while !journey
        .page
        .body
        .contains("Check your answers before sending")
    {
        assert!(journey.pages < 30, "no end: {}", journey.page.body);
        if journey.page.body.contains("<form data-journey")
            && form_action(&journey.page.body).ends_with("/call-999")
        {
            asked += 1;
        }
        journey.press(&app).await;
    }
    assert_eq!(asked, 1, "once, after the first page");
    // "View all sections" on the check page, and back.
    journey.lend_browser(&app);
    assert_eq!(app.get("/forms/professional/tasks").await.status, 200);
    let check = app.get("/forms/professional/check").await;
    let call = press(&app, "professional", &check.body, &[], "submit").await;
    assert!(
        form_action(&call.body).ends_with("/forms/professional/call-999"),
        "{}",
        call.body
    );
    assert!(!call.body.contains("Information sent"));
    let again = press(&app, "professional", &call.body, &[], "continue").await;
    assert!(
        again.body.contains("Check your answers before sending"),
        "{}",
        again.body
    );
    let sent = press(&app, "professional", &again.body, &[], "submit").await;
    assert!(sent.body.contains("Information sent"), "{}", sent.body);
}

/// A professional report sent page by page in its own browser, on `time`.
async fn sent_report(app: &TestApp) -> (crate::journey::Journey, String) {
    let mut journey =
        crate::journey::Journey::open(app, "professional", &professional_answers()).await;
    while journey.sent().is_none() {
        assert!(
            journey.pages < 30,
            "no end to the form: {}",
            journey.page.body
        );
        journey.press(app).await;
    }
    let reference = journey.sent().expect("sent");
    (journey, reference)
}

#[actix_web::test]
async fn a_copy_of_what_was_sent_is_shown_only_to_its_browser_for_a_short_time() {
    use pis_gateway::http::clock::{Clock, ManualTime};
    let time = std::sync::Arc::new(ManualTime::new(1_800_000_000));
    let app = spawn_app_with_clock(|s| s.forms.draft_minutes = 10, Clock::new(time.clone())).await;
    let (journey, reference) = sent_report(&app).await;
    assert!(journey
        .page
        .body
        .contains("href=\"/forms/professional/copy\">Print or save a copy"));

    journey.lend_browser(&app);
    let copy = app.get_raw("/forms/professional/copy").await;
    assert_eq!(copy.status, 200, "{}", copy.body);
    assert_eq!(
        copy.headers
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    assert!(copy
        .body
        .contains("Pupil seen collecting packages from a car outside school"));
    assert!(copy.body.contains("Person 2"));
    // The reference in the header row that repeats on every printed page.
    let head = &copy.body[copy.body.find("<thead>").expect("a frame")..];
    let head = &head[..head.find("</thead>").expect("ends")];
    assert!(head.contains(&reference), "{head}");

    // Another browser (no cookie) gets the start of the form, nothing of the report.
    let mine = app.swap_jar(Default::default());
    let other = app.get_raw("/forms/professional/copy").await;
    assert_eq!(other.status, 303);
    assert!(!other.body.contains("Pupil seen"));
    app.swap_jar(mine);

    // Looking again within the time is fine; after `forms.draft_minutes` it is gone.
    time.advance(std::time::Duration::from_secs(9 * 60));
    assert_eq!(app.get_raw("/forms/professional/copy").await.status, 200);
    time.advance(std::time::Duration::from_secs(2 * 60));
    let late = app.get_raw("/forms/professional/copy").await;
    assert_ne!(late.status, 200);
    assert!(!late.body.contains("Pupil seen"));
}

#[actix_web::test]
async fn exit_takes_the_copy_away() {
    let app = spawn_app().await;
    let (journey, _) = sent_report(&app).await;
    journey.lend_browser(&app);
    assert_eq!(app.get_raw("/forms/professional/copy").await.status, 200);
    app.get_raw("/forms/professional/exit").await;
    let after = app.get_raw("/forms/professional/copy").await;
    assert_eq!(after.status, 303);
    assert!(!after.body.contains("Pupil seen"));
    // The public form offers no copy: a report on a shared phone is not kept for printing.
    let (community, _) = {
        let mut j = crate::journey::Journey::open(&app, "community", &community_answers()).await;
        while j.sent().is_none() {
            assert!(j.pages < 30);
            j.press(&app).await;
        }
        (j, ())
    };
    assert!(!community.page.body.contains("/copy"));
}

/// The words a page shows in its main part, tags and scripts left out.
fn words_shown(body: &str) -> usize {
    let main = body
        .split_once("<main")
        .and_then(|(_, rest)| rest.split_once("</main>"))
        .map_or(body, |(m, _)| m);
    let mut text = String::new();
    let mut in_tag = false;
    for c in main.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// How long a person takes over a journey, by the keystroke-level model (Card, Moran and
/// Newell): reading every word shown at 238 words a minute (Brysbaert 2019, silent reading),
/// typing at 40 words a minute (0.28 s a keystroke), and for each answer a decision (1.35 s)
/// and pointing at its box (1.1 s), with a second for each page to load. It leaves out finding
/// the information and thinking what to write, so it is a floor, not a promise.
async fn minutes_taken(app: &TestApp, form: &'static str, answers: &serde_json::Value) -> f64 {
    let mut journey = crate::journey::Journey::open(app, form, answers).await;
    let all = as_form_fields(answers);
    let mut seconds = 0.0;
    let mut last: (String, usize) = Default::default();
    while journey.sent().is_none() {
        assert!(journey.pages < 40, "no end to {form}");
        let page = &journey.page.body;
        // The same page again after "Add another": only its new words are read.
        let heading = page
            .split_once("<h1")
            .map_or("", |(_, h)| h.split_once("</h1>").map_or("", |(h, _)| h))
            .to_string();
        let words = words_shown(page);
        let new_words = if heading == last.0 {
            words.saturating_sub(last.1)
        } else {
            words
        };
        last = (heading, words);
        seconds += 1.0 + new_words as f64 / 238.0 * 60.0;
        for (name, value) in crate::journey::visible_answers(page, &all) {
            let typed = page.contains(&format!("type=\"text\" name=\"{name}\""))
                || page.contains(&format!("name=\"{name}\" rows="))
                || !page.contains(&format!("name=\"{name}\" value="));
            seconds += 1.35 + 1.1;
            if typed {
                seconds += value.chars().count() as f64 * 0.28;
            }
        }
        // The button that moves on: pointing and pressing.
        seconds += 1.1 + 0.2;
        journey.press(app).await;
    }
    seconds / 60.0
}

#[actix_web::test]
async fn the_start_page_says_how_long_a_typical_report_takes_as_measured() {
    let app = spawn_app().await;
    let home = app.get("/").await;
    let stated = |form: &str| -> (f64, f64) {
        let marker = format!("data-minutes-{form}=\"");
        let at = home
            .body
            .find(&marker)
            .unwrap_or_else(|| panic!("no time stated for {form}"));
        let rest = &home.body[at + marker.len()..];
        let range = &rest[..rest.find('"').expect("ends")];
        let (low, high) = range.split_once('-').expect("low-high");
        (low.parse().expect("low"), high.parse().expect("high"))
    };
    for (form, answers) in [
        ("professional", professional_answers()),
        ("community", community_answers()),
    ] {
        let minutes = minutes_taken(&app, form, &answers).await;
        let (low, high) = stated(form);
        println!("{form}: {minutes:.1} minutes by the keystroke-level model; the start page says {low} to {high}");
        assert!(
            (low..=high).contains(&minutes),
            "{form}: measured {minutes:.1} minutes, the start page says {low} to {high}"
        );
    }
}

/// Every email the gateway wrote to its outbox folder, as text.
fn outbox(app: &TestApp) -> Vec<String> {
    let dir = app.dir.path().join("outbox");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        // Quoted-printable soft line breaks, as a mail program joins them.
        .map(|m| m.replace("=\r\n", "").replace("=\n", ""))
        .collect()
}

/// The About you page sent with a work address, and the People page begun; returns the token.
async fn about_you_and_a_person(app: &TestApp, email: &str) -> String {
    let token = app.form_token("professional").await;
    let about = app
        .post_step(
            "/forms/professional/about_you",
            &[
                ("_token", &token),
                ("_action", "continue"),
                ("submitter.full_name", "Sam Lee"),
                ("submitter.work_email", email),
            ],
        )
        .await;
    assert_eq!(about.status, 303, "{}", about.body);
    token
}

#[actix_web::test]
async fn save_and_come_back_later_emails_a_one_time_link_whose_key_is_only_in_its_fragment() {
    let app = spawn_app().await;
    let token = about_you_and_a_person(&app, "sam.lee@school.example").await;
    let saved = app
        .post_step(
            PEOPLE,
            &[
                ("_token", &token),
                ("_action", "save"),
                ("people[0].role", "CHILD_AT_RISK"),
                ("people[0].forename", "Zzsavedname"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(saved.location.as_deref(), Some("/forms/professional/saved"));
    assert!(
        saved
            .set_cookies
            .iter()
            .any(|c| c.starts_with("pisg_draft=;")),
        "the browser's key is removed: {:?}",
        saved.set_cookies
    );
    let page = app.get("/forms/professional/saved").await;
    assert!(
        page.body.contains("It works once, for 7 days"),
        "{}",
        page.body
    );

    // One email, to the work address, whose link carries the key after `#` only.
    let mails = outbox(&app);
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert!(mail.contains("To: sam.lee@school.example"), "{mail}");
    let link = mail
        .lines()
        .find(|l| l.contains("/forms/professional/resume#"))
        .expect("a link")
        .trim();
    let (path, key) = link.split_once('#').expect("a fragment");
    assert!(path.ends_with("/forms/professional/resume") && !path.contains('?'));
    assert_eq!(key.len(), 43, "a 256-bit key");
    // Nothing at rest can be read without it: the answers are sealed, and the key is nowhere
    // in the spool.
    let spool: Vec<u8> = std::fs::read_dir(app.dir.path().join("spool"))
        .expect("spool")
        .flatten()
        .filter(|e| e.path().is_file())
        .flat_map(|e| std::fs::read(e.path()).unwrap_or_default())
        .collect();
    for secret in ["Zzsavedname", key] {
        assert!(
            !spool.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{secret} in the spool"
        );
    }
    // This browser holds nothing now.
    assert_eq!(app.get_raw(PEOPLE).await.status, 303);

    // Another browser opens the link: the page (no key in its address) takes the key in a
    // POST body, and the answers come back there.
    app.swap_jar(Default::default());
    let resume = app.get("/forms/professional/resume").await;
    assert!(resume.body.contains("name=\"key\""));
    let form_token = extract_token(&resume.body).expect("token");
    let restored = app
        .post_step(
            "/forms/professional/resume",
            &[("_token", &form_token), ("key", key)],
        )
        .await;
    assert_eq!(restored.status, 303, "{}", restored.body);
    assert_eq!(
        restored.location.as_deref(),
        Some("/forms/professional/tasks")
    );
    assert!(restored
        .set_cookies
        .iter()
        .any(|c| c.starts_with("pisg_draft=")));
    let people = app.get(PEOPLE).await;
    assert!(
        people.body.contains("value=\"Zzsavedname\""),
        "{}",
        people.body
    );

    // Once only.
    let again = app
        .post_step(
            "/forms/professional/resume",
            &[("_token", &form_token), ("key", key)],
        )
        .await;
    assert_eq!(again.status, 404);
    assert!(again.body.contains("already been used"));
}

#[actix_web::test]
async fn without_a_work_address_saving_asks_for_one_and_keeps_the_answers() {
    let app = spawn_app().await;
    let token = app.form_token("professional").await;
    let saved = app
        .post_step(
            PEOPLE,
            &[
                ("_token", &token),
                ("_action", "save"),
                ("people[0].forename", "Kept"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    assert_eq!(
        saved.location.as_deref(),
        Some("/forms/professional/about_you")
    );
    let about = app.get("/forms/professional/about_you").await;
    assert!(about.body.contains("first enter your work email address"));
    assert!(outbox(&app).is_empty());
    assert!(app.get(PEOPLE).await.body.contains("value=\"Kept\""));
}

#[actix_web::test]
async fn a_saved_form_is_kept_for_saved_draft_days_only_then_refused_and_due_for_the_purge() {
    use pis_gateway::http::clock::{Clock, ManualTime};
    let time = std::sync::Arc::new(ManualTime::new(1_800_000_000));
    let app =
        spawn_app_with_clock(|s| s.forms.saved_draft_days = 2, Clock::new(time.clone())).await;
    let token = about_you_and_a_person(&app, "sam.lee@school.example").await;
    let saved = app
        .post_step(PEOPLE, &[("_token", &token), ("_action", "save")])
        .await;
    assert_eq!(saved.status, 303);
    let mail = outbox(&app).pop().expect("an email");
    assert!(mail.contains("for 2 days"));
    let key = mail
        .lines()
        .find_map(|l| {
            l.trim()
                .split_once("/forms/professional/resume#")
                .map(|(_, k)| k.to_string())
        })
        .expect("a link");
    // A day later the link still works; past two days it does not.
    time.advance(std::time::Duration::from_secs(2 * 86_400 + 60));
    let resume = app.get("/forms/professional/resume").await;
    let form_token = extract_token(&resume.body).expect("token");
    let late = app
        .post_step(
            "/forms/professional/resume",
            &[("_token", &form_token), ("key", &key)],
        )
        .await;
    assert_eq!(late.status, 404);
    let rows: i64 = app
        .db()
        .query_row("SELECT COUNT(*) FROM drafts", [], |r| r.get(0))
        .expect("drafts");
    // The row is still there until housekeeping runs, refused meanwhile; its expiry is what
    // housekeeping's idle cut-off removes.
    let oldest: i64 = app
        .db()
        .query_row("SELECT MAX(touched_at) FROM drafts", [], |r| r.get(0))
        .expect("touched");
    assert!(rows >= 1);
    assert!(
        oldest < 1_800_000_000 + 2 * 86_400 + 60 - 3600,
        "due for the purge"
    );
}

#[actix_web::test]
async fn saving_spends_the_clients_submission_quota_so_it_cannot_send_mail_in_bulk() {
    let app = spawn_app_with(|s| {
        s.limits.submissions_per_minute = 1;
        s.limits.submission_burst = 1;
    })
    .await;
    let token = about_you_and_a_person(&app, "sam.lee@school.example").await;
    let first = app
        .post_step(PEOPLE, &[("_token", &token), ("_action", "save")])
        .await;
    assert_eq!(first.status, 303);
    // A new draft in the same browser, saved again at once.
    let token = about_you_and_a_person(&app, "someone.else@example.org").await;
    let second = app
        .post_step(PEOPLE, &[("_token", &token), ("_action", "save")])
        .await;
    assert_eq!(second.status, 429, "{}", second.body);
    assert_eq!(outbox(&app).len(), 1);
}

#[actix_web::test]
async fn a_save_with_the_honeypot_filled_looks_the_same_and_emails_nobody() {
    let app = spawn_app().await;
    let token = about_you_and_a_person(&app, "victim@example.org").await;
    let saved = app
        .post_step(
            PEOPLE,
            &[
                ("_token", &token),
                ("_action", "save"),
                ("website", "http://spam.example"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(saved.location.as_deref(), Some("/forms/professional/saved"));
    assert!(
        outbox(&app)
            .iter()
            .all(|m| !m.contains("victim@example.org")),
        "no link was emailed"
    );
}
