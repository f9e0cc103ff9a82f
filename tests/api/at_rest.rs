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
pub enum Store {
    Sqlite,
    Postgres(&'static Cluster, String),
}

impl Store {
    /// The SQLite store, or a fresh database on the test cluster (`None`, SKIPPED, without one).
    pub fn postgres(test: &str) -> Option<Store> {
        let cluster = pg_cluster::or_skip(test)?;
        let db = cluster.database().expect("a database");
        Some(Store::Postgres(cluster, db))
    }

    pub fn apply(&self, s: &mut Settings) {
        if let Store::Postgres(cluster, db) = self {
            let dir = s.spool.dir.clone();
            s.spool = crate::spool_contract::postgres_settings(cluster, db);
            s.spool.dir = dir;
        }
    }

    /// The gateway's spool opened a second time, as another gateway or a tool would.
    pub async fn open(&self, app: &TestApp) -> std::sync::Arc<dyn pis_gateway::spool::Spool> {
        let mut s = Settings::default();
        s.spool.dir = app.dir.path().join("spool");
        self.apply(&mut s);
        pis_gateway::spool::open(&s.spool).await.expect("the spool")
    }

    /// Every byte a reader of the store has: the database file with its WAL, or a dump.
    pub fn raw(&self, app: &TestApp) -> Vec<u8> {
        match self {
            Store::Sqlite => {
                let mut all = Vec::new();
                for entry in std::fs::read_dir(app.dir.path().join("spool")).expect("spool dir") {
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
pub fn assert_nowhere(raw: &[u8], canary: &str, what: &str) {
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
    let out = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(&id_path)
        .arg(&env_path)
        .output()
        .expect("the age CLI (Debian package `age`) runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
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
