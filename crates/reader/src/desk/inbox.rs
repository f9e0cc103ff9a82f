//! The desk's one way into the mailbox: every envelope [`crate::open::mailbox`] finds, decrypted
//! in memory with the officer's identity, its signature checked against the pinned keys as
//! `open` checks it, and each report's acknowledgement link taken from the message that
//! carried it. Nothing decrypted is written anywhere; nothing in the mailbox is changed.

use super::progress::Progress;
use crate::open::mailbox::Envelope;
use crate::open::Provenance;
use crate::signing::{Keyring, VerifyError};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// One report (or addendum) as the desk shows it.
#[derive(Debug, Clone)]
pub struct Case {
    pub reference: String,
    pub priority: String,
    pub form: String,
    pub received_at: String,
    pub localities: Vec<String>,
    /// For an addendum: the reference of the report it adds to.
    pub follow_up_of: Option<String>,
    pub doc: Value,
    pub provenance: Provenance,
    /// The acknowledgement link of the email that carried it, if the message had one.
    pub ack_link: Option<String>,
    /// Every string of the document, lower-cased, for the search.
    pub haystack: String,
}

/// What the mailbox held: the reports, the evidence files (decrypted, for the reports that
/// list them), and one line per envelope that could not be used.
#[derive(Default)]
pub struct Inbox {
    pub cases: Vec<Case>,
    pub files: Vec<Zeroizing<Vec<u8>>>,
    pub problems: Vec<String>,
    /// Documents decrypted and verified but not for this desk (see [`Keep`]), dropped at once.
    pub hidden: usize,
}

/// Which verified documents the desk keeps: every one for an officer; a MACE coordinator's
/// views only for theirs ([`super::mace`]).
pub type Keep<'a> = &'a (dyn Fn(&Value) -> bool + Sync);

/// The keys reports are checked against: the gateway's, and the officers' it publishes
/// (whose signatures a shared restricted view carries).
pub struct Trust {
    pub gateway: Keyring,
    pub officers: Keyring,
}

impl Trust {
    /// From the gateway's published keys as saved (`/.well-known/pis-gateway/signing-keys`).
    pub fn read(path: &Path) -> anyhow::Result<Self> {
        use anyhow::Context;
        let gateway = Keyring::read(path)
            .with_context(|| format!("reading the signing keys {}", path.display()))?;
        if gateway.0.is_empty() {
            anyhow::bail!("{} lists no signing key", path.display());
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the signing keys {}", path.display()))?;
        Ok(Trust {
            gateway,
            officers: Keyring(crate::officer::signed_share::published_officers(&text)),
        })
    }

    fn provenance(&self, doc: &Value) -> Result<Provenance, String> {
        match crate::signing::verify_document(doc, &self.gateway) {
            Ok(id) => Ok(Provenance::Signed(id)),
            Err(VerifyError::UnknownKey(id)) if self.officers.get(&id).is_some() => {
                crate::officer::signed_share::verify(doc, &self.officers)
                    .map(Provenance::SharedBy)
                    .map_err(|e| e.to_string())
            }
            Err(e) => Err(e.to_string()),
        }
    }
}

/// One envelope, opened.
enum Opened {
    Document(Value, Provenance),
    File(Zeroizing<Vec<u8>>),
    Problem(String),
}

fn open_one(
    envelope: &crate::open::mailbox::Envelope,
    identities: &[Box<dyn age::Identity>],
    trust: &Trust,
) -> Opened {
    let plain = match crate::seal::decrypt(&envelope.bytes, identities) {
        Ok(plain) => plain,
        Err(e) => return Opened::Problem(format!("{}: {e}", envelope.label)),
    };
    match serde_json::from_slice::<Value>(&plain) {
        Ok(doc) if doc.is_object() => match trust.provenance(&doc) {
            Ok(p) => Opened::Document(doc, p),
            Err(e) => Opened::Problem(format!("{}: refused: {e}", envelope.label)),
        },
        _ => Opened::File(plain),
    }
}

/// Reads the whole mailbox, decrypting on every core (each thread with identities of its
/// own from `identities`). A document without a good signature is refused (named in
/// `problems`), as `open` refuses it.
pub fn read(
    mailbox: &Path,
    identities: &(dyn Fn() -> Vec<Box<dyn age::Identity>> + Sync),
    trust: &Trust,
    progress: &Progress,
    keep: Keep<'_>,
) -> Inbox {
    let (envelopes, problems) =
        crate::open::mailbox::envelopes_in(std::slice::from_ref(&mailbox.to_path_buf()));
    read_envelopes(envelopes, problems, identities, trust, progress, keep)
}

/// The same, from envelopes already taken out of their messages (an IMAP mailbox's).
pub fn read_envelopes(
    envelopes: Vec<Envelope>,
    problems: Vec<String>,
    identities: &(dyn Fn() -> Vec<Box<dyn age::Identity>> + Sync),
    trust: &Trust,
    progress: &Progress,
    keep: Keep<'_>,
) -> Inbox {
    progress.begin(envelopes.len());
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 16));
    let chunk = envelopes.len().div_ceil(threads).max(1);
    let opened: Vec<Opened> = std::thread::scope(|scope| {
        let workers: Vec<_> = envelopes
            .chunks(chunk)
            .map(|run| {
                scope.spawn(move || {
                    let ids = identities();
                    run.iter()
                        .map(|e| {
                            let opened = open_one(e, &ids, trust);
                            progress.tick();
                            opened
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| {
                w.join()
                    .unwrap_or_else(|_| vec![Opened::Problem("a decrypting thread failed".into())])
            })
            .collect()
    });
    let mut inbox = Inbox {
        problems,
        ..Inbox::default()
    };
    let mut links = Links::default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (envelope, opened) in envelopes.iter().zip(opened) {
        let (doc, provenance) = match opened {
            Opened::Document(doc, p) => (doc, p),
            Opened::File(plain) => {
                inbox.files.push(plain);
                continue;
            }
            Opened::Problem(p) => {
                inbox.problems.push(p);
                continue;
            }
        };
        // Before the same reference is merged, so a view this desk keeps is never lost
        // behind one it does not.
        if !keep(&doc) {
            inbox.hidden += 1;
            continue;
        }
        let case = case_of(doc, provenance, links.of(&envelope.label));
        match seen.get(&case.reference) {
            // The same report in two messages (two routes' inboxes, a copy kept twice): one
            // row, with a link from whichever message had one.
            Some(&i) => {
                let first = &mut inbox.cases[i];
                if first.ack_link.is_none() {
                    first.ack_link = case.ack_link;
                }
            }
            None => {
                seen.insert(case.reference.clone(), inbox.cases.len());
                inbox.cases.push(case);
            }
        }
    }
    inbox
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

/// Every string in a JSON value, lower-cased, one per line.
fn haystack(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => {
            out.push_str(&s.to_lowercase());
            out.push('\n');
        }
        Value::Array(a) => a.iter().for_each(|x| haystack(x, out)),
        Value::Object(m) => m.values().for_each(|x| haystack(x, out)),
        _ => {}
    }
}

pub(crate) fn case_of(doc: Value, provenance: Provenance, ack_link: Option<String>) -> Case {
    let mut hay = String::new();
    haystack(&doc, &mut hay);
    Case {
        reference: text(&doc, "reference"),
        priority: text(&doc, "priority"),
        form: text(&doc, "form"),
        received_at: text(&doc, "received_at"),
        localities: strings(&doc, "localities"),
        follow_up_of: doc
            .get("follow_up_of")
            .and_then(Value::as_str)
            .map(str::to_string),
        haystack: hay,
        doc,
        provenance,
        ack_link,
    }
}

/// Acknowledgement links by message file, each message read once.
#[derive(Default)]
struct Links(HashMap<PathBuf, Option<String>>);

impl Links {
    /// The link in the message an envelope was attached to. The mailbox labels an attached
    /// envelope `<message path> (<attachment name>)`; a bare envelope has no message.
    fn of(&mut self, label: &str) -> Option<String> {
        let path = label
            .match_indices(" (")
            .map(|(i, _)| PathBuf::from(&label[..i]))
            .find(|p| p.is_file())?;
        self.0
            .entry(path)
            .or_insert_with_key(|p| std::fs::read(p).ok().and_then(|m| ack_link(&m)))
            .clone()
    }
}

/// The acknowledgement link in a message's text.
fn ack_link(message: &[u8]) -> Option<String> {
    let parsed = mail_parser::MessageParser::default().parse(message)?;
    let body = parsed.body_text(0)?;
    body.split_whitespace()
        .find(|w| w.starts_with("https://") && w.contains("/ack/"))
        .map(|w| w.trim_end_matches(['.', ',', ')', '>']).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_comes_from_the_message_text_even_when_quoted_printable() {
        let m = "From: a@example.invalid\r\nTo: b@example.invalid\r\nSubject: x\r\n\
                 MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
                 Content-Transfer-Encoding: quoted-printable\r\n\r\n\
                 Acknowledge: https://gw.example:8443/ack/AAAA=\r\nBBBB.\r\nOther https://gw.example/x\r\n";
        assert_eq!(
            ack_link(m.as_bytes()).as_deref(),
            Some("https://gw.example:8443/ack/AAAABBBB")
        );
        assert_eq!(ack_link(b"Subject: x\r\n\r\nno link here\r\n"), None);
    }
}
