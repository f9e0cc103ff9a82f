//! The desk's HTML: the queue, a case, and the report page (the one `open --format html`
//! renders). Everything from a document is submitter text and hostile: each value goes
//! through [`esc`], and no page carries or allows a script.

use super::app::Desk;
use super::config::Role;
use super::guard::Flash;
use super::inbox::Case;
use super::queue::{self, Filter, Known};
use super::seen::Fresh;
use crate::officer::commands::Workflow;
use crate::open::safe::html as esc;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use std::fmt::Write;

pub(super) fn html(page: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(page)
}

/// A page with one paragraph, for refusals and errors.
pub(super) fn plain(status: StatusCode, title: &str, text: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(layout(
            title,
            &format!("<h1>{}</h1><p>{}</p>", esc(title), esc(text)),
        ))
}

/// A page of the desk around `main` (already HTML).
pub(super) fn wrapped(title: &str, main: &str) -> String {
    layout(title, main)
}

fn layout(title: &str, main: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"same-origin\">\
         <title>{} – Officer's desk</title><link rel=\"stylesheet\" href=\"/desk.css\"></head>\
         <body><a class=\"skip\" href=\"#main\">Skip to main content</a>\
         <header><p class=\"marking\">OFFICIAL-SENSITIVE</p>\
         <nav aria-label=\"Desk\"><a href=\"/\">Queue</a></nav></header>\
         <main id=\"main\" tabindex=\"-1\">{main}</main></body></html>",
        esc(title)
    )
}

fn flash_html(flash: Option<&Flash>) -> String {
    match flash {
        Some(f) if f.ok => format!(
            "<div class=\"flash ok\" id=\"result\" role=\"status\"><p>{}</p></div>",
            esc(&f.text)
        ),
        Some(f) => format!(
            "<div class=\"flash error\" id=\"result\" role=\"alert\"><p>{}</p></div>",
            esc(&f.text)
        ),
        None => String::new(),
    }
}

fn csrf_field(csrf: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        esc(csrf)
    )
}

fn acknowledged(k: &Known) -> &'static str {
    match k.acknowledged {
        Some(true) => "Yes",
        Some(false) => "No",
        None => "Not known",
    }
}

fn step(k: &Known) -> String {
    k.step.clone().unwrap_or_else(|| "No step yet".into())
}

fn select(name: &str, label: &str, options: &[(&str, &str)], chosen: &str) -> String {
    let mut out = format!(
        "<div class=\"field\"><label for=\"{name}\">{label}</label><select id=\"{name}\" name=\"{name}\">"
    );
    for (value, text) in options {
        let _ = write!(
            out,
            "<option value=\"{}\"{}>{}</option>",
            esc(value),
            if *value == chosen { " selected" } else { "" },
            esc(text)
        );
    }
    out.push_str("</select></div>");
    out
}

/// The localities the reports in the mailbox name, in order.
fn localities_in(cases: &[Case]) -> Vec<String> {
    let mut all: Vec<String> = cases.iter().flat_map(|c| c.localities.clone()).collect();
    all.sort();
    all.dedup();
    all
}

/// A text field with its hint, and its error when it has one.
fn day_field(name: &str, label: &str, value: &str, error: Option<&str>) -> String {
    let (class, message, described) = match error {
        Some(e) => (
            " error",
            format!(
                "<p class=\"error-message\" id=\"{name}-error\">{}</p>",
                esc(e)
            ),
            format!("{name}-hint {name}-error"),
        ),
        None => ("", String::new(), format!("{name}-hint")),
    };
    format!(
        "<div class=\"field{class}\"><label for=\"{name}\">{label}</label>\
         <p class=\"hint\" id=\"{name}-hint\">YYYY-MM-DD</p>{message}\
         <input id=\"{name}\" name=\"{name}\" value=\"{}\" inputmode=\"numeric\" \
         autocomplete=\"off\" aria-describedby=\"{described}\"{}></div>",
        esc(value),
        if error.is_some() {
            " aria-invalid=\"true\""
        } else {
            ""
        }
    )
}

fn filter_form(filter: &Filter, localities: &[String], problems: &[(&str, &str)]) -> String {
    let mut priorities = vec![("", "Any")];
    priorities.extend(queue::PRIORITIES.iter().map(|p| (*p, *p)));
    let mut states = vec![("", "Any")];
    states.extend_from_slice(queue::STATES);
    let mut places = vec![("", "Any")];
    places.extend(localities.iter().map(|l| (l.as_str(), l.as_str())));
    let error = |f: &str| problems.iter().find(|p| p.0 == f).map(|p| p.1);
    format!(
        "<form method=\"get\" action=\"/\" class=\"filters\" role=\"search\">{}{}{}{}{}\
         <div class=\"field\"><label for=\"q\">Search the reports</label>\
         <input id=\"q\" name=\"q\" type=\"search\" value=\"{}\"></div>\
         <div class=\"choice\"><input type=\"checkbox\" id=\"fresh\" name=\"fresh\" value=\"yes\"{}>\
         <label for=\"fresh\">Only what is new since you last looked</label></div>\
         <button type=\"submit\">Show</button></form>",
        select("priority", "Priority", &priorities, &filter.priority),
        select("state", "State", &states, &filter.state),
        select("locality", "Locality", &places, &filter.locality),
        day_field("from", "Received from", &filter.from, error("from")),
        day_field("to", "Received to", &filter.to, error("to")),
        esc(&filter.q),
        if filter.fresh == "yes" { " checked" } else { "" },
    )
}

/// The errors at the top of a page, each linking to its field.
fn error_summary(problems: &[(&str, &str)]) -> String {
    if problems.is_empty() {
        return String::new();
    }
    let mut out =
        String::from("<div class=\"flash error\" role=\"alert\"><h2>There is a problem</h2><ul>");
    for (field, text) in problems {
        let _ = write!(out, "<li><a href=\"#{field}\">{}</a></li>", esc(text));
    }
    out.push_str("</ul></div>");
    out
}

fn queue_row(out: &mut String, c: &Case, k: &Known, fresh: Option<&Fresh>) {
    let addendum = c
        .follow_up_of
        .as_deref()
        .map(|o| format!(" (addendum to {})", esc(o)))
        .unwrap_or_default();
    let _ = write!(
        out,
        "<tr><th scope=\"row\"><a href=\"/case/{r}\">{r}</a></th>\
         <td><span class=\"prio prio-{pc}\">{p}</span></td><td>{n}</td><td>{f}{addendum}</td>\
         <td>{t}</td><td>{l}</td><td>{a}</td><td>{s}</td></tr>",
        r = esc(&c.reference),
        pc = esc(&c.priority.to_lowercase()),
        p = esc(&c.priority),
        n = fresh.map(|f| f.words()).unwrap_or(""),
        f = esc(&c.form),
        t = esc(&c.received_at),
        l = esc(&c.localities.join(", ")),
        a = acknowledged(k),
        s = esc(&step(k)),
    );
}

/// The queue while the first pass runs: how far it has got.
fn reading(done: usize, total: usize) -> String {
    let progress = if total == 0 {
        "<p>Reading the mailbox…</p>".to_string()
    } else {
        format!(
            "<p>Decrypted {done} of {total} envelopes.</p>\
             <progress max=\"{total}\" value=\"{done}\" aria-labelledby=\"reading\">{done} of {total}</progress>"
        )
    };
    layout(
        "Opening the mailbox",
        &format!(
            "<h1 id=\"reading\">Opening the mailbox</h1><div role=\"status\">{progress}</div>\
             <p>The reports are decrypted on this machine before the queue is shown.</p>\
             <p><a href=\"/\">Check again</a></p>"
        ),
    )
}

/// The queue page, and whether its filters could all be read.
pub(super) fn queue(
    desk: &Desk,
    filter: &Filter,
    csrf: &str,
    flash: Option<&Flash>,
) -> (String, bool) {
    if let Some((done, total)) = desk.progress.reading() {
        return (reading(done, total), true);
    }
    let problems = filter.problems();
    let inbox = desk.inbox.read().unwrap_or_else(|e| e.into_inner());
    let known = desk.known.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let fresh = desk
        .seen
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .fresh(&inbox.cases);
    let kept = queue::select(&inbox.cases, &known, &fresh, filter);
    let mace = desk.config.role == Role::Mace;
    let (title, intro) = if mace {
        (
            "Your localities' items",
            format!(
                "<p>MACE coordinator's desk for {}: the restricted views sealed to your route or \
                 shared with it. Confirm receipt on each.</p>",
                esc(&desk.config.localities.join(", "))
            ),
        )
    } else {
        ("Queue", String::new())
    };
    let mut main = format!(
        "{}{}<h1>{title}</h1>{intro}{}<form method=\"post\" action=\"/reload\">{}\
         <button type=\"submit\" class=\"secondary\">Read the mailbox again</button></form>",
        error_summary(&problems),
        flash_html(flash),
        filter_form(filter, &localities_in(&inbox.cases), &problems),
        csrf_field(csrf)
    );
    queue_table(&mut main, filter, &inbox, &kept, &known, &fresh);
    (layout(title, &main), problems.is_empty())
}

fn queue_table(
    main: &mut String,
    filter: &Filter,
    inbox: &super::inbox::Inbox,
    kept: &[usize],
    known: &std::collections::HashMap<String, Known>,
    fresh: &std::collections::HashMap<String, Fresh>,
) {
    let first = (filter.page * queue::PAGE).min(kept.len());
    let shown = &kept[first..(first + queue::PAGE).min(kept.len())];
    let _ = write!(
        main,
        "<div class=\"table\" role=\"region\" aria-labelledby=\"caption\" tabindex=\"0\"><table>\
         <caption id=\"caption\">{} of {} reports (of {} in the mailbox), IMMEDIATE first, then \
         the oldest first</caption>\
         <thead><tr><th scope=\"col\">Reference</th><th scope=\"col\">Priority</th>\
         <th scope=\"col\">New</th><th scope=\"col\">Form</th><th scope=\"col\">Received</th>\
         <th scope=\"col\">Locality</th><th scope=\"col\">Acknowledged</th>\
         <th scope=\"col\">State</th></tr></thead><tbody>",
        if shown.is_empty() {
            "None".to_string()
        } else {
            format!("{}–{}", first + 1, first + shown.len())
        },
        kept.len(),
        inbox.cases.len()
    );
    for &i in shown {
        let c = &inbox.cases[i];
        queue_row(
            main,
            c,
            &known.get(&c.reference).cloned().unwrap_or_default(),
            fresh.get(&c.reference),
        );
    }
    main.push_str("</tbody></table></div>");
    main.push_str(&pager(filter, kept.len()));
    if !inbox.problems.is_empty() {
        let _ = write!(
            main,
            "<details><summary>{} items in the mailbox could not be shown</summary><ul>",
            inbox.problems.len()
        );
        for p in &inbox.problems {
            let _ = write!(main, "<li>{}</li>", esc(p));
        }
        main.push_str("</ul></details>");
    }
}

/// Links to the queue's previous and next pages, when there are any.
fn pager(filter: &Filter, matching: usize) -> String {
    let mut links = Vec::new();
    if filter.page > 0 && matching > 0 {
        let back = filter.page.min(matching.div_ceil(queue::PAGE)) - 1;
        links.push(format!(
            "<a href=\"/?{}\" rel=\"prev\">Previous page</a>",
            esc(&filter.query_for(back))
        ));
    }
    if (filter.page + 1) * queue::PAGE < matching {
        links.push(format!(
            "<a href=\"/?{}\" rel=\"next\">Next page</a>",
            esc(&filter.query_for(filter.page + 1))
        ));
    }
    if links.is_empty() {
        return String::new();
    }
    format!(
        "<nav aria-label=\"Queue pages\" class=\"pager\">{}</nav>",
        links.join(" ")
    )
}

/// The original and every addendum that names it, in the order received.
fn thread(inbox: &[Case], c: &Case) -> String {
    let root = c.follow_up_of.as_deref().unwrap_or(&c.reference);
    let mut items: Vec<&Case> = inbox
        .iter()
        .filter(|x| x.reference == root || x.follow_up_of.as_deref() == Some(root))
        .collect();
    items.sort_by(|a, b| a.received_at.cmp(&b.received_at));
    let mut out = String::from("<h2>Thread</h2><ol class=\"thread\">");
    for x in items {
        let what = if x.reference == root {
            "Report"
        } else {
            "Addendum"
        };
        let here = if x.reference == c.reference {
            " aria-current=\"page\""
        } else {
            ""
        };
        let _ = write!(
            out,
            "<li><a href=\"/case/{r}\"{here}>{what} {r}</a>, {p}, received {t}</li>",
            r = esc(&x.reference),
            p = esc(&x.priority),
            t = esc(&x.received_at)
        );
    }
    if c.follow_up_of
        .as_deref()
        .is_some_and(|o| !inbox.iter().any(|x| x.reference == o))
    {
        out.push_str("<li>The original report is not in this mailbox.</li>");
    }
    out.push_str("</ol>");
    out
}

fn history(workflow: Option<&Workflow>) -> String {
    let Some(w) = workflow else {
        return "<h2>Workflow</h2><p>The gateway could not be asked (see the desk's \
                connection settings).</p>"
            .into();
    };
    let mut out = String::from("<h2>Workflow</h2>");
    let lines = w.lines();
    if lines.is_empty() {
        out.push_str("<p>No workflow steps recorded yet.</p>");
    } else {
        out.push_str("<ol class=\"history\">");
        for l in lines {
            let _ = write!(out, "<li>{}</li>", esc(l.trim()));
        }
        out.push_str("</ol>");
    }
    match w.seen_by_submitter() {
        Some((s, at)) => {
            let _ = write!(
                out,
                "<p>The submitter sees: <strong>{}</strong> (set {}).</p>",
                esc(&s),
                esc(&at)
            );
        }
        None => out.push_str("<p>The submitter took no follow-up code.</p>"),
    }
    out
}

pub(super) fn case(
    desk: &Desk,
    reference: &str,
    workflow: Option<&Workflow>,
    csrf: &str,
    flash: Option<&Flash>,
) -> String {
    let inbox = desk.inbox.read().unwrap_or_else(|e| e.into_inner());
    let Some(c) = inbox.cases.iter().find(|c| c.reference == reference) else {
        return layout("No such report", "<h1>No such report</h1>");
    };
    let known = desk.known(reference);
    let mut main = flash_html(flash);
    let _ = write!(
        main,
        "<h1>{what} {r} <span class=\"prio prio-{pc}\">{p}</span></h1>\
         <p><a class=\"button\" href=\"/case/{r}/report\">Read the report</a></p>\
         <dl class=\"summary\"><dt>Received</dt><dd>{t}</dd><dt>Form</dt><dd>{f}</dd>\
         <dt>Locality</dt><dd>{l}</dd><dt>Signature</dt><dd>{sig}</dd>\
         <dt>Acknowledged</dt><dd>{a}</dd><dt>State</dt><dd>{s}</dd></dl>",
        what = if c.follow_up_of.is_some() {
            "Addendum"
        } else {
            "Report"
        },
        r = esc(&c.reference),
        pc = esc(&c.priority.to_lowercase()),
        p = esc(&c.priority),
        t = esc(&c.received_at),
        f = esc(&c.form),
        l = esc(&c.localities.join(", ")),
        sig = esc(&provenance(c)),
        a = acknowledged(&known),
        s = esc(&step(&known)),
    );
    main.push_str(&thread(&inbox.cases, c));
    if desk.config.role == Role::Mace {
        main.push_str(&super::forms::confirm_receipt(c, &known, csrf));
    } else {
        main.push_str(&history(workflow));
        main.push_str(&super::forms::actions(desk, c, &known, csrf));
    }
    layout(&format!("{} {}", c.reference, c.priority), &main)
}

fn provenance(c: &Case) -> String {
    use crate::open::Provenance;
    match &c.provenance {
        Provenance::Signed(id) => format!("Signed by the gateway, key {id}"),
        Provenance::SharedBy(id) => format!("Shared by officer key {id}"),
        Provenance::Restricted(id) | Provenance::Unverified(id) => id.clone(),
    }
}

/// The report as `open --format html` renders it, with a way back to the case, and the
/// policy for it: its own (no script, images only from inside the page), with its one
/// inline style allowed by hash rather than any inline style.
pub(super) fn report(desk: &Desk, reference: &str) -> Option<(String, String)> {
    use base64::Engine;
    let inbox = desk.inbox.read().unwrap_or_else(|e| e.into_inner());
    let c = inbox.cases.iter().find(|c| c.reference == reference)?;
    let files = crate::open::files_of(&c.doc, &inbox.files);
    let page = crate::open::render(
        &c.doc,
        &desk.forms,
        crate::open::Format::Html,
        &c.provenance,
        &files,
    );
    let style = page
        .split_once("<style>")
        .and_then(|(_, rest)| rest.split_once("</style>"))
        .map(|(s, _)| s)
        .unwrap_or("");
    let hash = ring::digest::digest(&ring::digest::SHA256, style.as_bytes());
    let csp = format!(
        "default-src 'none'; img-src data:; style-src 'sha256-{}'; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'",
        base64::engine::general_purpose::STANDARD.encode(hash.as_ref())
    );
    let back = format!(
        "<body><nav aria-label=\"Desk\"><p><a href=\"/case/{r}\">Back to the case {r}</a></p></nav>",
        r = esc(&c.reference)
    );
    Some((page.replacen("<body>", &back, 1), csp))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::open::Provenance;

    fn case(reference: &str, received: &str, of: Option<&str>) -> Case {
        let mut doc = serde_json::json!({
            "reference": reference, "priority": "ROUTINE", "received_at": received,
            "form": "addendum",
        });
        if let Some(o) = of {
            doc["follow_up_of"] = o.into();
        }
        super::super::inbox::case_of(doc, Provenance::Signed("k".into()), None)
    }

    #[test]
    fn a_thread_holds_the_report_and_its_addenda_in_the_order_received() {
        let cases = vec![
            case(
                "PIS-AAAA-0003",
                "2026-12-03T00:00:00Z",
                Some("PIS-AAAA-0001"),
            ),
            case("PIS-AAAA-0001", "2026-12-01T00:00:00Z", None),
            case("PIS-AAAA-0009", "2026-12-02T00:00:00Z", None),
            case(
                "PIS-AAAA-0002",
                "2026-12-02T00:00:00Z",
                Some("PIS-AAAA-0001"),
            ),
        ];
        let shown = thread(&cases, &cases[0]);
        let at = |r: &str| {
            shown
                .find(&format!(">Report {r}"))
                .or(shown.find(&format!(">Addendum {r}")))
        };
        let (one, two, three) = (
            at("PIS-AAAA-0001").expect("the original"),
            at("PIS-AAAA-0002").expect("the first addendum"),
            at("PIS-AAAA-0003").expect("the second"),
        );
        assert!(one < two && two < three, "{shown}");
        assert!(!shown.contains("PIS-AAAA-0009"), "{shown}");
        assert!(shown.contains("aria-current"), "{shown}");
        // An addendum whose original is not in the mailbox says so.
        let lonely = thread(&cases[..1], &cases[0]);
        assert!(lonely.contains("not in this mailbox"), "{lonely}");
    }
}
