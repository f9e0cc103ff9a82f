//! `pis-gateway share`, on the officer's machine: the restricted view of a submission for a
//! MACE route, built from the full document the officer already holds.
//!
//! The envelope is decrypted with the officer's identity and the gateway's signature checked
//! as `open` checks it; the answers that could identify the source (the form's sensitive
//! sections and the partner agency, [`default_removals`]) and whatever the officer names
//! with `--remove` are taken out ([`sanitise`]), as are the facts about evidence files; the
//! officer sees what will go; the view is signed with the officer's key
//! ([`super::signed_share`]), sealed to the route's recipients from the gateway's directory
//! and posted as a signed officer action. The gateway stores and delivers only the sealed bytes.

use super::client::Gateway;
use super::commands::Target;
use crate::document::Header;
use crate::open::sanitise::{default_removals, sanitise, Removal};
use crate::routing::View;
use crate::signing::{Keyring, SigningKey};
use anyhow::Context;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;

pub const SHARE_PATH: &str = "/api/v1/officer/share";

/// The restricted view, ready to show and to seal.
pub struct Prepared {
    /// The sanitised document, its `route` and `view` naming the MACE route and `restricted`.
    pub document: Value,
    /// The paths taken out, in path order.
    pub removed: Vec<String>,
    /// The gateway's signing key id on the full document.
    pub signed_by: String,
}

/// What the officer asked to share.
pub struct Request<'a> {
    /// The full-view envelope, as the email carried it.
    pub envelope: &'a Path,
    /// The officer's age identity (one of the full view's recipients).
    pub identity: &'a Path,
    /// The MACE route.
    pub route: &'a str,
    /// The officer's own removal paths.
    pub remove: &'a [String],
    /// Whether the suggested removals ([`default_removals`]) are taken out too.
    pub suggested: bool,
}

/// Decrypts and verifies the full document, and takes out the suggested removals (unless
/// the officer keeps them) and the officer's own.
pub fn prepare(
    request: &Request<'_>,
    keys: &Keyring,
    forms: &crate::forms::FormRegistry,
    target: &Target,
) -> anyhow::Result<Prepared> {
    let Request {
        envelope,
        identity,
        route,
        remove,
        suggested,
    } = *request;
    let identities = crate::keys::read_identities(identity)?;
    let sealed =
        std::fs::read(envelope).with_context(|| format!("reading {}", envelope.display()))?;
    let plain = crate::seal::decrypt(&sealed, &identities)
        .with_context(|| format!("decrypting {}", envelope.display()))?;
    let doc: Value = serde_json::from_slice(&plain)
        .ok()
        .filter(Value::is_object)
        .with_context(|| format!("{} is not a submission's document", envelope.display()))?;
    let signed_by = crate::signing::verify_document(&doc, keys)
        .map_err(|e| anyhow::anyhow!("{}: refused: {e}", envelope.display()))?;
    let header =
        Header::from_value(&doc).map_err(|e| anyhow::anyhow!("{}: {e}", envelope.display()))?;
    if header.reference.as_str() != target.reference.as_str() {
        anyhow::bail!(
            "{} is not the document of {} (give that submission's envelope)",
            envelope.display(),
            target.reference
        );
    }
    if header.view != View::Full {
        anyhow::bail!(
            "{} is not a full view: a restricted view is built from the full document",
            envelope.display()
        );
    }
    prepare_document(&doc, signed_by, route, remove, suggested, forms)
}

/// The restricted view of a full document already decrypted and verified (signed by the
/// gateway's key `signed_by`): the suggested removals (unless the officer keeps them) and the
/// officer's own taken out. `share` and the desk both build it here.
pub fn prepare_document(
    doc: &Value,
    signed_by: String,
    route: &str,
    remove: &[String],
    suggested: bool,
    forms: &crate::forms::FormRegistry,
) -> anyhow::Result<Prepared> {
    let header = Header::from_value(doc)?;
    if header.view != View::Full {
        anyhow::bail!("not a full view: a restricted view is built from the full document");
    }
    let spec = forms.get(header.form).map(|s| s.as_ref());
    let mut removals: BTreeSet<Removal> = BTreeSet::new();
    if suggested {
        removals.extend(default_removals(doc, spec));
    }
    for path in remove {
        removals.insert(Removal::parse(path).map_err(|e| anyhow::anyhow!("--remove: {e}"))?);
    }
    let removals: Vec<Removal> = removals.into_iter().collect();
    let mut out = sanitise(doc, &removals).map_err(|e| anyhow::anyhow!("--remove: {e}"))?;
    out.document["route"] = json!(route);
    out.document["view"] = json!("restricted");
    Ok(Prepared {
        document: out.document,
        removed: out.removed,
        signed_by,
    })
}

/// Seals the view to the route's recipients (from the gateway's directory) and posts it
/// signed. Returns the route it was queued for.
pub async fn send(target: &Target, route: &str, prepared: &Prepared) -> anyhow::Result<()> {
    let key =
        SigningKey::load(&target.officer_key).context("reading the officer key (--officer-key)")?;
    let gateway = Gateway::new(&target.gateway, target.ca.as_deref())?;
    let directory = gateway.directory().await?;
    let entry = directory
        .iter()
        .find(|r| r.name == route)
        .with_context(|| format!("route {route} is not in the gateway's directory"))?;
    let recipients = entry
        .recipients
        .iter()
        .map(|r| {
            crate::keys::parse_recipient(r)
                .with_context(|| format!("route {route} lists a recipient that is not age"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    if recipients.is_empty() {
        anyhow::bail!("route {route} lists no recipients");
    }
    // Signed by the sharing officer, so MACE can check it against the gateway's published
    // officer keys instead of reading it unverified.
    let plain = super::signed_share::sign(prepared.document.clone(), &key)?;
    let sealed = crate::seal::encrypt_to(&plain, &recipients)
        .map_err(|e| anyhow::anyhow!("sealing the restricted view: {e}"))?;
    let body = serde_json::to_vec(&json!({
        "reference": target.reference.as_str(),
        "route": route,
        "sealed": STANDARD.encode(&sealed),
    }))?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let answer = gateway
        .signed(&key, "POST", SHARE_PATH, "", body, now)
        .await?;
    if answer.status != 201 {
        anyhow::bail!("the gateway refused the share: {}", answer.explain());
    }
    Ok(())
}
