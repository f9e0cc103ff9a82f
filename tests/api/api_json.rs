//! The partner API: form descriptions, JSON submissions, and a table of hostile input.

use crate::helpers::*;
use serde_json::{json, Value};

#[actix_web::test]
async fn the_form_description_is_enough_to_build_a_valid_submission() {
    let app = spawn_app().await;
    let list: Value = serde_json::from_str(&app.get("/api/v1/forms").await.body).expect("json");
    let ids: Vec<&str> = list["forms"]
        .as_array()
        .expect("forms")
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    assert_eq!(ids, vec!["community", "professional"]);

    let desc: Value =
        serde_json::from_str(&app.get("/api/v1/forms/professional").await.body).expect("json");
    assert_eq!(desc["id"], "professional");
    assert!(desc["version"].as_u64().is_some());
    let fields: Vec<&Value> = desc["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .flat_map(|s| s["fields"].as_array().expect("fields"))
        .collect();
    let mut seen = std::collections::HashSet::new();
    for f in &fields {
        assert!(seen.insert(f["id"].as_str().expect("id")), "duplicate id");
        for key in ["id", "kind", "label", "required"] {
            assert!(f.get(key).is_some(), "{key} missing on {}", f["id"]);
        }
        match f["kind"].as_str().expect("kind") {
            "yes_no" | "choice" | "multi_choice" => {
                assert!(!f["options"].as_array().expect("options").is_empty())
            }
            "text" | "longtext" => assert!(f["max_length"].as_u64().is_some()),
            "group" => {
                assert!(f["max_items"].as_u64().is_some());
                assert!(!f["fields"].as_array().expect("sub-fields").is_empty());
            }
            _ => {}
        }
    }
    let gate = fields
        .iter()
        .find(|f| f["id"] == "gate.immediate_danger")
        .expect("gate question");
    let values: Vec<&str> = gate["options"]
        .as_array()
        .expect("options")
        .iter()
        .filter_map(|o| o["value"].as_str())
        .collect();
    assert_eq!(values, vec!["yes", "no", "not_sure"]);
    let conditional = fields
        .iter()
        .find(|f| f["id"] == "provenance.original_source_relationship")
        .expect("field");
    assert_eq!(
        conditional["required_when"]["field"],
        "provenance.how_known"
    );

    assert_eq!(app.get("/api/v1/forms/nope").await.status, 404);
}

#[actix_web::test]
async fn a_json_submission_gets_201_and_decrypts_to_the_normalised_answers() {
    let app = spawn_app().await;
    let (status, body) = app
        .post_json(&json!({"form": "professional", "answers": professional_answers()}))
        .await;
    assert_eq!(status, 201, "{body}");
    let reference = body["reference"].as_str().expect("reference");
    assert!(reference.starts_with("PIS-") && reference.len() == 13);
    assert_eq!(body["priority"], "ROUTINE");
    assert!(body["received_at"]
        .as_str()
        .is_some_and(|t| t.ends_with('Z')));
    let doc = app.open(reference);
    assert_eq!(doc["answers"]["phones"][0]["number"], "077009001??");
    assert_eq!(doc["answers"]["locations"][0]["postcode"], "YO24");
    assert_eq!(doc["answers"]["people"][0]["dob"], "2012-04");
    let notes = doc["notes"].as_array().expect("notes");
    assert!(notes
        .iter()
        .any(|n| n["field"] == "phones[0].number" && n["code"] == "partial_phone"));
    assert!(notes
        .iter()
        .any(|n| n["field"] == "locations[0].postcode" && n["code"] == "partial_postcode"));
    // The cleartext record holds no content.
    let record: (String, String) = app
        .db()
        .query_row(
            "SELECT form_id, priority FROM submissions WHERE reference = ?1",
            [reference],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("record");
    assert_eq!(record, ("professional".into(), "ROUTINE".into()));
    let state: String = app
        .db()
        .query_row(
            "SELECT state FROM deliveries WHERE submission = (SELECT id FROM submissions WHERE reference = ?1)",
            [reference],
            |r| r.get(0),
        )
        .expect("delivery queued");
    // Queued in the same transaction; the outbox (file transport here) may already have sent it.
    assert!(state == "pending" || state == "delivered", "{state}");
}

struct Case {
    why: &'static str,
    patch: Value,
    field: &'static str,
    code: &'static str,
}

fn with(patch: &Value) -> Value {
    let mut a = community_answers();
    for (k, v) in patch.as_object().expect("object") {
        if v.is_null() {
            a.as_object_mut().expect("object").remove(k);
        } else {
            a[k] = v.clone();
        }
    }
    a
}

#[actix_web::test]
async fn a_missing_answer_is_explained_in_the_words_of_the_question() {
    let app = spawn_app().await;
    let (status, body) = app
        .post_json(&json!({"form": "community", "answers": with(&json!({
            "when_known": null,
            "places": [{"town": "York"}],
        }))}))
        .await;
    assert_eq!(status, 422, "{body}");
    let message = |field: &str| -> String {
        body["errors"]
            .as_array()
            .and_then(|e| e.iter().find(|e| e["field"] == field))
            .and_then(|e| e["message"].as_str())
            .unwrap_or_else(|| panic!("no error for {field} in {body}"))
            .to_string()
    };
    assert_eq!(message("when_known"), "Select when it happened");
    assert_eq!(
        message("places[0].street_or_landmark"),
        "Place 1: Enter a street or landmark, or a postcode"
    );
}

#[actix_web::test]
async fn invalid_answers_get_422_naming_the_field_and_rule_without_echoing_the_value() {
    let app = spawn_app().await;
    let long = "x".repeat(5001);
    let cases = vec![
        Case {
            why: "required question missing",
            patch: json!({"what_happened": null}),
            field: "what_happened",
            code: "required",
        },
        Case {
            why: "too short",
            patch: json!({"what_happened": "canary1 tiny"}),
            field: "what_happened",
            code: "too_short",
        },
        Case {
            why: "too long",
            patch: json!({"what_happened": long}),
            field: "what_happened",
            code: "too_long",
        },
        Case {
            why: "unknown option",
            patch: json!({"how_know": "canary2"}),
            field: "how_know",
            code: "invalid_option",
        },
        Case {
            why: "yes/no outside its options",
            patch: json!({"gate.immediate_danger": "canary3"}),
            field: "gate.immediate_danger",
            code: "invalid_option",
        },
        Case {
            why: "bad postcode in a group",
            patch: json!({"places": [{"postcode": "canary4"}]}),
            field: "places[0].postcode",
            code: "invalid_format",
        },
        Case {
            why: "date in the future",
            patch: json!({"when": "2999-01-01"}),
            field: "when",
            code: "future_date",
        },
        Case {
            why: "impossible date",
            patch: json!({"when": "2025-02-30"}),
            field: "when",
            code: "invalid_date",
        },
        Case {
            why: "malformed date",
            patch: json!({"when": "canary5"}),
            field: "when",
            code: "invalid_format",
        },
        Case {
            why: "unknown field",
            patch: json!({"canary6": "x"}),
            field: "canary6",
            code: "unknown_field",
        },
        Case {
            why: "unknown field inside a group",
            patch: json!({"places": [{"postcode": "YO1 7HH", "canary7": "x"}]}),
            field: "places[0].canary7",
            code: "unknown_field",
        },
        Case {
            why: "too many items",
            patch: json!({"places": (0..6).map(|_| json!({"postcode": "YO1 7HH"})).collect::<Vec<_>>()}),
            field: "places",
            code: "too_many_items",
        },
        Case {
            why: "a number where text belongs",
            patch: json!({"what_happened": 12345678901234567890u64}),
            field: "what_happened",
            code: "wrong_type",
        },
        Case {
            why: "a string where a list belongs",
            patch: json!({"worry_type": "canary8"}),
            field: "worry_type",
            code: "wrong_type",
        },
        Case {
            why: "conditionally required contact name",
            patch: json!({"contact_ok": "yes"}),
            field: "contact.name",
            code: "required",
        },
        Case {
            why: "bad email",
            patch: json!({"contact_ok": "yes", "contact.name": "Ann", "contact.email": "canary9@@example"}),
            field: "contact.email",
            code: "invalid_format",
        },
        Case {
            why: "header injection in an email",
            patch: json!({"contact_ok": "yes", "contact.name": "Ann", "contact.email": "a@example.org\r\nBcc: canary10@example.org"}),
            field: "contact.email",
            code: "invalid_format",
        },
        Case {
            why: "required group item field",
            patch: json!({"places": [{"town": "York"}]}),
            field: "places[0].street_or_landmark",
            code: "required",
        },
    ];
    for case in cases {
        let (status, body) = app
            .post_json(&json!({"form": "community", "answers": with(&case.patch)}))
            .await;
        assert_eq!(status, 422, "{}: {body}", case.why);
        let errors = body["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("{}: no errors in {body}", case.why));
        let hit = errors
            .iter()
            .find(|e| e["field"] == case.field)
            .unwrap_or_else(|| panic!("{}: no error for {} in {body}", case.why, case.field));
        assert_eq!(hit["code"], case.code, "{}: {body}", case.why);
        assert!(
            hit["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{}",
            case.why
        );
        assert!(
            !body.to_string().contains("canary") || case.field.contains("canary"),
            "{}: value echoed: {body}",
            case.why
        );
        if case.field.contains("canary") {
            // The field name is the caller's own key; the message still says nothing of values.
            assert!(
                !hit["message"].as_str().unwrap_or("").contains("canary"),
                "{}",
                case.why
            );
        }
    }
    assert_eq!(app.count(), 0, "nothing invalid was stored");
}

#[actix_web::test]
async fn the_envelope_of_a_request_is_checked_before_the_answers() {
    let app = spawn_app().await;
    let form = app
        .post_raw(
            "/api/v1/submissions",
            "application/x-www-form-urlencoded",
            b"form=community".to_vec(),
            &[],
        )
        .await;
    assert_eq!(form.status, 415);
    let none = app
        .post_raw("/api/v1/submissions", "", b"{}".to_vec(), &[])
        .await;
    assert_eq!(none.status, 415);
    let broken = app
        .post_raw(
            "/api/v1/submissions",
            "application/json",
            b"{\"form\": ".to_vec(),
            &[],
        )
        .await;
    assert_eq!(broken.status, 400);
    assert!(broken.body.contains("malformed_json"));
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep = app
        .post_raw(
            "/api/v1/submissions",
            "application/json",
            deep.into_bytes(),
            &[],
        )
        .await;
    assert_eq!(
        deep.status, 422,
        "nesting beyond the limit is refused, not a crash"
    );
    let mut big = b"{\"form\":\"community\",\"answers\":{\"what_happened\":\"".to_vec();
    big.extend(std::iter::repeat_n(b'a', 300 * 1024));
    big.extend(b"\"}}");
    let big = app
        .post_raw(
            "/api/v1/submissions",
            "application/json; charset=utf-8",
            big,
            &[],
        )
        .await;
    assert_eq!(big.status, 413);
    let (status, body) = app.post_json(&json!({"form": "nope", "answers": {}})).await;
    assert_eq!(
        (status, body["errors"][0]["code"].as_str()),
        (422, Some("unknown_form"))
    );
    let (status, body) = app.post_json(&json!({"answers": {}})).await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (422, Some("form"))
    );
    let (status, body) = app
        .post_json(&json!({"form": "community", "answers": {}, "extra": 1}))
        .await;
    assert_eq!(
        (status, body["errors"][0]["code"].as_str()),
        (422, Some("unknown_field"))
    );
    let (status, _) = app
        .post_json(&json!({"form": "community", "answers": []}))
        .await;
    assert_eq!(status, 422);
    let (status, _) = app.post_json(&json!(["not", "an", "object"])).await;
    assert_eq!(status, 422);
    assert_eq!(app.count(), 0);
}

#[actix_web::test]
async fn unicode_tricks_are_neutralised_before_sealing() {
    let app = spawn_app().await;
    let answers = with(&json!({
        "what_happened": "He said \u{202E}txet desrever\u{202C} and left.\u{0000} Zoe\u{0301} was there too, many times.",
        "places": [{"street_or_landmark": "Park\u{2066} gates\u{2069}\u{0007}", "postcode": "ｙｏ１ ７ｈｈ"}],
    }));
    let (status, body) = app
        .post_json(&json!({"form": "community", "answers": answers}))
        .await;
    // Full-width characters are not a UK postcode: refused with a message, never a crash.
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "places[0].postcode");
    let answers = with(&json!({
        "what_happened": "He said \u{202E}txet desrever\u{202C} and left.\u{0000} Zoe\u{0301} was there too, many times.",
        "places": [{"street_or_landmark": "Park\u{2066} gates\u{2069}\u{0007}"}],
    }));
    let (status, body) = app
        .post_json(&json!({"form": "community", "answers": answers}))
        .await;
    assert_eq!(status, 201, "{body}");
    let doc = app.open(body["reference"].as_str().expect("reference"));
    let text = doc["answers"]["what_happened"].as_str().expect("text");
    assert!(!text.contains('\u{202E}') && !text.contains('\u{0000}'));
    assert!(text.contains("Zo\u{e9}"), "NFC applied");
    assert_eq!(
        doc["answers"]["places"][0]["street_or_landmark"],
        "Park gates"
    );
}

#[actix_web::test]
async fn concurrent_submissions_each_get_their_own_durable_reference() {
    let app = spawn_app().await;
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let payload = json!({"form": "community", "answers": community_answers()});
        let client = https_client();
        let url = app.url("/api/v1/submissions");
        tasks.push(actix_web::rt::spawn(async move {
            let mut res = client.post(url).send_json(&payload).await.expect("POST");
            let body: Value = res.json().await.expect("json");
            (
                res.status().as_u16(),
                body["reference"].as_str().unwrap_or("").to_string(),
            )
        }));
    }
    let mut refs = std::collections::HashSet::new();
    for t in tasks {
        let (status, reference) = t.await.expect("task");
        assert_eq!(status, 201);
        assert!(refs.insert(reference));
    }
    assert_eq!(app.count(), 40);
    for r in refs.iter().take(3) {
        assert_eq!(app.open(r)["reference"], r.as_str());
    }
}

#[actix_web::test]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    let h = app.get("/healthz").await;
    assert_eq!((h.status, h.body.as_str()), (200, "ok"));
    let r = app.admin_get("/readyz").await;
    assert_eq!(r.status, 200);
    let v: Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(v["checks"]["spool_writable"], true);
    assert_eq!(v["checks"]["keys_loaded"], true);
}
