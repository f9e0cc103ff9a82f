//! A browser's journey page by page: each section at its own URL, the answers so far kept in
//! the browser's sealed draft (never in the page), a check-your-answers page with change
//! buttons, then the confirmation. Every press is a post answered by a redirect.

use crate::helpers::*;
use serde_json::Value;

/// The heading of the question asked when the narrative shows danger the gate did not.
const NARRATIVE_CHECK_HEADING: &str = "<h1 class=\"govuk-heading-l\">Is anyone in danger now?</h1>";

/// Reverses the HTML escaping of attribute values, as a browser does before posting them.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&")
}

/// Every `<input type="hidden" name=… value=…>` on a page, as a browser would post it.
pub(crate) fn hidden_inputs(body: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(i) = rest.find("<input type=\"hidden\" name=\"") {
        rest = &rest[i + "<input type=\"hidden\" name=\"".len()..];
        let Some(name_end) = rest.find('"') else {
            break;
        };
        let name = unescape(&rest[..name_end]);
        let after = &rest[name_end..];
        let value = after
            .strip_prefix("\" value=\"")
            .and_then(|v| v.find('"').map(|end| unescape(&v[..end])))
            .unwrap_or_default();
        out.push((name, value));
    }
    out
}

/// Answers whose controls are on this page (not hidden), from the full answer set.
pub(crate) fn visible_answers(body: &str, all: &[(String, String)]) -> Vec<(String, String)> {
    all.iter()
        .filter(|(name, _)| {
            let tag = format!("name=\"{name}\"");
            body.match_indices(&tag).any(|(i, _)| {
                let before = &body[..i];
                !before.ends_with("type=\"hidden\" ")
            })
        })
        .cloned()
        .collect()
}

/// Where the page's journey form posts.
pub(crate) fn form_action(page: &str) -> String {
    let at = page
        .find("<form data-journey method=\"post\" action=\"")
        .unwrap_or_else(|| panic!("no journey form on the page: {page}"));
    let rest = &page[at + "<form data-journey method=\"post\" action=\"".len()..];
    unescape(&rest[..rest.find('"').expect("action ends")])
}

pub(crate) async fn press(
    app: &TestApp,
    _form: &str,
    page: &str,
    extra: &[(String, String)],
    action: &str,
) -> Page {
    let mut fields = hidden_inputs(page);
    fields.extend(extra.iter().cloned());
    fields.push(("_action".into(), action.into()));
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let to = form_action(page);
    let raw = app.post_step(&to, &borrowed).await;
    assert_eq!(
        raw.status, 303,
        "every press is answered by a redirect: {}",
        raw.body
    );
    app.get(raw.location.as_deref().expect("a 303 says where"))
        .await
}

/// Fills every page with the answers that belong to it and presses Continue until the
/// check-your-answers page. Returns it and the number of pages seen.
async fn fill_in(app: &TestApp, form: &str, answers: &Value) -> (Page, usize) {
    let page = app.get(&format!("/forms/{form}")).await;
    fill_from(app, form, answers, page).await
}

/// As [`fill_in`], from the page on show.
async fn fill_from(app: &TestApp, form: &str, answers: &Value, mut page: Page) -> (Page, usize) {
    let all = as_form_fields(answers);
    let mut pages = 0;
    while !page.body.contains("Check your answers before sending")
        && !page.body.contains(NARRATIVE_CHECK_HEADING)
    {
        pages += 1;
        assert!(pages < 20, "no end to the form");
        assert!(!page.body.contains("There is a problem"), "{}", page.body);
        let mine = visible_answers(&page.body, &all);
        // An item the page has no boxes for yet: press "Add another", as a person would.
        let missing_item = all.iter().find_map(|(name, _)| {
            let (group, rest) = name.split_once('[')?;
            let index: usize = rest.split(']').next()?.parse().ok()?;
            let shown = |i: usize| page.body.contains(&format!("name=\"{group}[{i}]."));
            (index > 0 && shown(index - 1) && !shown(index)).then(|| group.to_string())
        });
        let action = match &missing_item {
            Some(group) => format!("add:{group}"),
            None => "continue".to_string(),
        };
        page = press(app, form, &page.body, &mine, &action).await;
        assert_eq!(page.status, 200);
    }
    (page, pages)
}

#[actix_web::test]
async fn a_community_report_goes_page_by_page_to_check_your_answers_and_is_sent_whole() {
    let app = spawn_app().await;
    let mut answers = community_answers();
    // Characters that must survive being kept in the draft from page to page.
    answers["what_happened"] =
        "He said \"don't tell\" & left <quickly>; the car's plate began 'YX'.\nThen: Zoë, 10 mins later / again".into();
    let (check, pages) = fill_in(&app, "community", &answers).await;
    assert!(pages >= 4, "one page per section, saw {pages}");
    assert_eq!(app.count(), 0, "nothing is sent before the check page");
    // Answers read as people gave them: labels, dates in words, normalised postcodes.
    for shown in [
        "Lots of people coming and going from a house",
        "October 2026",
        "YO24 3BZ",
        "Zoë, 10 mins later",
    ] {
        assert!(check.body.contains(shown), "check page lacks {shown}");
    }
    assert!(check.body.contains("value=\"change:where_it_happened\""));

    // Change a place: the page comes back filled in, and Continue returns to the check page.
    let change = press(
        &app,
        "community",
        &check.body,
        &[],
        "change:where_it_happened",
    )
    .await;
    assert!(
        change.body.contains("value=\"YO24 3BZ\"") || change.body.contains("value=\"yo24 3bz\"")
    );
    assert!(change
        .body
        .contains("Save and go back to check your answers"));
    let mut carried = hidden_inputs(&change.body);
    carried.retain(|(k, _)| !k.starts_with("places["));
    let edited = vec![
        (
            "places[0].street_or_landmark".to_string(),
            "The bus shelter on Front Street".to_string(),
        ),
        ("places[0].postcode".to_string(), "YO24 3BZ".to_string()),
    ];
    let back = press(&app, "community", &change.body, &edited, "continue").await;
    assert!(
        back.body.contains("Check your answers before sending"),
        "{}",
        back.body
    );
    assert!(back.body.contains("The bus shelter on Front Street"));

    let done = press(&app, "community", &back.body, &[], "submit").await;
    assert!(done.body.contains("Information sent"), "{}", done.body);
    let reference = extract_reference(&done.body).expect("reference");
    let a = app.open(&reference)["answers"].clone();
    assert_eq!(
        a["what_happened"].as_str().map(|s| s.replace("\r\n", "\n")),
        answers["what_happened"].as_str().map(str::to_string)
    );
    assert_eq!(
        a["places"][0]["street_or_landmark"],
        "The bus shelter on Front Street"
    );
    assert_eq!(a["places"].as_array().map(Vec::len), Some(1));
    for key in answers.as_object().expect("object").keys() {
        assert!(
            a.get(key).is_some(),
            "{key} missing from the sealed document"
        );
    }
    assert_eq!(app.count(), 1);
}

#[actix_web::test]
async fn a_professional_report_goes_page_by_page_with_every_group() {
    let app = spawn_app().await;
    let answers = professional_answers();
    let (check, _) = fill_in(&app, "professional", &answers).await;
    assert!(check.body.contains("Person 2"), "both people listed");
    let done = press(&app, "professional", &check.body, &[], "submit").await;
    let reference = extract_reference(&done.body).expect("reference");
    let a = app.open(&reference)["answers"].clone();
    for key in answers.as_object().expect("object").keys() {
        assert!(a.get(key).is_some(), "{key} missing");
    }
    assert_eq!(a["people"].as_array().map(Vec::len), Some(2));
}

#[actix_web::test]
async fn back_keeps_what_was_typed_without_checking_it() {
    let app = spawn_app().await;
    let first = app.get("/forms/community").await;
    let gate = as_form_fields(&serde_json::json!({
        "gate.immediate_danger": "no", "gate.crime_against_you": "no"
    }));
    let second = press(&app, "community", &first.body, &gate, "continue").await;
    assert!(second.body.contains("name=\"what_happened\""));
    let typed = vec![("what_happened".to_string(), "too short".to_string())];
    let back = press(&app, "community", &second.body, &typed, "back").await;
    assert!(
        !back.body.contains("There is a problem"),
        "Back does not check"
    );
    assert!(back.body.contains("name=\"gate.immediate_danger\""));
    assert!(
        !back.body.contains("too short"),
        "no page carries another page's answers"
    );
    assert!(back.body.contains("value=\"no\" checked"));
    // Forward again: what was typed is there, kept in the draft.
    let again = press(&app, "community", &back.body, &gate, "continue").await;
    assert!(
        again.body.contains(">too short</textarea>"),
        "{}",
        again.body
    );
}

/// A person going through a form one press at a time, for tests that put time between presses.
pub(crate) struct Journey {
    form: &'static str,
    all: Vec<(String, String)>,
    pub page: Page,
    /// Pages seen so far, the form's first page and the confirmation included.
    pub pages: usize,
    pub adds: usize,
    /// Every status answered, in order.
    pub statuses: Vec<u16>,
    /// This person's browser's cookies.
    jar: std::collections::HashMap<String, String>,
}

impl Journey {
    pub(crate) async fn open(app: &TestApp, form: &'static str, answers: &Value) -> Self {
        let saved = app.swap_jar(Default::default());
        let page = app.get(&format!("/forms/{form}")).await;
        let jar = app.swap_jar(saved);
        Journey {
            jar,
            form,
            all: as_form_fields(answers),
            statuses: vec![page.status],
            page,
            pages: 1,
            adds: 0,
        }
    }

    /// Makes `app`'s own requests come from this person's browser (its cookies).
    pub(crate) fn lend_browser(&self, app: &TestApp) {
        app.swap_jar(self.jar.clone());
    }

    pub(crate) fn sent(&self) -> Option<String> {
        self.page
            .body
            .contains("Information sent")
            .then(|| extract_reference(&self.page.body))
            .flatten()
    }

    /// Presses what a person would press next: Add another where an item has no boxes yet,
    /// else Continue, and Send on the check-your-answers page.
    pub(crate) async fn press(&mut self, app: &TestApp) {
        let page = &self.page.body;
        let action = if page.contains("Check your answers before sending") {
            "submit".to_string()
        } else {
            let missing_item = self.all.iter().find_map(|(name, _)| {
                let (group, rest) = name.split_once('[')?;
                let index: usize = rest.split(']').next()?.parse().ok()?;
                let shown = |i: usize| page.contains(&format!("name=\"{group}[{i}]."));
                (index > 0 && shown(index - 1) && !shown(index)).then(|| group.to_string())
            });
            match missing_item {
                Some(group) => {
                    self.adds += 1;
                    format!("add:{group}")
                }
                None => "continue".to_string(),
            }
        };
        let mine = if action == "submit" {
            Vec::new()
        } else {
            visible_answers(page, &self.all)
        };
        let saved = app.swap_jar(std::mem::take(&mut self.jar));
        self.page = press(app, self.form, page, &mine, &action).await;
        self.jar = app.swap_jar(saved);
        self.pages += 1;
        self.statuses.push(self.page.status);
    }
}

#[actix_web::test]
async fn danger_written_in_words_asks_the_submitter_and_a_no_is_kept_beside_the_finding() {
    let app = spawn_app().await;
    let mut answers = community_answers();
    answers["what_happened"] =
        "Nothing much at first. An older man is collecting her from the home tonight at 9pm to take her to a hotel."
            .into();
    let (asked, _) = fill_in(&app, "community", &answers).await;
    assert!(
        asked.body.contains(NARRATIVE_CHECK_HEADING),
        "{}",
        asked.body
    );
    assert!(asked
        .body
        .contains("<li>You wrote that something may happen in the next 24 hours.</li>"));
    assert!(asked.body.contains("call 999 now"));
    assert!(asked.body.contains("Relay UK"));
    for value in ["yes", "no", "not_sure"] {
        assert!(
            asked
                .body
                .contains(&format!("name=\"gate.narrative_check\" value=\"{value}\"")),
            "{value}"
        );
    }
    // The question has a visible box only here, never in the hidden answers it posts.
    assert!(!asked
        .body
        .contains("type=\"hidden\" name=\"gate.narrative_check\""));
    assert_eq!(app.count(), 0, "nothing is sent before the check page");

    // Continue with no answer: an error that says what to do, and the same question.
    let unanswered = press(&app, "community", &asked.body, &[], "continue").await;
    assert!(unanswered.body.contains("There is a problem"));
    assert!(unanswered.body.contains(
        "Select yes if anyone is in danger now or something will happen in the next 24 hours"
    ));
    assert!(unanswered.body.contains(NARRATIVE_CHECK_HEADING));

    // Asked on the page where it was written, when that page was sent.
    assert!(
        form_action(&unanswered.body).ends_with("/what_is_worrying_you/danger-now"),
        "{}",
        form_action(&unanswered.body)
    );
    assert!(unanswered.body.contains("href=\"tel:999\""));
    let said_no = vec![("gate.narrative_check".to_string(), "no".to_string())];
    let next = press(&app, "community", &unanswered.body, &said_no, "continue").await;
    assert!(
        next.body.contains("name=\"places[0].postcode\""),
        "the journey carries on with the next page: {}",
        next.body
    );
    let (check, _) = fill_from(&app, "community", &answers, next).await;
    assert!(
        check.body.contains("Check your answers before sending"),
        "{}",
        check.body
    );
    assert!(!check
        .body
        .contains("type=\"hidden\" name=\"gate.narrative_check\""));
    let done = press(&app, "community", &check.body, &[], "submit").await;
    assert!(done.body.contains("Information sent"), "{}", done.body);
    assert!(
        done.body.contains("call 999"),
        "IMMEDIATE repeats the 999 advice"
    );
    let reference = extract_reference(&done.body).expect("reference");

    let doc = app.open(&reference);
    assert_eq!(
        doc["priority"], "IMMEDIATE",
        "triage only escalates: the finding stands"
    );
    let reasons: Vec<&str> = doc["reason_codes"]
        .as_array()
        .expect("codes")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        reasons.contains(&"narrative_event_within_24h"),
        "{reasons:?}"
    );
    assert!(
        reasons.contains(&"submitter_said_not_immediate"),
        "{reasons:?}"
    );
    assert_eq!(doc["answers"]["gate.narrative_check"], "no");
    // The sealed full view says where: the answer and the sentence, in characters.
    let finding = &doc["narrative"][0];
    assert_eq!(finding["field"], "what_happened");
    let text: Vec<char> = answers["what_happened"]
        .as_str()
        .expect("text")
        .chars()
        .collect();
    let (start, end) = (
        finding["start"].as_u64().expect("start") as usize,
        finding["end"].as_u64().expect("end") as usize,
    );
    let sentence: String = text[start..end].iter().collect();
    assert!(
        sentence.starts_with("An older man is collecting her"),
        "{sentence}"
    );
    // The cleartext record keeps the codes and nothing of where they came from.
    let (priority, codes): (String, String) = app
        .db()
        .query_row(
            "SELECT priority, reason_codes FROM submissions WHERE reference = ?1",
            [&reference],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("record");
    assert_eq!(priority, "IMMEDIATE");
    assert!(codes.contains("narrative_event_within_24h"));
    assert!(
        !codes.contains("what_happened") && !codes.contains("hotel"),
        "{codes}"
    );
}

#[actix_web::test]
async fn a_yes_to_the_question_adds_the_gate_reason_and_calm_words_ask_nothing() {
    let app = spawn_app().await;
    let mut answers = community_answers();
    answers["what_happened"] = "she is locked in the flat and they won't let her leave".into();
    let (asked, _) = fill_in(&app, "community", &answers).await;
    assert!(asked
        .body
        .contains("<li>You wrote that someone is being kept somewhere and cannot leave.</li>"));
    let yes = vec![("gate.narrative_check".to_string(), "yes".to_string())];
    let next = press(&app, "community", &asked.body, &yes, "continue").await;
    let (check, _) = fill_from(&app, "community", &answers, next).await;
    let done = press(&app, "community", &check.body, &[], "submit").await;
    let reference = extract_reference(&done.body).expect("reference");
    let doc = app.open(&reference);
    let reasons = doc["reason_codes"].to_string();
    assert!(
        reasons.contains("gate_danger_now") && reasons.contains("narrative_child_held"),
        "{reasons}"
    );

    // Words out of context ask nothing and raise nothing.
    let mut calm = community_answers();
    calm["what_happened"] =
        "My son listens to drill music about knives. There is no immediate danger; he is safe tonight.".into();
    let (check, _) = fill_in(&app, "community", &calm).await;
    assert!(
        check.body.contains("Check your answers before sending"),
        "{}",
        check.body
    );
    let done = press(&app, "community", &check.body, &[], "submit").await;
    let reference = extract_reference(&done.body).expect("reference");
    assert_eq!(app.open(&reference)["priority"], "ROUTINE");
}
