//! The public pages in Welsh, Polish, Romanian, Urdu and Arabic: the language a browser asks
//! for or a person chooses, kept for a form's journey in its sealed draft, right to left where
//! the script is, errors in the language, and the officer told which language the form was in.

use crate::helpers::*;
use crate::journey::{hidden_inputs, press, visible_answers};
use pis_gateway::forms::FormRegistry;
use pis_gateway::i18n::{form_text, Catalog, Lang};
use pis_gateway::open::{render, Format, Provenance};
use serde_json::json;
use std::collections::BTreeSet;

const POLISH_DANGER: &str = "Moja córka (13) jest teraz zamknięta w mieszkaniu u dorosłego \
    faceta w Selby i on nie pozwala jej wyjść. Napisała mi to przed chwilą, proszę pomóżcie.";

async fn all_languages() -> TestApp {
    spawn_app_with(|s| s.public.languages = Lang::ALL.to_vec()).await
}

/// A page as a browser with these language settings gets it: status, Content-Language, body.
async fn get_in(app: &TestApp, path: &str, accept_language: &str) -> (u16, String, String) {
    let mut res = app
        .client
        .get(app.url(path))
        .insert_header(("Accept-Language", accept_language))
        .send()
        .await
        .expect("GET");
    let language = res
        .headers()
        .get("content-language")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = res.body().limit(1 << 22).await.expect("body");
    (
        res.status().as_u16(),
        language,
        String::from_utf8_lossy(&body).into_owned(),
    )
}

fn html_tag(lang: &str, dir: &str) -> String {
    format!("<html lang=\"{lang}\" dir=\"{dir}\"")
}

#[actix_web::test]
async fn pages_follow_the_browser_s_language_and_a_choice_overrides_it() {
    let app = all_languages().await;
    let (_, language, body) = get_in(&app, "/", "pl-PL,pl;q=0.9,en;q=0.5").await;
    assert_eq!(language, "pl");
    assert!(body.contains(&html_tag("pl", "ltr")), "{body}");
    assert!(body.contains("<h1 class=\"govuk-heading-xl\">Przekaż informacje policji</h1>"));
    // The list names each language in itself, marked with its own language and direction,
    // and a language from the browser is not carried in links (nothing was chosen).
    assert!(
        body.contains("lang=\"ar\" dir=\"rtl\">العربية</a>"),
        "{body}"
    );
    assert!(body.contains("aria-current=\"true\" lang=\"pl\" dir=\"ltr\">Polski</span>"));
    assert!(body.contains("href=\"/follow-up\""));

    let (_, _, body) = get_in(&app, "/", "ar").await;
    assert!(body.contains(&html_tag("ar", "rtl")));
    assert!(body.contains("شارك المعلومات مع الشرطة"));
    // A number inside right-to-left words keeps its own direction.
    assert!(body.contains("<strong><bdi>999</bdi></strong>"));

    // Chosen with ?lang=: it wins over the browser's settings and links carry it on.
    let (_, language, body) = get_in(&app, "/?lang=cy", "pl").await;
    assert_eq!(language, "cy");
    assert!(body.contains(&html_tag("cy", "ltr")));
    assert!(body.contains("Rhannu gwybodaeth gyda’r heddlu"));
    assert!(body.contains("href=\"/follow-up?lang=cy\""));
    assert!(body.contains("href=\"/forms/community?lang=cy\""));

    // Unknown or rubbish asks fall back to English.
    for (path, accept) in [("/", "de-DE, fr;q=0.8"), ("/?lang=xx", ";;q=,"), ("/", "")] {
        let (_, language, body) = get_in(&app, path, accept).await;
        assert_eq!(language, "en-GB", "{path} {accept}");
        assert!(body.contains(&html_tag("en-GB", "ltr")));
    }
}

#[actix_web::test]
async fn every_public_page_is_served_in_welsh_and_arabic_with_lang_and_dir() {
    let app = all_languages().await;
    let pages = [
        "/",
        "/follow-up",
        "/hide-your-visit",
        "/accessibility",
        "/privacy",
        "/forms/community",
        "/forms/professional",
        "/no-such-page",
    ];
    for (code, dir, words) in [
        ("cy", "ltr", "Rhannu gwybodaeth gyda’r heddlu"),
        ("ar", "rtl", "شارك المعلومات مع الشرطة"),
    ] {
        for path in pages {
            let (status, language, body) = get_in(&app, path, code).await;
            assert!(status == 200 || status == 404, "{path}: {status}");
            assert_eq!(language, code, "{path}");
            assert!(body.contains(&html_tag(code, dir)), "{path} in {code}");
            assert!(body.contains(words), "{path} in {code} lacks {words}");
        }
    }
    let (_, _, missing) = get_in(&app, "/no-such-page", "cy").await;
    assert!(missing.contains("Heb ddod o hyd i’r dudalen"), "{missing}");
    let (_, _, form) = get_in(&app, "/forms/community", "ar").await;
    assert!(
        form.contains("أخبر الشرطة بما يقلقك"),
        "the form's own words: {form}"
    );
}

#[actix_web::test]
async fn only_english_is_offered_unless_the_operator_enables_more() {
    let app = spawn_app().await;
    let (_, language, body) = get_in(&app, "/?lang=pl", "pl, ar").await;
    assert_eq!(language, "en-GB");
    assert!(body.contains(&html_tag("en-GB", "ltr")));
    // The class name alone is also in the start page's inline rules.
    assert!(
        !body.contains("<nav class=\"app-languages\""),
        "no list of one language"
    );
    assert!(body.contains("href=\"/follow-up\""));
}

#[actix_web::test]
async fn a_language_chosen_on_the_first_page_holds_for_the_journey_through_the_draft() {
    let app = all_languages().await;
    let first = app.get("/forms/community?lang=pl").await;
    assert!(first.body.contains(&html_tag("pl", "ltr")));
    assert!(first
        .body
        .contains("Czy ktoś jest w bezpośrednim niebezpieczeństwie"));
    assert!(hidden_inputs(&first.body).contains(&("_lang".into(), "pl".into())));

    // Sent with nothing answered: the next page (no ?lang=, no Accept-Language) is still
    // Polish, and so are its error messages.
    let to = crate::journey::form_action(&first.body);
    let fields: Vec<(String, String)> = hidden_inputs(&first.body);
    let mut posted: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    posted.push(("_action", "continue"));
    let raw = app.post_step(&to, &posted).await;
    assert_eq!(raw.status, 303);
    assert!(
        raw.set_cookies.iter().all(|c| c.starts_with("pisg_draft=")),
        "no cookie but the draft's: {:?}",
        raw.set_cookies
    );
    let location = raw.location.expect("where");
    assert!(!location.contains("lang="), "{location}");
    let again = app.get(&location).await;
    assert!(
        again.body.contains(&html_tag("pl", "ltr")),
        "{}",
        again.body
    );
    assert!(again.body.contains("Wystąpił problem"));
    assert!(again.body.contains(
        "Wybierz „Tak”, jeśli ktoś jest w bezpośrednim niebezpieczeństwie lub coś dzieje się w tej chwili"
    ));
    assert!(!again.body.contains("There is a problem"));

    // Another choice on a later page is kept for the pages after it.
    let welsh = app.get(&format!("{location}?lang=cy")).await;
    assert!(welsh.body.contains(&html_tag("cy", "ltr")));
    let later = app.get(&location).await;
    assert!(
        later.body.contains(&html_tag("cy", "ltr")),
        "{}",
        later.body
    );
    assert!(later.body.contains("Mae problem"));

    // Exit ends the draft, and the choice with it.
    app.get("/forms/community/exit").await;
    let fresh = app.get("/forms/community").await;
    assert!(fresh.body.contains(&html_tag("en-GB", "ltr")));
}

#[actix_web::test]
async fn a_polish_danger_sent_through_the_polish_form_is_urgent_and_the_officer_is_told() {
    let app = all_languages().await;
    let mut answers = community_answers();
    answers["what_happened"] = POLISH_DANGER.into();
    let all = as_form_fields(&answers);
    let mut page = app.get("/forms/community?lang=pl").await;
    let mut asked = false;
    let mut counted = false;
    for _ in 0..20 {
        // GOV.UK Frontend's character count counts down in Polish too.
        counted |= page
            .body
            .contains("data-i18n.characters-under-limit.other=\"Pozostało znaków: %{count}\"");
        if page.body.contains("value=\"submit\"") {
            break;
        }
        assert!(page.body.contains(&html_tag("pl", "ltr")), "{}", page.body);
        assert!(!page.body.contains("Wystąpił problem"), "{}", page.body);
        page = if page
            .body
            .contains("Czy ktoś jest teraz w niebezpieczeństwie?")
        {
            asked = true;
            // The submitter says no: triage only escalates, so what they wrote still counts.
            let no = vec![("gate.narrative_check".to_string(), "no".to_string())];
            press(&app, "community", &page.body, &no, "continue").await
        } else {
            let mine = visible_answers(&page.body, &all);
            press(&app, "community", &page.body, &mine, "continue").await
        };
    }
    assert!(
        asked,
        "the Polish words were read and asked about in Polish"
    );
    assert!(counted, "the character count's words are Polish");
    // Check your answers, in Polish: the form's own words from its Polish strings.
    assert!(
        page.body.contains("Sprawdź odpowiedzi przed wysłaniem"),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains("Dużo osób przychodzi do domu i z niego wychodzi"));
    assert!(page
        .body
        .contains("<h2 class=\"govuk-summary-card__title\">Gdzie to się stało</h2>"));
    let done = press(&app, "community", &page.body, &[], "submit").await;
    assert!(done.body.contains("Informacje wysłane"), "{}", done.body);
    let reference = extract_reference(&done.body).expect("reference");
    let doc = app.open(&reference);
    assert_eq!(doc["priority"], "IMMEDIATE", "{doc}");
    assert_eq!(
        doc["page_language"],
        json!({"code": "pl", "name": "Polish"})
    );
    assert_eq!(doc["languages"][0]["code"], "pl");
    let forms = FormRegistry::built_in().expect("forms");
    let report = render(
        &doc,
        &forms,
        Format::Text,
        &Provenance::Signed("k".into()),
        &[],
    );
    assert!(
        report.contains("read by the Polish triage rules (form in Polish)"),
        "{report}"
    );
}

#[test]
fn a_format_error_is_written_in_the_page_s_language_with_the_question_s_own_label() {
    let catalog = Catalog::load(&repo().join("forms/locales")).expect("strings");
    let forms = FormRegistry::built_in().expect("forms");
    let spec = forms.get("community").expect("community");
    let error = pis_gateway::forms::FieldError {
        field: "places[1].postcode".into(),
        code: "invalid_format",
        message: "Place 2: Postcode (optional): enter a real postcode, like YO1 7HH, or the first part only, like YO1".into(),
    };
    let pl = form_text::error_message(&catalog, Lang::Pl, spec, &error).expect("Polish");
    assert_eq!(
        pl,
        "Miejsce 2: Kod pocztowy (nieobowiązkowe): wpisz prawdziwy kod pocztowy, np. YO1 7HH, albo tylko jego pierwszą część, np. YO1"
    );
    assert_eq!(
        form_text::error_message(&catalog, Lang::En, spec, &error),
        None
    );
}

/// Fails only when a file does not parse or a translation has a message English lacks (a
/// mistyped or stale id); prints what each language lacks, which is shown in English.
#[test]
fn every_strings_file_parses_and_what_each_language_lacks_is_listed() {
    let catalog = Catalog::load(&repo().join("forms/locales")).expect("every file parses");
    let forms = FormRegistry::load_dir(&repo().join("forms")).expect("forms");
    let english: BTreeSet<String> = catalog.ids(Lang::En).into_iter().collect();
    let mut form_english = BTreeSet::new();
    for spec in forms.iter() {
        form_english.extend(form_text::form_ids(spec).into_iter().map(|(id, _)| id));
    }
    for lang in Lang::ALL.into_iter().filter(|l| *l != Lang::En) {
        let info = catalog
            .info(lang)
            .expect("every shipped language has a folder");
        assert!(
            !info.translator.is_empty(),
            "{}: who translated it",
            lang.code()
        );
        let ids: BTreeSet<String> = catalog.ids(lang).into_iter().collect();
        let unknown: Vec<_> = ids
            .iter()
            .filter(|id| !english.contains(*id) && !form_english.contains(*id))
            .collect();
        assert!(
            unknown.is_empty(),
            "{}: not in English: {unknown:?}",
            lang.code()
        );
        let pages = catalog.missing(lang);
        let form_missing: Vec<_> = form_english.difference(&ids).collect();
        println!(
            "{} ({}; {}): {} page strings and {} form strings missing, shown in English",
            lang.english_name(),
            info.translator,
            info.review,
            pages.len(),
            form_missing.len()
        );
        for id in pages.iter().chain(form_missing.iter().copied()) {
            println!("  {id}");
        }
    }
}

#[actix_web::test]
async fn api_errors_are_in_the_language_asked_for_with_the_same_fields_and_codes() {
    let app = all_languages().await;
    let mut answers = community_answers();
    answers["places"][0]["postcode"] = "not a postcode".into();
    answers["gate.immediate_danger"] = serde_json::Value::Null;
    let body = json!({"form": "community", "answers": answers});
    let send = |lang: Option<&'static str>| {
        let mut req = app
            .client
            .post(app.url("/api/v1/submissions"))
            .insert_header(("Content-Type", "application/json"));
        if let Some(l) = lang {
            req = req.insert_header(("Accept-Language", l));
        }
        let body = body.clone();
        async move {
            let mut res = req.send_json(&body).await.expect("POST");
            let v: serde_json::Value = res.json().await.expect("json");
            (res.status().as_u16(), v)
        }
    };
    let (status, english) = send(None).await;
    assert_eq!(status, 422, "{english}");
    let (status, polish) = send(Some("pl, en;q=0.5")).await;
    assert_eq!(status, 422, "{polish}");
    let fields = |v: &serde_json::Value| -> Vec<(String, String)> {
        v["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| (e["field"].to_string(), e["code"].to_string()))
            .collect()
    };
    assert_eq!(
        fields(&english),
        fields(&polish),
        "the same fields and codes"
    );
    let messages: Vec<&str> = polish["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["message"].as_str())
        .collect();
    assert!(
        messages.contains(&"Miejsce 1: Kod pocztowy (nieobowiązkowe): wpisz prawdziwy kod pocztowy, np. YO1 7HH, albo tylko jego pierwszą część, np. YO1"),
        "{messages:?}"
    );
    assert!(
        english["errors"]
            .to_string()
            .contains("enter a real postcode"),
        "{english}"
    );
}
