//! `pis-gateway reply` and `pis-gateway status` (`--set`, `--record`, the history), on the
//! officer's machine.
//!
//! A reply is sealed here, with age, to the submitter's follow-up key and to the recipients of
//! the officer's own route (so the unit keeps a copy it can read), then posted signed. The
//! gateway stores the sealed bytes only.

use super::client::{Answer, Gateway};
use crate::reference::Reference;
use crate::signing::SigningKey;
use anyhow::Context;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::json;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// The longest reply, in bytes of UTF-8: a message to a member of the public, not a document.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024;

pub const FOLLOW_UP_KEY_PATH: &str = "/api/v1/officer/follow-up-key";
pub const REPLY_PATH: &str = "/api/v1/officer/reply";
pub const STATUS_PATH: &str = "/api/v1/officer/status";

/// Which gateway, as whom, about which submission.
pub struct Target {
    pub gateway: String,
    pub ca: Option<PathBuf>,
    pub officer_key: PathBuf,
    pub reference: Reference,
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn refused(what: &str, answer: &Answer) -> anyhow::Error {
    anyhow::anyhow!("the gateway refused {what}: {}", answer.explain())
}

struct Session {
    gateway: Gateway,
    key: SigningKey,
    reference: Reference,
}

impl Session {
    fn open(target: &Target) -> anyhow::Result<Self> {
        let key = SigningKey::load(&target.officer_key)
            .context("reading the officer key (--officer-key)")?;
        Ok(Session {
            gateway: Gateway::new(&target.gateway, target.ca.as_deref())?,
            key,
            reference: target.reference.clone(),
        })
    }
}

/// Reads the message: UTF-8 text of at most [`MAX_MESSAGE_BYTES`].
fn read_message(path: &Path) -> anyhow::Result<Zeroizing<String>> {
    use std::io::Read;
    let file = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(MAX_MESSAGE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {}", path.display()))?;
    if bytes.len() > MAX_MESSAGE_BYTES {
        anyhow::bail!(
            "{}: a reply is at most {MAX_MESSAGE_BYTES} bytes",
            path.display()
        );
    }
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| anyhow::anyhow!("{}: a reply must be UTF-8 text", path.display()))?;
    if text.trim().is_empty() {
        anyhow::bail!("{}: the message is empty", path.display());
    }
    Ok(Zeroizing::new(text.to_string()))
}

/// Checks that `identities` open what is sealed to the route's recipients alone: the officer
/// holds one of the unit's keys, so the unit's copy of the reply is readable (the submitter's
/// key would open the reply itself, so that is not the test).
fn confirm_unit_copy(
    route: &[age::x25519::Recipient],
    identities: &[Box<dyn age::Identity>],
    route_name: &str,
    identity: &Path,
) -> anyhow::Result<()> {
    use ring::rand::SecureRandom;
    let mut probe = [0u8; 32];
    ring::rand::SystemRandom::new()
        .fill(&mut probe)
        .map_err(|_| anyhow::anyhow!("no random source"))?;
    let sealed = crate::seal::encrypt_to(&probe, route)
        .map_err(|e| anyhow::anyhow!("sealing for route {route_name}: {e}"))?;
    match crate::seal::decrypt(&sealed, identities) {
        Ok(opened) if opened.as_slice() == probe => Ok(()),
        _ => anyhow::bail!(
            "{} is not one of route {route_name}'s recipients, so your unit's copy could not be \
             checked; nothing was sent (use the identity of your unit's inbox)",
            identity.display()
        ),
    }
}

/// Seals `message` to the submitter and the route's recipients, once the officer's own
/// identity is shown to be one of the route's, posts it, and returns the message's number.
pub async fn reply(target: &Target, identity: &Path, message: &Path) -> anyhow::Result<u32> {
    let message = read_message(message)?;
    reply_text(target, identity, &message).await
}

/// [`reply`] with the message as text (the desk's form), held to the same limits.
pub async fn reply_text(target: &Target, identity: &Path, message: &str) -> anyhow::Result<u32> {
    let identities = crate::keys::read_identities(identity)?;
    reply_with(target, &identities, identity, message).await
}

/// [`reply_text`] with the identities already open (the desk's, which may have needed a
/// passphrase); `identity` names their file in messages.
pub async fn reply_with(
    target: &Target,
    identities: &[Box<dyn age::Identity>],
    identity: &Path,
    message: &str,
) -> anyhow::Result<u32> {
    if message.len() > MAX_MESSAGE_BYTES {
        anyhow::bail!("a reply is at most {MAX_MESSAGE_BYTES} bytes");
    }
    if message.trim().is_empty() {
        anyhow::bail!("the message is empty");
    }
    let session = Session::open(target)?;
    let me = session.key.public().id();
    let directory = session.gateway.directory().await?;
    if !directory.iter().any(|r| r.officers.contains(&me)) {
        anyhow::bail!("officer key {me} is listed on no route of this gateway");
    }
    let query = format!("reference={}", session.reference);
    let answer = session
        .gateway
        .signed(
            &session.key,
            "GET",
            FOLLOW_UP_KEY_PATH,
            &query,
            Vec::new(),
            now(),
        )
        .await?;
    if answer.status == 404 {
        anyhow::bail!(
            "{}: the submitter did not take a follow-up code, so there is no one to reply to",
            session.reference
        );
    }
    if answer.status != 200 {
        return Err(refused("the follow-up key", &answer));
    }
    let submitter = answer.body["recipient"]
        .as_str()
        .and_then(crate::keys::parse_recipient)
        .context("the gateway's follow-up key is not an age recipient")?;
    let route_name = answer.body["route"]
        .as_str()
        .context("the gateway did not say through which route this officer acts")?;
    let route = directory
        .iter()
        .find(|r| r.name == route_name)
        .with_context(|| format!("route {route_name} is not in the gateway's directory"))?;
    let mut recipients = vec![submitter];
    for r in &route.recipients {
        recipients
            .push(crate::keys::parse_recipient(r).with_context(|| {
                format!("route {route_name} lists a recipient that is not age")
            })?);
    }
    confirm_unit_copy(&recipients[1..], identities, route_name, identity)?;
    let sealed = crate::seal::encrypt_to(message.as_bytes(), &recipients)
        .map_err(|e| anyhow::anyhow!("sealing the reply: {e}"))?;
    let body = serde_json::to_vec(&json!({
        "reference": session.reference.as_str(),
        "sealed": STANDARD.encode(&sealed),
    }))?;
    let answer = session
        .gateway
        .signed(&session.key, "POST", REPLY_PATH, "", body, now())
        .await?;
    if answer.status != 201 {
        return Err(refused("the reply", &answer));
    }
    answer.body["message"]
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .context("the gateway stored the reply but did not number it")
}

/// Sets the case status the submitter sees.
pub async fn status(target: &Target, status: crate::workflow::CaseStatus) -> anyhow::Result<()> {
    let session = Session::open(target)?;
    let body = serde_json::to_vec(&json!({
        "reference": session.reference.as_str(),
        "status": status.as_str(),
    }))?;
    let answer = session
        .gateway
        .signed(&session.key, "POST", STATUS_PATH, "", body, now())
        .await?;
    if answer.status == 404 {
        anyhow::bail!(
            "{}: the submitter did not take a follow-up code, so there is no status to set",
            session.reference
        );
    }
    if answer.status != 200 {
        return Err(refused("the status", &answer));
    }
    Ok(())
}

pub const WORKFLOW_PATH: &str = "/api/v1/officer/workflow";

/// Records a workflow step (`triaged`, `graded`, `recorded`, `closed`).
pub async fn record_step(target: &Target, step: &crate::workflow::Step) -> anyhow::Result<()> {
    use crate::workflow::Step;
    let session = Session::open(target)?;
    let mut body = json!({
        "reference": session.reference.as_str(),
        "step": step.kind().as_str(),
    });
    match step {
        Step::Triaged | Step::Closed => {}
        // The wire form is the officer's own notation for the scheme.
        Step::Graded(g) => body["grade"] = g.notation().into(),
        Step::Recorded(r) => body["force_reference"] = r.as_str().into(),
        Step::SharedWithMace { .. } => {
            anyhow::bail!("shared_with_mace is recorded by `pis-gateway share` itself")
        }
    }
    let answer = session
        .gateway
        .signed(
            &session.key,
            "POST",
            WORKFLOW_PATH,
            "",
            serde_json::to_vec(&body)?,
            now(),
        )
        .await?;
    if answer.status == 404 {
        anyhow::bail!(
            "{}: no such submission, or it has been purged",
            session.reference
        );
    }
    if answer.status != 201 {
        return Err(refused("the step", &answer));
    }
    Ok(())
}

/// One field of the gateway's answer, made safe for a terminal on one line: the gateway is
/// trusted, but a force reference or route name must never drive the officer's terminal.
fn shown(v: &serde_json::Value) -> String {
    let s = match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    };
    crate::open::terminal_safe(&s).replace('\n', "\\n")
}

/// A submission's workflow as the gateway holds it: the steps (oldest first, as the gateway
/// sends them) and the status the submitter sees (`Null` when they took no follow-up code).
pub struct Workflow {
    pub steps: Vec<serde_json::Value>,
    pub submitter_status: serde_json::Value,
}

impl Workflow {
    /// The last step's name, if any step was recorded.
    pub fn last_step(&self) -> Option<String> {
        self.steps.last().map(|s| shown(&s["step"]))
    }

    /// Each step on one line, safe for a terminal or (escaped again) a page.
    pub fn lines(&self) -> Vec<String> {
        self.steps.iter().map(history_line).collect()
    }

    /// The status the submitter sees and when it was set, if they took a code.
    pub fn seen_by_submitter(&self) -> Option<(String, String)> {
        let seen = &self.submitter_status;
        (!seen.is_null()).then(|| (shown(&seen["status"]), rfc3339(&seen["at"])))
    }
}

/// The submission's workflow, fetched signed.
pub async fn workflow(target: &Target) -> anyhow::Result<Workflow> {
    let session = Session::open(target)?;
    let query = format!("reference={}", session.reference);
    let answer = session
        .gateway
        .signed(
            &session.key,
            "GET",
            WORKFLOW_PATH,
            &query,
            Vec::new(),
            now(),
        )
        .await?;
    if answer.status != 200 {
        return Err(refused("the history", &answer));
    }
    let steps = answer.body["steps"]
        .as_array()
        .context("the gateway's answer has no steps")?
        .clone();
    Ok(Workflow {
        steps,
        submitter_status: answer.body["submitter_status"].clone(),
    })
}

/// The submission's workflow, one line per step, oldest first.
pub async fn history(target: &Target) -> anyhow::Result<Vec<String>> {
    let workflow = workflow(target).await?;
    let mut lines = workflow.lines();
    if lines.is_empty() {
        lines.push("  no workflow steps recorded yet".into());
    }
    lines.push(match workflow.seen_by_submitter() {
        None => "  the submitter took no follow-up code: there is no status for them to see".into(),
        Some((status, at)) => format!("  status the submitter sees: {status} (set {at})"),
    });
    Ok(lines)
}

/// Unix seconds as RFC 3339, or "?".
fn rfc3339(v: &serde_json::Value) -> String {
    v.as_i64()
        .and_then(|t| time::OffsetDateTime::from_unix_timestamp(t).ok())
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| "?".into())
}

fn history_line(s: &serde_json::Value) -> String {
    let at = rfc3339(&s["at"]);
    let step = shown(&s["step"]);
    let detail = match step.as_str() {
        "graded" => {
            let g = &s["grade"];
            format!(
                " {} {}/{}/{}",
                shown(&g["scheme"]),
                shown(&g["source"]),
                shown(&g["intelligence"]),
                shown(&g["handling"])
            )
        }
        "recorded" => format!(" {}", shown(&s["force_reference"])),
        "shared_with_mace" => format!(" {}", shown(&s["route"])),
        _ => String::new(),
    };
    format!(
        "{:>3}  {at}  {step}{detail}  (officer {})",
        shown(&s["n"]),
        shown(&s["officer"])
    )
}
