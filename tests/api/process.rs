//! The gateway as an operator runs it: the real binary, its logs, its files, and `kill -9`.

use crate::helpers::*;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub(crate) struct Gateway {
    child: Child,
    pub port: u16,
    pub admin_port: u16,
    pub log: Arc<Mutex<Vec<String>>>,
}

impl Gateway {
    /// The gateway's resident memory now, from `/proc`, in MiB.
    pub(crate) fn rss_mib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the gateway's /proc status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|kib| kib.parse::<u64>().ok())
            .expect("VmRSS")
            / 1024
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn write_config(dir: &Path, recipients: &[String]) -> PathBuf {
    write_config_with(dir, recipients, "", "")
}

/// A configuration for a gateway in `dir`, with extra lines for the `[mail]` and
/// `[delivery]` sections.
pub(crate) fn write_config_with(
    dir: &Path,
    recipients: &[String],
    mail: &str,
    delivery: &str,
) -> PathBuf {
    let repo = repo();
    let config = format!(
        r#"[server]
listen = "127.0.0.1:0"
admin_listen = "127.0.0.1:0"
public_url = "https://localhost:8443"
tls_cert = "{cert}"
tls_key = "{key}"
signing_key = "{signing}"
[spool]
dir = "{spool}"
[forms]
dir = "{forms}"
[mail]
file_dir = "{outbox}"
{mail}
[delivery]
{delivery}
[limits]
submissions_per_minute = 100000
submission_burst = 10000
pages_per_minute = 100000
page_burst = 10000
navigation_per_minute = 100000
navigation_burst = 10000
min_fill_seconds = 0
[[routes]]
name = "police_intelligence"
mailbox = "intel@example.invalid"
view = "full"
recipients = {recipients:?}
"#,
        cert = repo.join("certs-example/localhost.pem").display(),
        key = repo.join("certs-example/localhost-key.pem").display(),
        signing = repo.join("certs-example/signing-key.pem").display(),
        spool = dir.join("spool").display(),
        forms = repo.join("forms").display(),
        outbox = dir.join("outbox").display(),
    );
    let path = dir.join("gateway.toml");
    std::fs::write(&path, config).expect("config written");
    path
}

pub(crate) fn start(config: &Path) -> Gateway {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pis-gateway"))
        .arg("serve")
        .arg("--config")
        .arg(config)
        .env("RUST_LOG", "debug")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gateway starts");
    let log = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().expect("stderr");
    let sink = Arc::clone(&log);
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("pis-gateway serving") {
                // `port=N` in the text format, `"port":N` in JSON.
                let field = |name: &str| -> u16 {
                    line.split(&format!(" {name}="))
                        .nth(1)
                        .or_else(|| line.split(&format!("\"{name}\":")).nth(1))
                        .and_then(|p| p.split(|c: char| !c.is_ascii_digit()).next())
                        .and_then(|p| p.parse().ok())
                        .unwrap_or(0)
                };
                let _ = tx.send((field("port"), field("admin_port")));
            }
            sink.lock().expect("log lock").push(line);
        }
    });
    let (port, admin_port) = rx
        .recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| {
            panic!(
                "gateway did not start: {:?}",
                log.lock().expect("log").join("\n")
            )
        });
    Gateway {
        child,
        port,
        admin_port,
        log,
    }
}

pub(crate) fn app_for(gw: &Gateway, dir: &tempfile::TempDir) -> TestApp {
    TestApp {
        port: gw.port,
        admin_port: Some(gw.admin_port),
        client: https_client(),
        identities: vec![],
        dir: tempfile::tempdir_in(dir.path()).expect("scratch"),
        jar: Default::default(),
    }
}

pub(crate) fn keys() -> (Vec<age::x25519::Identity>, Vec<String>) {
    let ids = vec![
        age::x25519::Identity::generate(),
        age::x25519::Identity::generate(),
    ];
    let recipients = ids.iter().map(|i| i.to_public().to_string()).collect();
    (ids, recipients)
}

fn count_in(spool: &Path) -> i64 {
    rusqlite::Connection::open(spool.join("spool.sqlite3"))
        .and_then(|c| c.query_row("SELECT COUNT(*) FROM submissions", [], |r| r.get(0)))
        .expect("count")
}

#[actix_web::test]
async fn kill_9_under_load_loses_no_submission_that_was_given_a_reference() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (ids, recipients) = keys();
    let config = write_config(dir.path(), &recipients);
    let gw = start(&config);
    let url = format!("https://localhost:{}/api/v1/submissions", gw.port);

    let accepted = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (url, accepted) = (url.clone(), Arc::clone(&accepted));
        tasks.push(actix_web::rt::spawn(async move {
            let client = https_client();
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(20) {
                let payload = json!({"form": "community", "answers": community_answers()});
                match client.post(&url).send_json(&payload).await {
                    Ok(mut res) if res.status().as_u16() == 201 => {
                        let body: Value = res.json().await.unwrap_or(Value::Null);
                        if let Some(r) = body["reference"].as_str() {
                            accepted.lock().expect("lock").push(r.to_string());
                        }
                    }
                    Ok(_) => {}
                    Err(_) => break, // the gateway is gone
                }
            }
        }));
    }
    // Let load build up, then kill without warning.
    let deadline = Instant::now() + Duration::from_secs(15);
    while accepted.lock().expect("lock").len() < 50 && Instant::now() < deadline {
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    drop(gw); // SIGKILL
    for t in tasks {
        let _ = t.await;
    }
    let accepted = accepted.lock().expect("lock").clone();
    assert!(
        accepted.len() >= 10,
        "load reached the gateway ({} accepted)",
        accepted.len()
    );

    let gw = start(&config);
    let app = app_for(&gw, &dir);
    let db = rusqlite::Connection::open(dir.path().join("spool/spool.sqlite3")).expect("db");
    for r in &accepted {
        let body: Vec<u8> = db
            .query_row(
                "SELECT body FROM envelopes WHERE submission = (SELECT id FROM submissions WHERE reference = ?1)",
                [r],
                |row| row.get(0),
            )
            .unwrap_or_else(|_| panic!("{r} was given to a submitter but is not in the spool"));
        assert_eq!(decrypt_with(&body, &ids[0])["reference"], r.as_str());
    }
    assert!(count_in(&dir.path().join("spool")) >= accepted.len() as i64);
    // The restarted gateway takes new work on the same spool.
    let (status, _) = app
        .post_json(&json!({"form": "community", "answers": community_answers()}))
        .await;
    assert_eq!(status, 201);
}

/// Fills every text-bearing field of a form with a distinctive canary and the rest with valid
/// answers. Returns the answers and the canary stem.
fn canary_answers(form: &str, stem: &str) -> Value {
    use pis_gateway::forms::spec::{Field, Kind, TextFormat};
    let registry = pis_gateway::forms::FormRegistry::built_in().expect("forms");
    let spec = registry.get(form).expect("form");
    let mut n = 0usize;
    let mut next = || {
        n += 1;
        // Letters only, so the name and reference formats accept it.
        let suffix: String = n
            .to_string()
            .chars()
            .map(|c| (b'a' + c as u8 - b'0') as char)
            .collect();
        format!("{stem}{suffix}")
    };
    fn value(f: &Field, next: &mut dyn FnMut() -> String) -> Value {
        match &f.kind {
            Kind::Text {
                format: Some(TextFormat::PisReference),
                ..
            } => json!("PIS-ABCD-EFGH"),
            Kind::Text { .. } => json!(next()),
            Kind::Longtext { .. } => {
                json!(format!("{} with enough words to pass the minimum", next()))
            }
            Kind::Email => json!(format!("{}@example.org", next())),
            Kind::Phone { .. } => json!("07700 900417"),
            Kind::Postcode { .. } => json!("ZE3 9JZ"),
            Kind::VehicleRegistration => json!("QQ9ZZZ9"),
            Kind::Date { .. } => json!("2025-01"),
            Kind::YesNo { .. } => json!("yes"),
            Kind::Choice { options } => json!(options[0].value),
            Kind::MultiChoice { options } => json!([options[0].value]),
            Kind::Group { fields, .. } => {
                let item: serde_json::Map<String, Value> = fields
                    .iter()
                    .map(|s| (s.id.clone(), value(s, next)))
                    .collect();
                json!([item])
            }
        }
    }
    let mut answers = serde_json::Map::new();
    for f in spec.fields() {
        answers.insert(f.id.clone(), value(f, &mut next));
    }
    answers.insert("gate.immediate_danger".into(), json!("no"));
    Value::Object(answers)
}

fn contains_ci(haystack: &[u8], needle: &str) -> bool {
    let needle = needle.to_ascii_lowercase().into_bytes();
    haystack.windows(needle.len()).any(|w| {
        w.iter()
            .map(u8::to_ascii_lowercase)
            .eq(needle.iter().copied())
    })
}

#[actix_web::test]
async fn canary_values_never_reach_logs_or_spool_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (ids, recipients) = keys();
    let config = write_config(dir.path(), &recipients);
    let gw = start(&config);
    let app = app_for(&gw, &dir);
    let stem = "qzxcanary";

    // Professional form through the API, community form through the browser form.
    let (status, body) = app
        .post_json(
            &json!({"form": "professional", "answers": canary_answers("professional", stem)}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let reference = body["reference"].as_str().expect("reference").to_string();
    let token = app.form_token("community").await;
    let mut fields = as_form_fields(&canary_answers("community", stem));
    fields.push(("_token".into(), token));
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let page = app.post_form("community", &borrowed).await;
    assert!(page.body.contains("Information sent"), "{}", page.body);
    // And rejected input carrying canaries.
    let (status, _) = app
        .post_json(&json!({"form": "community", "answers": {"what_happened": format!("{stem} short"), format!("{stem}field"): "x"}}))
        .await;
    assert_eq!(status, 422);
    let _ = app.admin_get("/readyz").await;
    let metrics = app.admin_get("/metrics").await.body;
    assert!(
        metrics.contains("pisg_submissions_accepted_total{"),
        "{metrics}"
    );
    assert!(!contains_ci(metrics.as_bytes(), stem), "canary in metrics");

    // Both emails (file transport) were written: headers and bodies carry no canary; only the
    // armored attachment holds the content, encrypted.
    let outbox = dir.path().join("outbox");
    let mut mails = Vec::new();
    for _ in 0..200 {
        mails = std::fs::read_dir(&outbox)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .collect();
        if mails.len() >= 2 {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(mails.len(), 2, "one email per submission");
    for m in &mails {
        let bytes = std::fs::read(m).expect("eml");
        assert!(!contains_ci(&bytes, stem), "canary in {}", m.display());
        for other in ["07700900417", "+447700900417", "QQ9ZZZ9", "ZE3 9JZ"] {
            assert!(!contains_ci(&bytes, other), "{other} in {}", m.display());
        }
    }

    // The sealed copy holds the canaries; nothing else does.
    let db = rusqlite::Connection::open(dir.path().join("spool/spool.sqlite3")).expect("db");
    let body: Vec<u8> = db
        .query_row(
            "SELECT body FROM envelopes WHERE submission = (SELECT id FROM submissions WHERE reference = ?1)",
            [&reference],
            |r| r.get(0),
        )
        .expect("envelope");
    assert!(decrypt_with(&body, &ids[1]).to_string().contains(stem));
    drop(db);
    drop(gw);

    for entry in std::fs::read_dir(dir.path().join("spool")).expect("spool dir") {
        let path = entry.expect("entry").path();
        let bytes = std::fs::read(&path).expect("read spool file");
        assert!(!contains_ci(&bytes, stem), "canary in {}", path.display());
        for other in ["07700900417", "+447700900417", "QQ9ZZZ9", "ZE3 9JZ"] {
            assert!(!contains_ci(&bytes, other), "{other} in {}", path.display());
        }
    }
}

#[actix_web::test]
async fn logs_carry_no_canary_no_client_address_and_warn_about_example_keys() {
    logs_carry_no_canary_in("text").await;
}

#[actix_web::test]
async fn json_logs_carry_no_canary_no_client_address_and_warn_about_example_keys() {
    let log = logs_carry_no_canary_in("json").await;
    for line in log.lines() {
        let event: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not one JSON object a line ({e}): {line}"));
        assert!(event["level"].is_string(), "{line}");
        assert!(event["timestamp"].is_string(), "{line}");
    }
    // The event's fields are at the top level, its span's (the reference) under `span`.
    assert!(
        log.lines().any(|l| {
            let e: Value = serde_json::from_str(l).unwrap_or_default();
            e["message"] == "submission committed"
                && e["routes"].is_string()
                && e["span"]["reference"].is_string()
        }),
        "{log}"
    );
}

/// Runs a gateway logging in `format` through a canary-laden journey; returns its log.
async fn logs_carry_no_canary_in(format: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let example =
        std::fs::read_to_string(repo().join("config/example-keys/recipients.EXAMPLE.txt"))
            .expect("examples");
    let recipients: Vec<String> = example.lines().map(str::to_string).collect();
    let config = write_config(dir.path(), &recipients);
    let mut text = std::fs::read_to_string(&config).expect("config");
    text.push_str(&format!("[log]\nformat = \"{format}\"\n"));
    std::fs::write(&config, text).expect("config");
    let gw = start(&config);
    let app = app_for(&gw, &dir);
    let stem = "qzxlogcanary";
    let (status, _) = app
        .post_json(
            &json!({"form": "professional", "answers": canary_answers("professional", stem)}),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _) = app
        .post_json(&json!({"form": "community", "answers": {"what_happened": stem}}))
        .await;
    assert_eq!(status, 422);
    let page = app
        .post_raw(
            "/forms/community?q=qzxlogcanary",
            "application/x-www-form-urlencoded",
            b"what_happened=qzxlogcanary".to_vec(),
            &[("User-Agent", "qzxlogcanary-agent")],
        )
        .await;
    assert_eq!(page.status, 403);
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    let log = gw.log.lock().expect("log").join("\n");
    assert!(
        log.contains("EXAMPLE KEY"),
        "example keys are announced at start: {log}"
    );
    assert!(
        log.contains("submission committed"),
        "the log is being captured: {log}"
    );
    assert!(!contains_ci(log.as_bytes(), stem), "canary in logs:\n{log}");
    for line in log.lines().filter(|l| l.contains("request")) {
        assert!(
            !line.contains("127.0.0.1") && !line.contains("::1"),
            "client address logged: {line}"
        );
    }
    log
}

#[test]
fn check_config_lists_every_problem_and_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        r#"[server]
listen = "not an address"
tls_cert = "/nonexistent/cert.pem"
[[routes]]
name = "control_room"
mailbox = "not-an-email"
view = "full"
recipients = ["age1secretvalue"]
"#,
    )
    .expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_pis-gateway"))
        .args(["check-config", "--config"])
        .arg(&path)
        .current_dir(repo())
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    for expected in [
        "server.listen",
        "server.tls_cert",
        "routes[0].mailbox",
        "routes[0].recipients[0]",
        "police_intelligence",
    ] {
        assert!(err.contains(expected), "{expected} not reported:\n{err}");
    }
    assert!(err.contains("bad.toml"), "the file is named:\n{err}");
    assert!(
        !err.contains("secretvalue"),
        "a key's value was printed:\n{err}"
    );

    let ok = Command::new(env!("CARGO_BIN_EXE_pis-gateway"))
        .arg("check-config")
        .current_dir(repo())
        .output()
        .expect("runs");
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stderr).contains("EXAMPLE KEY"));
    assert!(String::from_utf8_lossy(&ok.stderr).contains("EXAMPLE signing key"));
    let key = signer();
    assert!(
        String::from_utf8_lossy(&ok.stdout).contains(&format!(
            "signing key {} (current) {}",
            key.public().id(),
            key.public().to_base64()
        )),
        "check-config prints the public signing key: {}",
        String::from_utf8_lossy(&ok.stdout)
    );
}

#[actix_web::test]
async fn sigterm_stops_the_gateway_cleanly_after_its_workers_finish() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, recipients) = keys();
    let config = write_config(dir.path(), &recipients);
    let mut gw = start(&config);
    let app = app_for(&gw, &dir);
    let (status, _) = app
        .post_json(&json!({"form": "community", "answers": community_answers()}))
        .await;
    assert_eq!(status, 201);
    let pid = gw.child.id().to_string();
    let sent = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let started = Instant::now();
    let exit = loop {
        if let Some(status) = gw.child.try_wait().expect("wait") {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "still running 30 s after SIGTERM"
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exit.success(), "{exit:?}");
    actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    let log = gw.log.lock().expect("log").join("\n");
    for line in [
        "outbox worker stopped",
        "audit chain head",
        "pis-gateway stopped",
    ] {
        assert!(log.contains(line), "{line} missing from:\n{log}");
    }
    // The submission made before the stop was delivered (file transport) or is still queued.
    assert_eq!(count_in(&dir.path().join("spool")), 1);
}

#[actix_web::test]
async fn the_gateway_keeps_its_folders_and_emails_to_its_own_user() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, recipients) = keys();
    let config = write_config(dir.path(), &recipients);
    // Folders the gateway must create itself, parents included.
    let text = std::fs::read_to_string(&config).expect("config").replace(
        &format!("file_dir = \"{}\"", dir.path().join("outbox").display()),
        &format!("file_dir = \"{}\"", dir.path().join("var/outbox").display()),
    );
    std::fs::write(&config, text).expect("config");
    let gw = start(&config);
    let app = app_for(&gw, &dir);
    let (status, body) = app
        .post_json(&json!({"form": "community", "answers": community_answers()}))
        .await;
    assert_eq!(status, 201, "{body}");
    let outbox = dir.path().join("var/outbox");
    let mut mails = Vec::new();
    for _ in 0..400 {
        mails = std::fs::read_dir(&outbox)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .collect();
        if !mails.is_empty() {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(!mails.is_empty(), "an email was written");
    let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
    for folder in [
        dir.path().join("var"),
        outbox.clone(),
        dir.path().join("spool"),
    ] {
        assert_eq!(mode(&folder), 0o700, "{}", folder.display());
    }
    for file in mails.iter().cloned().chain(
        std::fs::read_dir(dir.path().join("spool"))
            .expect("spool")
            .flatten()
            .map(|e| e.path()),
    ) {
        assert_eq!(
            mode(&file) & 0o077,
            0,
            "{} is {:o}",
            file.display(),
            mode(&file)
        );
    }
}

#[actix_web::test]
async fn the_logged_audit_head_is_signed_and_audit_verify_takes_the_line_as_it_stands() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, recipients) = keys();
    let config = write_config(dir.path(), &recipients);
    let mut gw = start(&config);
    let app = app_for(&gw, &dir);
    let (status, _) = app
        .post_json(&json!({"form": "community", "answers": community_answers()}))
        .await;
    assert_eq!(status, 201);
    let pid = gw.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs")
        .success());
    let started = Instant::now();
    while gw.child.try_wait().expect("wait").is_none() {
        assert!(started.elapsed() < Duration::from_secs(30), "still running");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    let line = gw
        .log
        .lock()
        .expect("log")
        .iter()
        .rev()
        .find(|l| l.contains("audit chain head"))
        .cloned()
        .expect("a head in the log");
    let key = signer();
    assert!(
        line.contains(&format!("key={}", key.public().id())) && line.contains(" sig="),
        "signed: {line}"
    );
    let verify = |head: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_pis-gateway"))
            .args(["audit", "--config"])
            .arg(&config)
            .args(["verify", "--head", head])
            .output()
            .expect("runs");
        (
            out.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    };
    let (ok, out) = verify(&line);
    assert!(ok && out.contains("intact"), "{out}");

    // A head with its signature altered, or signed by another key, is refused outright.
    let head = pis_gateway::signing::SignedHead::parse(&line).expect("parses");
    let mut bent = head.clone();
    bent.signature[0] ^= 1;
    let as_line = |h: &pis_gateway::signing::SignedHead| {
        format!(
            "audit chain head seq={} hash={} key={} sig={}",
            h.seq,
            h.hash_hex(),
            h.key_id,
            h.signature_base64()
        )
    };
    let (ok, out) = verify(&as_line(&bent));
    assert!(!ok && out.contains("signature"), "{out}");
    let other = pis_gateway::signing::SigningKey::generate();
    let (ok, out) = verify(&as_line(&pis_gateway::signing::SignedHead::sign(
        &other,
        head.seq + 5,
        &[7; 32],
    )));
    assert!(!ok && out.contains("signature"), "{out}");

    // Whoever rewrites the chain's tail cannot match the signed head.
    let db = rusqlite::Connection::open(dir.path().join("spool/spool.sqlite3")).expect("db");
    db.execute("DELETE FROM audit WHERE seq >= ?1", [head.seq])
        .expect("truncate");
    let (ok, out) = verify(&line);
    assert!(!ok && out.contains("BROKEN"), "{out}");
}

/// A follow-up code, and what a submitter adds with it, in no log line (at debug level), no
/// email and no spool file of the gateway as an operator runs it.
#[actix_web::test]
async fn a_follow_up_code_and_an_addendum_never_reach_logs_emails_or_spool_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_ids, recipients) = keys();
    let config = write_config(dir.path(), &recipients);
    let gw = start(&config);
    let app = app_for(&gw, &dir);
    let stem = "qzxfollowcanary";

    let token = app.form_token("community").await;
    let mut fields = as_form_fields(&community_answers());
    fields.push(("_token".into(), token));
    fields.push(("_follow_up".into(), "yes".into()));
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let page = app.post_form("community", &borrowed).await;
    let start = page.body.find("id=\"follow-up-code\">").expect("a code") + 20;
    let end = page.body[start..].find('<').expect("end") + start;
    // Shown as words; its character forms must not leak either.
    let code = page.body[start..end].trim().to_string();
    let parsed =
        pis_gateway::follow_up::FollowUpCode::parse(&code).expect("the code shown reads back");
    let grouped = parsed.grouped();
    let canonical = grouped.replace('-', "");

    let post = |fields: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let body = serde_urlencoded::to_string(&fields).expect("encode");
            app.post_raw(
                "/follow-up",
                "application/x-www-form-urlencoded",
                body.into_bytes(),
                &[
                    ("Origin", &format!("https://localhost:{}", app.port)),
                    ("Sec-Fetch-Site", "same-origin"),
                ],
            )
            .await
        }
    };
    let entry = app.get("/follow-up").await;
    let token = extract_token(&entry.body).expect("token");
    let thread = post(vec![
        ("_token", token),
        ("code", code.clone()),
        ("_action", "open".into()),
    ])
    .await;
    assert!(
        thread.body.contains("There are no messages yet"),
        "{}",
        thread.body
    );
    let token = extract_token(&thread.body).expect("token");
    let sent = post(vec![
        ("_token", token),
        ("code", code.clone()),
        ("addendum", format!("The car is a blue {stem} estate")),
        ("_action", "add".into()),
    ])
    .await;
    assert!(
        sent.body.contains("has been sent to the police"),
        "{}",
        sent.body
    );
    // A wrong code too: it must not be logged either.
    let entry = app.get("/follow-up").await;
    let token = extract_token(&entry.body).expect("token");
    post(vec![
        ("_token", token),
        ("code", "QZXW-QZXW-QZXW-QZXW-QZXW".into()),
        ("_action", "open".into()),
    ])
    .await;

    let outbox = dir.path().join("outbox");
    let mut mails = Vec::new();
    for _ in 0..400 {
        mails = std::fs::read_dir(&outbox)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .collect();
        if mails.len() >= 2 {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(mails.len(), 2, "the report and the addendum");
    let secrets = [
        stem,
        code.as_str(),
        grouped.as_str(),
        canonical.as_str(),
        "QZXW-QZXW",
        "QZXWQZXW",
    ];
    for m in &mails {
        let bytes = std::fs::read(m).expect("eml");
        for s in secrets {
            assert!(!contains_ci(&bytes, s), "{s} in {}", m.display());
        }
    }
    let log = gw.log.lock().expect("log").join("\n");
    assert!(log.contains("follow-up addendum committed"), "{log}");
    for s in secrets {
        assert!(!contains_ci(log.as_bytes(), s), "{s} in the log");
    }
    drop(gw);
    for entry in std::fs::read_dir(dir.path().join("spool")).expect("spool dir") {
        let path = entry.expect("entry").path();
        let bytes = std::fs::read(&path).expect("read spool file");
        for s in secrets {
            assert!(!contains_ci(&bytes, s), "{s} in {}", path.display());
        }
    }
}
