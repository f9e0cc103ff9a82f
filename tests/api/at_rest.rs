//! What a reader of the spool's storage sees: the SQLite file and its WAL byte for byte, or a
//! `pg_dump` of the PostgreSQL database. Canary strings that a submission or a professional
//! gives must be found in neither, in clear or (for PostgreSQL's byte strings) as hex.

use crate::delivery::{parse_mail, smtp_settings};
use crate::helpers::*;
use crate::pg_cluster::{self, Cluster};
use crate::smtp_server::{SmtpServer, Tls};
use age::secrecy::ExposeSecret;
use pis_gateway::config::{RouteSettings, Settings};
use pis_gateway::routing::{Role, View};
use serde_json::json;
use std::process::Command;
use std::time::Duration;

/// Where a test gateway keeps its spool.
pub(crate) enum Store {
    Sqlite,
    Postgres(&'static Cluster, String),
}

impl Store {
    /// The SQLite store, or a fresh database on the test cluster (`None`, SKIPPED, without one).
    pub(crate) fn postgres(test: &str) -> Option<Store> {
        let cluster = pg_cluster::or_skip(test)?;
        let db = cluster.database().expect("a database");
        Some(Store::Postgres(cluster, db))
    }

    pub(crate) fn apply(&self, s: &mut Settings) {
        if let Store::Postgres(cluster, db) = self {
            let dir = s.spool.dir.clone();
            s.spool = crate::spool_contract::postgres_settings(cluster, db);
            s.spool.dir = dir;
        }
    }

    /// The gateway's spool opened a second time, as another gateway or a tool would.
    pub(crate) async fn open(
        &self,
        app: &TestApp,
    ) -> std::sync::Arc<dyn pis_gateway::spool::Spool> {
        let mut s = Settings::default();
        s.spool.dir = app.dir.path().join("spool");
        self.apply(&mut s);
        pis_gateway::spool::open(&s.spool).await.expect("the spool")
    }

    /// Every byte a reader of the store has: the database file with its WAL, or a dump.
    pub(crate) fn raw(&self, app: &TestApp) -> Vec<u8> {
        self.raw_at(&app.dir.path().join("spool"))
    }

    /// As [`Store::raw`], for the SQLite spool in `dir`.
    pub(crate) fn raw_at(&self, dir: &std::path::Path) -> Vec<u8> {
        match self {
            Store::Sqlite => {
                let mut all = Vec::new();
                for entry in std::fs::read_dir(dir).expect("spool dir") {
                    let path = entry.expect("entry").path();
                    let name = path.file_name().unwrap_or_default().to_string_lossy();
                    if name.starts_with("spool.sqlite3") {
                        all.extend(std::fs::read(&path).expect("read"));
                    }
                }
                assert!(!all.is_empty(), "the SQLite file was read");
                all
            }
            Store::Postgres(cluster, db) => cluster.pg_dump(db).expect("pg_dump").into_bytes(),
        }
    }
}

/// Fails if `canary` is in `raw` as text or as hex (either case), naming `what`.
pub(crate) fn assert_nowhere(raw: &[u8], canary: &str, what: &str) {
    let hex: String = canary.bytes().map(|b| format!("{b:02x}")).collect();
    for form in [canary.to_string(), hex.clone(), hex.to_ascii_uppercase()] {
        assert!(
            !raw.windows(form.len()).any(|w| w == form.as_bytes()),
            "{what}: {canary} is readable in the store"
        );
    }
}

fn mace_route(identity: &age::x25519::Identity) -> RouteSettings {
    RouteSettings {
        name: "mace_north".into(),
        mailbox: "mace-north@example.invalid".into(),
        view: View::Restricted,
        recipients: vec![identity.to_public().to_string()],
        role: Some(Role::Mace),
        localities: vec!["RYEDALE".into()],
        fallback: false,
        ack_immediate_minutes: None,
        ack_priority_minutes: None,
        officers: vec![],
        officer_actions: None,
    }
}

/// A professional report for police only from a place in Ryedale: the MACE inbox there gets a
/// notice, with the categories and the locality as its only content.
async fn a_mace_notice_is_sealed_in_the_store_and_the_email(store: Store) {
    const CATEGORY: &str = "COUNTY_LINES";
    const LOCALITY: &str = "RYEDALE";
    let smtp = SmtpServer::start(Tls::StartTls).await;
    let mace = age::x25519::Identity::generate();
    let app = spawn_app_with(|s| {
        let outbox = s.mail.file_dir.clone();
        s.mail = smtp_settings(smtp.port, &outbox);
        s.routes.push(mace_route(&mace));
        store.apply(s);
    })
    .await;
    let mut answers = professional_answers();
    answers["concern_categories"] = json!([CATEGORY]);
    answers["locations"] = json!([{"location_type": "NEAR_SCHOOL", "postcode": "yo17"}]);
    let (status, body) = app
        .post_json(&json!({"form": "professional", "answers": answers}))
        .await;
    assert_eq!(status, 201, "{body}");
    let reference = body["reference"].as_str().expect("reference").to_string();

    let mail = smtp.wait_for(2, Duration::from_secs(30)).await;
    let notice = mail
        .iter()
        .find(|m| m.rcpt_to == ["mace-north@example.invalid"])
        .expect("the notice is sent to the MACE inbox");
    let text = String::from_utf8_lossy(&notice.data).into_owned();
    assert!(text.contains("A notice is attached"), "{text}");
    let armored = parse_mail(&notice.data).armored.expect("the sealed notice");
    let plain_part = &text[..text.find("BEGIN AGE").expect("armor")];
    for canary in [CATEGORY, LOCALITY] {
        assert!(
            !plain_part.contains(canary),
            "{canary} in the email: {text}"
        );
        assert_nowhere(&store.raw(&app), canary, "the spool");
    }

    // The reference tool opens it with the MACE inbox's key, and so does `open`.
    let env_path = app.dir.path().join(format!("{reference}.age"));
    std::fs::write(&env_path, &armored).expect("write");
    let id_path = app.dir.path().join("mace.key");
    std::fs::write(&id_path, format!("{}\n", mace.to_string().expose_secret())).expect("key");
    let doc = decrypt_with(armored.as_bytes(), &mace);
    match Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(&id_path)
        .arg(&env_path)
        .output()
    {
        Ok(out) => {
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let by_age: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
            assert_eq!(by_age, doc, "the age CLI reads the same document");
        }
        Err(_) => eprintln!(
            "SKIPPED: the `age` CLI is not installed (Debian package `age`; .ci/run installs it)"
        ),
    }
    assert_eq!(doc["view"], "notice");
    assert_eq!(doc["reference"], reference.as_str());
    assert_eq!(doc["answers"], json!({ "concern_categories": [CATEGORY] }));
    assert_eq!(doc["localities"], json!([LOCALITY]));
    assert_eq!(doc["reason_codes"], json!([]), "a notice says no why");
    let keys = crate::age_cli::published_keys(&app).await;
    let out = Command::new(env!("CARGO_BIN_EXE_pis-gateway"))
        .args(["open", "--format", "json", "--identity"])
        .arg(&id_path)
        .arg("--signer")
        .arg(&keys)
        .arg(&env_path)
        .output()
        .expect("open runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let opened: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(opened["document"]["localities"], json!([LOCALITY]));
    assert_eq!(
        opened["document"]["answers"]["concern_categories"],
        json!([CATEGORY])
    );
}

#[actix_web::test]
async fn a_mace_notice_is_sealed_on_sqlite() {
    a_mace_notice_is_sealed_in_the_store_and_the_email(Store::Sqlite).await;
}

#[actix_web::test]
async fn a_mace_notice_is_sealed_on_postgres() {
    let Some(store) = Store::postgres("a_mace_notice_is_sealed_on_postgres") else {
        return;
    };
    a_mace_notice_is_sealed_in_the_store_and_the_email(store).await;
}

/// The spool settings for `store`, with the spool (SQLite) and its secrets key in `dir`.
fn spool_settings(store: &Store, dir: &std::path::Path) -> pis_gateway::config::SpoolSettings {
    let mut s = Settings::default();
    s.spool.dir = dir.join("spool");
    store.apply(&mut s);
    s.spool.secrets_key_file = dir.join("secrets.key");
    s.spool
}

/// Fails if the bytes of `secret` are in `raw`, as they are or as hex.
fn assert_secret_nowhere(raw: &[u8], secret: &[u8], what: &str) {
    let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    assert!(
        !raw.windows(secret.len()).any(|w| w == secret),
        "{what} is in the store in clear"
    );
    assert!(
        !raw.windows(hex.len()).any(|w| w == hex.as_bytes()),
        "{what} is in the store as hex"
    );
}

/// The form-token key, the reference key and the follow-up pepper are kept sealed under the
/// key file outside the database; a wrong key file stops the spool opening, saying which
/// setting to fix; a secret kept in clear by an older gateway is sealed on the next start.
async fn the_spools_secrets_are_sealed_under_the_key_file(store: Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let settings = spool_settings(&store, dir.path());
    let spool = pis_gateway::spool::open(&settings).await.expect("opens");
    let names = [
        ("form_token", 32),
        ("reference_key", 32),
        (
            pis_gateway::follow_up::keys::PEPPER_SECRET,
            pis_gateway::follow_up::keys::PEPPER_LEN,
        ),
    ];
    let mut values = Vec::new();
    for (name, len) in names {
        let v = spool.secret(name, len).await.expect("secret");
        assert_eq!(spool.secret(name, len).await.expect("again"), v, "kept");
        values.push((name, v));
    }
    drop(spool);
    let raw = store.raw_at(&settings.dir);
    for (name, v) in &values {
        assert_secret_nowhere(&raw, v, name);
    }

    // Reopened with its own key, the same secrets; with another, a refusal naming the setting.
    let spool = pis_gateway::spool::open(&settings).await.expect("reopens");
    for (name, v) in &values {
        assert_eq!(&spool.secret(name, v.len()).await.expect("secret"), v);
    }
    drop(spool);
    let mut wrong = settings.clone();
    wrong.secrets_key_file = dir.path().join("another.key");
    let e = pis_gateway::spool::open(&wrong)
        .await
        .err()
        .expect("a wrong key is refused");
    assert!(format!("{e:#}").contains("spool.secrets_key_file"), "{e:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_spools_secrets_are_sealed_on_sqlite() {
    the_spools_secrets_are_sealed_under_the_key_file(Store::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_spools_secrets_are_sealed_on_postgres() {
    let Some(store) = Store::postgres("the_spools_secrets_are_sealed_on_postgres") else {
        return;
    };
    the_spools_secrets_are_sealed_under_the_key_file(store).await;
}

/// A spool from before sealing keeps its secrets (so its references still resolve) and has
/// them sealed at the next start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_kept_in_clear_is_sealed_on_the_next_start_on_postgres() {
    let Some(store) = Store::postgres("a_secret_kept_in_clear_is_sealed_on_postgres") else {
        return;
    };
    let Store::Postgres(cluster, db) = &store else {
        unreachable!("a PostgreSQL store")
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let settings = spool_settings(&store, dir.path());
    drop(pis_gateway::spool::open(&settings).await.expect("opens"));
    cluster
        .psql(
            db,
            "INSERT INTO settings (name, value) VALUES ('secret:form_token', decode(repeat('ab', 32), 'hex'))
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )
        .expect("an older gateway's clear key");
    let spool = pis_gateway::spool::open(&settings).await.expect("opens");
    assert_eq!(
        spool.secret("form_token", 32).await.expect("secret"),
        vec![0xab; 32],
        "kept"
    );
    let stored = cluster
        .psql(
            db,
            "SELECT encode(value, 'hex') FROM settings WHERE name = 'secret:form_token'",
        )
        .expect("read");
    assert!(!stored.contains(&"ab".repeat(32)), "sealed now: {stored}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_kept_in_clear_is_sealed_on_the_next_start_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let settings = spool_settings(&Store::Sqlite, dir.path());
    drop(pis_gateway::spool::open(&settings).await.expect("opens"));
    let db = rusqlite::Connection::open(settings.dir.join("spool.sqlite3")).expect("db");
    db.execute(
        "INSERT INTO settings (name, value) VALUES ('secret:form_token', ?1)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        [&[0xab_u8; 32][..]],
    )
    .expect("an older gateway's clear key");
    let spool = pis_gateway::spool::open(&settings).await.expect("opens");
    assert_eq!(
        spool.secret("form_token", 32).await.expect("secret"),
        vec![0xab; 32],
        "kept"
    );
    let stored: Vec<u8> = db
        .query_row(
            "SELECT value FROM settings WHERE name = 'secret:form_token'",
            [],
            |r| r.get(0),
        )
        .expect("read");
    assert_ne!(stored, vec![0xab; 32], "sealed now");
    assert!(!stored.windows(32).any(|w| w == [0xab; 32]));
}
