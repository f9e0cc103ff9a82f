//! The email contract: subject, content-free body, armored attachment, stable Message-ID.

use crate::ack::AckKind;
use crate::reference::Reference;
use crate::seal;
use crate::spool::{DueDelivery, View};
use crate::triage::Priority;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::Message;

#[derive(Debug, thiserror::Error)]
pub enum EmailError {
    #[error("address not usable: {0}")]
    Address(&'static str),
    #[error("the email could not be built")]
    Build,
    #[error("the envelope could not be armored")]
    Armor,
}

pub fn subject(d: &DueDelivery) -> String {
    // To a professional's own address: nothing that names a report or says who sent what.
    match d.view {
        View::FollowUp => return "There is a message for you".to_string(),
        View::FollowUpConfirm => return "Confirm your email address".to_string(),
        _ => {}
    }
    if let Some(original) = addendum_to(d) {
        // Named for the report it adds to, so the inbox shows the two together.
        return format!(
            "[OFFICIAL-SENSITIVE] PIS Addendum to {original}: {} {}",
            d.id.reference,
            d.priority.as_str()
        );
    }
    if d.view == View::Escalation {
        format!(
            "[OFFICIAL-SENSITIVE] PIS {} {} UNACKNOWLEDGED",
            d.id.reference,
            d.priority.as_str()
        )
    } else {
        format!(
            "[OFFICIAL-SENSITIVE] PIS {} {}",
            d.id.reference,
            d.priority.as_str()
        )
    }
}

/// For what a submitter added on /follow-up: the reference of the report it adds to, as its
/// delivery notice names it (anything that is not a reference is ignored: it goes in headers).
pub fn addendum_to(d: &DueDelivery) -> Option<Reference> {
    if d.form_id != crate::intake::ADDENDUM_FORM || d.view.to_sealed_address() {
        return None;
    }
    let notice: serde_json::Value = serde_json::from_str(d.notice.as_deref()?).ok()?;
    Reference::parse(notice[crate::intake::ADDENDUM_TO].as_str()?)
}

fn escalation_body(d: &DueDelivery) -> String {
    let notice: serde_json::Value = d
        .notice
        .as_deref()
        .and_then(|n| serde_json::from_str(n).ok())
        .unwrap_or_default();
    let routes: Vec<&str> = notice["routes"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    format!(
        "OFFICIAL-SENSITIVE\n\n\
         ESCALATION {}: a {} submission has not been acknowledged.\n\n\
         Reference:       {}\n\
         Received:        {}\n\
         Priority:        {}\n\
         Sent to:         {}\n\
         Minutes overdue: {}\n\n\
         Contact the receiving team now and make sure someone has it in hand. This email\n\
         repeats until the submission is acknowledged.\n\n",
        notice["escalation"].as_i64().unwrap_or(1),
        d.priority.as_str(),
        d.id.reference,
        d.received_at,
        d.priority.as_str(),
        if routes.is_empty() {
            "-".to_string()
        } else {
            routes.join(", ")
        },
        notice["overdue_minutes"].as_i64().unwrap_or(0),
    )
}

/// Stable per reference and route, so a resend after a crash is recognisable as the same mail.
/// An email to a professional's own address gets a random one: its headers name no report.
pub fn message_id(d: &DueDelivery, from: &str) -> String {
    if d.view.to_sealed_address() {
        let domain = from.rsplit_once('@').map(|(_, d)| d).unwrap_or("localhost");
        let mut id = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut id);
        let hex: String = id.iter().map(|b| format!("{b:02x}")).collect();
        return format!("<{hex}@{domain}>");
    }
    message_id_of(&d.id.reference, &d.id.route.to_string(), from)
}

/// The stable Message-ID of a report's email to a route.
fn message_id_of(reference: &Reference, route: &str, from: &str) -> String {
    let domain = from.rsplit_once('@').map(|(_, d)| d).unwrap_or("localhost");
    format!("<{reference}.{route}@{domain}>")
}

/// The professional's notice that police have written on /follow-up: it names no report and
/// says nothing about who sent what, since whoever reads the inbox may not be its owner.
fn follow_up_body(page: Option<&str>) -> String {
    format!(
        "There is a message for you. Use your follow-up code at {}.\n\n\
         This email holds nothing else, and nobody can read the message without the code.\n\n\
         Do not reply to this email: replies are not read.\n",
        page.unwrap_or("the follow-up page of the service you used"),
    )
}

/// The first email to a notice address: nothing is sent there until its link is followed.
fn confirm_body(link: Option<&str>) -> String {
    format!(
        "Someone asked for notices to be sent to this email address.\n\n\
         If it was you, follow this link to confirm (it opens a page with a button; it works\n\
         once and expires):\n{}\n\n\
         If it was not you, ignore this email: nothing more will be sent here.\n\n\
         Do not reply to this email: replies are not read.\n",
        link.unwrap_or("(no link: the service's public address is not configured)"),
    )
}

/// Links an email may give: the acknowledgement (or follow-up) page, and where the gateway
/// publishes its signing keys (`open` checks every document against them).
#[derive(Debug, Clone, Copy, Default)]
pub struct Links<'a> {
    pub ack: Option<&'a str>,
    pub signing_keys: Option<&'a str>,
}

fn body(d: &DueDelivery, has_attachment: bool, links: Links<'_>) -> String {
    let ack_url = links.ack;
    match d.view {
        View::FollowUp => return follow_up_body(ack_url),
        View::FollowUpConfirm => return confirm_body(ack_url),
        _ => {}
    }
    if d.view == View::Escalation {
        let mut b = escalation_body(d);
        if let Some(url) = ack_url {
            b.push_str(&format!(
                "Acknowledge it here (opens a page with a button):\n{url}\n\n"
            ));
        }
        b.push_str("Do not reply to this email: replies are not read.\n");
        return b;
    }
    let mut b = match addendum_to(d) {
        Some(original) => addendum_head(d, &original),
        None => submission_head(d),
    };
    b.push_str(&sealed_text(d, has_attachment, links.signing_keys));
    if d.priority == Priority::Immediate {
        b.push_str(
            "IMMEDIATE: the submitter indicated a risk of harm now. Read it without delay.\n\n",
        );
    }
    match (ack_url, d.ack) {
        (Some(url), AckKind::Acknowledge) => b.push_str(&format!(
            "Acknowledge: says someone has it in hand, and stops its escalation\n\
             (opens a page with a button; the link works once):\n{url}\n\n"
        )),
        (Some(url), AckKind::ConfirmReceipt) => b.push_str(&format!(
            "Confirm receipt: records that this inbox has it; does not stop escalation\n\
             (opens a page with a button; the link works once):\n{url}\n\n"
        )),
        (None, _) => {}
    }
    b.push_str("Do not reply to this email: replies are not read.\n");
    b
}

fn submission_head(d: &DueDelivery) -> String {
    format!(
        "OFFICIAL-SENSITIVE\n\n\
         A Partnership Information Sharing submission has arrived.\n\n\
         Reference: {}\n\
         Received:  {}\n\
         Priority:  {}\n\
         Form:      {}\n\
         Route:     {} ({} view)\n\n",
        d.id.reference,
        d.received_at,
        d.priority.as_str(),
        d.form_id,
        d.id.route,
        d.view
    )
}

/// An addendum is part of the report it adds to: handled as that report is (its handling code
/// and source protection), whatever its own words would suggest on their own.
fn addendum_head(d: &DueDelivery, original: &Reference) -> String {
    format!(
        "OFFICIAL-SENSITIVE\n\n\
         Addendum to {original}: its submitter added to their report, or\n\
         answered a question, on the follow-up page.\n\n\
         Addendum to: {original}\n\
         Reference:   {}\n\
         Received:    {}\n\
         Priority:    {} (of what was added, read on its own)\n\
         Route:       {} ({} view)\n\n\
         Handle it as {original}: that report's handling code and source\n\
         protection apply to it. Open the two together (both emails, or both\n\
         attachments) and the addendum is shown after its original, with the\n\
         original's grading.\n\n",
        d.id.reference,
        d.received_at,
        d.priority.as_str(),
        d.id.route,
        d.view
    )
}

/// Where the sealed document is and how to open it. A notice's categories and localities are
/// sealed like any view: the body only says that a notice is attached.
fn sealed_text(d: &DueDelivery, has_attachment: bool, signing_keys: Option<&str>) -> String {
    let r = &d.id.reference;
    let keys = signing_keys.unwrap_or("/.well-known/pis-gateway/signing-keys on this gateway");
    let open = format!(
        "encrypted with age to this\n\
         inbox's keys. To read it on a machine that holds one of those keys, save this\n\
         gateway's signing keys once, as signing-keys.json, from\n\
         {keys}\n\
         (ask your administrator to confirm them), then:\n\n\
         \x20   pis-gateway open --identity YOUR-KEY-FILE --signer signing-keys.json {r}.age\n\n\
         (this email saved as a file, your Maildir, or your mailbox with\n\
         --mailbox imaps://YOU@MAIL-SERVER can be given in place of {r}.age),\n\
         or, for the raw JSON document: age -d -i YOUR-KEY-FILE {r}.age\n\n"
    );
    match (d.view, has_attachment) {
        (View::Notice, true) => format!(
            "A notice is attached as the file {r}.age, {open}\
             It gives categories and localities only. The police intelligence unit holds\n\
             the full submission and decides what is shared after assessing it.\n\n"
        ),
        // Queued before notices were sealed: its codes stay out of the email.
        (View::Notice, false) => {
            "A notice was queued for this inbox before notices were sealed, so it is not\n\
             sent by email. Ask the police intelligence unit for it, giving the reference.\n\n"
                .to_string()
        }
        _ => format!("The submission is in the attached file {r}.age, {open}"),
    }
}

/// The evidence files that go with a full view's email.
///
/// (For a follow-up notice, `build`'s link is the follow-up page, not an acknowledgement.)
pub enum Files<'a> {
    None,
    /// Sealed files (binary age), file 1 first, attached armored as `<reference>-<n>.age`.
    Attached(&'a [Vec<u8>]),
    /// Too large together for email: one one-time download link per file, file 1 first.
    Linked(&'a [String]),
}

/// How to read the files, in the body.
fn files_text(d: &DueDelivery, files: &Files<'_>) -> String {
    let r = &d.id.reference;
    match files {
        Files::None => String::new(),
        Files::Attached(list) => {
            let names: Vec<String> = (1..=list.len()).map(|n| format!("{r}-{n}.age")).collect();
            format!(
                "Evidence files sent with it are attached, each encrypted the same way:\n\
                 {}\n\
                 To open the report with them and write the files into a folder:\n\n\
                 \x20   pis-gateway open --identity YOUR-KEY-FILE --signer signing-keys.json \\\n\
                 \x20       --extract FOLDER {r}.age {}\n\n",
                names.join(", "),
                names.join(" ")
            )
        }
        Files::Linked(urls) => {
            let mut t = String::from(
                "Evidence files sent with it are too large to attach. Each link below downloads\n\
                 one file, still encrypted to this inbox's keys; each works once and expires:\n",
            );
            for (i, url) in urls.iter().enumerate() {
                t.push_str(&format!("{r}-{}.age: {url}\n", i + 1));
            }
            t.push_str(&format!(
                "\nThen: pis-gateway open --identity YOUR-KEY-FILE --signer signing-keys.json \\\n\
                 \x20       --extract FOLDER {r}.age {r}-1.age ...\n\n"
            ));
            t
        }
    }
}

pub fn build(
    d: &DueDelivery,
    from: &str,
    links: Links<'_>,
    files: &Files<'_>,
) -> Result<Message, EmailError> {
    let from_box: Mailbox = from.parse().map_err(|_| EmailError::Address("mail.from"))?;
    let to: Mailbox = d
        .mailbox
        .parse()
        .map_err(|_| EmailError::Address("route mailbox"))?;
    let mut text = body(d, d.envelope.is_some(), links);
    if d.envelope.is_some() {
        // After the report's own instructions, before the closing line.
        let extra = files_text(d, files);
        let at = text.rfind("Do not reply").unwrap_or(text.len());
        text.insert_str(at, &extra);
    }
    let text = SinglePart::plain(text);
    let builder = Message::builder()
        .from(from_box)
        .to(to)
        .subject(subject(d))
        .message_id(Some(message_id(d, from)));
    // Threaded under the original's email to the same inbox (its Message-ID is stable).
    let builder = match addendum_to(d) {
        Some(original) => {
            let parent = message_id_of(&original, &d.id.route.to_string(), from);
            builder.in_reply_to(parent.clone()).references(parent)
        }
        None => builder,
    };
    let octets = || ContentType::parse("application/octet-stream").map_err(|_| EmailError::Build);
    let msg = match &d.envelope {
        Some(envelope) => {
            let armored = seal::armor(envelope).map_err(|_| EmailError::Armor)?;
            let attachment =
                Attachment::new(format!("{}.age", d.id.reference)).body(armored, octets()?);
            let mut parts = MultiPart::mixed().singlepart(text).singlepart(attachment);
            if let Files::Attached(list) = files {
                for (i, file) in list.iter().enumerate() {
                    let armored = seal::armor(file).map_err(|_| EmailError::Armor)?;
                    parts = parts.singlepart(
                        Attachment::new(format!("{}-{}.age", d.id.reference, i + 1))
                            .body(armored, octets()?),
                    );
                }
            }
            builder.multipart(parts)
        }
        None => builder.singlepart(text),
    };
    msg.map_err(|_| EmailError::Build)
}

/// The size of sealed files once armored for email (base64 in 64-character lines, with the
/// armor's first and last lines), without armoring them.
pub fn armored_size(files: &[Vec<u8>]) -> usize {
    files
        .iter()
        .map(|f| {
            let b64 = f.len().div_ceil(3) * 4;
            b64 + b64.div_ceil(64) + 70
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spool::{DeliveryId, DeliveryRoute};

    fn due(view: &str, envelope: Option<Vec<u8>>, notice: Option<&str>) -> DueDelivery {
        DueDelivery {
            rank: 2,
            id: DeliveryId::new(
                crate::reference::Reference::parse("PIS-ABCD-EFGH").expect("reference"),
                DeliveryRoute::route("mace_selby"),
            ),
            mailbox: "mace-selby@example.invalid".into(),
            view: View::parse(view).expect("view"),
            attempts: 0,
            retry_from: 0,
            priority: Priority::Priority,
            received_at: "2026-11-23T19:00:00Z".into(),
            form_id: "professional".into(),
            envelope,
            notice: notice.map(str::to_string),
            ack: AckKind::ConfirmReceipt,
        }
    }

    fn raw(d: &DueDelivery) -> String {
        String::from_utf8(
            build(
                d,
                "gw@example.invalid",
                Links {
                    ack: Some("https://gw.example/ack/abc"),
                    signing_keys: Some("https://gw.example/.well-known/pis-gateway/signing-keys"),
                },
                &Files::None,
            )
            .expect("builds")
            .formatted(),
        )
        .expect("utf8")
    }

    #[test]
    fn a_notice_is_attached_sealed_and_its_body_names_no_code() {
        let d = due("notice", Some(vec![1, 2, 3]), None);
        let raw = raw(&d);
        assert!(raw.contains("Subject: [OFFICIAL-SENSITIVE] PIS PIS-ABCD-EFGH PRIORITY"));
        assert!(raw.contains("A notice is attached as the file PIS-ABCD-EFGH.age"));
        assert!(raw.contains("filename=\"PIS-ABCD-EFGH.age\""));
        assert!(raw.contains("-----BEGIN AGE ENCRYPTED FILE-----"));
        assert!(!raw.contains("Categories:"));
        assert!(!raw.to_ascii_lowercase().contains("reply-to"));
    }

    #[test]
    fn a_notice_queued_in_clear_before_sealing_keeps_its_codes_out_of_the_email() {
        let d = due(
            "notice",
            None,
            Some(r#"{"categories":["CCE"],"localities":["SELBY"]}"#),
        );
        let raw = raw(&d);
        assert!(raw.contains("not\r\nsent by email") || raw.contains("not\nsent by email"));
        assert!(!raw.contains("CCE"));
        assert!(!raw.contains("SELBY"));
        assert!(!raw.contains("BEGIN AGE"));
    }

    #[test]
    fn an_addendum_is_named_for_its_original_and_threaded_under_its_email() {
        let mut d = due(
            "full",
            Some(vec![1, 2, 3]),
            Some(r#"{"addendum_to":"PIS-K7QM-3XTD"}"#),
        );
        d.form_id = crate::intake::ADDENDUM_FORM.into();
        d.priority = Priority::Routine;
        // Headers unfolded and soft line breaks joined, as a mail client shows them.
        let raw = raw(&d)
            .replace("\r\n", "\n")
            .replace("\n ", " ")
            .replace("=\n", "");
        assert!(
            raw.contains(
                "Subject: [OFFICIAL-SENSITIVE] PIS Addendum to PIS-K7QM-3XTD: PIS-ABCD-EFGH ROUTINE"
            ),
            "{raw}"
        );
        assert!(raw.contains("In-Reply-To: <PIS-K7QM-3XTD.mace_selby@example.invalid>"));
        assert!(raw.contains("References: <PIS-K7QM-3XTD.mace_selby@example.invalid>"));
        assert!(raw.contains("Message-ID: <PIS-ABCD-EFGH.mace_selby@example.invalid>"));
        assert!(raw.contains("Addendum to: PIS-K7QM-3XTD"), "{raw}");
        assert!(
            raw.contains("Handle it as PIS-K7QM-3XTD: that report's handling code and source\nprotection apply"),
            "{raw}"
        );
        assert!(!raw.contains("A Partnership Information Sharing submission has arrived"));
        assert!(raw.contains("filename=\"PIS-ABCD-EFGH.age\""));

        // Only a reference goes into a header; a report's own form is never an addendum.
        d.notice = Some(r#"{"addendum_to":"PIS-K7QM-3XTD\r\nBcc: x@y"}"#.into());
        assert!(raw_subject(&d).ends_with("PIS PIS-ABCD-EFGH ROUTINE"));
        d.notice = Some(r#"{"addendum_to":"PIS-K7QM-3XTD"}"#.into());
        d.form_id = "community".into();
        assert!(raw_subject(&d).ends_with("PIS PIS-ABCD-EFGH ROUTINE"));
    }

    fn raw_subject(d: &DueDelivery) -> String {
        assert!(!raw(d).contains("Bcc"));
        subject(d)
    }

    #[test]
    fn a_full_or_restricted_delivery_attaches_the_armored_envelope() {
        let d = due("restricted", Some(vec![1, 2, 3]), None);
        let raw = String::from_utf8(
            build(
                &d,
                "gw@example.invalid",
                Links {
                    ack: Some("https://gw.example/ack/abc"),
                    signing_keys: Some("https://gw.example/.well-known/pis-gateway/signing-keys"),
                },
                &Files::None,
            )
            .expect("builds")
            .formatted(),
        )
        .expect("utf8");
        assert!(raw.contains("filename=\"PIS-ABCD-EFGH.age\""));
        assert!(raw.contains("-----BEGIN AGE ENCRYPTED FILE-----"));
        assert!(raw.contains("Message-ID: <PIS-ABCD-EFGH.mace_selby@example.invalid>"));
    }
}
