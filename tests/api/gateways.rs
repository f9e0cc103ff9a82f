//! Several gateways on one PostgreSQL database, as a force runs them behind its balancer: the
//! real binary twice, a real PostgreSQL (tests/support/pg_cluster.rs), a real SMTP server,
//! `kill -9`, and a database restarted under load. SKIPPED where PostgreSQL is not installed.

use crate::delivery::{header, parse_mail};
use crate::helpers::*;
use crate::pg_cluster::{self, Cluster};
use crate::process::{keys, start};
use crate::smtp_server::{SmtpServer, Tls};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const FROM: &str = "pis-gateway@gateway.example";

/// What each client heard: the status and, for a 201, the reference.
type Answers = [(u16, Option<String>)];

/// One gateway's configuration in `dir`, on database `db`, sending to `smtp_port`.
fn config(
    dir: &Path,
    cluster: &Cluster,
    db: &str,
    smtp_port: u16,
    recipients: &[String],
) -> PathBuf {
    std::fs::create_dir_all(dir).expect("dir");
    let repo = repo();
    let text = format!(
        r#"[server]
listen = "127.0.0.1:0"
admin_listen = "127.0.0.1:0"
public_url = "https://gateway.example"
tls_cert = "{cert}"
tls_key = "{key}"
signing_key = "{signing}"
[spool]
backend = "postgres"
postgres_url = "{url}"
postgres_password_file = "{password}"
postgres_pool_size = 6
secrets_key_file = "{secrets}"
[forms]
dir = "{forms}"
[mail]
transport = "smtp"
smtp_host = "localhost"
smtp_port = {smtp_port}
smtp_ca_file = "{ca}"
smtp_timeout_secs = 2
from = "{FROM}"
[delivery]
retry_initial_secs = 1
retry_max_delay_secs = 2
poll_interval_secs = 1
concurrency = 4
lease_secs = 4
[escalation]
check_interval_secs = 1
repeat_minutes = 1
[limits]
submissions_per_minute = 100000
submission_burst = 10000
pages_per_minute = 100000
page_burst = 10000
navigation_per_minute = 100000
navigation_burst = 10000
global_submissions_per_second = 100000
reserved_submissions_per_second = 10
min_fill_seconds = 0
[[routes]]
name = "police_intelligence"
mailbox = "intel@police.example"
view = "full"
recipients = {recipients:?}
[[routes]]
name = "control_room"
role = "control_room"
mailbox = "control-room@police.example"
view = "full"
recipients = {recipients:?}
[[routes]]
name = "escalation"
role = "escalation"
mailbox = "escalation@police.example"
view = "notice"
recipients = {recipients:?}
"#,
        cert = repo.join("certs-example/localhost.pem").display(),
        key = repo.join("certs-example/localhost-key.pem").display(),
        signing = repo.join("certs-example/signing-key.pem").display(),
        url = cluster.url(db),
        password = cluster.password_file().display(),
        // One key for the gateways on one database, as their secrets are sealed under it.
        secrets = dir.parent().unwrap_or(dir).join("secrets.key").display(),
        forms = repo.join("forms").display(),
        ca = SmtpServer::ca_file().display(),
    );
    let path = dir.join("gateway.toml");
    std::fs::write(&path, text).expect("config written");
    path
}

/// References the mail server has received for `route`, with how many times each came.
fn delivered(smtp: &SmtpServer, route: &str) -> HashMap<String, usize> {
    let mut by_ref = HashMap::new();
    for m in smtp.received() {
        let parsed = parse_mail(&m.data);
        let Some(id) = header(&parsed.headers, "Message-ID") else {
            continue;
        };
        let suffix = format!(".{route}@gateway.example>");
        if let Some(reference) = id.strip_prefix('<').and_then(|s| s.strip_suffix(&suffix)) {
            *by_ref.entry(reference.to_string()).or_default() += 1;
        }
    }
    by_ref
}

fn immediate_answers() -> Value {
    let mut answers = community_answers();
    answers["gate.immediate_danger"] = json!("yes");
    answers
}

/// Posts the community form as JSON; the status and the reference of a 201.
async fn post(client: &awc::Client, port: u16, answers: &Value) -> Option<(u16, Option<String>)> {
    let url = format!("https://localhost:{port}/api/v1/submissions");
    let payload = json!({"form": "community", "answers": answers});
    let mut res = client.post(&url).send_json(&payload).await.ok()?;
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    Some((status, body["reference"].as_str().map(str::to_string)))
}

/// How many of `references` the database holds, with an envelope for police intelligence.
fn stored(cluster: &Cluster, db: &str, references: &[String]) -> i64 {
    if references.is_empty() {
        return 0;
    }
    let list = references
        .iter()
        .map(|r| format!("'{r}'"))
        .collect::<Vec<_>>()
        .join(",");
    cluster.count(
        db,
        &format!(
            "SELECT COUNT(*) FROM submissions s JOIN envelopes e ON e.submission = s.id
             WHERE e.route = 'police_intelligence' AND s.reference IN ({list})"
        ),
    )
}

async fn verify_audit(cluster: &Cluster, db: &str) -> usize {
    let settings = crate::spool_contract::postgres_settings(cluster, db);
    let log = pis_gateway::spool::open_audit(&settings)
        .await
        .expect("audit log");
    let entries = log.audit_entries().await.expect("entries");
    let head = log.audit_head().await.expect("head").expect("a head");
    pis_gateway::spool::audit::verify(&entries, Some((head.0, &head.1)))
        .expect("one unbroken chain")
}

#[actix_web::test]
async fn two_gateways_on_one_database_lose_nothing_when_one_is_killed_mid_stream_and_restarted() {
    let Some(cluster) = pg_cluster::or_skip("two_gateways_on_one_database_lose_nothing") else {
        return;
    };
    let db = cluster.database().expect("database");
    let dir = tempfile::tempdir().expect("tempdir");
    let (ids, recipients) = keys();
    let smtp = SmtpServer::start(Tls::StartTls).await;
    let config_a = config(&dir.path().join("a"), cluster, &db, smtp.port, &recipients);
    let config_b = config(&dir.path().join("b"), cluster, &db, smtp.port, &recipients);
    let a = Arc::new(Mutex::new(Some(start(&config_a))));
    let b = start(&config_b);
    let ports = Arc::new(Mutex::new([
        a.lock().expect("a").as_ref().expect("a").port,
        b.port,
    ]));

    // Eight clients, four on each gateway, with no balancer: a client of the killed gateway
    // keeps trying it until it is back.
    let accepted = Arc::new(Mutex::new(Vec::<(usize, String)>::new()));
    let refused = Arc::new(Mutex::new(0usize));
    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for i in 0..8 {
        let (accepted, refused, stop, ports) = (
            Arc::clone(&accepted),
            Arc::clone(&refused),
            Arc::clone(&stop),
            Arc::clone(&ports),
        );
        clients.push(actix_web::rt::spawn(async move {
            let client = https_client();
            let which = i % 2;
            while !stop.load(Ordering::Relaxed) {
                let port = ports.lock().expect("ports")[which];
                match post(&client, port, &community_answers()).await {
                    Some((201, Some(r))) => accepted.lock().expect("lock").push((which, r)),
                    Some(_) => *refused.lock().expect("lock") += 1,
                    // The gateway is gone: a new connection next time.
                    None => actix_web::rt::time::sleep(Duration::from_millis(50)).await,
                }
            }
        }));
    }
    let count = |n: usize| {
        let accepted = Arc::clone(&accepted);
        async move {
            let deadline = Instant::now() + Duration::from_secs(60);
            while accepted.lock().expect("lock").len() < n && Instant::now() < deadline {
                actix_web::rt::time::sleep(Duration::from_millis(20)).await;
            }
            accepted.lock().expect("lock").len()
        }
    };
    // Mid-stream: emails are being sent by both gateways when A is killed.
    let before = count(150).await;
    let sent_before_kill = smtp.received().len();
    drop(a.lock().expect("a").take()); // SIGKILL
    let killed_at = accepted.lock().expect("lock").len();
    let after_kill = count(killed_at + 100).await;
    let restarted = start(&config_a);
    ports.lock().expect("ports")[0] = restarted.port;
    *a.lock().expect("a") = Some(restarted);
    // Load goes on until the restarted gateway has taken some of it.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let from_a_after: usize = accepted.lock().expect("lock")[after_kill..]
            .iter()
            .filter(|(w, _)| *w == 0)
            .count();
        if from_a_after >= 20 || Instant::now() > deadline {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        let _ = c.await;
    }
    let accepted: Vec<(usize, String)> = accepted.lock().expect("lock").clone();
    let references: Vec<String> = accepted.iter().map(|(_, r)| r.clone()).collect();
    assert!(
        before >= 100,
        "load reached both gateways ({before} accepted)"
    );
    assert!(
        accepted.iter().skip(killed_at).any(|(w, _)| *w == 0),
        "the restarted gateway took submissions"
    );
    assert_eq!(
        references.iter().collect::<HashSet<_>>().len(),
        references.len(),
        "no reference given twice"
    );

    // Every reference answered 201 is stored, and is delivered.
    assert_eq!(stored(cluster, &db, &references), references.len() as i64);
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut by_ref = delivered(&smtp, "police_intelligence");
    while references.iter().any(|r| !by_ref.contains_key(r)) && Instant::now() < deadline {
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
        by_ref = delivered(&smtp, "police_intelligence");
    }
    for r in &references {
        assert!(
            by_ref.contains_key(r),
            "{r} was answered 201 but never delivered"
        );
    }
    // The outbox drains completely: nothing stays leased or pending.
    let deadline = Instant::now() + Duration::from_secs(60);
    while cluster.count(
        &db,
        "SELECT COUNT(*) FROM deliveries WHERE state <> 'delivered'",
    ) > 0
        && Instant::now() < deadline
    {
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        cluster.count(
            &db,
            "SELECT COUNT(*) FROM deliveries WHERE state <> 'delivered'"
        ),
        0
    );
    let by_ref = delivered(&smtp, "police_intelligence");
    // No email twice, except a resend with the same Message-ID of what the killed gateway had
    // in hand (at most its four lanes' worth).
    let resent: usize = by_ref.values().map(|n| n - 1).sum();
    let stored_total = cluster.count(&db, "SELECT COUNT(*) FROM submissions");
    assert_eq!(
        by_ref.len() as i64,
        stored_total,
        "each stored submission delivered"
    );
    assert!(
        resent <= 4,
        "{resent} resends: more than the killed gateway had in hand"
    );
    // Each delivered email opens to its own reference.
    for m in smtp.received().iter().take(20) {
        let parsed = parse_mail(&m.data);
        if let Some(armored) = parsed.armored {
            let doc = decrypt_with(armored.as_bytes(), &ids[0]);
            let id = header(&parsed.headers, "Message-ID").expect("Message-ID");
            assert!(id.contains(doc["reference"].as_str().expect("reference")));
        }
    }
    let chained = verify_audit(cluster, &db).await;
    eprintln!(
        "two gateways, kill -9: {} answered 201 ({} before the kill, {} from the restarted gateway), \
         {} refused, {} stored, {} emails before the kill, {} resent with the same Message-ID, \
         {chained} audit entries in one chain",
        references.len(),
        killed_at,
        accepted.iter().skip(killed_at).filter(|(w, _)| *w == 0).count(),
        refused.lock().expect("lock"),
        stored_total,
        sent_before_kill,
        resent,
    );
    drop(b);
}

#[actix_web::test]
async fn an_unacknowledged_immediate_is_escalated_once_per_round_not_once_per_gateway() {
    let Some(cluster) =
        pg_cluster::or_skip("an_unacknowledged_immediate_is_escalated_once_per_round")
    else {
        return;
    };
    let db = cluster.database().expect("database");
    let dir = tempfile::tempdir().expect("tempdir");
    let (_ids, recipients) = keys();
    let smtp = SmtpServer::start(Tls::StartTls).await;
    let a = start(&config(
        &dir.path().join("a"),
        cluster,
        &db,
        smtp.port,
        &recipients,
    ));
    let b = start(&config(
        &dir.path().join("b"),
        cluster,
        &db,
        smtp.port,
        &recipients,
    ));
    let client = https_client();
    let (status, reference) = post(&client, a.port, &immediate_answers())
        .await
        .expect("answered");
    assert_eq!(status, 201);
    let reference = reference.expect("reference");
    let escalations = |round: usize| {
        delivered(&smtp, &format!("escalation.{round}"))
            .get(&reference)
            .copied()
            .unwrap_or(0)
    };
    let overdue = |cluster: &Cluster| {
        // The deadline passes (the clock of both gateways is the system's: the deadline is
        // moved instead of waiting fifteen minutes).
        cluster
            .psql(
                &db,
                &format!(
                    "UPDATE submissions SET next_escalation_at = extract(epoch FROM now())::bigint - 1
                     WHERE reference = '{reference}'"
                ),
            )
            .expect("deadline moved");
    };
    for round in 1..=2 {
        overdue(cluster);
        let deadline = Instant::now() + Duration::from_secs(60);
        while escalations(round) == 0 && Instant::now() < deadline {
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(escalations(round), 1, "round {round} sent once");
        // One round, whichever gateway took it: the next is scheduled in the future.
        assert_eq!(
            cluster.count(
                &db,
                &format!("SELECT escalations FROM submissions WHERE reference = '{reference}'")
            ),
            round as i64
        );
    }
    // Both gateways looked every second throughout; still one email a round, one audit event a
    // round, and no third round.
    assert_eq!((escalations(1), escalations(2), escalations(3)), (1, 1, 0));
    assert_eq!(
        cluster.count(
            &db,
            &format!(
                "SELECT COUNT(*) FROM audit WHERE event = 'escalated' AND reference = '{reference}'"
            )
        ),
        2
    );
    verify_audit(cluster, &db).await;
    drop((a, b));
}

#[actix_web::test]
async fn the_database_restarted_under_load_gives_503_meanwhile_and_the_gateways_recover() {
    if pg_cluster::or_skip("the_database_restarted_under_load").is_none() {
        return;
    }
    // A cluster of this test's own: the one the other tests share is not to be stopped.
    let cluster = Cluster::private().expect("a private cluster");
    let db = cluster.database().expect("database");
    let dir = tempfile::tempdir().expect("tempdir");
    let (_ids, recipients) = keys();
    let smtp = SmtpServer::start(Tls::StartTls).await;
    let a = start(&config(
        &dir.path().join("a"),
        &cluster,
        &db,
        smtp.port,
        &recipients,
    ));
    let b = start(&config(
        &dir.path().join("b"),
        &cluster,
        &db,
        smtp.port,
        &recipients,
    ));
    let ports = [a.port, b.port];

    let statuses = Arc::new(Mutex::new(Vec::<(u16, Option<String>)>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for i in 0..4 {
        let (statuses, stop) = (Arc::clone(&statuses), Arc::clone(&stop));
        let port = ports[i % 2];
        clients.push(actix_web::rt::spawn(async move {
            let client = https_client();
            while !stop.load(Ordering::Relaxed) {
                if let Some(answer) = post(&client, port, &community_answers()).await {
                    statuses.lock().expect("lock").push(answer);
                }
            }
        }));
    }
    let wait_for = |pred: Box<dyn Fn(&Answers) -> bool>| {
        let statuses = Arc::clone(&statuses);
        async move {
            let deadline = Instant::now() + Duration::from_secs(90);
            while !pred(&statuses.lock().expect("lock")) && Instant::now() < deadline {
                actix_web::rt::time::sleep(Duration::from_millis(50)).await;
            }
            pred(&statuses.lock().expect("lock"))
        }
    };
    assert!(
        wait_for(Box::new(
            |s| s.iter().filter(|(c, _)| *c == 201).count() >= 40
        ))
        .await,
        "load before the restart"
    );
    cluster.stop().expect("database stopped");
    let stopped_at = statuses.lock().expect("lock").len();
    assert!(
        wait_for(Box::new(move |s| s[stopped_at..]
            .iter()
            .filter(|(c, _)| *c == 503)
            .count()
            >= 8))
        .await,
        "503 while the database is down"
    );
    cluster.start_again().expect("database started");
    let restarted_at = statuses.lock().expect("lock").len();
    // Both gateways take submissions again by themselves.
    for port in ports {
        let client = https_client();
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut status = 0;
        while status != 201 && Instant::now() < deadline {
            status = post(&client, port, &community_answers())
                .await
                .map_or(0, |(s, _)| s);
            if status != 201 {
                actix_web::rt::time::sleep(Duration::from_millis(200)).await;
            }
        }
        assert_eq!(status, 201, "gateway on port {port} recovered");
    }
    assert!(
        wait_for(Box::new(move |s| s[restarted_at..]
            .iter()
            .filter(|(c, _)| *c == 201)
            .count()
            >= 20))
        .await,
        "load after the restart"
    );
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        let _ = c.await;
    }
    let statuses = statuses.lock().expect("lock").clone();
    let counts = statuses
        .iter()
        .fold(HashMap::<u16, usize>::new(), |mut m, (s, _)| {
            *m.entry(*s).or_default() += 1;
            m
        });
    // Only 201 and 503: never a reference without a commit, never a 500.
    assert!(counts.keys().all(|s| *s == 201 || *s == 503), "{counts:?}");
    assert!(statuses.iter().all(|(s, r)| (*s == 201) == r.is_some()));
    let references: Vec<String> = statuses.iter().filter_map(|(_, r)| r.clone()).collect();
    assert_eq!(stored(&cluster, &db, &references), references.len() as i64);
    // And everything stored is delivered.
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut by_ref = delivered(&smtp, "police_intelligence");
    while references.iter().any(|r| !by_ref.contains_key(r)) && Instant::now() < deadline {
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
        by_ref = delivered(&smtp, "police_intelligence");
    }
    for r in &references {
        assert!(by_ref.contains_key(r), "{r} stored but never delivered");
    }
    verify_audit(&cluster, &db).await;
    eprintln!(
        "database restarted under load: {} answered 201, {} answered 503, all 201s stored and delivered",
        counts.get(&201).unwrap_or(&0),
        counts.get(&503).unwrap_or(&0)
    );
    let _ = cluster.stop();
    drop((a, b));
}

#[test]
fn check_config_names_the_shared_spool_and_refuses_a_password_in_its_url() {
    let check = |url: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_pis-gateway"))
            .arg("check-config")
            .current_dir(repo())
            .env("PISG__SPOOL__BACKEND", "postgres")
            .env("PISG__SPOOL__POSTGRES_URL", url)
            .output()
            .expect("runs")
    };
    let out = check("postgresql://pisg:hunter2@db.police.example/pisg?sslmode=verify-full");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("spool.postgres_url"), "{err}");
    assert!(err.contains("PISG_POSTGRES_PASSWORD"), "{err}");
    assert!(
        !err.contains("hunter2"),
        "the password is never echoed: {err}"
    );

    let out = check("postgresql://pisg@db.police.example/pisg");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("sslmode"), "another host needs TLS: {err}");

    let out = check("postgresql://pisg@db.police.example:5433/pisg?sslmode=verify-full");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("spool postgres at db.police.example database pisg (tls required)"),
        "{stdout}"
    );
}

#[actix_web::test]
async fn a_submission_the_database_refuses_is_shed_with_retry_after_and_the_limit_logged() {
    let Some(cluster) = pg_cluster::or_skip("a_submission_the_database_refuses_is_shed") else {
        return;
    };
    let db = cluster.database().expect("database");
    let dir = tempfile::tempdir().expect("tempdir");
    let (_ids, recipients) = keys();
    let smtp = SmtpServer::start(Tls::StartTls).await;
    let gw = start(&config(dir.path(), cluster, &db, smtp.port, &recipients));
    let client = https_client();
    let first = post(&client, gw.port, &community_answers()).await;
    assert_eq!(first.map(|(s, _)| s), Some(201));
    // The database takes no submission now, as one refusing writes would.
    cluster
        .psql(
            &db,
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS
                 $$ BEGIN RAISE EXCEPTION 'no writes now'; END $$;
             CREATE TRIGGER refuse BEFORE INSERT ON submissions
                 FOR EACH STATEMENT EXECUTE FUNCTION refuse()",
        )
        .expect("trigger");
    let url = format!("https://localhost:{}/api/v1/submissions", gw.port);
    let payload = json!({"form": "community", "answers": community_answers()});
    let mut res = client.post(&url).send_json(&payload).await.expect("answer");
    assert_eq!(res.status().as_u16(), 503);
    let retry_after = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    assert!(retry_after.is_some_and(|s| s >= 1), "{retry_after:?}");
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["errors"][0]["code"], "unavailable", "{body}");
    assert!(body["reference"].is_null(), "{body}");
    // The request log says which limit the 503 was for.
    let shed = |log: &[String]| {
        log.iter()
            .any(|l| l.contains("request shed") && l.contains("spool_unavailable"))
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while !shed(&gw.log.lock().expect("log")) && Instant::now() < deadline {
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    let log = gw.log.lock().expect("log").clone();
    assert!(shed(&log), "{}", log.join("\n"));
    assert!(
        !log.iter().any(|l| l.contains("request failed")),
        "{}",
        log.join("\n")
    );
    assert_eq!(cluster.count(&db, "SELECT COUNT(*) FROM submissions"), 1);
}
