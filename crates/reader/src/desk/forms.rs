//! The case page's action forms: acknowledge, reply, the status the submitter sees, and the
//! workflow steps, with the 3x5x2 grading's suggestion preselected and its reasons shown.

use super::app::Desk;
use super::inbox::Case;
use super::queue::Known;
use crate::open::safe::html as esc;
use crate::workflow::CaseStatus;
use std::fmt::Write;

fn form(reference: &str, action: &str, csrf: &str, inner: &str) -> String {
    format!(
        "<form method=\"post\" action=\"/case/{}/{action}\"><input type=\"hidden\" name=\"csrf\" \
         value=\"{}\">{inner}</form>",
        esc(reference),
        esc(csrf)
    )
}

fn radios(name: &str, legend: &str, options: &[(&str, &str)], chosen: &str) -> String {
    let mut out = format!("<fieldset><legend>{legend}</legend>");
    for (value, meaning) in options {
        let _ = write!(
            out,
            "<div class=\"choice\"><input type=\"radio\" id=\"{name}-{value}\" name=\"{name}\" \
             value=\"{value}\"{}><label for=\"{name}-{value}\">{value}: {meaning}</label></div>",
            if *value == chosen { " checked" } else { "" },
        );
    }
    out.push_str("</fieldset>");
    out
}

fn acknowledge(c: &Case, known: &Known, csrf: &str) -> String {
    let mut out = String::from("<h3>Acknowledge</h3>");
    if c.ack_link.is_none() {
        out.push_str("<p>The message carried no acknowledgement link.</p>");
    } else if known.acknowledged == Some(true) {
        out.push_str("<p>Acknowledged (or its link has expired).</p>");
    } else {
        out.push_str(&form(
            &c.reference,
            "acknowledge",
            csrf,
            "<p>Tells the gateway you have it: for an inbox with a deadline this stops the \
             escalation; for others it confirms receipt.</p><button type=\"submit\">Acknowledge</button>",
        ));
    }
    out
}

fn reply_and_status(c: &Case, csrf: &str) -> String {
    let mut out = String::from("<h3>Reply to the submitter</h3>");
    out.push_str(&form(
        &c.reference,
        "reply",
        csrf,
        "<div class=\"field\"><label for=\"message\">Message</label>\
         <p class=\"hint\" id=\"message-hint\">Sealed on this machine to the submitter and your \
         route; they read it on the follow-up page with their code.</p>\
         <textarea id=\"message\" name=\"message\" rows=\"6\" maxlength=\"16384\" \
         aria-describedby=\"message-hint\" required></textarea></div>\
         <button type=\"submit\">Send the reply</button>",
    ));
    out.push_str("<h3>What the submitter sees</h3>");
    let mut options = String::new();
    for s in CaseStatus::ALL {
        let _ = write!(
            options,
            "<option value=\"{}\">{}</option>",
            s.as_str(),
            esc(s.words())
        );
    }
    out.push_str(&form(
        &c.reference,
        "status",
        csrf,
        &format!(
            "<div class=\"field\"><label for=\"status\">Status</label>\
             <select id=\"status\" name=\"status\">{options}</select></div>\
             <button type=\"submit\">Set the status</button>"
        ),
    ));
    out
}

fn grading(desk: &Desk, c: &Case, csrf: &str) -> String {
    use crate::open::grading::{Handling, Provenance};
    let doc = crate::open::document::Document::new(&c.doc, &desk.forms);
    let suggestion = crate::open::grading::suggest(&doc);
    let intelligence = format!("{:?}", suggestion.provenance.code);
    let handling = format!("{:?}", suggestion.handling.code);
    let mut reasons = String::new();
    for b in suggestion
        .provenance
        .basis
        .iter()
        .chain(&suggestion.handling.basis)
    {
        let _ = write!(reasons, "<li>{}: {}</li>", esc(&b.question), esc(&b.answer));
    }
    let letters: Vec<(String, &str)> = [
        Provenance::A,
        Provenance::B,
        Provenance::C,
        Provenance::D,
        Provenance::E,
    ]
    .iter()
    .map(|p| (format!("{p:?}"), p.meaning()))
    .collect();
    let letters: Vec<(&str, &str)> = letters.iter().map(|(a, b)| (a.as_str(), *b)).collect();
    let codes: Vec<(String, &str)> = [Handling::P, Handling::C]
        .iter()
        .map(|h| (format!("{h:?}"), h.meaning()))
        .collect();
    let codes: Vec<(&str, &str)> = codes.iter().map(|(a, b)| (a.as_str(), *b)).collect();
    let reasons = if reasons.is_empty() {
        "<p>No answer bears on it: the suggestion is the default.</p>".to_string()
    } else {
        format!("<p>From these answers:</p><ul>{reasons}</ul>")
    };
    let inner = format!(
        "<input type=\"hidden\" name=\"step\" value=\"graded\">\
         <p>Suggested: {intelligence}/{handling} (a suggestion: you grade).</p>\
         {reasons}{}{}{}<button type=\"submit\">Record the grade</button>",
        radios(
            "source",
            "Source",
            &[("1", "Reliable"), ("2", "Untested"), ("3", "Not reliable")],
            "2"
        ),
        radios("intelligence", "Intelligence", &letters, &intelligence),
        radios("handling", "Handling", &codes, &handling),
    );
    form(&c.reference, "step", csrf, &inner)
}

fn steps(desk: &Desk, c: &Case, csrf: &str) -> String {
    let simple = |step: &str, label: &str| {
        form(
            &c.reference,
            "step",
            csrf,
            &format!(
                "<input type=\"hidden\" name=\"step\" value=\"{step}\">\
                 <button type=\"submit\" class=\"secondary\">{label}</button>"
            ),
        )
    };
    let mut out = String::from("<h3>Record a workflow step</h3>");
    out.push_str(&simple("triaged", "Record triaged"));
    out.push_str("<h4>Graded (3x5x2)</h4>");
    out.push_str(&grading(desk, c, csrf));
    out.push_str("<h4>Recorded on the force system</h4>");
    out.push_str(&form(
        &c.reference,
        "step",
        csrf,
        "<input type=\"hidden\" name=\"step\" value=\"recorded\">\
         <div class=\"field\"><label for=\"force_reference\">Force system reference</label>\
         <input id=\"force_reference\" name=\"force_reference\" required></div>\
         <button type=\"submit\">Record the reference</button>",
    ));
    out.push_str("<h4>Closed</h4>");
    out.push_str(&simple("closed", "Record closed"));
    out
}

/// Sharing with MACE and exporting, for a full view the gateway signed.
fn share_and_export(c: &Case) -> String {
    if c.doc.get("view").and_then(serde_json::Value::as_str) != Some("full")
        || !matches!(c.provenance, crate::open::Provenance::Signed(_))
    {
        return "<h3>Share with MACE</h3><p>Only a full report the gateway signed can be shared \
                or exported.</p>"
            .into();
    }
    format!(
        "<h3>Share with MACE</h3><p>Build a restricted view for a MACE route: you see exactly \
         what is taken out and what is kept before anything is sent.</p>\
         <p><a class=\"button\" href=\"/case/{r}/share\">Choose what to share</a></p>\
         <h3>Export for the force system</h3><p>The report's entities and grading as \
         <code>intel-json</code>, downloaded by your browser: the only way the desk writes \
         anything decrypted to disk.</p>\
         <p><a class=\"button secondary\" href=\"/case/{r}/intel.json\" download>Download \
         intel-json</a></p>",
        r = esc(&c.reference)
    )
}

/// Every action on a case, in the order an officer takes them.
pub(super) fn actions(desk: &Desk, c: &Case, known: &Known, csrf: &str) -> String {
    format!(
        "<section aria-labelledby=\"actions\"><h2 id=\"actions\">Actions</h2>{}{}{}{}</section>",
        acknowledge(c, known, csrf),
        reply_and_status(c, csrf),
        steps(desk, c, csrf),
        share_and_export(c)
    )
}

/// A MACE coordinator's one action: confirming receipt through the email's link.
pub(super) fn confirm_receipt(c: &Case, known: &Known, csrf: &str) -> String {
    let inner = if c.ack_link.is_none() {
        "<p>The message carried no link to confirm receipt with.</p>".to_string()
    } else if known.acknowledged == Some(true) {
        "<p>Receipt confirmed (or its link has expired).</p>".to_string()
    } else {
        form(
            &c.reference,
            "acknowledge",
            csrf,
            "<p>Tells the gateway your team has this item.</p>\
             <button type=\"submit\">Confirm receipt</button>",
        )
    };
    format!(
        "<section aria-labelledby=\"actions\"><h2 id=\"actions\">Confirm receipt</h2>{inner}</section>"
    )
}
