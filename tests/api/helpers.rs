//! Spawning a gateway for a test and talking to it as a browser or a partner system would.

use age::x25519::Identity;
use pis_gateway::config::{RouteSettings, Settings};
use pis_gateway::routing::View;
use pis_gateway::startup::Application;
use rusqlite::Connection;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub(crate) fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub(crate) struct TestApp {
    pub port: u16,
    /// The admin listener (`/metrics`, `/readyz`), plain HTTP on loopback.
    pub admin_port: Option<u16>,
    pub client: awc::Client,
    pub identities: Vec<Identity>,
    pub dir: tempfile::TempDir,
    /// The draft cookies the gateway set, by form, as a browser keeps them.
    pub jar: std::sync::Mutex<std::collections::HashMap<String, String>>,
}

/// A response as it came, before any redirect is followed.
pub(crate) struct Raw {
    pub status: u16,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
    pub headers: awc::http::header::HeaderMap,
    pub body: String,
}

pub(crate) fn test_settings(dir: &Path, recipients: Vec<String>) -> Settings {
    let mut s = Settings::default();
    s.server.listen = "127.0.0.1:0".into();
    s.server.tls_cert = repo().join("certs-example/localhost.pem");
    s.server.tls_key = repo().join("certs-example/localhost-key.pem");
    s.server.signing_key = repo().join("certs-example/signing-key.pem");
    s.server.workers = 2;
    s.server.admin_listen = "127.0.0.1:0".into();
    s.spool.dir = dir.join("spool");
    s.forms.dir = repo().join("forms");
    s.mail.file_dir = dir.join("outbox");
    // Every test client is 127.0.0.1: limits high enough not to get in the way, except where a
    // test sets its own.
    s.limits.submissions_per_minute = 100_000;
    s.limits.submission_burst = 10_000;
    s.limits.pages_per_minute = 100_000;
    s.limits.page_burst = 10_000;
    s.limits.navigation_per_minute = 100_000;
    s.limits.navigation_burst = 10_000;
    s.limits.min_fill_seconds = 0;
    s.routing.triage_rules = repo().join("config/triage.toml");
    // PDFs are analysed by the built binary: this test harness is not `pis-gateway`.
    s.pdf_scanner = Some(env!("CARGO_BIN_EXE_pis-gateway").into());
    s.routing.localities = repo().join("config/localities.toml");
    s.routes = vec![
        RouteSettings {
            name: "police_intelligence".into(),
            mailbox: "intel@example.invalid".into(),
            view: View::Full,
            recipients: recipients.clone(),
            role: None,
            localities: vec![],
            fallback: false,
            ack_immediate_minutes: None,
            ack_priority_minutes: None,
            officer_actions: None,
            officers: vec![],
        },
        RouteSettings {
            name: "control_room".into(),
            mailbox: "control-room@example.invalid".into(),
            view: View::Full,
            recipients,
            role: Some(pis_gateway::routing::Role::ControlRoom),
            localities: vec![],
            fallback: false,
            ack_immediate_minutes: None,
            ack_priority_minutes: None,
            officer_actions: None,
            officers: vec![],
        },
    ];
    s
}

/// A client that trusts only the example CA, as a browser with that CA installed would.
pub(crate) fn https_client() -> awc::Client {
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_pki_types::CertificateDer::pem_file_iter(repo().join("certs-example/ca.pem"))
        .expect("CA file")
    {
        roots.add(cert.expect("CA cert")).expect("CA added");
    }
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    awc::Client::builder()
        .connector(awc::Connector::new().rustls_0_23(Arc::new(config)))
        .timeout(std::time::Duration::from_secs(20))
        // Redirects are followed by `TestApp`, which keeps cookies as a browser does.
        .disable_redirects()
        .finish()
}

pub(crate) async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// A gateway on the test settings, changed by `edit` before it starts.
pub(crate) async fn spawn_app_with(edit: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_with_clock(edit, pis_gateway::http::clock::Clock::system()).await
}

/// A gateway whose HTTP layer (rate limits, form tokens) runs on `clock`.
pub(crate) async fn spawn_app_with_clock(
    edit: impl FnOnce(&mut Settings),
    clock: pis_gateway::http::clock::Clock,
) -> TestApp {
    let dir = tempfile::tempdir().expect("tempdir");
    let identities = vec![Identity::generate(), Identity::generate()];
    let recipients = identities
        .iter()
        .map(|i| i.to_public().to_string())
        .collect();
    let mut settings = test_settings(dir.path(), recipients);
    edit(&mut settings);
    let app = Application::build_with_clock(settings, clock)
        .await
        .expect("gateway builds");
    let port = app.port();
    let admin_port = app.admin_port();
    actix_web::rt::spawn(app.run_until_stopped());
    TestApp {
        port,
        admin_port,
        client: https_client(),
        identities,
        dir,
        jar: Default::default(),
    }
}

pub(crate) struct Page {
    pub status: u16,
    pub body: String,
}

impl TestApp {
    pub(crate) fn url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.port)
    }

    /// A GET on the admin listener, as the host's monitoring would.
    pub(crate) async fn admin_get(&self, path: &str) -> Page {
        let port = self.admin_port.expect("an admin listener");
        let mut res = awc::Client::new()
            .get(format!("http://127.0.0.1:{port}{path}"))
            .send()
            .await
            .expect("GET on the admin listener");
        let body = res.body().limit(4 << 20).await.expect("body");
        Page {
            status: res.status().as_u16(),
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }

    pub(crate) async fn get(&self, path: &str) -> Page {
        let raw = self.get_raw(path).await;
        self.follow(raw).await
    }

    /// A GET with the browser's cookies, not following a redirect.
    pub(crate) async fn get_raw(&self, path: &str) -> Raw {
        let mut req = self.client.get(self.url(path));
        if let Some(c) = self.cookie_for(path) {
            req = req.insert_header(("Cookie", c));
        }
        let res = req.send().await.expect("GET");
        self.raw(res).await
    }

    /// The draft cookie a browser would send with a request to `path`.
    pub(crate) fn cookie_for(&self, path: &str) -> Option<String> {
        let form = path
            .strip_prefix("/forms/")?
            .split(['/', '?', '#'])
            .next()?;
        let jar = self.jar.lock().expect("jar");
        jar.get(form).map(|v| format!("pisg_draft={v}"))
    }

    /// Puts `jar` in place of the cookies kept, and returns those: for tests with several
    /// browsers at once.
    pub(crate) fn swap_jar(
        &self,
        jar: std::collections::HashMap<String, String>,
    ) -> std::collections::HashMap<String, String> {
        std::mem::replace(&mut *self.jar.lock().expect("jar"), jar)
    }

    async fn raw(
        &self,
        mut res: awc::ClientResponse<
            impl futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>>
                + Unpin,
        >,
    ) -> Raw {
        let set_cookies: Vec<String> = res
            .headers()
            .get_all("set-cookie")
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect();
        for c in &set_cookies {
            let Some((pair, attrs)) = c.split_once(';') else {
                continue;
            };
            let Some(("pisg_draft", value)) = pair.split_once('=') else {
                continue;
            };
            let Some(form) = attrs
                .split(';')
                .find_map(|a| a.trim().strip_prefix("Path=/forms/"))
            else {
                continue;
            };
            let mut jar = self.jar.lock().expect("jar");
            if value.is_empty() {
                jar.remove(form);
            } else {
                jar.insert(form.to_string(), value.to_string());
            }
        }
        let body = res.body().limit(4 << 20).await.expect("body");
        Raw {
            status: res.status().as_u16(),
            location: res
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            set_cookies,
            headers: res.headers().clone(),
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }

    /// Follows redirects within the gateway, as a browser does after a form post (303: GET).
    async fn follow(&self, mut raw: Raw) -> Page {
        for _ in 0..10 {
            match (&raw.status, &raw.location) {
                (301..=303 | 307 | 308, Some(to)) if to.starts_with('/') => {
                    let to = to.split('#').next().unwrap_or("/").to_string();
                    raw = self.get_raw(&to).await;
                }
                _ => break,
            }
        }
        Page {
            status: raw.status,
            body: raw.body,
        }
    }

    /// Fetches a form and returns its token, as a browser loading the page would.
    pub(crate) async fn form_token(&self, form: &str) -> String {
        let page = self.get(&format!("/forms/{form}")).await;
        assert_eq!(page.status, 200);
        extract_token(&page.body).expect("form carries a token")
    }

    /// Posts urlencoded fields with the headers a browser sends for a same-origin form.
    pub(crate) async fn post_form(&self, form: &str, fields: &[(&str, &str)]) -> Page {
        let body = serde_urlencoded::to_string(fields).expect("encode");
        self.post_raw(
            &format!("/forms/{form}"),
            "application/x-www-form-urlencoded",
            body.into_bytes(),
            &[
                ("Origin", &format!("https://localhost:{}", self.port)),
                ("Sec-Fetch-Site", "same-origin"),
            ],
        )
        .await
    }

    pub(crate) async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
        headers: &[(&str, &str)],
    ) -> Page {
        let raw = self
            .post_unfollowed(path, content_type, body, headers)
            .await;
        self.follow(raw).await
    }

    /// A POST with the browser's cookies, not following the redirect.
    pub(crate) async fn post_unfollowed(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
        headers: &[(&str, &str)],
    ) -> Raw {
        let mut req = self
            .client
            .post(self.url(path))
            .insert_header(("Content-Type", content_type));
        if let Some(c) = self.cookie_for(path) {
            req = req.insert_header(("Cookie", c));
        }
        for (k, v) in headers {
            req = req.insert_header((*k, *v));
        }
        let res = req.send_body(body).await.expect("POST");
        self.raw(res).await
    }

    /// Posts urlencoded fields to a step's URL as a same-origin browser form does, without
    /// following the redirect.
    pub(crate) async fn post_step(&self, path: &str, fields: &[(&str, &str)]) -> Raw {
        let body = serde_urlencoded::to_string(fields).expect("encode");
        let origin = format!("https://localhost:{}", self.port);
        self.post_unfollowed(
            path,
            "application/x-www-form-urlencoded",
            body.into_bytes(),
            &[("Origin", &origin), ("Sec-Fetch-Site", "same-origin")],
        )
        .await
    }

    pub(crate) async fn post_json(&self, value: &Value) -> (u16, Value) {
        let page = self
            .post_raw(
                "/api/v1/submissions",
                "application/json",
                serde_json::to_vec(value).expect("json"),
                &[],
            )
            .await;
        let v = serde_json::from_str(&page.body).unwrap_or(Value::Null);
        (page.status, v)
    }

    pub(crate) fn db(&self) -> Connection {
        Connection::open(self.dir.path().join("spool/spool.sqlite3")).expect("spool db")
    }

    pub(crate) fn count(&self) -> i64 {
        self.db()
            .query_row("SELECT COUNT(*) FROM submissions", [], |r| r.get(0))
            .expect("count")
    }

    /// Decrypts the police intelligence envelope of `reference` with the test identity.
    pub(crate) fn open(&self, reference: &str) -> Value {
        let body: Vec<u8> = self
            .db()
            .query_row(
                "SELECT body FROM envelopes WHERE submission = (SELECT id FROM submissions WHERE reference = ?1) AND route = 'police_intelligence'",
                [reference],
                |r| r.get(0),
            )
            .expect("envelope stored");
        decrypt_with(&body, &self.identities[1])
    }
}

pub(crate) fn decrypt_with(envelope: &[u8], identity: &Identity) -> Value {
    let ids: Vec<Box<dyn age::Identity>> = vec![Box::new(identity.clone())];
    let plain = pis_gateway::seal::decrypt(envelope, &ids).expect("decrypts");
    serde_json::from_slice(&plain).expect("json document")
}

pub(crate) fn extract_token(html: &str) -> Option<String> {
    let start = html.find("name=\"_token\" value=\"")? + "name=\"_token\" value=\"".len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

pub(crate) fn extract_reference(html: &str) -> Option<String> {
    let start = html.find("PIS-")?;
    Some(html[start..start + 13].to_string())
}

/// A complete, valid community report as the API takes it.
pub(crate) fn community_answers() -> Value {
    serde_json::json!({
        "gate.immediate_danger": "no",
        "gate.crime_against_you": "no",
        "worry_type": ["PEOPLE_COMING_AND_GOING"],
        "what_happened": "Young people are going in and out of the flat at all hours and some look frightened.",
        "places": [{"street_or_landmark": "Flats behind the Co-op on Front Street", "town": "Acomb", "postcode": "yo24 3bz"}],
        "when_known": "ONGOING",
        "when": "2026-10",
        "how_know": "SAW_OR_HEARD_MYSELF",
        "risk_to_you": "yes",
        "contact_ok": "no"
    })
}

/// A complete professional report touching every section and every repeatable group.
pub(crate) fn professional_answers() -> Value {
    serde_json::json!({
        "gate.immediate_danger": "no",
        "gate.specific_child": "yes",
        "gate.radicalisation": "no",
        "submitter.full_name": "Siobhán O'Neill-Brown",
        "submitter.job_title": "Designated Safeguarding Lead",
        "submitter.organisation": "Example Academy",
        "submitter.agency_type": "EDUCATION_SCHOOL",
        "submitter.work_email": "dsl@Example.SCH.UK",
        "submitter.phone": "+44 1904 123456",
        "submitter.can_contact": "yes",
        "submitter.consulted_safeguarding_lead": "NOT_APPLICABLE",
        "concern_categories": ["CCE", "COUNTY_LINES"],
        "summary": "Pupil seen collecting packages from a car outside school",
        "details": "On three mornings a pupil was seen taking small packages from the driver of a grey car.\r\nOther pupils say he now has two phones.",
        "event_date_known": "ON_DATE",
        "event_date": "2026-11-02",
        "event_time": "MORNING",
        "date_learned": "2026-11-03",
        "frequency": "SEVERAL_TIMES",
        "indicators": ["MULTIPLE_OR_SECRETIVE_PHONES"],
        "provenance.how_known": "TOLD_BY_SOMEONE_ELSE",
        "provenance.original_source_relationship": "OTHER_CHILD",
        "provenance.corroborated": "not_sure",
        "source_protection.source_aware_of_sharing": "no",
        "source_protection.source_identifiable": "yes",
        "source_protection.risk_to_source_or_you": "not_sure",
        "handling.restrictions": "POLICE_ONLY",
        "people": [
            {"role": "CHILD_AT_RISK", "forename": "Jay", "sex": "MALE", "age_estimate": "AGE_13_15", "currently_missing": "no", "dob": "2012-04"},
            {"role": "PERSON_POSING_RISK", "aliases_nicknames": "Big T, Tee", "description": "Tall, grey tracksuit"}
        ],
        "phones": [{"number": "07700 9001??", "linked_person": "Person 2"}],
        "online_accounts": [{"platform": "SNAPCHAT", "handle": "tee_runs"}],
        "vehicles": [{"registration": "yx21 kcd", "colour": "GREY", "vehicle_type": "CAR", "make": "Ford"}],
        "locations": [{"location_type": "NEAR_SCHOOL", "postcode": "yo24", "description_landmark": "Lay-by opposite the school gates"}],
        "linked_children": [{"name": "A friend in Year 9"}],
        "other_agencies": [{"agency": "Children's social care"}],
        "reported_elsewhere": ["MAST_REFERRAL"],
        "police_reference": "NYP-12345/26",
        "declaration": ["CONFIRMED"]
    })
}

/// Flattens an answers object into the fields a browser would post for it.
pub(crate) fn as_form_fields(answers: &Value) -> Vec<(String, String)> {
    fn date_parts(name: &str, v: &str, out: &mut Vec<(String, String)>) {
        let parts: Vec<&str> = v.split('-').collect();
        let (y, m, d) = (
            parts[0],
            parts.get(1).copied().unwrap_or(""),
            parts.get(2).copied().unwrap_or(""),
        );
        out.push((format!("{name}-day"), d.to_string()));
        out.push((format!("{name}-month"), m.to_string()));
        out.push((format!("{name}-year"), y.to_string()));
    }
    fn is_date(key: &str) -> bool {
        matches!(
            key,
            "event_date" | "date_learned" | "when" | "dob" | "seen_date"
        )
    }
    let mut out = Vec::new();
    for (k, v) in answers.as_object().expect("object") {
        match v {
            Value::String(s) if is_date(k) => date_parts(k, s, &mut out),
            Value::String(s) => out.push((k.clone(), s.clone())),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::String(s) => out.push((k.clone(), s.clone())),
                        Value::Object(m) => {
                            for (sk, sv) in m {
                                let name = format!("{k}[{i}].{sk}");
                                match sv {
                                    Value::String(s) if is_date(sk) => {
                                        date_parts(&name, s, &mut out)
                                    }
                                    Value::String(s) => out.push((name, s.clone())),
                                    Value::Array(a) => out.extend(a.iter().map(|x| {
                                        (name.clone(), x.as_str().unwrap_or("").to_string())
                                    })),
                                    _ => {}
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The shipped triage rules and locality table.
pub(crate) fn rules() -> pis_gateway::intake::Rules {
    pis_gateway::intake::Rules {
        triage: pis_gateway::triage::Triage::load(&repo().join("config/triage.toml"))
            .expect("triage rules"),
        localities: pis_gateway::locality::LocalityTable::load(
            &repo().join("config/localities.toml"),
        )
        .expect("localities"),
    }
}

/// The example signing key that the test gateways use (`certs-example/signing-key.pem`).
pub(crate) fn signer() -> Arc<pis_gateway::signing::SigningKey> {
    Arc::new(
        pis_gateway::signing::SigningKey::load(&repo().join("certs-example/signing-key.pem"))
            .expect("example signing key"),
    )
}

/// The keys a reader of the test gateways' documents trusts.
pub(crate) fn signer_keys() -> pis_gateway::signing::Keyring {
    pis_gateway::signing::Keyring(vec![signer().public().clone()])
}

/// Sends `text` as a professional report's narrative, with the gate answered "No" and no
/// urgency ticked, so only the narrative reader can raise it; the answer and the decrypted
/// full view.
pub(crate) async fn send_narrative(app: &TestApp, text: &str) -> (Value, Value) {
    let mut answers = professional_answers();
    answers["gate.immediate_danger"] = serde_json::json!("no");
    answers["urgency.now"] = serde_json::json!(["NONE"]);
    answers["urgency.soon"] = serde_json::json!(["NONE"]);
    answers["details"] = serde_json::json!(text);
    let (status, body) = app
        .post_json(&serde_json::json!({"form": "professional", "answers": answers}))
        .await;
    assert_eq!(status, 201, "{body}");
    let doc = app.open(body["reference"].as_str().expect("reference"));
    (body, doc)
}
