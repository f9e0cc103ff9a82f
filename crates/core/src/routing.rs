//! Routes: who receives a submission, sealed to which keys, with which view.
//!
//! Each route has a role that decides what it receives (DOMAIN §9):
//!
//! - `police_intelligence`: every submission, full view. Exactly one; config refuses none.
//! - `control_room`: IMMEDIATE submissions, full view.
//! - `mace`: professional submissions that are MACE-relevant, for the localities the route
//!   covers (or, with `fallback`, when no locality route covers them). A restricted view, or
//!   only a notice when the priority is PRIORITY or higher, the source is at risk, the submitter
//!   asked for police only, or the submission spans several localities. Community submissions
//!   never reach MACE directly: police assess them first.
//! - `escalation`: receives nothing by routing; it is told about unacknowledged deliveries.

use crate::keys::parse_recipient;
use crate::locality::LOCALITIES;
use crate::signing::PublicKey;
use crate::triage::Priority;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::Arc;

pub const POLICE_INTELLIGENCE: &str = "police_intelligence";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum View {
    /// Reference, time, priority, form, categories and localities: no attachment.
    Notice,
    /// Only the fields a form marks shareable with MACE.
    Restricted,
    /// Every answer.
    Full,
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

/// What an officer may do through a route, beyond confirming receipt (which every inbox's link
/// does, signed by no one). Fetching the submitter's follow-up key goes with `reply`; reading
/// the workflow's history goes with `workflow`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfficerAction {
    Reply,
    Status,
    Workflow,
    Share,
}

impl OfficerAction {
    pub const ALL: [OfficerAction; 4] = [
        OfficerAction::Reply,
        OfficerAction::Status,
        OfficerAction::Workflow,
        OfficerAction::Share,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OfficerAction::Reply => "reply",
            OfficerAction::Status => "status",
            OfficerAction::Workflow => "workflow",
            OfficerAction::Share => "share",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    PoliceIntelligence,
    ControlRoom,
    Mace,
    Escalation,
}

/// A route as configured (`[[routes]]`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteSettings {
    pub name: String,
    pub mailbox: String,
    /// The most this route may see; routing can narrow it (a MACE route gets a notice when the
    /// source is at risk, for example).
    pub view: View,
    pub recipients: Vec<String>,
    /// What the route is for, which decides what it receives.
    /// Defaults to `police_intelligence` for the route of that name; required otherwise.
    #[serde(default)]
    pub role: Option<Role>,
    /// For a `mace` route: the localities it covers.
    #[serde(default)]
    pub localities: Vec<String>,
    /// For a `mace` route: receives what no locality route covers (unknown or outside the area).
    #[serde(default)]
    pub fallback: bool,
    /// Minutes within which an IMMEDIATE delivery to this route must be acknowledged before
    /// escalation (default 15 for police intelligence and the control room).
    #[serde(default)]
    pub ack_immediate_minutes: Option<u64>,
    /// The same for PRIORITY (default: no deadline).
    #[serde(default)]
    pub ack_priority_minutes: Option<u64>,
    /// Officers' Ed25519 public keys (base64, as `keygen --officer` prints them): these
    /// officers may act on submissions delivered to this route in full, as `officer_actions`
    /// allows.
    #[serde(default)]
    pub officers: Vec<String>,
    /// What this route's officers may do with a submission it received in full. Unset: every
    /// action for police intelligence, none for any other role. Only a route that sees the
    /// full view may have any (a notice or a restricted view is no ground to act on).
    #[serde(default)]
    pub officer_actions: Option<Vec<OfficerAction>>,
}

/// A route ready for use: recipients parsed once at start.
pub struct Route {
    pub name: String,
    pub mailbox: String,
    pub view: View,
    pub role: Role,
    pub localities: Vec<String>,
    pub fallback: bool,
    pub ack_immediate_minutes: Option<u64>,
    pub ack_priority_minutes: Option<u64>,
    pub recipients: Vec<age::x25519::Recipient>,
    /// The officers who may act on what this route received.
    pub officers: Vec<PublicKey>,
    /// What they may do with a submission this route received in full (the setting, or the
    /// role's default).
    pub officer_actions: Vec<OfficerAction>,
}

impl Route {
    /// Minutes within which a delivery of this priority must be acknowledged, if at all.
    pub fn ack_minutes(&self, priority: Priority) -> Option<u64> {
        match priority {
            Priority::Immediate => self.ack_immediate_minutes.or(match self.role {
                Role::PoliceIntelligence | Role::ControlRoom => Some(15),
                Role::Mace | Role::Escalation => None,
            }),
            Priority::Priority => self.ack_priority_minutes,
            Priority::Routine => None,
        }
    }

    /// What this route's link does for a submission of `priority`. Only a route that holds a
    /// deadline for it (police intelligence, the control room and the escalation route always
    /// do, any other route when given one) can stop escalation; every other inbox confirms
    /// receipt, so one MACE click cannot silence the control room's escalation.
    pub fn ack_kind(&self, priority: Priority) -> crate::ack::AckKind {
        let holds = self.ack_minutes(priority).is_some()
            || matches!(
                self.role,
                Role::PoliceIntelligence | Role::ControlRoom | Role::Escalation
            );
        if holds {
            crate::ack::AckKind::Acknowledge
        } else {
            crate::ack::AckKind::ConfirmReceipt
        }
    }
}

impl std::fmt::Debug for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Route")
            .field("name", &self.name)
            .field("role", &self.role)
            .field("view", &self.view)
            .field("recipients", &self.recipients.len())
            .field("officers", &self.officers)
            .finish()
    }
}

/// What routing needs to know about a submission: no content, only decisions and codes.
#[derive(Debug, Clone)]
pub struct RoutingFacts {
    pub community: bool,
    pub priority: Priority,
    pub mace_relevant: bool,
    /// Localities of the places named (UNKNOWN when none could be worked out).
    pub localities: Vec<String>,
    /// The submitter said the source (or they) could be at risk, or was not sure.
    pub source_at_risk: bool,
    /// The submitter asked that it go to police only.
    pub police_only: bool,
}

/// One route chosen for one submission, with the view it gets.
#[derive(Debug, Clone)]
pub struct Decision {
    pub route: Arc<Route>,
    pub view: View,
}

#[derive(Debug)]
pub struct Routes {
    routes: Vec<Arc<Route>>,
}

fn effective_role(r: &RouteSettings) -> Option<Role> {
    r.role
        .or((r.name == POLICE_INTELLIGENCE).then_some(Role::PoliceIntelligence))
}

/// The actions a route's officers have: its setting, or by default all of them for police
/// intelligence and none for any other role.
fn effective_actions(r: &RouteSettings) -> Vec<OfficerAction> {
    match (&r.officer_actions, effective_role(r)) {
        (Some(actions), _) => actions.clone(),
        (None, Some(Role::PoliceIntelligence)) => OfficerAction::ALL.to_vec(),
        (None, _) => Vec::new(),
    }
}

/// `officer_actions` problems: only a route that can receive the full view may grant any, and
/// each action is named once.
fn validate_actions(key: &str, r: &RouteSettings, out: &mut Vec<(String, String)>) {
    let Some(actions) = &r.officer_actions else {
        return;
    };
    let full = r.view == View::Full
        && matches!(
            effective_role(r),
            Some(Role::PoliceIntelligence | Role::ControlRoom)
        );
    if !actions.is_empty() && !full {
        out.push((
            key.into(),
            "only a police_intelligence or control_room route with the full view may grant \
             officer actions; officers of other routes may only confirm receipt"
                .into(),
        ));
    }
    let mut seen = HashSet::new();
    for a in actions {
        if !seen.insert(*a) {
            out.push((key.into(), format!("`{}` is listed twice", a.as_str())));
        }
    }
}

/// Officer keys, given as (position, key id, key), whose 64-bit id is that of a different key
/// listed earlier. A signed request names its key by id, so two keys sharing one would make
/// either officer's requests checked against the wrong key: refused at load rather than
/// hoped away (about one chance in 2^64 per pair, or a key made to collide).
fn colliding_ids<'a>(
    listed: impl IntoIterator<Item = (String, String, &'a PublicKey)>,
) -> Vec<(String, String)> {
    let mut seen: Vec<(String, &PublicKey)> = Vec::new();
    let mut out = Vec::new();
    for (position, id, key) in listed {
        match seen.iter().find(|(i, _)| *i == id) {
            Some((_, other)) if *other != key => out.push((
                position,
                format!(
                    "its key id {id} is also the id of a different officer key listed before: \
                     the officer must make a new key"
                ),
            )),
            Some(_) => {}
            None => seen.push((id, key)),
        }
    }
    out
}

/// [`colliding_ids`] over every officer key the routes list.
fn officer_id_collisions(routes: &[RouteSettings]) -> Vec<(String, String)> {
    let parsed: Vec<(String, PublicKey)> = routes
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            r.officers.iter().enumerate().filter_map(move |(j, k)| {
                PublicKey::parse(k).map(|key| (format!("routes[{i}].officers[{j}]"), key))
            })
        })
        .collect();
    colliding_ids(parsed.iter().map(|(p, k)| (p.clone(), k.id(), k)))
}

/// Problems as (key, message). A recipient is named by its position, never its value.
pub fn validate_routes(routes: &[RouteSettings]) -> Vec<(String, String)> {
    let mut out = officer_id_collisions(routes);
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
        validate_route(i, r, &mut out);
    }
    validate_police_route(routes, &mut out);
    out
}

/// One route on its own: its mailbox, keys, officers and what its role allows.
fn validate_route(i: usize, r: &RouteSettings, out: &mut Vec<(String, String)>) {
    let key = |k: &str| format!("routes[{i}].{k}");
    {
        use validator::ValidateEmail;
        if !r.mailbox.as_str().validate_email() {
            out.push((key("mailbox"), "must be an email address".into()));
        }
    }
    validate_keys(i, r, out);
    validate_actions(&key("officer_actions"), r, out);
    if !r.officers.is_empty() && effective_role(r) == Some(Role::Escalation) {
        out.push((
            key("officers"),
            "an escalation route receives no submissions, so its officers could act on none".into(),
        ));
    }
    validate_role(i, r, out);
}

/// The route's age recipients and officers' keys: real keys, none twice.
fn validate_keys(i: usize, r: &RouteSettings, out: &mut Vec<(String, String)>) {
    if r.recipients.is_empty() {
        out.push((
            format!("routes[{i}].recipients"),
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
    let mut officers = HashSet::new();
    for (j, officer) in r.officers.iter().enumerate() {
        match PublicKey::parse(officer) {
            None => out.push((
                format!("routes[{i}].officers[{j}]"),
                "not an Ed25519 public key (base64 of 32 bytes, as `pis-gateway keygen \
                 --officer` prints it)"
                    .into(),
            )),
            Some(key) if !officers.insert(key.id()) => out.push((
                format!("routes[{i}].officers[{j}]"),
                "listed twice on this route".into(),
            )),
            Some(_) => {}
        }
    }
}

/// A role is required; a MACE route has real localities (or is the fallback) and never the
/// full view; no other route has localities.
fn validate_role(i: usize, r: &RouteSettings, out: &mut Vec<(String, String)>) {
    let key = |k: &str| format!("routes[{i}].{k}");
    match effective_role(r) {
        None => out.push((
            key("role"),
            "required: police_intelligence, control_room, mace or escalation".into(),
        )),
        Some(Role::Mace) => {
            if r.localities.is_empty() && !r.fallback {
                out.push((
                    key("localities"),
                    "a mace route needs localities, or fallback = true".into(),
                ));
            }
            for l in &r.localities {
                if !LOCALITIES.contains(&l.as_str()) || l == "UNKNOWN" || l == "OUTSIDE_AREA" {
                    out.push((key("localities"), format!("`{l}` is not a MACE locality")));
                }
            }
            if r.view == View::Full {
                out.push((
                    key("view"),
                    "a mace route sees restricted or notice, never full".into(),
                ));
            }
        }
        Some(_) => {
            if !r.localities.is_empty() || r.fallback {
                out.push((
                    key("localities"),
                    "only mace routes have localities or fallback".into(),
                ));
            }
        }
    }
}

/// Exactly one police intelligence route, with the full view: every submission reaches it.
fn validate_police_route(routes: &[RouteSettings], out: &mut Vec<(String, String)>) {
    let police: Vec<&RouteSettings> = routes
        .iter()
        .filter(|r| effective_role(r) == Some(Role::PoliceIntelligence))
        .collect();
    match police.as_slice() {
        [] => out.push((
            "routes".into(),
            "no police_intelligence route: every submission must reach police intelligence".into(),
        )),
        [r] if r.view != View::Full => out.push((
            "routes".into(),
            "the police_intelligence route must use the full view".into(),
        )),
        [_] => {}
        _ => out.push((
            "routes".into(),
            "more than one police_intelligence route".into(),
        )),
    }
}

impl Routes {
    /// Builds routes from settings. Fails (rather than skipping) on anything
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
                    role: effective_role(r).unwrap_or(Role::Escalation),
                    localities: r.localities.clone(),
                    fallback: r.fallback,
                    ack_immediate_minutes: r.ack_immediate_minutes,
                    ack_priority_minutes: r.ack_priority_minutes,
                    recipients: r
                        .recipients
                        .iter()
                        .filter_map(|s| parse_recipient(s))
                        .collect(),
                    officers: r
                        .officers
                        .iter()
                        .filter_map(|s| PublicKey::parse(s))
                        .collect(),
                    officer_actions: effective_actions(r),
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

    /// Where escalations go, as (name, mailbox).
    pub fn escalation(&self) -> Vec<(String, String)> {
        self.routes
            .iter()
            .filter(|r| r.role == Role::Escalation)
            .map(|r| (r.name.clone(), r.mailbox.clone()))
            .collect()
    }

    /// The routes a submission goes to, each with its view. Police intelligence is always first.
    pub fn select(&self, facts: &RoutingFacts) -> Vec<Decision> {
        let mut out = Vec::new();
        let take = |out: &mut Vec<Decision>, route: &Arc<Route>, view: View| {
            out.push(Decision {
                route: Arc::clone(route),
                view: view.min(route.view),
            })
        };
        for r in self
            .routes
            .iter()
            .filter(|r| r.role == Role::PoliceIntelligence)
        {
            take(&mut out, r, View::Full);
        }
        if facts.priority == Priority::Immediate {
            for r in self.routes.iter().filter(|r| r.role == Role::ControlRoom) {
                take(&mut out, r, View::Full);
            }
        }
        if facts.community || !facts.mace_relevant {
            return out;
        }
        let places: Vec<&str> = facts
            .localities
            .iter()
            .map(String::as_str)
            .filter(|l| *l != "UNKNOWN" && *l != "OUTSIDE_AREA")
            .collect();
        let covered: Vec<&Arc<Route>> = self
            .routes
            .iter()
            .filter(|r| {
                r.role == Role::Mace
                    && !r.fallback
                    && r.localities.iter().any(|l| places.contains(&l.as_str()))
            })
            .collect();
        let notice_only = facts.priority >= Priority::Priority
            || facts.source_at_risk
            || facts.police_only
            || places.len() > 1;
        let view = if notice_only {
            View::Notice
        } else {
            View::Restricted
        };
        if covered.is_empty() {
            for r in self
                .routes
                .iter()
                .filter(|r| r.role == Role::Mace && r.fallback)
            {
                take(&mut out, r, view);
            }
        } else {
            for r in covered {
                take(&mut out, r, view);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests;
