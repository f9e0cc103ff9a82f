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
    maildir_of(app, maildir, &["intel@example.invalid"], count).await
}

/// The messages to any of `to`, copied into a Maildir's new/, once `count` have arrived.
async fn maildir_of(app: &TestApp, maildir: &Path, to: &[&str], count: usize) {
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
            .filter(|raw| header(&parse_mail(raw).headers, "To").is_some_and(|t| to.contains(&t)))
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
    gateway_desk_and_code_with(dir, |_| {}).await
}

async fn gateway_desk_and_code_with(
    dir: &Path,
    edit: impl FnOnce(&mut pis_gateway::config::Settings),
) -> (TestApp, Desk, String, String, String) {
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
        edit(s);
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
        state_file: Some(dir.join("desk-seen.json")),
        ..Default::default()
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
async fn session_while_reading(desk: &Desk) -> String {
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

/// [`session_while_reading`], once the first decryption pass has ended.
pub(crate) async fn session(desk: &Desk) -> String {
    let cookie = session_while_reading(desk).await;
    opened_mailbox(desk, &cookie).await;
    cookie
}

/// Waits for the first decryption pass: until then the queue shows how far it has got.
async fn opened_mailbox(desk: &Desk, cookie: &str) {
    for _ in 0..600 {
        let queue = desk.get("/", cookie).await;
        if !queue.body.contains("Opening the mailbox") {
            return;
        }
        assert_eq!(queue.status, 200);
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the first pass did not end");
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

/// The paths the share page suggests taking out.
fn suggested_removals(page: &str) -> Vec<String> {
    page.split("name=\"remove\" value=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

fn shares_of(app: &TestApp, reference: &str) -> i64 {
    app.db()
        .query_row(
            "SELECT COUNT(*) FROM workflow_steps w JOIN submissions s ON s.id = w.submission \
             WHERE s.reference = ?1 AND w.step = 'shared_with_mace'",
            [reference],
            |r| r.get(0),
        )
        .expect("steps")
}

/// The officer builds a restricted view on the desk (the suggestions and a path of their
/// own taken out, shown before it goes), shares it with a MACE route and downloads the
/// report's intel-json.
async fn share_from_the_desk(app: &TestApp, desk: &Desk, cookie: &str, routine: &str) {
    let case = desk.get(&format!("/case/{routine}"), cookie).await.body;
    assert!(
        case.contains(&format!("href=\"/case/{routine}/share\""))
            && case.contains(&format!("href=\"/case/{routine}/intel.json\"")),
        "{case}"
    );
    let page = desk.get(&format!("/case/{routine}/share"), cookie).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("<option value=\"mace_york\""),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("value=\"control_room\""),
        "MACE routes only"
    );
    let suggested = suggested_removals(&page.body);
    assert!(!suggested.is_empty(), "{}", page.body);
    let csrf = csrf_of(&desk.get(&format!("/case/{routine}"), cookie).await.body);
    let mut choices: Vec<(&str, &str)> = vec![("chosen", "1"), ("route", "mace_york")];
    choices.extend(suggested.iter().map(|p| ("remove", p.as_str())));
    choices.push(("more", "places[0].postcode"));
    let query = serde_urlencoded::to_string(&choices).expect("query");
    let preview = desk
        .get(&format!("/case/{routine}/share?{query}"), cookie)
        .await
        .body;
    let (_, kept) = preview
        .split_once("<pre class=\"kept\">")
        .expect("what is kept");
    assert!(
        preview.contains("<code>places[0].postcode</code>")
            && suggested
                .iter()
                .all(|p| preview.contains(&format!("<code>{p}</code>"))),
        "{preview}"
    );
    assert!(kept.contains("A van outside the flats"), "{kept}");
    assert!(
        kept.contains("&lt;script&gt;") && !preview.contains("<script"),
        "{kept}"
    );
    assert!(!kept.to_uppercase().contains("YO24 3BZ"), "{kept}");
    // A path that names nothing: nothing can be sent, and the page says which.
    let typo = desk
        .get(
            &format!("/case/{routine}/share?chosen=1&route=mace_york&more=places%5B7%5D"),
            cookie,
        )
        .await
        .body;
    assert!(
        typo.contains("places[7]") && !typo.contains("Send this to"),
        "{typo}"
    );

    let path = format!("/case/{routine}/share");
    refuses_forged_posts(desk, cookie, &path, &csrf).await;
    assert_eq!(shares_of(app, routine), 0);
    let mut form = choices.clone();
    form.push(("csrf", &csrf));
    let sent = desk
        .request("POST", &path, None, Some(cookie), Some(&form))
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let shown = desk.get(&format!("/case/{routine}"), cookie).await.body;
    assert!(shown.contains("Shared with mace_york"), "{shown}");
    assert_eq!(shares_of(app, routine), 1, "the gateway recorded the share");

    let export = desk
        .get(&format!("/case/{routine}/intel.json"), cookie)
        .await;
    assert_eq!(export.status, 200, "{}", export.body);
    let disposition = export.headers.get("content-disposition").expect("download");
    assert!(
        disposition
            .to_str()
            .expect("ascii")
            .starts_with("attachment;"),
        "{disposition:?}"
    );
    let intel: serde_json::Value = serde_json::from_str(&export.body).expect("JSON");
    assert!(export.body.contains(routine), "{intel}");
}

/// A MACE coordinator's desk on a mailbox holding full views too (its identity opens them):
/// only the restricted view for its locality is shown, receipt can be confirmed, and every
/// officer's action is refused, not only left off the page.
async fn mace_desk(app: &TestApp, dir: &Path, routine: &str, immediate: &str) {
    let maildir = dir.join("mace-Maildir");
    maildir_of(
        app,
        &maildir,
        &["intel@example.invalid", "mace-york@example.invalid"],
        3,
    )
    .await;
    let config = DeskConfig {
        gateway: format!("https://localhost:{}", app.port),
        ca: Some(repo().join("certs-example/ca.pem")),
        identity: dir.join("identity.txt"),
        signing_keys: dir.join("signing-keys.json"),
        mailbox: maildir,
        role: pis_gateway::desk::config::Role::Mace,
        localities: vec!["CITY_OF_YORK".into()],
        ..Default::default()
    };
    let running = pis_gateway::desk::start(config, None).expect("the MACE desk starts");
    actix_web::rt::spawn(running.server);
    let desk = Desk {
        port: running.port,
        url: running.url,
        client: awc::Client::builder().disable_redirects().finish(),
    };
    let cookie = session(&desk).await;
    let queue = desk.get("/", &cookie).await.body;
    assert!(
        queue.contains(&format!(">{routine}</a>")) && !queue.contains(immediate),
        "{queue}"
    );
    assert!(queue.contains("1–1 of 1 reports"), "{queue}");
    assert!(
        queue.contains("2 items are not restricted views for your localities"),
        "{queue}"
    );
    let case = desk.get(&format!("/case/{routine}"), &cookie).await.body;
    assert!(case.contains("Confirm receipt"), "{case}");
    for officer_only in [
        "Reply to the submitter",
        "Record a workflow step",
        "Share with MACE",
    ] {
        assert!(!case.contains(officer_only), "{officer_only}: {case}");
    }
    let report = desk
        .get(&format!("/case/{routine}/report"), &cookie)
        .await
        .body;
    assert!(report.contains("A van outside the flats"), "{report}");
    assert!(!report.to_uppercase().contains("YO24 3BZ"), "{report}");
    refuses_officers_actions(app, &desk, &cookie, routine, &csrf_of(&case)).await;
    confirms_receipt(app, &desk, &cookie, routine, &csrf_of(&case)).await;
}

/// Every officer's action, posted with a good token to a MACE coordinator's desk, is refused
/// and reaches nothing.
async fn refuses_officers_actions(
    app: &TestApp,
    desk: &Desk,
    cookie: &str,
    routine: &str,
    csrf: &str,
) {
    let (cookie, csrf) = (cookie.to_string(), csrf.to_string());
    let steps_before = shares_of(app, routine);
    for (action, field, value) in [
        ("reply", "message", "from MACE"),
        ("status", "status", "being_looked_at"),
        ("step", "step", "closed"),
        ("share", "route", "mace_york"),
    ] {
        let refused = desk
            .request(
                "POST",
                &format!("/case/{routine}/{action}"),
                None,
                Some(&cookie),
                Some(&[("csrf", &csrf), (field, value)]),
            )
            .await;
        assert_eq!(refused.status, 403, "{action}: {}", refused.body);
        assert!(
            refused.body.contains("MACE coordinator"),
            "{}",
            refused.body
        );
    }
    for page in ["share", "intel.json"] {
        let refused = desk.get(&format!("/case/{routine}/{page}"), &cookie).await;
        assert_eq!(refused.status, 403, "{page}");
    }
    assert_eq!(shares_of(app, routine), steps_before);
    let steps: i64 = app
        .db()
        .query_row(
            "SELECT COUNT(*) FROM workflow_steps w JOIN submissions s ON s.id = w.submission \
             WHERE s.reference = ?1 AND w.step = 'closed'",
            [routine],
            |r| r.get(0),
        )
        .expect("steps");
    assert_eq!(
        steps, 0,
        "nothing the MACE desk was refused reached the gateway"
    );
}

/// Receipt confirmed through the MACE email's own link.
async fn confirms_receipt(app: &TestApp, desk: &Desk, cookie: &str, routine: &str, csrf: &str) {
    let (cookie, csrf) = (cookie.to_string(), csrf.to_string());

    let receipt = |app: &TestApp| -> Option<i64> {
        app.db()
            .query_row(
                "SELECT a.used_at FROM ack_tokens a JOIN submissions s \
                 ON s.id = a.submission WHERE s.reference = ?1 AND a.route = 'mace_york' \
                 AND a.kind = 'receipt'",
                [routine],
                |r| r.get(0),
            )
            .expect("the MACE delivery")
    };
    assert_eq!(receipt(app), None);
    let done = desk
        .request(
            "POST",
            &format!("/case/{routine}/acknowledge"),
            None,
            Some(&cookie),
            Some(&[("csrf", &csrf)]),
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert!(receipt(app).is_some(), "the gateway recorded the receipt");
    let shown = desk.get(&format!("/case/{routine}"), &cookie).await.body;
    assert!(shown.contains("Receipt confirmed"), "{shown}");
}

#[actix_web::test]
async fn the_desk_shares_with_mace_and_a_coordinators_desk_shows_the_restricted_view_only() {
    let dir = tempfile::tempdir().expect("the officer's machine");
    let (app, desk, routine, immediate, _) = gateway_desk_and_code_with(dir.path(), |s| {
        let mut mace = s.routes[0].clone();
        mace.name = "mace_york".into();
        mace.mailbox = "mace-york@example.invalid".into();
        mace.view = pis_gateway::routing::View::Restricted;
        mace.role = Some(pis_gateway::routing::Role::Mace);
        mace.localities = vec!["CITY_OF_YORK".into()];
        mace.officers = vec![];
        s.routes.push(mace);
    })
    .await;
    let cookie = session(&desk).await;
    share_from_the_desk(&app, &desk, &cookie, &routine).await;
    mace_desk(&app, dir.path(), &routine, &immediate).await;
}

/// Filters by locality and day (a day that cannot be read is a 400 naming the field), and
/// "new since you last looked" from a state file of references and times only.
#[actix_web::test]
async fn the_queue_filters_by_locality_and_day_and_shows_what_is_new() {
    let dir = tempfile::tempdir().expect("the officer's machine");
    let (_app, desk, routine, immediate) = gateway_and_desk(dir.path()).await;
    let cookie = session(&desk).await;
    let both = |body: &str| body.contains(&routine) && body.contains(&immediate);
    let today = time::OffsetDateTime::now_utc().date().to_string();
    assert!(both(
        &desk.get("/?locality=CITY_OF_YORK", &cookie).await.body
    ));
    assert!(!desk
        .get("/?locality=HARROGATE", &cookie)
        .await
        .body
        .contains(&routine));
    assert!(both(
        &desk
            .get(&format!("/?from={today}&to={today}"), &cookie)
            .await
            .body
    ));
    let later = desk.get("/?from=2999-01-01", &cookie).await.body;
    assert!(
        !later.contains(&routine) && !later.contains(&immediate),
        "{later}"
    );
    let bad = desk.get("/?from=yesterday", &cookie).await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.body.contains("href=\"#from\"") && bad.body.contains("aria-invalid=\"true\""),
        "{}",
        bad.body
    );

    assert!(both(&desk.get("/?fresh=yes", &cookie).await.body));
    assert_eq!(
        desk.get(&format!("/case/{routine}"), &cookie).await.status,
        200
    );
    let fresh = desk.get("/?fresh=yes", &cookie).await.body;
    assert!(
        fresh.contains(&immediate) && !fresh.contains(&routine),
        "{fresh}"
    );
    let file = dir.path().join("desk-seen.json");
    let kept = std::fs::read_to_string(&file).expect("the state file");
    assert!(kept.contains(&routine) && !kept.contains("van"), "{kept}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

/// The identity file sealed with a passphrase, as `age -p` seals it.
fn protect_identity(plain: &Path, protected: &Path, passphrase: &str) {
    use std::io::Write;
    let text = std::fs::read(plain).expect("identity");
    let e = age::Encryptor::with_user_passphrase(age::secrecy::SecretString::from(
        passphrase.to_string(),
    ));
    let mut out = Vec::new();
    let mut w = e
        .wrap_output(
            age::armor::ArmoredWriter::wrap_output(&mut out, age::armor::Format::AsciiArmor)
                .expect("armor"),
        )
        .expect("wrap");
    w.write_all(&text).expect("write");
    w.finish().and_then(|a| a.finish()).expect("finish");
    std::fs::write(protected, out).expect("protected identity");
}

/// A passphrase-protected identity: the desk asks once at start (never without a terminal),
/// refuses a wrong passphrase, and with the right one decrypts the mailbox and seals replies.
#[actix_web::test]
async fn a_passphrase_protected_identity_opens_the_desk_once_and_seals_its_replies() {
    let dir = tempfile::tempdir().expect("the officer's machine");
    let (app, _desk, routine, _, code) = gateway_desk_and_code(dir.path()).await;
    let protected = dir.path().join("identity.age");
    protect_identity(&dir.path().join("identity.txt"), &protected, "tea at four");
    let config = DeskConfig {
        gateway: format!("https://localhost:{}", app.port),
        ca: Some(repo().join("certs-example/ca.pem")),
        identity: protected,
        officer_key: dir.path().join("officer.pem"),
        signing_keys: dir.path().join("signing-keys.json"),
        mailbox: dir.path().join("Maildir"),
        ..Default::default()
    };
    let Err(e) = pis_gateway::desk::start(config.clone(), None) else {
        panic!("a protected identity opened without its passphrase");
    };
    assert!(e.to_string().contains("passphrase"), "{e}");
    let with = |passphrase: &'static str| {
        let mut asked = 0;
        let mut ask = || {
            asked += 1;
            Ok(age::secrecy::SecretString::from(passphrase.to_string()))
        };
        let started = pis_gateway::desk::start_with(
            config.clone(),
            None,
            pis_gateway::desk::Opening {
                passphrase: &mut ask,
                print_progress: false,
            },
        );
        assert_eq!(asked, 1, "asked once");
        started
    };
    let Err(e) = with("tea at five") else {
        panic!("a wrong passphrase opened the identity");
    };
    assert!(e.to_string().contains("passphrase does not open"), "{e}");
    let running = with("tea at four").expect("the desk starts");
    actix_web::rt::spawn(running.server);
    let desk = Desk {
        port: running.port,
        url: running.url,
        client: awc::Client::builder().disable_redirects().finish(),
    };
    let cookie = session(&desk).await;
    let queue = desk.get("/", &cookie).await.body;
    assert!(queue.contains(&routine), "{queue}");
    let case = format!("/case/{routine}");
    let csrf = csrf_of(&desk.get(&case, &cookie).await.body);
    let done = desk
        .request(
            "POST",
            &format!("{case}/reply"),
            None,
            Some(&cookie),
            Some(&[
                ("csrf", &csrf),
                ("message", "Sealed with the protected key."),
            ]),
        )
        .await;
    assert_eq!(done.status, 303);
    let shown = desk.get(&case, &cookie).await.body;
    assert!(shown.contains("Reply 1 stored"), "{shown}");
    let page = crate::follow_up::enter_code(&app, &code).await;
    assert!(
        page.body.contains("Sealed with the protected key."),
        "{}",
        page.body
    );
}

/// The queue asked for before the first pass ends says so, and how far it has got; when the
/// mailbox cannot be read, the queue then says why. The mailbox here is an IMAP server that
/// accepts the connection and never answers, so the pass is still listing it when asked.
#[actix_web::test]
async fn the_queue_shows_the_first_pass_under_way_then_what_stopped_it() {
    let dir = tempfile::tempdir().expect("the officer's machine");
    let (app, _desk, _, _) = gateway_and_desk(dir.path()).await;
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("a listener");
    let port = silent.local_addr().expect("addr").port();
    let password = dir.path().join("imap-password");
    std::fs::write(&password, "not used\n").expect("password");
    let mut imap = pis_gateway::open::imap::ImapSettings::from_url(&format!(
        "imaps://intel@localhost:{port}/INBOX"
    ))
    .expect("an address");
    imap.password_file = Some(password);
    imap.timeout_secs = 2;
    let config = DeskConfig {
        gateway: format!("https://localhost:{}", app.port),
        identity: dir.path().join("identity.txt"),
        officer_key: dir.path().join("officer.pem"),
        signing_keys: dir.path().join("signing-keys.json"),
        imap: Some(imap),
        ..Default::default()
    };
    let running = pis_gateway::desk::start(config, None).expect("the desk starts");
    actix_web::rt::spawn(running.server);
    let desk = Desk {
        port: running.port,
        url: running.url,
        client: awc::Client::builder().disable_redirects().finish(),
    };
    let cookie = session_while_reading(&desk).await;
    let reading = desk.get("/", &cookie).await;
    assert_eq!(reading.status, 200);
    assert!(
        reading
            .body
            .contains("<h1 id=\"reading\">Opening the mailbox</h1>")
            && reading.body.contains("role=\"status\"")
            && reading.body.contains("Reading the mailbox"),
        "{}",
        reading.body
    );
    opened_mailbox(&desk, &cookie).await;
    let queue = desk.get("/", &cookie).await.body;
    assert!(queue.contains("The mailbox could not be read"), "{queue}");
    drop(silent);
}

/// `desk` prints its link at once, then the first pass's progress and when it has ended.
#[actix_web::test]
async fn the_desk_command_prints_the_first_pass_on_the_terminal() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().expect("the officer's machine");
    let (app, _desk, _, _) = gateway_and_desk(dir.path()).await;
    let file = dir.path().join("desk.toml");
    let config = DeskConfig {
        gateway: format!("https://localhost:{}", app.port),
        ca: Some(repo().join("certs-example/ca.pem")),
        identity: dir.path().join("identity.txt"),
        officer_key: dir.path().join("officer.pem"),
        signing_keys: dir.path().join("signing-keys.json"),
        mailbox: dir.path().join("Maildir"),
        ..Default::default()
    };
    pis_gateway::desk::config::write(&file, &config).expect("the desk file");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pis-gateway"))
        .args(["desk", "--desk"])
        .arg(&file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the desk runs");
    let stderr = child.stderr.take().expect("stderr");
    let lines = actix_web::rt::task::spawn_blocking(move || {
        let mut seen = Vec::new();
        for line in std::io::BufReader::new(stderr).lines() {
            let line = line.expect("a line");
            let done = line.starts_with("The mailbox is open");
            seen.push(line);
            if done {
                break;
            }
        }
        seen
    })
    .await
    .expect("read");
    child.kill().expect("stopped");
    let _ = child.wait();
    let text = lines.join("\n");
    assert!(
        text.contains("Decrypting the mailbox: 2 envelopes")
            && text.contains("2 of 2 (100%)")
            && text.contains("The mailbox is open: 2 reports, decrypted in"),
        "{text}"
    );
}
