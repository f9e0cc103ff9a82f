//! Long repeated entries as the GOV.UK "add to a list" pattern, as a browser without
//! JavaScript drives it: every press a post answered by a 303 to the first box of the entry it
//! changed (the new one, the one to change, the one that took a removed one's place), the
//! entries not being edited summarised with Change and Remove, and only the open entry's boxes
//! on the page (the others stay in the sealed draft, never in hidden inputs).

use crate::drafts::first_two_pages;
use crate::helpers::*;
use crate::journey::{form_action, hidden_inputs};

const PAGE: &str = "/forms/community/where_it_happened";

/// Presses `action` on `page` as a browser does: its hidden inputs, what was typed, the button.
async fn press(app: &TestApp, page: &str, typed: &[(&str, &str)], action: &str) -> Option<String> {
    let mut fields = hidden_inputs(page);
    fields.extend(typed.iter().map(|(a, b)| (a.to_string(), b.to_string())));
    fields.push(("_action".into(), action.into()));
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let raw = app.post_step(&form_action(page), &borrowed).await;
    assert_eq!(raw.status, 303, "{}", raw.body);
    raw.location
}

/// The summary row of entry `n` (from 1), if the page shows one: what it says.
fn row(page: &str, n: usize) -> Option<String> {
    let key = format!("<dt class=\"govuk-summary-list__key\">Place {n}</dt>");
    let at = page.find(&key)? + key.len();
    let rest = &page[at..];
    let start = rest.find('>')? + 1;
    let end = rest.find("</dd>")?;
    Some(rest[start..end].trim().to_string())
}

fn boxes_of(page: &str, i: usize) -> bool {
    page.contains(&format!("name=\"places[{i}]."))
}

#[actix_web::test]
async fn entries_are_summarised_with_change_and_remove_and_one_is_edited_at_a_time() {
    let app = spawn_app().await;
    first_two_pages(&app).await;
    let page = app.get(PAGE).await.body;
    assert!(row(&page, 1).is_none(), "one entry is asked in full");

    let to = press(
        &app,
        &page,
        &[
            ("places[0].street_or_landmark", "Station Road"),
            ("places[0].town", "Acomb"),
        ],
        "add:places",
    )
    .await;
    assert_eq!(
        to.as_deref(),
        Some("/forms/community/where_it_happened#f-places[1].street_or_landmark")
    );
    let page = app.get(PAGE).await.body;
    assert_eq!(row(&page, 1).as_deref(), Some("Station Road, Acomb"));
    assert!(page.contains("value=\"edit:places:0\"") && page.contains("value=\"remove:places:0\""));
    assert!(
        !boxes_of(&page, 0) && boxes_of(&page, 1),
        "the new entry alone is open"
    );
    let hidden: Vec<String> = hidden_inputs(&page).into_iter().map(|(k, _)| k).collect();
    assert!(
        hidden
            .iter()
            .all(|k| ["_token", "_list", "_open.places", "_lang"].contains(&k.as_str())),
        "no answer travels in a hidden input: {hidden:?}"
    );

    // Change the first: what was typed in the open one is kept.
    let to = press(
        &app,
        &page,
        &[
            ("places[1].street_or_landmark", "Market Street"),
            ("places[1].town", "Selby"),
        ],
        "edit:places:0",
    )
    .await;
    assert_eq!(
        to.as_deref(),
        Some("/forms/community/where_it_happened#f-places[0].street_or_landmark")
    );
    let page = app.get(PAGE).await.body;
    assert!(boxes_of(&page, 0) && !boxes_of(&page, 1));
    assert!(page.contains("value=\"Acomb\""));
    assert_eq!(row(&page, 2).as_deref(), Some("Market Street, Selby"));

    let to = press(
        &app,
        &page,
        &[
            ("places[0].street_or_landmark", "Station Road"),
            ("places[0].town", "Acomb Green"),
        ],
        "add:places",
    )
    .await;
    assert_eq!(
        to.as_deref(),
        Some("/forms/community/where_it_happened#f-places[2].street_or_landmark")
    );
    let page = app.get(PAGE).await.body;
    assert_eq!(row(&page, 1).as_deref(), Some("Station Road, Acomb Green"));
    assert_eq!(row(&page, 2).as_deref(), Some("Market Street, Selby"));
    assert!(boxes_of(&page, 2));

    // Remove the first: the list is where it lands, the rest move up.
    let to = press(
        &app,
        &page,
        &[
            ("places[2].street_or_landmark", "High Street"),
            ("places[2].town", "Tadcaster"),
        ],
        "remove:places:0",
    )
    .await;
    // Remove the first: the one that took its place opens, the words typed in the third kept.
    assert_eq!(
        to.as_deref(),
        Some("/forms/community/where_it_happened#f-places[0].street_or_landmark")
    );
    let page = app.get(PAGE).await.body;
    assert!(boxes_of(&page, 0) && page.contains("value=\"Market Street\""));
    assert_eq!(row(&page, 2).as_deref(), Some("High Street, Tadcaster"));
    assert!(!page.contains("Acomb"));

    // Continue, then Back: every entry summarised, none open.
    let to = press(
        &app,
        &page,
        &[
            ("places[0].street_or_landmark", "Market Street"),
            ("places[0].town", "York"),
        ],
        "continue",
    )
    .await;
    let next = app.get(PAGE).await.body;
    assert_ne!(to.as_deref(), Some(PAGE), "{next}");
    let page = app.get(PAGE).await.body;
    assert_eq!(row(&page, 1).as_deref(), Some("Market Street, York"));
    assert_eq!(row(&page, 2).as_deref(), Some("High Street, Tadcaster"));
    assert!(!boxes_of(&page, 0) && !boxes_of(&page, 1));
}
