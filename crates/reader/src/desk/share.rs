//! Sharing with MACE from the desk, through the same code as `pis-gateway share`
//! ([`crate::officer::share`]): the officer chooses the MACE route and what is taken out (the
//! suggested removals preselected, each one theirs to keep, and any path of their own), sees
//! exactly what is taken out and what is kept, then sends; and the `intel-json` export, which
//! the officer's browser downloads (the desk itself writes nothing decrypted to disk).

use super::app::Desk;
use super::inbox::Case;
use crate::open::safe::html as esc;
use crate::open::sanitise::default_removals;
use crate::open::Provenance;
use serde_json::Value;
use std::fmt::Write;

/// What the share form sent.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Choices {
    pub csrf: String,
    pub route: String,
    /// The suggested removals left ticked.
    pub remove: Vec<String>,
    /// Paths of the officer's own, separated by spaces, commas or lines.
    pub more: String,
    /// Whether the officer has chosen yet (before that, every suggestion is ticked).
    pub chosen: bool,
}

impl Choices {
    /// From a query string or a form body; `remove` may repeat.
    pub fn parse(bytes: &[u8]) -> Self {
        let mut c = Choices::default();
        for (k, v) in url::form_urlencoded::parse(bytes) {
            match &*k {
                "csrf" => c.csrf = v.into_owned(),
                "route" => c.route = v.into_owned(),
                "remove" => c.remove.push(v.into_owned()),
                "more" => c.more = v.into_owned(),
                "chosen" => c.chosen = true,
                _ => {}
            }
        }
        c
    }

    /// Every path to take out.
    fn paths(&self) -> Vec<String> {
        let mut out = self.remove.clone();
        out.extend(
            self.more
                .split(|c: char| c.is_whitespace() || c == ',')
                .filter(|p| !p.is_empty())
                .map(str::to_string),
        );
        out
    }

    fn hidden(&self) -> String {
        let mut out = format!(
            "<input type=\"hidden\" name=\"route\" value=\"{}\">\
             <input type=\"hidden\" name=\"more\" value=\"{}\"><input type=\"hidden\" name=\"chosen\" value=\"1\">",
            esc(&self.route),
            esc(&self.more)
        );
        for r in &self.remove {
            let _ = write!(
                out,
                "<input type=\"hidden\" name=\"remove\" value=\"{}\">",
                esc(r)
            );
        }
        out
    }
}

/// The gateway's signature id on a full view, which is all that may be shared or exported.
pub fn shareable(c: &Case) -> anyhow::Result<String> {
    match &c.provenance {
        Provenance::Signed(id) if c.doc.get("view").and_then(Value::as_str) == Some("full") => {
            Ok(id.clone())
        }
        _ => anyhow::bail!("only a full report the gateway signed can be shared or exported"),
    }
}

/// The restricted view the choices make, as `share` makes it.
pub fn prepare(
    desk: &Desk,
    c: &Case,
    choices: &Choices,
) -> anyhow::Result<crate::officer::share::Prepared> {
    if choices.route.is_empty() {
        anyhow::bail!("choose the MACE route to share with");
    }
    crate::officer::share::prepare_document(
        &c.doc,
        shareable(c)?,
        &choices.route,
        &choices.paths(),
        false,
        &desk.forms,
    )
}

/// The paths `share` suggests taking out of this report.
pub fn suggested(desk: &Desk, c: &Case) -> Vec<String> {
    let spec = c
        .doc
        .get("form")
        .and_then(Value::as_str)
        .and_then(|id| desk.forms.get(id));
    default_removals(&c.doc, spec.map(|s| s.as_ref()))
        .iter()
        .map(|r| r.path())
        .collect()
}

/// The MACE routes in the gateway's directory (none when it cannot be asked).
pub async fn mace_routes(desk: &Desk) -> Result<Vec<String>, String> {
    let gateway =
        crate::officer::client::Gateway::new(&desk.config.gateway, desk.config.ca.as_deref())
            .map_err(|e| format!("{e:#}"))?;
    let routes = gateway.directory().await.map_err(|e| format!("{e:#}"))?;
    Ok(routes
        .into_iter()
        .filter(|r| r.role.as_deref() == Some("mace"))
        .map(|r| r.name)
        .collect())
}

fn route_field(routes: &Result<Vec<String>, String>, chosen: &str) -> String {
    match routes {
        Ok(names) if !names.is_empty() => {
            let mut out = String::from(
                "<div class=\"field\"><label for=\"route\">MACE route</label>\
                 <select id=\"route\" name=\"route\">",
            );
            for n in names {
                let _ = write!(
                    out,
                    "<option value=\"{v}\"{s}>{v}</option>",
                    v = esc(n),
                    s = if n == chosen { " selected" } else { "" }
                );
            }
            out.push_str("</select></div>");
            out
        }
        other => format!(
            "<div class=\"field\"><label for=\"route\">MACE route</label>\
             <p class=\"hint\" id=\"route-hint\">{}</p>\
             <input id=\"route\" name=\"route\" value=\"{}\" aria-describedby=\"route-hint\"></div>",
            match other {
                Err(e) => esc(&format!("The gateway's list of routes could not be read ({e}): type the route's name.")),
                Ok(_) => "The gateway lists no MACE route: type the route's name.".to_string(),
            },
            esc(chosen)
        ),
    }
}

/// The share page: the choices, and once a route is chosen, what goes and what stays.
pub fn page(
    desk: &Desk,
    c: &Case,
    choices: &Choices,
    routes: &Result<Vec<String>, String>,
    csrf: &str,
) -> String {
    let suggestions = suggested(desk, c);
    let mut boxes = String::new();
    for (i, path) in suggestions.iter().enumerate() {
        let ticked = !choices.chosen || choices.remove.contains(path);
        let _ = write!(
            boxes,
            "<div class=\"choice\"><input type=\"checkbox\" id=\"remove-{i}\" name=\"remove\" \
             value=\"{p}\"{}><label for=\"remove-{i}\">Take out {p}</label></div>",
            if ticked { " checked" } else { "" },
            p = esc(path)
        );
    }
    if suggestions.is_empty() {
        boxes.push_str("<p>Nothing is suggested for this report.</p>");
    }
    let r = esc(&c.reference);
    let mut main = format!(
        "<h1>Share {r} with MACE</h1>\
         <p>A restricted view goes to the MACE route you choose, signed with your key and sealed \
         to that route on this machine. The suggestions are what could identify the person who \
         reported it; untick one only if you mean MACE to have it.</p>\
         <form method=\"get\" action=\"/case/{r}/share\"><input type=\"hidden\" name=\"chosen\" value=\"1\">\
         {}<fieldset><legend>Take out</legend>{boxes}</fieldset>\
         <div class=\"field\"><label for=\"more\">Also take out</label>\
         <p class=\"hint\" id=\"more-hint\">Paths as the report names them, such as people[1] or \
         places[0].street_or_landmark, separated by spaces</p>\
         <input id=\"more\" name=\"more\" value=\"{}\" aria-describedby=\"more-hint\"></div>\
         <button type=\"submit\">Show what will be shared</button></form>",
        route_field(routes, &choices.route),
        esc(&choices.more),
    );
    if choices.chosen {
        main.push_str(&preview(desk, c, choices, csrf));
    }
    main
}

fn preview(desk: &Desk, c: &Case, choices: &Choices, csrf: &str) -> String {
    let prepared = match prepare(desk, c, choices) {
        Ok(p) => p,
        Err(e) => {
            return format!(
            "<div class=\"flash error\" role=\"alert\"><p>Nothing can be shared yet: {}</p></div>",
            esc(&format!("{e:#}"))
        )
        }
    };
    let kept = crate::open::render(
        &prepared.document,
        &desk.forms,
        crate::open::Format::Text,
        &Provenance::Restricted(prepared.signed_by.clone()),
        &[],
    );
    let mut removed = String::new();
    for p in &prepared.removed {
        let _ = write!(removed, "<li><code>{}</code></li>", esc(p));
    }
    if removed.is_empty() {
        removed.push_str("<li>Nothing</li>");
    }
    format!(
        "<section aria-labelledby=\"preview\"><h2 id=\"preview\">What MACE will get</h2>\
         <h3>Taken out</h3><ul class=\"removed\">{removed}</ul>\
         <h3>Kept, exactly as it will be sent to {route}</h3>\
         <div class=\"table\" role=\"region\" aria-label=\"The restricted view\" tabindex=\"0\"><pre class=\"kept\">{}</pre></div>\
         <form method=\"post\" action=\"/case/{r}/share\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">{}\
         <button type=\"submit\">Send this to {route}</button></form></section>",
        esc(&kept),
        esc(csrf),
        choices.hidden(),
        route = esc(&choices.route),
        r = esc(&c.reference),
    )
}

/// Sends the view the choices make; the sentence to show.
pub async fn send(desk: &Desk, c: &Case, choices: &Choices) -> anyhow::Result<String> {
    let prepared = prepare(desk, c, choices)?;
    let target = desk.target(&c.reference)?;
    crate::officer::share::send(&target, &choices.route, &prepared).await?;
    Ok(format!(
        "Shared with {}: the restricted view is queued, sealed to its recipients ({} taken out).",
        choices.route,
        if prepared.removed.is_empty() {
            "nothing".to_string()
        } else {
            prepared.removed.join(", ")
        }
    ))
}

/// The report as `open --format intel-json` exports it, graded with its original when it is
/// an addendum and the original is in the mailbox.
pub fn intel_json(desk: &Desk, cases: &[Case], c: &Case) -> anyhow::Result<String> {
    shareable(c)?;
    let original = c
        .follow_up_of
        .as_deref()
        .and_then(|o| cases.iter().find(|x| x.reference == o))
        .map(|x| &x.doc);
    Ok(crate::open::render_in_thread(
        &c.doc,
        original,
        &desk.forms,
        crate::open::Format::IntelJson,
        &c.provenance,
        &[],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_choices_read_repeated_removals_and_paths_of_the_officers_own() {
        let c = Choices::parse(
            b"csrf=t&route=mace_harrogate&remove=submitter&remove=how_known&more=people%5B1%5D,+places%5B0%5D&chosen=1",
        );
        assert_eq!(c.route, "mace_harrogate");
        assert!(c.chosen);
        assert_eq!(
            c.paths(),
            ["submitter", "how_known", "people[1]", "places[0]"]
        );
        let back = Choices::parse(format!("csrf=t&{}", url_of(&c.hidden())).as_bytes());
        assert_eq!(back.paths(), c.paths());
        assert!(!Choices::parse(b"").chosen);
    }

    /// The hidden fields as the browser would send them.
    fn url_of(hidden: &str) -> String {
        hidden
            .split("<input type=\"hidden\" ")
            .filter_map(|i| {
                let name = i.split("name=\"").nth(1)?.split('"').next()?;
                let value = i.split("value=\"").nth(1)?.split('"').next()?;
                let value = value.replace("&#91;", "[").replace("&#93;", "]");
                Some(
                    url::form_urlencoded::Serializer::new(String::new())
                        .append_pair(name, &value.replace("&amp;", "&"))
                        .finish(),
                )
            })
            .collect::<Vec<_>>()
            .join("&")
    }
}
