//! The public pages in Welsh, Polish, Romanian, Urdu and Arabic: the language a browser asks
//! for or a person chooses, kept for a form's journey in its sealed draft, right to left where
//! the script is, errors in the language, and the officer told which language the form was in.

use crate::attachments::{content_type, multipart, Part};
use crate::helpers::*;
use crate::journey::{hidden_inputs, press, visible_answers};
use pis_gateway::forms::spec::Audience;
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

/// The page's `lang` attribute for a language code.
fn tag(code: &str) -> &'static str {
    Lang::parse(code).expect("a language").tag()
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

/// Fails when a file does not parse, a translation has a message English lacks (a mistyped or
/// stale id), or a language lacks a string of the public pages or the community form (each
/// would be shown in English on a page in that language). The professional form stays English:
/// what each language lacks of it is listed.
#[test]
fn every_strings_file_parses_and_no_public_string_is_missing() {
    let catalog = Catalog::load(&repo().join("forms/locales")).expect("every file parses");
    let forms = FormRegistry::load_dir(&repo().join("forms")).expect("forms");
    let english: BTreeSet<String> = catalog.ids(Lang::En).into_iter().collect();
    let mut form_english = BTreeSet::new();
    let mut public_form_english = BTreeSet::new();
    for spec in forms.iter() {
        let ids = form_text::form_ids(spec).into_iter().map(|(id, _)| id);
        if spec.audience == Audience::Community {
            public_form_english.extend(ids.clone());
        }
        form_english.extend(ids);
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
        let public_form: Vec<_> = public_form_english.difference(&ids).collect();
        let professional = form_english.difference(&ids).count() - public_form.len();
        println!(
            "{} ({}; {}): {} page strings and {} community form strings missing; \
             the professional form ({professional} strings) stays English",
            lang.english_name(),
            info.translator,
            info.review,
            pages.len(),
            public_form.len(),
        );
        for id in pages.iter().chain(public_form.iter().copied()) {
            println!("  {id}");
        }
        assert!(
            pages.is_empty() && public_form.is_empty(),
            "{}: public strings shown in English: {pages:?} {public_form:?}",
            lang.code()
        );
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

/// A post to /follow-up as a same-origin browser with these languages sends it.
async fn follow_up_in(app: &TestApp, parts: &[Part<'_>], accept_language: &str) -> Page {
    let origin = format!("https://localhost:{}", app.port);
    app.post_raw(
        "/follow-up",
        &content_type(),
        multipart(parts),
        &[
            ("Origin", &origin),
            ("Sec-Fetch-Site", "same-origin"),
            ("Accept-Language", accept_language),
        ],
    )
    .await
}

/// What the follow-up page says in each language: the code left out, the status, the files
/// section, a file refused, and too much written.
struct FollowUpWords {
    lang: &'static str,
    dir: &'static str,
    enter_code: &'static str,
    status: &'static str,
    add_files: &'static str,
    file_refused: &'static str,
    too_long: &'static str,
    months: [&'static str; 12],
}

#[actix_web::test]
async fn the_follow_up_page_s_files_status_and_problems_are_in_polish_and_arabic() {
    let app = spawn_app_with(|s| {
        s.public.languages = Lang::ALL.to_vec();
        s.limits.follow_up_burst = 100;
        s.limits.follow_up_per_code_burst = 100;
        s.limits.submission_burst = 100;
    })
    .await;
    let sent = crate::follow_up::send_report(&app, &community_answers(), true).await;
    let code = crate::follow_up::shown_code(&sent.body).expect("a code");
    let polish = FollowUpWords {
        lang: "pl",
        dir: "ltr",
        enter_code: "Wpisz swój kod kontynuacji",
        status: "<strong class=\"govuk-tag\">Otrzymano</strong>",
        add_files: "Dodaj zdjęcia lub dokumenty (nieobowiązkowe)",
        file_refused: "Plik 1 musi być obrazem JPG, PNG lub WebP. Wybierz pliki ponownie",
        too_long: "To, co dodajesz, może mieć najwyżej 5000 znaków",
        months: [
            "stycznia",
            "lutego",
            "marca",
            "kwietnia",
            "maja",
            "czerwca",
            "lipca",
            "sierpnia",
            "września",
            "października",
            "listopada",
            "grudnia",
        ],
    };
    let arabic = FollowUpWords {
        lang: "ar",
        dir: "rtl",
        enter_code: "أدخل رمز المتابعة الخاص بك",
        status: "<strong class=\"govuk-tag\">استُلم</strong>",
        add_files: "أضف صورًا أو مستندات (اختياري)",
        // The file's problem, itself translated, is isolated inside the sentence around it.
        file_refused: "\u{2068}يجب أن يكون الملف 1 صورة بصيغة JPG أو PNG أو WebP\u{2069}. اختر ملفاتك مرة أخرى",
        too_long: "يجب ألا يزيد ما تضيفه على 5000 حرف",
        months: [
            "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر",
            "أكتوبر", "نوفمبر", "ديسمبر",
        ],
    };
    let too_long = "a".repeat(5_001);
    for w in [polish, arabic] {
        let (_, _, entry) = get_in(&app, "/follow-up", w.lang).await;
        let token = extract_token(&entry).expect("token");
        let empty = [
            Part::Text("_token", &token),
            Part::Text("code", ""),
            Part::Text("_action", "open"),
        ];
        let page = follow_up_in(&app, &empty, w.lang).await;
        assert!(
            page.body.contains(&html_tag(tag(w.lang), w.dir)),
            "{}",
            page.body
        );
        assert!(page.body.contains(w.enter_code), "{}", page.body);

        let token = extract_token(&page.body).expect("token");
        let open = [
            Part::Text("_token", &token),
            Part::Text("code", &code),
            Part::Text("_action", "open"),
        ];
        let thread = follow_up_in(&app, &open, w.lang).await;
        assert_eq!(thread.status, 200, "{}", thread.body);
        // The status's day in words, with the month in the language.
        assert!(
            w.months
                .iter()
                .any(|m| thread.body.contains(&format!(" {m} 20"))),
            "{}",
            thread.body
        );
        assert!(thread.body.contains(w.status), "{}", thread.body);
        assert!(thread.body.contains(w.add_files), "{}", thread.body);
        assert!(!thread.body.contains("Add photos or documents"));

        let token = extract_token(&thread.body).expect("token");
        let refused = [
            Part::Text("_token", &token),
            Part::Text("code", &code),
            Part::Text("addendum", "more"),
            Part::File {
                name: "attachments",
                filename: "note.txt",
                content_type: "text/plain",
                bytes: b"only words",
            },
            Part::Text("_action", "add"),
        ];
        let page = follow_up_in(&app, &refused, w.lang).await;
        assert_eq!(page.status, 422, "{}", page.body);
        assert!(page.body.contains(w.file_refused), "{}", page.body);

        let token = extract_token(&page.body).expect("token");
        let long = [
            Part::Text("_token", &token),
            Part::Text("code", &code),
            Part::Text("addendum", &too_long),
            Part::Text("_action", "add"),
        ];
        let page = follow_up_in(&app, &long, w.lang).await;
        assert_eq!(page.status, 422, "{}", page.body);
        assert!(page.body.contains(w.too_long), "{}", page.body);
    }
}

/// The emails the gateway wrote to its outbox folder, parsed: (to, subject, body).
fn saved_form_emails(app: &TestApp) -> Vec<(String, String, String)> {
    let dir = app.dir.path().join("outbox");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let bytes = std::fs::read(entry.path()).expect("mail");
        let mail = mail_parser::MessageParser::default()
            .parse(&bytes)
            .expect("a mail");
        let to = mail
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .unwrap_or("")
            .to_string();
        let subject = mail.subject().unwrap_or("").to_string();
        let body = mail.body_text(0).unwrap_or_default().replace("\r\n", "\n");
        out.push((to, subject, body));
    }
    out
}

/// What save and come back later says in each language.
struct SaveWords {
    lang: &'static str,
    dir: &'static str,
    button: &'static str,
    needs_email: &'static str,
    saved: &'static str,
    for_days: &'static str,
    subject: &'static str,
    mail_days: &'static str,
    resume: &'static str,
    tasks: &'static str,
}

/// Saves the professional form in `w.lang`, chosen with `?lang=` on its first page: first
/// without a work address, then with one. Returns the link the email holds.
async fn save_in(app: &TestApp, w: &SaveWords, address: &str) -> String {
    const PEOPLE: &str = "/forms/professional/people_involved";
    app.swap_jar(Default::default());
    let first = app
        .get(&format!("/forms/professional?lang={}", w.lang))
        .await;
    let token = extract_token(&first.body).expect("token");
    let early = app
        .post_step(
            PEOPLE,
            &[("_token", &token), ("_lang", w.lang), ("_action", "save")],
        )
        .await;
    assert_eq!(early.status, 303, "{}", early.body);
    let about = app.get(early.location.as_deref().expect("where")).await;
    assert!(
        about.body.contains(&html_tag(tag(w.lang), w.dir)),
        "{}",
        about.body
    );
    assert!(about.body.contains(w.needs_email), "{}", about.body);
    assert!(about.body.contains(w.button), "{}", about.body);
    let fields = [
        ("_token", token.as_str()),
        ("_action", "continue"),
        ("submitter.full_name", "Sam Lee"),
        ("submitter.work_email", address),
    ];
    let sent = app
        .post_step("/forms/professional/about_you", &fields)
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let saved = app
        .post_step(PEOPLE, &[("_token", &token), ("_action", "save")])
        .await;
    let location = saved.location.expect("where");
    assert_eq!(
        location,
        format!("/forms/professional/saved?lang={}", w.lang)
    );
    let page = app.get(&location).await;
    assert!(
        page.body.contains(&html_tag(tag(w.lang), w.dir)),
        "{}",
        page.body
    );
    assert!(page.body.contains(w.saved), "{}", page.body);
    assert!(page.body.contains(w.for_days), "{}", page.body);

    let (_, subject, body) = saved_form_emails(app)
        .into_iter()
        .find(|(to, _, _)| to == address)
        .expect("the email");
    assert_eq!(subject, w.subject);
    assert!(body.contains(w.mail_days), "{body}");
    body.lines()
        .find(|l| l.contains("/forms/professional/resume"))
        .expect("a link")
        .trim()
        .to_string()
}

#[actix_web::test]
async fn saving_for_later_is_in_polish_and_arabic_the_email_and_the_pages_it_leads_to_too() {
    let app = spawn_app_with(|s| {
        s.public.languages = Lang::ALL.to_vec();
        s.limits.submission_burst = 100;
    })
    .await;
    let polish = SaveWords {
        lang: "pl",
        dir: "ltr",
        button: "Zapisz i wróć później",
        needs_email: "najpierw wpisz tutaj swój służbowy adres e-mail",
        saved: "Twoje odpowiedzi zostały zapisane",
        for_days: "Link działa raz, przez 7 dni;",
        subject: "Twój zapisany formularz",
        mail_days: "Działa raz, przez 7 dni:",
        resume: "Dokończ zapisany formularz",
        tasks: "Nie rozpoczęto",
    };
    let arabic = SaveWords {
        lang: "ar",
        dir: "rtl",
        button: "احفظ وعُد لاحقًا",
        needs_email: "أدخل أولاً عنوان بريدك الإلكتروني للعمل هنا",
        saved: "حُفظت إجاباتك",
        for_days: "يعمل مرة واحدة، لمدة 7 أيام؛",
        subject: "نموذجك المحفوظ",
        mail_days: "يعمل مرة واحدة، لمدة 7 أيام:",
        resume: "تابع نموذجك المحفوظ",
        tasks: "لم يبدأ",
    };
    let english = SaveWords {
        lang: "en",
        dir: "ltr",
        button: "Save and come back later",
        needs_email: "first enter your work email address here",
        saved: "Your answers have been saved",
        for_days: "It works once, for 7 days;",
        subject: "Your saved form",
        mail_days: "It works once, and for 7 days:",
        resume: "Carry on with your saved form",
        tasks: "Not started",
    };
    let addresses = [
        (polish, "sam@school.example"),
        (arabic, "ali@school.example"),
        (english, "jo@school.example"),
    ];
    for (w, address) in addresses {
        let link = save_in(&app, &w, address).await;
        if w.lang == "en" {
            // English's email is word for word what it was before it came from the strings.
            let (_, _, body) = saved_form_emails(&app)
                .into_iter()
                .find(|(to, _, _)| to == address)
                .expect("the email");
            let expected = format!(
                "You saved a form to finish later.\n\n\
                 To carry on, open this link in a web browser. It works once, and for 7 days:\n\
                 {link}\n\n\
                 The link holds the only key to your saved answers: do not forward this email. \
                 Once you\nopen the link, the answers are in that browser only.\n\n\
                 If you did not ask for this, ignore this email: the saved answers will be \
                 deleted.\n\n\
                 Do not reply to this email: replies are not read."
            );
            assert_eq!(body.trim_end(), expected);
        }
        let (path, key) = link.split_once('#').expect("a fragment");
        let path = &path[path.find("/forms/").expect("a path")..];
        assert_eq!(path, format!("/forms/professional/resume?lang={}", w.lang));

        // The link opens its page in the language, and the answers come back with it.
        app.swap_jar(Default::default());
        let resume = app.get(path).await;
        assert!(resume.body.contains(&html_tag(tag(w.lang), w.dir)));
        assert!(resume.body.contains(w.resume), "{}", resume.body);
        let token = extract_token(&resume.body).expect("token");
        let restored = app
            .post_step(
                "/forms/professional/resume",
                &[("_token", &token), ("key", key)],
            )
            .await;
        assert_eq!(restored.status, 303, "{}", restored.body);
        let tasks = app.get("/forms/professional/tasks").await;
        assert!(
            tasks.body.contains(&html_tag(tag(w.lang), w.dir)),
            "{}",
            tasks.body
        );
        assert!(tasks.body.contains(w.tasks), "{}", tasks.body);
    }
}

#[actix_web::test]
async fn a_file_refused_on_check_your_answers_is_named_in_polish_and_arabic() {
    let app = all_languages().await;
    for (lang, message) in [
        ("pl", "Plik 1 musi być obrazem JPG, PNG lub WebP"),
        ("ar", "يجب أن يكون الملف 1 صورة بصيغة JPG أو PNG أو WebP"),
    ] {
        app.swap_jar(Default::default());
        let first = app.get(&format!("/forms/community?lang={lang}")).await;
        let token = extract_token(&first.body).expect("token");
        let mut fields = as_form_fields(&community_answers());
        fields.push(("_token".into(), token));
        fields.push(("_lang".into(), lang.into()));
        fields.push(("_step".into(), "check".into()));
        let mut parts: Vec<Part<'_>> = fields
            .iter()
            .map(|(k, v)| Part::Text(k.as_str(), v.as_str()))
            .collect();
        parts.push(Part::File {
            name: "attachments",
            filename: "note.jpg",
            content_type: "image/jpeg",
            bytes: b"<html>not a photo</html>",
        });
        parts.push(Part::Text("_action", "submit"));
        let origin = format!("https://localhost:{}", app.port);
        let page = app
            .post_raw(
                "/forms/community",
                &content_type(),
                multipart(&parts),
                &[("Origin", &origin), ("Sec-Fetch-Site", "same-origin")],
            )
            .await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(
            page.body
                .contains(&format!("<a href=\"#attachments\">{message}</a>")),
            "{}",
            page.body
        );
        assert!(!page.body.contains("must be a JPG"), "{}", page.body);
        assert_eq!(app.count(), 0);
    }
}

#[test]
fn check_your_answers_writes_yes_no_and_dates_in_the_page_s_language() {
    use pis_gateway::forms::review::{review, review_in};
    let catalog = Catalog::load(&repo().join("forms/locales")).expect("strings");
    let forms = FormRegistry::built_in().expect("forms");
    let spec = forms.get("community").expect("community");
    let answers = json!({
        "gate.immediate_danger": "no",
        "gate.crime_against_you": "yes",
        "when": "2026-10-07",
        "places": [{ "town": "York" }],
    });
    let answers = answers.as_object().expect("object");
    let shown = |lang: Lang| -> Vec<String> {
        let spec = form_text::localised_spec(&catalog, lang, spec);
        let wording = form_text::PageWording {
            catalog: &catalog,
            lang,
        };
        review_in(&spec, answers, &wording)
            .into_iter()
            .flat_map(|s| s.rows)
            .flat_map(|r| r.lines)
            .collect()
    };
    let polish = shown(Lang::Pl);
    assert!(polish.contains(&"Nie".to_string()), "{polish:?}");
    assert!(polish.contains(&"Tak".to_string()), "{polish:?}");
    assert!(
        polish.contains(&"7 października 2026".to_string()),
        "{polish:?}"
    );
    let arabic = shown(Lang::Ar);
    assert!(arabic.contains(&"لا".to_string()), "{arabic:?}");
    // A person's answer of two lines, on one line of the entry, parted with Arabic's comma; a
    // child's yes in Arabic.
    let listed = json!({
        "people": [{ "is_child": "yes", "description": "tall\nscar on the left cheek" }],
    });
    let spec_ar = form_text::localised_spec(&catalog, Lang::Ar, spec);
    let wording = form_text::PageWording {
        catalog: &catalog,
        lang: Lang::Ar,
    };
    let lines: Vec<String> = review_in(&spec_ar, listed.as_object().expect("object"), &wording)
        .into_iter()
        .flat_map(|s| s.rows)
        .flat_map(|r| r.lines)
        .collect();
    assert!(lines.iter().any(|l| l.ends_with(": نعم")), "{lines:?}");
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with(": tall، scar on the left cheek")),
        "{lines:?}"
    );
    assert!(arabic.contains(&"7 أكتوبر 2026".to_string()), "{arabic:?}");
    // A month and year only, in the form a month takes on its own.
    let month = json!({ "when": "2026-10" });
    let spec_pl = form_text::localised_spec(&catalog, Lang::Pl, spec);
    let wording = form_text::PageWording {
        catalog: &catalog,
        lang: Lang::Pl,
    };
    let rows = review_in(&spec_pl, month.as_object().expect("object"), &wording);
    assert!(
        rows.iter()
            .flat_map(|s| &s.rows)
            .any(|r| r.lines == ["październik 2026"]),
        "{rows:?}"
    );
    // English is as it was: the form's labels and English months.
    let english: Vec<String> = review(spec, answers)
        .into_iter()
        .flat_map(|s| s.rows)
        .flat_map(|r| r.lines)
        .collect();
    assert!(english.contains(&"No".to_string()));
    assert!(english.contains(&"7 October 2026".to_string()));
    assert_eq!(
        shown(Lang::En),
        english,
        "English through the page's wording"
    );
}

#[actix_web::test]
async fn the_api_names_a_refused_file_in_the_language_asked_for_with_the_same_field_and_code() {
    let app = all_languages().await;
    let submission = json!({"form": "community", "answers": community_answers()}).to_string();
    let send = |lang: &'static str| {
        let parts = vec![
            Part::Text("submission", &submission),
            Part::File {
                name: "attachments",
                filename: "a.jpg",
                content_type: "image/jpeg",
                bytes: b"<html>not a photo</html>",
            },
        ];
        let body = multipart(&parts);
        let app = &app;
        async move {
            let page = app
                .post_raw(
                    "/api/v1/submissions",
                    &content_type(),
                    body,
                    &[("Accept-Language", lang)],
                )
                .await;
            assert_eq!(page.status, 422, "{}", page.body);
            let v: serde_json::Value = serde_json::from_str(&page.body).expect("json");
            v["errors"][0].clone()
        }
    };
    let english = send("en").await;
    let polish = send("pl").await;
    assert_eq!(english["field"], polish["field"]);
    assert_eq!(english["code"], polish["code"]);
    assert_eq!(
        english["message"],
        "File 1 must be a JPG, PNG or WebP image"
    );
    assert_eq!(
        polish["message"],
        "Plik 1 musi być obrazem JPG, PNG lub WebP"
    );
    assert_eq!(app.count(), 0);
}

#[test]
fn english_words_with_values_are_found_by_the_closest_message() {
    let catalog = Catalog::load(&repo().join("forms/locales")).expect("strings");
    let cases = [
        (
            "File 2 must be smaller than 10 MB",
            "Plik 2 musi mieć mniej niż 10 MB",
        ),
        // Matches "… smaller than { $size }" too: the message with more words of its own wins.
        (
            "File 1 must be smaller than 40 megapixels",
            "Plik 1 musi mieć mniej niż 40 megapikseli",
        ),
        (
            "File 1 is empty. Choose your files again",
            "Plik 1 jest pusty. Wybierz pliki ponownie",
        ),
        ("Being looked at", "W trakcie sprawdzania"),
        // Not the catalog's words: as they are.
        ("File 1 is lovely", "File 1 is lovely"),
    ];
    for (english, polish) in cases {
        assert_eq!(catalog.translate_english(Lang::Pl, english), polish);
        assert_eq!(catalog.translate_english(Lang::En, english), english);
    }
}
