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

impl Default for Settings {
    fn default() -> Self {
        Settings {
            server: ServerSettings {
                listen: "127.0.0.1:8443".into(),
                public_url: "https://localhost:8443".into(),
                tls_cert: "certs-example/localhost.pem".into(),
                tls_key: "certs-example/localhost-key.pem".into(),
                signing_key: "certs-example/signing-key.pem".into(),
                previous_signing_keys: Vec::new(),
                dangerous_plain_http: false,
                max_body_bytes: 256 * 1024,
                body_timeout_secs: 20,
                body_min_bytes_per_second: 1024,
                body_idle_secs: 15,
                form_token_max_age_minutes: 24 * 60,
                workers: 0,
                admin_listen: "127.0.0.1:9464".into(),
            },
            spool: SpoolSettings {
                backend: SpoolBackend::Sqlite,
                dir: "var/spool".into(),
                postgres_url: String::new(),
                postgres_password_file: PathBuf::new(),
                postgres_ca_file: PathBuf::new(),
                postgres_pool_size: 8,
                postgres_batch_max: default_postgres_batch_max(),
                postgres_batch_wait_ms: default_postgres_batch_wait_ms(),
                secrets_key_file: PathBuf::new(),
            },
            forms: FormsSettings {
                dir: "forms".into(),
                draft_minutes: DEFAULT_DRAFT_MINUTES,
                saved_draft_days: DEFAULT_SAVED_DRAFT_DAYS,
            },
            mail: MailSettings {
                transport: MailTransport::File,
                file_dir: "var/outbox".into(),
                from: "pis-gateway@localhost".into(),
                smtp_host: String::new(),
                smtp_port: 587,
                smtp_tls: SmtpTls::Starttls,
                smtp_ca_file: PathBuf::new(),
                smtp_username: String::new(),
                smtp_password_file: PathBuf::new(),
                smtp_timeout_secs: 30,
                dangerous_smtp_plaintext: false,
                max_attachment_bytes: 10 * 1024 * 1024,
                download_link_days: 7,
            },
            delivery: DeliverySettings {
                retry_initial_secs: 30,
                retry_max_delay_secs: 30 * 60,
                retry_max_age_secs: 72 * 3600,
                poll_interval_secs: 5,
                concurrency: 4,
                urgent_lanes: default_urgent_lanes(),
                busy_intake_per_second: 1000,
                lease_secs: 600,
            },
            limits: LimitSettings {
                submissions_per_minute: 10,
                submission_burst: 5,
                pages_per_minute: 120,
                page_burst: 60,
                navigation_per_minute: 60,
                navigation_burst: 30,
                global_submissions_per_second: 200,
                global_pages_per_second: 1000,
                global_navigation_per_second: 500,
                reserved_submissions_per_second: 50,
                ipv6_56_clients: 4,
                ipv6_48_clients: 16,
                trusted_proxies: Vec::new(),
                max_tracked_clients: 100_000,
                max_connections: 10_000,
                min_fill_seconds: 3,
                partner_submissions_per_minute: 600,
                partner_submission_burst: 100,
                follow_up_per_minute: default_follow_up_per_minute(),
                follow_up_burst: default_follow_up_burst(),
                follow_up_per_code_per_hour: default_follow_up_per_code_per_hour(),
                follow_up_per_code_burst: default_follow_up_burst(),
            },
            escalation: EscalationSettings {
                repeat_minutes: 15,
                check_interval_secs: 15,
                audit_head_log_minutes: 10,
                ack_token_days: 14,
            },
            retention: RetentionSettings {
                grace_days: 30,
                max_age_days: 90,
                warn_days: 7,
            },
            routing: RoutingSettings {
                triage_rules: "config/triage.toml".into(),
                localities: "config/localities.toml".into(),
            },
            triage: TriageSettings {
                narrative_max: crate::triage::Priority::Immediate,
            },
            contacts: Contacts {
                childrens_social_care_phone: "0300 131 2 131".into(),
                childrens_social_care_email: "social.care@northyorks.gov.uk".into(),
                emergency_sms: "Text 999 if you have registered with emergencySMS".into(),
                relay_uk: "18000 (18001 101 for non-emergencies)".into(),
                crimestoppers: "0800 555 111".into(),
                childline: "0800 1111".into(),
                nspcc: "0808 800 5000".into(),
                ceop: "ceop.police.uk".into(),
            },
            log: LogSettings {
                format: LogFormat::Text,
            },
            attachments: crate::attachments::AttachmentLimits::default(),
            workflow: WorkflowSettings::default(),
            public: PublicSettings::default(),
            routes: Vec::new(),
            pdf_scanner: None,
        }
    }
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
    /// Checks everything that can be checked without binding a port: addresses, files, keys,
    /// routes. Returns every problem found.
    pub fn validate(&self, source: &str) -> Vec<Problem> {
        let mut out = Vec::new();
        let mut add = |key: &str, message: String| {
            out.push(Problem {
                source: source.to_string(),
                key: key.to_string(),
                message,
            })
        };
        if self.server.listen.parse::<std::net::SocketAddr>().is_err() {
            add(
                "server.listen",
                "must be an address and port, like 127.0.0.1:8443".into(),
            );
        }
        let admin = self.server.admin_listen.trim();
        if !admin.is_empty() && admin.parse::<std::net::SocketAddr>().is_err() {
            add(
                "server.admin_listen",
                "must be an address and port, like 127.0.0.1:9464, or empty".into(),
            );
        }
        if self.server.body_timeout_secs == 0 {
            add("server.body_timeout_secs", "must be at least 1".into());
        }
        // A day at most: a draft is for one sitting, and the less kept the better.
        if !(1..=1440).contains(&self.forms.draft_minutes) {
            add(
                "forms.draft_minutes",
                "must be between 1 and 1440 (a day)".into(),
            );
        }
        // At most a week: a saved report is someone's half-told account, kept only to finish it.
        if !(1..=7).contains(&self.forms.saved_draft_days) {
            add("forms.saved_draft_days", "must be between 1 and 7".into());
        }
        let l = &self.limits;
        if l.reserved_submissions_per_second >= l.global_submissions_per_second {
            add(
                "limits.reserved_submissions_per_second",
                "must be below limits.global_submissions_per_second".into(),
            );
        }
        let url = &self.server.public_url;
        if !(url.starts_with("https://")
            || (self.server.dangerous_plain_http && url.starts_with("http://")))
            || url.contains(char::is_whitespace)
        {
            add("server.public_url", "must be an https:// URL".into());
        } else if crate::officer::request::host_of(url).is_none() {
            // Officers sign this host name; a URL without one would refuse them all.
            add(
                "server.public_url",
                "must name a host: https://host or https://host:port".into(),
            );
        }
        if !self.server.dangerous_plain_http {
            for (key, path) in [
                ("server.tls_cert", &self.server.tls_cert),
                ("server.tls_key", &self.server.tls_key),
            ] {
                if !path.is_file() {
                    add(key, format!("file not found: {}", path.display()));
                }
            }
        }
        if let Err(e) = crate::signing::SigningKey::load(&self.server.signing_key) {
            add("server.signing_key", e.to_string());
        }
        for (i, k) in self.server.previous_signing_keys.iter().enumerate() {
            if crate::signing::PublicKey::parse(k).is_none() {
                add(
                    &format!("server.previous_signing_keys[{i}]"),
                    "not an Ed25519 public key (base64 of 32 bytes)".into(),
                );
            }
        }
        if !(1024..=16 * 1024 * 1024).contains(&self.server.max_body_bytes) {
            add(
                "server.max_body_bytes",
                "must be between 1024 and 16777216".into(),
            );
        }
        if self.mail.download_link_days == 0 {
            add("mail.download_link_days", "must be at least 1".into());
        }
        let a = &self.attachments;
        if a.max_file_bytes == 0 || a.max_file_bytes > a.max_total_bytes {
            add(
                "attachments.max_file_bytes",
                "must be at least 1 and at most attachments.max_total_bytes".into(),
            );
        }
        if a.max_total_bytes > 256 * 1024 * 1024 {
            add(
                "attachments.max_total_bytes",
                "must be at most 268435456 (every file is held in memory, never on disk in clear)"
                    .into(),
            );
        }
        if !(1..=200).contains(&a.max_megapixels) {
            add(
                "attachments.max_megapixels",
                "must be between 1 and 200".into(),
            );
        }
        if self.server.body_idle_secs == 0
            || self.server.body_idle_secs > self.server.body_timeout_secs
        {
            add(
                "server.body_idle_secs",
                "must be at least 1 and at most server.body_timeout_secs".into(),
            );
        }
        if a.max_bytes_in_flight < a.max_file_bytes || a.max_bytes_in_flight > u32::MAX as usize {
            add(
                "attachments.max_bytes_in_flight",
                "must be at least attachments.max_file_bytes and at most 4294967295".into(),
            );
        }
        if a.max_uploads_per_client == 0 {
            add(
                "attachments.max_uploads_per_client",
                "must be at least 1".into(),
            );
        }
        if a.upload_timeout_secs < self.server.body_timeout_secs {
            add(
                "attachments.upload_timeout_secs",
                "must be at least server.body_timeout_secs".into(),
            );
        }
        if self.server.form_token_max_age_minutes == 0 {
            add(
                "server.form_token_max_age_minutes",
                "must be at least 1".into(),
            );
        }
        match self.spool.backend {
            SpoolBackend::Sqlite => {
                if self.spool.dir.as_os_str().is_empty() {
                    add("spool.dir", "must be set".into());
                }
            }
            SpoolBackend::Postgres => {
                for (key, message) in crate::spool::postgres::check_settings(&self.spool) {
                    add(key, message);
                }
            }
        }
        // A key file that is there must be a key: it is made only where there is none.
        let key_file = self.spool.secrets_key_path();
        if key_file.exists() {
            if let Err(e) = crate::secrets_key::SecretsKey::load_or_create(&key_file) {
                add("spool.secrets_key_file", e.to_string());
            }
        }
        {
            use validator::ValidateEmail;
            if !self.mail.from.as_str().validate_email() {
                add("mail.from", "must be an email address".into());
            }
        }
        match self.mail.transport {
            MailTransport::File => {
                if self.mail.file_dir.as_os_str().is_empty() {
                    add("mail.file_dir", "must be set for the file transport".into());
                }
            }
            MailTransport::Smtp => {
                if self.mail.smtp_host.trim().is_empty() {
                    add(
                        "mail.smtp_host",
                        "must be set for the smtp transport".into(),
                    );
                }
                if self.mail.smtp_port == 0 {
                    add("mail.smtp_port", "must be a port number".into());
                }
                let ca = &self.mail.smtp_ca_file;
                if !ca.as_os_str().is_empty() && !ca.is_file() {
                    add(
                        "mail.smtp_ca_file",
                        format!("file not found: {}", ca.display()),
                    );
                }
                let pw = &self.mail.smtp_password_file;
                if !pw.as_os_str().is_empty() && !pw.is_file() {
                    add(
                        "mail.smtp_password_file",
                        format!("file not found: {}", pw.display()),
                    );
                }
                if self.mail.smtp_timeout_secs == 0 {
                    add("mail.smtp_timeout_secs", "must be at least 1".into());
                }
            }
        }
        let d = &self.delivery;
        if d.retry_initial_secs == 0 || d.retry_max_delay_secs < d.retry_initial_secs {
            add(
                "delivery.retry_initial_secs",
                "must be at least 1 and not above delivery.retry_max_delay_secs".into(),
            );
        }
        if d.retry_max_age_secs < d.retry_initial_secs {
            add(
                "delivery.retry_max_age_secs",
                "must be at least delivery.retry_initial_secs".into(),
            );
        }
        if !(1..=32).contains(&d.concurrency) {
            add("delivery.concurrency", "must be between 1 and 32".into());
        }
        if d.urgent_lanes > 8 {
            add("delivery.urgent_lanes", "must be between 0 and 8".into());
        }
        if d.lease_secs < 2 * self.mail.smtp_timeout_secs.max(1) {
            add(
                "delivery.lease_secs",
                "must be at least twice mail.smtp_timeout_secs, so that a lease outlasts a send"
                    .into(),
            );
        }
        if d.poll_interval_secs == 0 {
            add("delivery.poll_interval_secs", "must be at least 1".into());
        }
        if self.escalation.ack_token_days == 0 {
            add("escalation.ack_token_days", "must be at least 1".into());
        }
        for (key, path) in [
            ("routing.triage_rules", &self.routing.triage_rules),
            ("routing.localities", &self.routing.localities),
        ] {
            if !path.is_file() {
                add(key, format!("file not found: {}", path.display()));
            }
        }
        for p in crate::routing::validate_routes(&self.routes) {
            add(&p.0, p.1);
        }
        out
    }

    /// An enabled language that no native speaker has reviewed, or that lacks strings (shown in
    /// English instead). A catalog that does not load is a problem `check-config` lists already.
    fn language_warnings(&self) -> Vec<String> {
        let enabled: Vec<_> = self
            .public
            .languages
            .iter()
            .filter(|l| **l != crate::i18n::Lang::En)
            .collect();
        if enabled.is_empty() {
            return Vec::new();
        }
        let Ok(catalog) = crate::i18n::Catalog::load(&self.forms.dir.join("locales")) else {
            return Vec::new();
        };
        // Every form's strings too: a form's English is its TOML, not a strings file.
        let form_ids: Vec<String> = crate::forms::FormRegistry::load_dir(&self.forms.dir)
            .map(|forms| {
                forms
                    .iter()
                    .flat_map(|f| crate::i18n::form_text::form_ids(f))
                    .map(|(id, _)| id)
                    .collect()
            })
            .unwrap_or_default();
        let mut w = Vec::new();
        for lang in enabled {
            let name = format!("{} ({})", lang.english_name(), lang.code());
            let Some(info) = catalog.info(*lang) else {
                w.push(format!(
                    "public.languages: {name} has no strings in {}; its pages are shown in English",
                    self.forms.dir.join("locales").display()
                ));
                continue;
            };
            if !info.reviewed() {
                w.push(format!("public.languages: {name} is not reviewed by a native speaker ({}; translated by {}): people may read guidance about danger in words nobody has checked", info.review, info.translator));
            }
            let missing = catalog.missing(*lang).len()
                + form_ids.iter().filter(|id| !catalog.has(*lang, id)).count();
            if missing > 0 {
                w.push(format!(
                    "public.languages: {name} lacks {missing} strings, shown in English"
                ));
            }
        }
        w
    }

    /// Conditions that are allowed but that an operator must hear about at every start.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = self.language_warnings();
        if self.server.dangerous_plain_http {
            w.push("server.dangerous_plain_http is on: serving plain HTTP; only safe behind a TLS-terminating proxy on this host".into());
        }
        let has_escalation = self
            .routes
            .iter()
            .any(|r| r.role == Some(crate::routing::Role::Escalation));
        if !has_escalation {
            w.push("no escalation route: unacknowledged IMMEDIATE submissions will only be logged, not escalated by email".into());
        }
        if let Ok(admin) = self
            .server
            .admin_listen
            .trim()
            .parse::<std::net::SocketAddr>()
        {
            if !admin.ip().is_loopback() {
                w.push(format!("server.admin_listen is {admin}, not a loopback address: /metrics names localities and /readyz writes to the spool; keep it reachable only by monitoring"));
            }
        }
        if self.mail.transport == MailTransport::File {
            w.push(format!("mail.transport is \"file\": emails are written to {} instead of sent, and a professional's \"Save and come back later\" link, which carries the key to their saved answers, is kept there beside the spool; for testing only", self.mail.file_dir.display()));
        }
        if self.mail.transport == MailTransport::Smtp && self.mail.dangerous_smtp_plaintext {
            w.push("mail.dangerous_smtp_plaintext is on: submissions' envelopes and metadata travel to the mail server without TLS".into());
        }
        for (i, r) in self.routes.iter().enumerate() {
            if r.recipients.len() == 1 {
                w.push(format!("routes[{i}] ({}): only one recipient; losing that key loses every submission to this route", r.name));
            }
            let examples: Vec<String> = r
                .recipients
                .iter()
                .enumerate()
                .filter(|(_, rec)| crate::keys::is_example_recipient(rec))
                .map(|(j, _)| j.to_string())
                .collect();
            if !examples.is_empty() {
                w.push(format!("routes[{i}] ({}): recipients [{}] are EXAMPLE KEYS whose identities are public in config/example-keys; replace them before real use", r.name, examples.join(", ")));
            }
        }
        if self
            .server
            .tls_cert
            .to_string_lossy()
            .contains("certs-example")
            && !self.server.dangerous_plain_http
        {
            w.push("server.tls_cert is the EXAMPLE certificate from certs-example/; replace it before real use".into());
        }
        if self
            .server
            .signing_key
            .to_string_lossy()
            .contains("certs-example")
        {
            w.push("server.signing_key is the EXAMPLE signing key from certs-example/, whose private half is public: anyone can sign documents as this gateway; create one with `pis-gateway keygen --signing --output FILE` before real use".into());
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&self.server.signing_key)
                .map(|m| m.permissions().mode())
                .unwrap_or(0);
            if mode & 0o077 != 0 {
                w.push(format!(
                    "server.signing_key ({}) can be read by other users (mode {:o}); make it 0600",
                    self.server.signing_key.display(),
                    mode & 0o777
                ));
            }
        }
        w
    }

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
mod tests {
    use super::*;

    #[test]
    fn an_enabled_language_that_is_unreviewed_or_lacks_strings_is_warned_about() {
        use crate::i18n::Lang;
        let mut s = Settings::default();
        s.forms.dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../forms");
        let about = |w: &[String], what: &str| w.iter().filter(|l| l.contains(what)).count();
        assert_eq!(
            about(&s.warnings(), "public.languages"),
            0,
            "English alone: nothing to say"
        );
        s.public.languages = vec![Lang::En, Lang::Pl, Lang::Ar];
        let w = s.warnings();
        assert_eq!(
            about(
                &w,
                "public.languages: Polish (pl) is not reviewed by a native speaker"
            ),
            1,
            "{w:?}"
        );
        assert_eq!(
            about(&w, "public.languages: Arabic (ar) is not reviewed"),
            1,
            "{w:?}"
        );
        // The shipped translations lack the professional form: its strings show in English.
        assert_eq!(about(&w, "strings, shown in English"), 2, "{w:?}");
        // A folder without the language: every page in English, and the operator told.
        let dir = tempfile::tempdir().expect("dir");
        std::fs::create_dir_all(dir.path().join("locales/en")).expect("en");
        for f in ["language.toml", "pages.ftl"] {
            std::fs::copy(
                s.forms.dir.join("locales/en").join(f),
                dir.path().join("locales/en").join(f),
            )
            .expect("copy");
        }
        s.forms.dir = dir.path().to_path_buf();
        let w = s.warnings();
        assert_eq!(about(&w, "has no strings in"), 2, "{w:?}");
    }

    #[test]
    fn every_problem_is_listed_with_its_key() {
        let mut s = Settings::default();
        s.server.listen = "nowhere".into();
        s.server.public_url = "ftp://x".into();
        s.server.tls_cert = "/nonexistent.pem".into();
        s.server.body_idle_secs = 0;
        s.attachments.max_bytes_in_flight = s.attachments.max_file_bytes - 1;
        s.attachments.max_uploads_per_client = 0;
        s.forms.draft_minutes = 0;
        s.delivery.urgent_lanes = 9;
        s.forms.saved_draft_days = 8;
        let problems = s.validate("test.toml");
        let keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
        for k in [
            "server.listen",
            "server.public_url",
            "server.tls_cert",
            "server.body_idle_secs",
            "attachments.max_bytes_in_flight",
            "attachments.max_uploads_per_client",
            "forms.draft_minutes",
            "delivery.urgent_lanes",
            "forms.saved_draft_days",
            "routes",
        ] {
            assert!(keys.contains(&k), "{k} missing from {keys:?}");
        }
    }

    #[test]
    fn a_secrets_key_file_that_is_not_a_key_is_a_problem() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut s = Settings::default();
        s.spool.secrets_key_file = dir.path().join("secrets.key");
        let has = |s: &Settings| {
            s.validate("test.toml")
                .iter()
                .any(|p| p.key == "spool.secrets_key_file")
        };
        assert!(!has(&s), "none yet: it is made at start");
        std::fs::write(&s.spool.secrets_key_file, "hunter2\n").expect("write");
        assert!(has(&s));
    }
}
