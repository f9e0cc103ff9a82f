//! Typed settings. Layers: the documented defaults below, then the TOML file, then the
//! environment (`PISG__SECTION__KEY`). Validated once at load; every problem is listed.

pub use crate::spool::settings::{
    default_postgres_batch_max, default_postgres_batch_wait_ms, SpoolBackend, SpoolSettings,
};
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Routes are routing's own settings; the configuration only holds them.
pub use crate::routing::RouteSettings;

mod defaults;
mod validate;
mod warnings;

pub const DEFAULT_CONFIG: &str = "config/gateway.toml";

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub spool: SpoolSettings,
    pub forms: FormsSettings,
    pub mail: MailSettings,
    pub delivery: DeliverySettings,
    pub routing: RoutingSettings,
    pub triage: TriageSettings,
    pub limits: LimitSettings,
    pub escalation: EscalationSettings,
    pub retention: RetentionSettings,
    pub contacts: Contacts,
    pub log: LogSettings,
    /// Evidence files sent with a report: how many, how big.
    pub attachments: crate::attachments::AttachmentLimits,
    /// The officer's workflow: how soon urgent reports should be triaged.
    #[serde(default)]
    pub workflow: WorkflowSettings,
    /// The public pages: the languages they are offered in.
    #[serde(default)]
    pub public: PublicSettings,
    #[serde(default)]
    pub routes: Vec<RouteSettings>,
    /// The program `serve` runs as `scan-pdf` to analyse each PDF sent: this executable when
    /// unset. Not read from the configuration: tests, whose executable is a test harness, name
    /// the built `pis-gateway`.
    #[serde(skip)]
    pub pdf_scanner: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkflowSettings {
    /// An IMMEDIATE or PRIORITY submission with no workflow step this long after it was
    /// received is counted as untriaged in `/readyz`.
    pub triage_within_minutes: u64,
}

impl Default for WorkflowSettings {
    fn default() -> Self {
        WorkflowSettings {
            triage_within_minutes: 60,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicSettings {
    /// The languages the public pages are offered in (codes of `forms/locales/`). English is
    /// always offered. By default English alone: the shipped translations are drafts that a
    /// native speaker has not reviewed, and an operator enables each one knowingly (for a
    /// public body in Wales, Welsh, once reviewed).
    pub languages: Vec<crate::i18n::Lang>,
}

impl Default for PublicSettings {
    fn default() -> Self {
        PublicSettings {
            languages: vec![crate::i18n::Lang::En],
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// `text` (one line an event, for people) or `json` (one object a line, for log pipelines).
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitSettings {
    /// Per client (IPv4 address or IPv6 /64): submissions a minute, and how many at once.
    pub submissions_per_minute: u32,
    pub submission_burst: u32,
    /// Per client: page views a minute, and how many at once.
    pub pages_per_minute: u32,
    pub page_burst: u32,
    /// Per client: presses that move through a form (Continue, Back, Add another, Remove) a
    /// minute, and how many at once. The final send spends a submission instead.
    pub navigation_per_minute: u32,
    pub navigation_burst: u32,
    /// For everyone together, a second.
    pub global_submissions_per_second: u32,
    pub global_pages_per_second: u32,
    pub global_navigation_per_second: u32,
    /// The part of `global_submissions_per_second` kept, during a surge, for sends whose form
    /// was served before the surge began.
    pub reserved_submissions_per_second: u32,
    /// An IPv6 /56 and /48 share, between all their /64s, this many clients' quotas.
    pub ipv6_56_clients: u32,
    pub ipv6_48_clients: u32,
    /// Addresses or CIDR blocks of reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<String>,
    /// Clients tracked at once in each table (past it the least recently seen is forgotten);
    /// memory stays bounded under a flood of distinct addresses.
    pub max_tracked_clients: usize,
    /// Open connections at once.
    pub max_connections: usize,
    /// A form sent sooner than this after it was served is flagged `suspected_automated`.
    pub min_fill_seconds: u64,
    /// Per partner agency (by its API token), in place of the per-client limit: submissions a
    /// minute, and how many at once.
    pub partner_submissions_per_minute: u32,
    pub partner_submission_burst: u32,
    /// Per client: follow-up code entries on /follow-up a minute, and how many at once.
    #[serde(default = "default_follow_up_per_minute")]
    pub follow_up_per_minute: u32,
    #[serde(default = "default_follow_up_burst")]
    pub follow_up_burst: u32,
    /// Per follow-up code (by its lookup id), whoever types it: entries an hour, and how many
    /// at once.
    #[serde(default = "default_follow_up_per_code_per_hour")]
    pub follow_up_per_code_per_hour: u32,
    #[serde(default = "default_follow_up_burst")]
    pub follow_up_per_code_burst: u32,
}

fn default_follow_up_per_minute() -> u32 {
    10
}

fn default_follow_up_burst() -> u32 {
    5
}

fn default_follow_up_per_code_per_hour() -> u32 {
    30
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationSettings {
    /// While nobody acknowledges, escalate again this often.
    pub repeat_minutes: u64,
    /// How often deadlines, purges and the audit head are looked at.
    pub check_interval_secs: u64,
    /// How often the audit chain's head is written to the log.
    pub audit_head_log_minutes: u64,
    /// Acknowledgement and receipt links stop working this many days after they are issued.
    pub ack_token_days: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionSettings {
    /// Envelopes are purged this long after delivery to every route and an acknowledgement.
    pub grace_days: u64,
    /// Unacknowledged (but delivered) items are purged this long after receipt...
    pub max_age_days: u64,
    /// ...and announced in the log this long before.
    pub warn_days: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingSettings {
    /// The narrative reader's rules (concepts, modifiers, text-speak), `config/triage.toml`.
    pub triage_rules: PathBuf,
    /// Postcode outward code → MACE locality.
    pub localities: PathBuf,
}

/// How far the narrative reader may raise a submission on words alone.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriageSettings {
    /// `IMMEDIATE` (the default) or `PRIORITY`, for a force that wants words alone to stop
    /// short of the control room. The submitter's own "yes" to the question the reader asks
    /// still makes a submission IMMEDIATE.
    pub narrative_max: crate::triage::Priority,
}

/// Numbers and addresses shown to submitters. Kept in config, not code: they change.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contacts {
    /// Children's social care (MAST) for a safeguarding referral.
    pub childrens_social_care_phone: String,
    pub childrens_social_care_email: String,
    pub emergency_sms: String,
    pub relay_uk: String,
    pub crimestoppers: String,
    pub childline: String,
    pub nspcc: String,
    /// CEOP takes reports online only: the address people are told to type.
    pub ceop: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailTransport {
    /// `.eml` files into `mail.file_dir` (the embedded default: no mail server needed).
    File,
    Smtp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpTls {
    Starttls,
    Implicit,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    pub transport: MailTransport,
    pub file_dir: PathBuf,
    /// The sender address on every email.
    pub from: String,
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_tls: SmtpTls,
    /// PEM file of the CA that signs the mail server's certificate; empty uses the system roots.
    pub smtp_ca_file: PathBuf,
    pub smtp_username: String,
    /// File holding the SMTP password (the environment variable `PISG_SMTP_PASSWORD` is the
    /// other way in). Never the password itself: committed TOML holds no secrets.
    pub smtp_password_file: PathBuf,
    pub smtp_timeout_secs: u64,
    /// Send without TLS. Only for a mail relay on the same host; warned about at start.
    pub dangerous_smtp_plaintext: bool,
    /// The most an email's evidence attachments may come to, armored; beyond it the email
    /// carries a one-time download link to the still-encrypted files instead.
    pub max_attachment_bytes: usize,
    /// Days a download link for evidence files stays usable (each works once).
    pub download_link_days: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliverySettings {
    /// Wait before the first retry; doubles with each failure, with jitter, up to the cap.
    pub retry_initial_secs: u64,
    pub retry_max_delay_secs: u64,
    /// After this long without success a delivery is dead-lettered (and alerted).
    pub retry_max_age_secs: u64,
    /// How often the outbox looks for due work when nothing wakes it.
    pub poll_interval_secs: u64,
    /// Emails sent at once (and SMTP connections kept open).
    pub concurrency: usize,
    /// Lanes beside those that send only IMMEDIATE and escalation emails, each on a connection
    /// of its own: an urgent email never waits for a lane busy with the backlog, and the
    /// emails of one IMMEDIATE report go out side by side. 0 sends urgent email on the
    /// ordinary lanes, first in their queue.
    #[serde(default = "default_urgent_lanes")]
    pub urgent_lanes: usize,
    /// How long a gateway holds a delivery it is sending before another gateway on a shared
    /// spool may take it over (its holder having died mid-send): longer than any one attempt.
    pub lease_secs: u64,
    /// Intake rate (submissions per second) at which all sending lanes but one pause and
    /// ROUTINE email waits, so a surge's CPU goes to taking reports; 0 never pauses.
    pub busy_intake_per_second: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub listen: String,
    pub public_url: String,
    pub tls_cert: PathBuf,
    pub tls_key: PathBuf,
    /// Ed25519 private key (PKCS#8 PEM, mode 0600) that signs every sealed document and the
    /// audit chain's head. Kept outside the spool; created by `pis-gateway keygen --signing`.
    pub signing_key: PathBuf,
    /// Public keys (base64) of earlier signing keys, still published at
    /// `/.well-known/pis-gateway/signing-keys` while documents they signed are in use.
    pub previous_signing_keys: Vec<String>,
    pub dangerous_plain_http: bool,
    pub max_body_bytes: usize,
    /// A request body must arrive whole within this many seconds...
    pub body_timeout_secs: u64,
    /// ...and, after its first seconds, at no less than this many bytes a second on average...
    pub body_min_bytes_per_second: u64,
    /// ...and with no gap of this many seconds without a byte (an average rate alone lets a
    /// body sent fast and then stalled be held for most of its deadline).
    pub body_idle_secs: u64,
    pub form_token_max_age_minutes: u64,
    /// HTTP worker threads; 0 means one per core.
    pub workers: usize,
    /// Where `/metrics` and `/readyz` are served (plain HTTP, for the host's own monitoring);
    /// empty serves them nowhere. The public listener keeps only `/healthz`.
    pub admin_listen: String,
}

/// Two: the control room's email and police intelligence's for one IMMEDIATE report at once.
fn default_urgent_lanes() -> usize {
    2
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormsSettings {
    pub dir: PathBuf,
    /// How long a web journey's draft (sealed under the browser's cookie) is kept after the
    /// last page sent; after that it is gone and purged.
    pub draft_minutes: u32,
    /// How long a draft saved with "Save and come back later" is kept, sealed under the key in
    /// the emailed link; after that it is gone and purged.
    #[serde(default = "default_saved_draft_days")]
    pub saved_draft_days: u32,
}

/// `forms.draft_minutes` unless set.
pub const DEFAULT_DRAFT_MINUTES: u32 = 60;

/// `forms.saved_draft_days` unless set.
pub const DEFAULT_SAVED_DRAFT_DAYS: u32 = 7;

fn default_saved_draft_days() -> u32 {
    DEFAULT_SAVED_DRAFT_DAYS
}

/// A configuration problem: where, and why. Never the value of a secret or a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub source: String,
    pub key: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}: {}", self.source, self.key, self.message)
    }
}

#[derive(Debug)]
pub struct Problems(pub Vec<Problem>);

impl std::fmt::Display for Problems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for p in &self.0 {
            writeln!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

/// Which file to read: `--config`, else `PISG_CONFIG`, else `config/gateway.toml`.
pub fn config_path(flag: Option<&Path>) -> PathBuf {
    flag.map(Path::to_path_buf)
        .or_else(|| std::env::var_os("PISG_CONFIG").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG))
}

/// Reads the layers. The file must exist: running on defaults alone would start a gateway with
/// no routes, which validation refuses anyway, with a less helpful message.
pub fn load(path: &Path) -> Result<Settings, Problems> {
    let source = path.display().to_string();
    if !path.is_file() {
        return Err(Problems(vec![Problem {
            source,
            key: "-".into(),
            message: "configuration file not found (set --config or PISG_CONFIG)".into(),
        }]));
    }
    // Routes may live in `routes.toml` beside the main file; when it exists its `routes`
    // replace the main file's.
    let routes_file = path.parent().unwrap_or(Path::new(".")).join("routes.toml");
    Figment::from(Serialized::defaults(Settings::default()))
        .merge(Toml::file(path))
        .merge(Toml::file(routes_file))
        .merge(Env::prefixed("PISG__").split("__"))
        .extract::<Settings>()
        .map_err(|e| {
            Problems(
                e.into_iter()
                    .map(|err| Problem {
                        source: err
                            .metadata
                            .as_ref()
                            .map(|m| m.name.to_string())
                            .unwrap_or_else(|| source.clone()),
                        key: if err.path.is_empty() {
                            "-".into()
                        } else {
                            err.path.join(".")
                        },
                        message: err.kind.to_string(),
                    })
                    .collect(),
            )
        })
}

impl Settings {
    /// The signing keys published for readers: the current one first, then earlier ones.
    pub fn published_signing_keys(
        &self,
        current: &crate::signing::PublicKey,
    ) -> Vec<crate::signing::PublicKey> {
        let mut keys = vec![current.clone()];
        for k in &self.server.previous_signing_keys {
            if let Some(k) = crate::signing::PublicKey::parse(k) {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
        keys
    }
}

#[cfg(test)]
mod tests;
