//! A MACE coordinator's desk (`role = "mace"` in desk.toml): the restricted views the
//! gateway sealed to their MACE route (and those police intelligence shared with it, signed
//! by the sharing officer), for the localities they coordinate, and nothing else; and of the
//! actions, confirming receipt only. What else their identity opens is dropped as soon as it
//! is decrypted, and counted, never shown.

use super::config::Role;
use super::inbox::Inbox;
use crate::document::Header;
use crate::routing::View;
use serde_json::Value;

/// Whether a verified document is a MACE view for one of `localities`: a MACE route is ever
/// sent a restricted view or a notice ([`crate::routing`]), never the full one.
pub fn is_for(localities: &[String], doc: &Value) -> bool {
    Header::from_value(doc).is_ok_and(|h| {
        matches!(h.view, View::Restricted | View::Notice)
            && h.localities
                .iter()
                .any(|l| localities.iter().any(|m| m == l))
    })
}

/// Says how many items were left out, and drops the evidence files (which travel with full
/// views only, so none is a MACE view's).
pub fn explain(localities: &[String], inbox: &mut Inbox) {
    if inbox.hidden > 0 {
        inbox.problems.push(format!(
            "{} items are not restricted views for your localities ({}) and are not shown",
            inbox.hidden,
            localities.join(", ")
        ));
    }
    inbox.files.clear();
}

/// Whether a role may take an action (the case page's forms, and the exports).
pub fn allows(role: Role, action: &str) -> bool {
    match role {
        Role::Officer => true,
        Role::Mace => action == "acknowledge",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(view: &str, localities: &[&str]) -> Value {
        serde_json::json!({"schema": crate::document::SCHEMA, "reference": "PIS-AAAA-0001",
            "received_at": "2026-12-01T10:00:00Z", "form": "community", "form_version": 2,
            "priority": "ROUTINE", "route": "mace_harrogate", "view": view,
            "localities": localities})
    }

    #[test]
    fn a_coordinator_keeps_only_the_mace_views_for_their_localities() {
        let mine = ["HARROGATE".to_string()];
        assert!(is_for(&mine, &doc("restricted", &["HARROGATE"])));
        assert!(is_for(&mine, &doc("notice", &["SCARBOROUGH", "HARROGATE"])));
        assert!(!is_for(&mine, &doc("full", &["HARROGATE"])));
        assert!(!is_for(&mine, &doc("restricted", &["SCARBOROUGH"])));
        assert!(!is_for(&mine, &serde_json::json!({"view": "restricted"})));
        let mut inbox = Inbox {
            files: vec![zeroize::Zeroizing::new(b"evidence".to_vec())],
            hidden: 2,
            ..Inbox::default()
        };
        explain(&mine, &mut inbox);
        assert!(inbox.files.is_empty());
        assert!(
            inbox.problems[0].starts_with("2 items"),
            "{:?}",
            inbox.problems
        );
        assert!(allows(Role::Mace, "acknowledge"));
        for action in ["reply", "status", "step", "share", "intel-json"] {
            assert!(!allows(Role::Mace, action), "{action}");
            assert!(allows(Role::Officer, action), "{action}");
        }
    }
}
