//! Anonymity first and a way back: the contact page offers the follow-up code as the way to
//! hear back without a name and reveals the contact fields only under "Yes, you can contact
//! me"; "Check for a reply to a report" is on the start page and in every page's header; the
//! confirmation says where to keep the code and when to check back.

use crate::helpers::*;

/// The contact page as it comes back after Continue with `fields` (a token added).
async fn contact_page(app: &TestApp, fields: &[(&str, &str)]) -> Page {
    let token = app.form_token("community").await;
    let mut all = vec![
        ("_token", token.as_str()),
        ("_step", "contact"),
        ("_action", "continue"),
    ];
    all.extend_from_slice(fields);
    let page = app.post_form("community", &all).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page
        .body
        .contains("<h1 class=\"govuk-heading-l\">Can we contact you?</h1>"));
    page
}

/// The opening tag of the element with `id`.
fn tag_with_id<'a>(body: &'a str, id: &str) -> &'a str {
    let at = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no element {id}"));
    let start = body[..at].rfind('<').expect("tag start");
    let end = at + body[at..].find('>').expect("tag end");
    &body[start..=end]
}

const CONTACT_FIELDS: [&str; 5] = [
    "contact.name",
    "contact.phone",
    "contact.email",
    "contact.safe_times",
    "contact.safe_to_leave_message",
];

#[actix_web::test]
async fn the_contact_page_offers_the_code_and_reveals_contact_fields_only_under_yes() {
    let app = spawn_app().await;
    let page = contact_page(&app, &[]).await;
    let body = &page.body;
    // The code is the way to hear back without a name, said plainly; nothing says an
    // anonymous report counts for less.
    assert!(
        body.contains("You do not have to give your name."),
        "{body}"
    );
    assert!(body.contains("To hear back without giving your name, choose to get a follow-up code"));
    assert!(body.contains("with or without a name"));
    assert!(!body.contains("cannot ask you questions"));

    // GOV.UK's conditional reveal: "Yes" controls a container that starts hidden, and every
    // contact field is drawn inside it, once.
    let yes = tag_with_id(body, "f-contact_ok-0");
    assert!(yes.contains("value=\"yes\""), "{yes}");
    assert!(
        yes.contains("data-aria-controls=\"f-contact_ok-0-conditional\""),
        "{yes}"
    );
    let no = tag_with_id(body, "f-contact_ok-1");
    assert!(!no.contains("data-aria-controls"), "{no}");
    let container = tag_with_id(body, "f-contact_ok-0-conditional");
    assert!(
        container.contains("govuk-radios__conditional govuk-radios__conditional--hidden"),
        "{container}"
    );
    let open = body
        .find("id=\"f-contact_ok-0-conditional\"")
        .expect("container");
    let close = body.find("id=\"f-contact_ok-1\"").expect("the No option");
    for field in CONTACT_FIELDS {
        let control = format!("name=\"{field}\"");
        let at = body
            .find(&control)
            .unwrap_or_else(|| panic!("{field} missing"));
        assert!(open < at && at < close, "{field} is outside the reveal");
        // One control (a text box, or the first of a question's radios), drawn once.
        let first = body.matches(&format!("id=\"f-{field}\"")).count()
            + body.matches(&format!("id=\"f-{field}-0\"")).count();
        assert_eq!(first, 1, "{field} drawn {first} times");
    }
    // Without script the fields stay in view (the hiding class only acts once app.js has
    // marked the page), with a note saying whose they are.
    assert!(body.contains("Only if you chose “Yes, you can contact me”:"));

    // Chosen and sent back with a problem: the page comes back with the fields in view.
    let again = contact_page(&app, &[("contact_ok", "yes")]).await;
    let container = tag_with_id(&again.body, "f-contact_ok-0-conditional");
    assert!(
        !container.contains("--hidden"),
        "chosen, so shown: {container}"
    );
    assert!(
        again.body.contains("href=\"#f-contact.name\""),
        "{}",
        again.body
    );
}

#[actix_web::test]
async fn contact_details_typed_before_choosing_to_stay_anonymous_are_never_sent() {
    let app = spawn_app().await;
    let token = app.form_token("community").await;
    let mut answers = community_answers();
    answers["contact_ok"] = "no".into();
    answers["contact.name"] = "Sam Marsh".into();
    answers["contact.phone"] = "07700 900123".into();
    let mut fields = as_form_fields(&answers);
    fields.push(("_token".into(), token));
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let page = app.post_form("community", &borrowed).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let reference = extract_reference(&page.body).expect("sent");
    let doc = app.open(&reference);
    assert_eq!(doc["answers"]["contact_ok"], "no");
    assert!(doc["answers"].get("contact.name").is_none(), "{doc}");
    assert!(doc["answers"].get("contact.phone").is_none(), "{doc}");
    assert!(!doc.to_string().contains("Sam Marsh"));

    // Under "Yes" the same details arrive.
    let token = app.form_token("community").await;
    answers["contact_ok"] = "yes".into();
    let mut fields = as_form_fields(&answers);
    fields.push(("_token".into(), token));
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let page = app.post_form("community", &borrowed).await;
    let reference = extract_reference(&page.body).expect("sent");
    let doc = app.open(&reference);
    assert_eq!(doc["answers"]["contact.name"], "Sam Marsh");
}

#[actix_web::test]
async fn check_for_a_reply_is_on_the_start_page_and_in_every_header() {
    let app = spawn_app().await;
    let link = "<a class=\"govuk-header__link app-header-nav__link\" href=\"/follow-up\">Check for a reply to a report</a>";
    for path in [
        "/",
        "/forms/community",
        "/forms/professional",
        "/privacy",
        "/follow-up",
    ] {
        let page = app.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(page.body.contains(link), "{path} has no header link");
    }
    let home = app.get("/").await;
    let main = &home.body[home.body.find("<main").expect("main")..];
    assert!(
        main.contains(
            "<a href=\"/follow-up\" class=\"govuk-link\">check for a reply to a report</a>"
        ),
        "{main}"
    );
}

#[actix_web::test]
async fn the_confirmation_says_where_to_keep_the_code_and_when_to_check_back() {
    let app = spawn_app().await;
    let token = app.form_token("community").await;
    let mut fields = as_form_fields(&community_answers());
    fields.extend([
        ("_token".to_string(), token),
        ("_step".into(), "check".into()),
        ("_follow_up".into(), "yes".into()),
        ("_action".into(), "submit".into()),
    ]);
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let page = app.post_form("community", &borrowed).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let body = &page.body;
    assert!(body.contains("id=\"follow-up-code\""), "no code shown");
    assert!(body.contains(
        "Keep the code with your reference number, somewhere the person you reported cannot see it."
    ));
    assert!(body.contains("When to check for a reply"));
    assert!(body.contains("Check after 3 days, and then once a week"));
    assert!(body
        .contains("<a class=\"govuk-link\" href=\"/follow-up\">Check for a reply to a report</a>"));
    // The copy button is there for app.js to show; without script it stays hidden, so
    // nothing on the page does nothing.
    let button = tag_with_id_attr(body, "data-module=\"app-copy\"");
    assert!(button.contains(" hidden"), "{button}");
    assert!(
        button.contains("data-copy-from=\"follow-up-code\""),
        "{button}"
    );
    assert!(button.contains("type=\"button\""), "{button}");
}

/// The opening tag containing `attr`.
fn tag_with_id_attr<'a>(body: &'a str, attr: &str) -> &'a str {
    let at = body.find(attr).unwrap_or_else(|| panic!("no {attr}"));
    let start = body[..at].rfind('<').expect("tag start");
    let end = at + body[at..].find('>').expect("tag end");
    &body[start..=end]
}
