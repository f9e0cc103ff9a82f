//! The officer's desk against a real gateway: reports the gateway delivered (file transport)
//! put in a Maildir, the desk run on them with a real identity, officer key and pinned signing
//! keys, and driven over HTTP as a browser would.

use crate::delivery::{header, parse_mail};
use crate::helpers::*;
use crate::officer::officer_keygen;
use age::secrecy::ExposeSecret;
use pis_gateway::desk::DeskConfig;
use serde_json::json;
use std::path::Path;
use std::time::Duration;

const HOSTILE: &str = "<script>alert('desk')</script><img src=x onerror=alert(1)>";

/// The police intelligence inbox's messages, copied into a Maildir's new/ as a mail client
/// would deliver them, once `count` have arrived.
async fn maildir_of_intel(app: &TestApp, maildir: &Path, count: usize) {
    for d in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(maildir.join(d)).expect("maildir");
    }
    let outbox = app.dir.path().join("outbox");
    for _ in 0..400 {
        let intel: Vec<Vec<u8>> = std::fs::read_dir(&outbox)
            .into_iter()
            .flatten()
            .flatten()
            .map(|f| std::fs::read(f.path()).expect("eml"))
            .filter(|raw| header(&parse_mail(raw).headers, "To") == Some("intel@example.invalid"))
            .collect();
        if intel.len() >= count {
            for (i, raw) in intel.iter().enumerate() {
                std::fs::write(maildir.join(format!("new/180000000{i}.M1P1.desk")), raw)
                    .expect("message");
            }
            return;
        }
        actix_web::rt::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the police intelligence emails did not arrive");
}

/// Sends a community report; its reference, and its follow-up code when one is asked for.
async fn send(app: &TestApp, answers: serde_json::Value, code: bool) -> (String, Option<String>) {
    let mut report = json!({"form": "community", "answers": answers});
    if code {
        report["follow_up"] = json!(true);
    }
    let (status, body) = app.post_json(&report).await;
    assert_eq!(status, 201, "{body}");
    (
        body["reference"].as_str().expect("reference").to_string(),
        body["follow_up_code"].as_str().map(str::to_string),
    )
}

pub(crate) struct Desk {
    pub(crate) port: u16,
    pub(crate) url: String,
    pub(crate) client: awc::Client,
}

pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: awc::http::header::HeaderMap,
    pub(crate) body: String,
}

impl Desk {
    async fn request(
        &self,
        method: &str,
        path: &str,
        host: Option<&str>,
        cookie: Option<&str>,
        form: Option<&[(&str, &str)]>,
    ) -> Answer {
        let url = format!("http://127.0.0.1:{}{path}", self.port);
        let mut req = match method {
            "POST" => self.client.post(url),
            _ => self.client.get(url),
        };
        if let Some(h) = host {
            req = req.insert_header(("Host", h));
        }
        if let Some(c) = cookie {
            req = req.insert_header(("Cookie", c));
        }
        let mut res = match form {
            Some(f) => req.send_form(&f.to_vec()).await,
            None => req.send().await,
        }
        .expect("the desk answers");
        let body = res.body().limit(8 << 20).await.expect("body");
        Answer {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }

    pub(crate) async fn get(&self, path: &str, cookie: &str) -> Answer {
        self.request("GET", path, None, Some(cookie), None).await
    }
}

fn csrf_of(page: &str) -> String {
    let (_, rest) = page
        .split_once("name=\"csrf\" value=\"")
        .expect("a CSRF field");
    rest.split('"').next().expect("value").to_string()
}

/// A gateway with the officer on its police intelligence route, a ROUTINE report carrying
/// hostile text (its submitter took a follow-up code, kept in `code`) then an IMMEDIATE one,
/// delivered to a Maildir, and a desk started on it.
async fn gateway_and_desk(dir: &Path) -> (TestApp, Desk, String, String) {
    let (app, desk, routine, immediate, _) = gateway_desk_and_code(dir).await;
    (app, desk, routine, immediate)
}

async fn gateway_desk_and_code(dir: &Path) -> (TestApp, Desk, String, String, String) {
    let key = dir.join("officer.pem");
    let public = officer_keygen(&key);
    // The links in the emails name the gateway's public address, which the desk follows only
    // when it is the gateway it is configured for: so the gateway gets a known port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let app = spawn_app_with(|s| {
        s.server.listen = format!("127.0.0.1:{port}");
        s.server.public_url = format!("https://localhost:{port}");
        s.routes[0].officers = vec![public.clone()];
    })
    .await;
    let mut routine = community_answers();
    routine["what_happened"] = json!(format!("A van outside the flats. {HOSTILE}"));
    let (routine, code) = send(&app, routine, true).await;
    let mut immediate = community_answers();
    immediate["gate.immediate_danger"] = json!("yes");
    let (immediate, _) = send(&app, immediate, false).await;
    let maildir = dir.join("Maildir");
    maildir_of_intel(&app, &maildir, 2).await;
    let identity = dir.join("identity.txt");
    std::fs::write(&identity, app.identities[0].to_string().expose_secret()).expect("identity");
    let keys = dir.join("signing-keys.json");
    std::fs::write(
        &keys,
        app.get("/.well-known/pis-gateway/signing-keys").await.body,
    )
    .expect("keys");
    let config = DeskConfig {
        gateway: format!("https://localhost:{}", app.port),
        ca: Some(repo().join("certs-example/ca.pem")),
        identity,
        officer_key: key,
        signing_keys: keys,
        mailbox: maildir,
        imap: None,
        port: None,
    };
    let running = pis_gateway::desk::start(config, None).expect("the desk starts");
    actix_web::rt::spawn(running.server);
    let desk = Desk {
        port: running.port,
        url: running.url,
        client: awc::Client::builder().disable_redirects().finish(),
    };
    (
        app,
        desk,
        routine,
        immediate,
        code.expect("a follow-up code"),
    )
}

/// The one-time link: refused under a foreign `Host`, exchanged once for a strict cookie.
pub(crate) async fn session(desk: &Desk) -> String {
    let path = desk
        .url
        .split_once(&format!(":{}", desk.port))
        .expect("url")
        .1;
    assert!(path.starts_with("/start/"), "{}", desk.url);
    let foreign = format!("rebound.example:{}", desk.port);
    let refused = desk.request("GET", path, Some(&foreign), None, None).await;
    assert_eq!(
        refused.status, 421,
        "a foreign Host is refused: {}",
        refused.body
    );
    assert_eq!(desk.get("/", "").await.status, 401, "no session, no queue");
    let opened = desk.request("GET", path, None, None, None).await;
    assert_eq!(opened.status, 303);
    assert_eq!(opened.headers.get("location").expect("location"), "/");
    let cookie = opened
        .headers
        .get("set-cookie")
        .and_then(|c| c.to_str().ok())
        .expect("a session cookie")
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let again = desk.request("GET", path, None, None, None).await;
    assert_eq!(again.status, 403, "the link works once");
    cookie.split(';').next().expect("name=value").to_string()
}

/// A POST without the form's token, or from another origin, is refused.
async fn refuses_forged_posts(desk: &Desk, cookie: &str, path: &str, csrf: &str) {
    for (fields, origin) in [
        (vec![("csrf", "forged")], None),
        (vec![], None),
        (vec![("csrf", csrf)], Some("http://evil.example")),
    ] {
        let mut req = desk
            .client
            .post(format!("http://127.0.0.1:{}{path}", desk.port))
            .insert_header(("Cookie", cookie));
        if let Some(o) = origin {
            req = req.insert_header(("Origin", o));
        }
        let res = req.send_form(&fields).await.expect("answers");
        assert_eq!(res.status().as_u16(), 403, "{fields:?} {origin:?}");
    }
}

fn acknowledged_at(app: &TestApp, reference: &str) -> Option<i64> {
    app.db()
        .query_row(
            "SELECT acknowledged_at FROM submissions WHERE reference = ?1",
            [reference],
            |r| r.get(0),
        )
        .expect("record")
}

#[actix_web::test]
async fn the_desk_shows_immediate_first_escapes_the_report_and_acknowledges_through_the_gateway() {
    let dir = tempfile::tempdir().expect("the officer's machine");
    let (app, desk, routine, immediate) = gateway_and_desk(dir.path()).await;
    let cookie = session(&desk).await;

    let queue = desk.get("/", &cookie).await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    let csp = queue.headers.get("content-security-policy").expect("CSP");
    assert!(csp.to_str().expect("csp").starts_with("default-src 'none'"));
    assert_eq!(
        queue.headers.get("cache-control").expect("no-store"),
        "no-store"
    );
    let (first, second) = (
        queue.body.find(&immediate).expect("immediate listed"),
        queue.body.find(&routine).expect("routine listed"),
    );
    assert!(first < second, "IMMEDIATE first, though it came later");
    assert!(!queue.body.contains("<script"), "no script on the desk");
    // The search runs over the decrypted content.
    let found = desk.get("/?q=van+outside", &cookie).await.body;
    assert!(
        found.contains(&routine) && !found.contains(&immediate),
        "{found}"
    );

    let report = desk.get(&format!("/case/{routine}/report"), &cookie).await;
    assert_eq!(report.status, 200);
    assert!(
        report.body.contains("&lt;script&gt;alert("),
        "{}",
        report.body
    );
    assert!(!report.body.contains("<script") && !report.body.contains("<img src=x"));
    let policy = report.headers.get("content-security-policy").expect("CSP");
    assert!(!policy.to_str().expect("csp").contains("unsafe-inline"));

    let case = desk.get(&format!("/case/{immediate}"), &cookie).await;
    assert_eq!(case.status, 200, "{}", case.body);
    let csrf = csrf_of(&case.body);
    let ack = format!("/case/{immediate}/acknowledge");
    refuses_forged_posts(&desk, &cookie, &ack, &csrf).await;
    let acknowledged_at = |r: &str| acknowledged_at(&app, r);
    assert_eq!(acknowledged_at(&immediate), None);

    let done = desk
        .request("POST", &ack, None, Some(&cookie), Some(&[("csrf", &csrf)]))
        .await;
    assert_eq!(done.status, 303);
    assert!(
        acknowledged_at(&immediate).is_some(),
        "the gateway recorded it"
    );
    let shown = desk.get(&format!("/case/{immediate}"), &cookie).await.body;
    assert!(
        shown.contains("acknowledged: the gateway recorded it"),
        "{shown}"
    );

    // A workflow step, signed with the officer key on this machine.
    let step = desk
        .request(
            "POST",
            &format!("/case/{immediate}/step"),
            None,
            Some(&cookie),
            Some(&[
                ("csrf", &csrf),
                ("step", "graded"),
                ("source", "2"),
                ("intelligence", "B"),
                ("handling", "P"),
            ]),
        )
        .await;
    assert_eq!(step.status, 303);
    let steps: i64 = app
        .db()
        .query_row(
            "SELECT COUNT(*) FROM workflow_steps w JOIN submissions s ON s.id = w.submission \
             WHERE s.reference = ?1",
            [&immediate],
            |r| r.get(0),
        )
        .expect("steps");
    assert_eq!(steps, 1);
    let shown = desk.get(&format!("/case/{immediate}"), &cookie).await.body;
    assert!(
        shown.contains("Recorded: graded.") && shown.contains("2/B/P"),
        "{shown}"
    );
    // A status for a submitter who took no code: the gateway's refusal is shown on the page.
    let status = desk
        .request(
            "POST",
            &format!("/case/{immediate}/status"),
            None,
            Some(&cookie),
            Some(&[("csrf", &csrf), ("status", "being_looked_at")]),
        )
        .await;
    assert_eq!(status.status, 303);
    let shown = desk.get(&format!("/case/{immediate}"), &cookie).await.body;
    assert!(
        shown.contains("role=\"alert\"") && shown.contains("did not take a follow-up code"),
        "{shown}"
    );
    // A long reply (12,000 bytes of UTF-8, three times that percent-encoded) reaches the
    // officer code, which finds no follow-up code to reply to.
    let long = "é".repeat(6000);
    let reply = desk
        .request(
            "POST",
            &format!("/case/{immediate}/reply"),
            None,
            Some(&cookie),
            Some(&[("csrf", &csrf), ("message", &long)]),
        )
        .await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    let shown = desk.get(&format!("/case/{immediate}"), &cookie).await.body;
    assert!(shown.contains("so there is no one to reply to"), "{shown}");
    let queue = desk.get("/?state=graded", &cookie).await.body;
    assert!(
        queue.contains(&immediate) && !queue.contains(&routine),
        "{queue}"
    );
}

/// `desk init` from flags (no terminal: nothing is asked) writes a 0600 file, and `status`,
/// `open` and `reply` then need no connection flags.
#[actix_web::test]
async fn desk_init_writes_the_file_the_officer_commands_then_read() {
    use crate::officer_actions::{cli, text};
    let dir = tempfile::tempdir().expect("the officer's machine");
    let (app, _desk, routine, _) = gateway_and_desk(dir.path()).await;
    let file = dir.path().join("config/desk.toml");
    let missing = cli(vec![
        "desk".into(),
        "init".into(),
        "--desk".into(),
        file.display().to_string(),
    ])
    .await;
    assert!(!missing.status.success());
    assert!(text(&missing).contains("--gateway"), "{}", text(&missing));
    let p = |name: &str| dir.path().join(name).display().to_string();
    let mut init: Vec<String> = ["desk", "init", "--desk"].map(String::from).to_vec();
    init.push(file.display().to_string());
    for (flag, value) in [
        ("--gateway", format!("https://localhost:{}", app.port)),
        (
            "--ca",
            repo().join("certs-example/ca.pem").display().to_string(),
        ),
        ("--identity", p("identity.txt")),
        ("--officer-key", p("officer.pem")),
        ("--signing-keys", p("signing-keys.json")),
        ("--mailbox", p("Maildir")),
    ] {
        init.push(flag.into());
        init.push(value);
    }
    let out = cli(init.clone()).await;
    assert!(out.status.success(), "{}", text(&out));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file)
            .expect("written")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(!cli(init).await.status.success(), "never overwritten");

    let desk = file.display().to_string();
    let out = cli([
        "status",
        "--desk",
        &desk,
        "--reference",
        &routine,
        "--record",
        "triaged",
    ]
    .map(String::from)
    .to_vec())
    .await;
    assert!(out.status.success(), "{}", text(&out));
    let out = cli(["status", "--desk", &desk, "--reference", &routine]
        .map(String::from)
        .to_vec())
    .await;
    assert!(text(&out).contains("triaged"), "{}", text(&out));
    let out = cli(["open", "--desk", &desk].map(String::from).to_vec()).await;
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("Reference  {routine}")),
        "{}",
        text(&out)
    );
}

/// A reply and a status set on the desk reach the submitter, who reads them on /follow-up.
#[actix_web::test]
async fn a_reply_and_status_from_the_desk_reach_the_submitter_on_follow_up() {
    let dir = tempfile::tempdir().expect("the officer's machine");
    let (app, desk, routine, _, code) = gateway_desk_and_code(dir.path()).await;
    let cookie = session(&desk).await;
    let case = format!("/case/{routine}");
    let csrf = csrf_of(&desk.get(&case, &cookie).await.body);
    let message = "Thank you: we are looking at this <b>now</b>.";
    for (action, field, value, said) in [
        ("reply", "message", message, "Reply 1 stored"),
        (
            "status",
            "status",
            "being_looked_at",
            "The submitter now sees: Being looked at.",
        ),
    ] {
        let done = desk
            .request(
                "POST",
                &format!("{case}/{action}"),
                None,
                Some(&cookie),
                Some(&[("csrf", &csrf), (field, value)]),
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
        let shown = desk.get(&case, &cookie).await.body;
        assert!(shown.contains(said), "{action}: {shown}");
    }
    let page = crate::follow_up::enter_code(&app, &code).await;
    assert!(
        page.body
            .contains("Thank you: we are looking at this &lt;b&gt;now&lt;"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Being looked at"), "{}", page.body);
}
