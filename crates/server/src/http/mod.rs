//! The HTTP surface: pages for people, JSON for partner systems, probes for operators.

pub mod body;
pub mod client_table;
pub mod clock;
pub mod draft;
pub mod error;
pub mod forwarded;
pub mod headers;
pub mod language;
pub mod logging;
pub mod multipart;
pub mod pages;
pub mod rate_limit;
pub mod readiness;
pub mod routes;
pub mod saved;
pub mod shed;
pub mod strict_json;
pub mod token;
pub mod uploads;

use crate::forms::FormRegistry;
use crate::intake::Intake;

/// Shared, read-only state of a running gateway.
pub struct AppState {
    pub forms: FormRegistry,
    pub pages: pages::Pages,
    pub assets: routes::assets::Assets,
    pub intake: Intake,
    pub tokens: token::FormTokens,
    pub contacts: crate::config::Contacts,
    pub limits: rate_limit::RateLimits,
    pub min_fill_seconds: u64,
    /// `forms.draft_minutes`, in seconds: a draft idle longer is gone.
    pub draft_idle_secs: i64,
    pub body: body::BodyLimits,
    /// Checks and cleans evidence files off the HTTP workers; holds their limits.
    pub cleaner: crate::attachments::Cleaner,
    /// Memory for files while they arrive: everyone's budget and each client's share.
    pub uploads: uploads::Uploads,
    pub plain_http: bool,
    /// How long acknowledgement links stay usable.
    pub ack_tokens: crate::ack::TokenPolicy,
    /// How long evidence download links stay usable (`mail.download_link_days`).
    pub download_links: crate::ack::TokenPolicy,
    /// Published at `/.well-known/pis-gateway/signing-keys`, the current key first.
    pub signing_keys: Vec<crate::signing::PublicKey>,
    /// The officers the routes list, for signed officer requests.
    pub officers: crate::officer::verify::Officers,
    /// Derives follow-up keys from codes (a few at a time: each holds the KDF's memory).
    pub follow_up: crate::follow_up::Deriver,
    /// `workflow.triage_within_minutes`, in seconds.
    pub triage_within_secs: i64,
    /// "Save and come back later": the mail transport and how long a saved draft is kept.
    pub saved: saved::SavedDrafts,
    /// `/readyz` with hysteresis: out on a failed probe, back after several in a row.
    pub readiness: readiness::ReadinessGate,
}

impl AppState {
    /// Unix seconds by the HTTP layer's clock (form tokens are issued and checked by it).
    pub fn now(&self) -> u64 {
        self.limits.clock().unix()
    }
}
