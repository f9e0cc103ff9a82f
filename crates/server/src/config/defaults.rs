//! The documented defaults: the first layer, under the file and the environment.

use super::*;

impl Default for Settings {
    fn default() -> Self {
        Settings {
            server: server(),
            spool: spool(),
            forms: FormsSettings {
                dir: "forms".into(),
                draft_minutes: DEFAULT_DRAFT_MINUTES,
                saved_draft_days: DEFAULT_SAVED_DRAFT_DAYS,
            },
            mail: mail(),
            delivery: delivery(),
            limits: limits(),
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
            contacts: contacts(),
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

/// Loopback addresses and the example certificate: a start on a laptop, never production.
fn server() -> ServerSettings {
    ServerSettings {
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
    }
}

/// SQLite under `var/spool`: one machine, nothing else to run.
fn spool() -> SpoolSettings {
    SpoolSettings {
        backend: SpoolBackend::Sqlite,
        dir: "var/spool".into(),
        postgres_url: String::new(),
        postgres_password_file: PathBuf::new(),
        postgres_ca_file: PathBuf::new(),
        postgres_pool_size: 8,
        postgres_batch_max: default_postgres_batch_max(),
        postgres_batch_wait_ms: default_postgres_batch_wait_ms(),
        secrets_key_file: PathBuf::new(),
    }
}

/// Written to files, not sent: a test setup until SMTP is configured.
fn mail() -> MailSettings {
    MailSettings {
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
    }
}

/// Retries for three days, backing off to half an hour.
fn delivery() -> DeliverySettings {
    DeliverySettings {
        retry_initial_secs: 30,
        retry_max_delay_secs: 30 * 60,
        retry_max_age_secs: 72 * 3600,
        poll_interval_secs: 5,
        concurrency: 4,
        urgent_lanes: default_urgent_lanes(),
        busy_intake_per_second: 1000,
        lease_secs: 600,
    }
}

/// Per client and overall, sized for a county's traffic with headroom.
fn limits() -> LimitSettings {
    LimitSettings {
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
    }
}

/// The numbers shown to the public for North Yorkshire.
fn contacts() -> Contacts {
    Contacts {
        childrens_social_care_phone: "0300 131 2 131".into(),
        childrens_social_care_email: "social.care@northyorks.gov.uk".into(),
        emergency_sms: "Text 999 if you have registered with emergencySMS".into(),
        relay_uk: "18000 (18001 101 for non-emergencies)".into(),
        crimestoppers: "0800 555 111".into(),
        childline: "0800 1111".into(),
        nspcc: "0808 800 5000".into(),
        ceop: "ceop.police.uk".into(),
    }
}
