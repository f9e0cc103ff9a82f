//! Routes: who receives a submission, sealed to which keys, with which view.
//!
//! Every submission goes to the police intelligence route. Matching rules for the control room
//! and the MACE locality inboxes build on [`select`].

use crate::config::RouteSettings;
use crate::keys::parse_recipient;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::Arc;

pub const POLICE_INTELLIGENCE: &str = "police_intelligence";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum View {
    /// Every answer.
    Full,
    /// Only the fields a form marks shareable with MACE.
    Restricted,
    /// Reference, time, priority, form, categories and localities: no attachment.
    Notice,
}

impl View {
    pub fn as_str(&self) -> &'static str {
        match self {
            View::Full => "full",
            View::Restricted => "restricted",
            View::Notice => "notice",
        }
    }
}

/// A route ready for use: recipients parsed once at start.
pub struct Route {
    pub name: String,
    pub mailbox: String,
    pub view: View,
    pub recipients: Vec<age::x25519::Recipient>,
}

impl std::fmt::Debug for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Route")
            .field("name", &self.name)
            .field("view", &self.view)
            .field("recipients", &self.recipients.len())
            .finish()
    }
}

#[derive(Debug)]
pub struct Routes {
    routes: Vec<Arc<Route>>,
}

/// Problems as (key, message). A recipient is named by its position, never its value.
pub fn validate_routes(routes: &[RouteSettings]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut names = HashSet::new();
    for (i, r) in routes.iter().enumerate() {
        let key = |k: &str| format!("routes[{i}].{k}");
        let name_ok = !r.name.is_empty()
            && r.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !name_ok {
            out.push((
                key("name"),
                "must be lower-case letters, digits and `_`".into(),
            ));
        }
        if !names.insert(r.name.as_str()) {
            out.push((key("name"), format!("route `{}` is defined twice", r.name)));
        }
        {
            use validator::ValidateEmail;
            if !r.mailbox.as_str().validate_email() {
                out.push((key("mailbox"), "must be an email address".into()));
            }
        }
        if r.recipients.is_empty() {
            out.push((
                key("recipients"),
                "a route needs at least one age recipient (two or more recommended)".into(),
            ));
        }
        for (j, rec) in r.recipients.iter().enumerate() {
            if parse_recipient(rec).is_none() {
                out.push((
                    format!("routes[{i}].recipients[{j}]"),
                    "not an age X25519 recipient (age1…)".into(),
                ));
            }
        }
    }
    match routes.iter().find(|r| r.name == POLICE_INTELLIGENCE) {
        None => out.push((
            "routes".into(),
            format!(
                "no `{POLICE_INTELLIGENCE}` route: every submission must reach police intelligence"
            ),
        )),
        Some(r) if r.view != View::Full => out.push((
            "routes".into(),
            format!("the `{POLICE_INTELLIGENCE}` route must use the full view"),
        )),
        Some(_) => {}
    }
    out
}

impl Routes {
    /// Builds routes from validated settings. Fails (rather than skipping) on anything
    /// [`validate_routes`] would report.
    pub fn from_settings(settings: &[RouteSettings]) -> anyhow::Result<Self> {
        let problems = validate_routes(settings);
        if let Some((k, m)) = problems.first() {
            anyhow::bail!("{k}: {m}");
        }
        let routes = settings
            .iter()
            .map(|r| {
                Arc::new(Route {
                    name: r.name.clone(),
                    mailbox: r.mailbox.clone(),
                    view: r.view,
                    recipients: r
                        .recipients
                        .iter()
                        .filter_map(|s| parse_recipient(s))
                        .collect(),
                })
            })
            .collect();
        Ok(Routes { routes })
    }

    pub fn get(&self, name: &str) -> Option<&Arc<Route>> {
        self.routes.iter().find(|r| r.name == name)
    }

    pub fn all(&self) -> &[Arc<Route>] {
        &self.routes
    }

    /// The routes a submission goes to.
    pub fn select(&self) -> Vec<Arc<Route>> {
        self.get(POLICE_INTELLIGENCE).cloned().into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(name: &str, recipients: Vec<String>) -> RouteSettings {
        RouteSettings {
            name: name.into(),
            mailbox: "intel@example.invalid".into(),
            view: View::Full,
            recipients,
        }
    }

    #[test]
    fn a_config_without_police_intelligence_is_refused() {
        let key = age::x25519::Identity::generate().to_public().to_string();
        let problems = validate_routes(&[route("control_room", vec![key])]);
        assert!(problems
            .iter()
            .any(|(k, m)| k == "routes" && m.contains("police intelligence")));
    }

    #[test]
    fn a_bad_recipient_is_named_by_position_not_value() {
        let problems = validate_routes(&[route(
            POLICE_INTELLIGENCE,
            vec!["age1secretlookingvalue".into()],
        )]);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].0, "routes[0].recipients[0]");
        assert!(!problems[0].1.contains("secretlooking"));
        assert!(validate_routes(&[route(POLICE_INTELLIGENCE, vec![])])[0]
            .1
            .contains("at least one"));
    }
}
