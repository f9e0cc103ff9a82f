//! `check-config`'s checks: everything that can be checked without binding a port.

use super::{MailTransport, Problem, Settings, SpoolBackend};

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
        self.check_listeners(&mut add);
        self.check_forms(&mut add);
        self.check_limits(&mut add);
        self.check_public_url(&mut add);
        self.check_tls_and_signing_keys(&mut add);
        self.check_bodies_and_uploads(&mut add);
        self.check_spool(&mut add);
        self.check_mail(&mut add);
        self.check_delivery_and_escalation(&mut add);
        self.check_routing(&mut add);
        out
    }

    /// The listening addresses and how long a request body may take.
    fn check_listeners(&self, add: &mut impl FnMut(&str, String)) {
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
    }

    /// How long drafts are kept.
    fn check_forms(&self, add: &mut impl FnMut(&str, String)) {
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
    }

    /// Rate limits that depend on each other.
    fn check_limits(&self, add: &mut impl FnMut(&str, String)) {
        let l = &self.limits;
        if l.reserved_submissions_per_second >= l.global_submissions_per_second {
            add(
                "limits.reserved_submissions_per_second",
                "must be below limits.global_submissions_per_second".into(),
            );
        }
    }

    /// The public URL, which links in emails and officers' signatures name.
    fn check_public_url(&self, add: &mut impl FnMut(&str, String)) {
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
    }

    /// The TLS files and the keys documents are signed with.
    fn check_tls_and_signing_keys(&self, add: &mut impl FnMut(&str, String)) {
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
    }

    /// Request bodies, uploads, and the links and tokens handed out with them.
    fn check_bodies_and_uploads(&self, add: &mut impl FnMut(&str, String)) {
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
    }

    /// The spool backend and the key that seals its secrets.
    fn check_spool(&self, add: &mut impl FnMut(&str, String)) {
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
    }

    /// The sender address and the mail transport.
    fn check_mail(&self, add: &mut impl FnMut(&str, String)) {
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
    }

    /// Delivery retries, leases and escalation acknowledgements.
    fn check_delivery_and_escalation(&self, add: &mut impl FnMut(&str, String)) {
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
    }

    /// Triage rules, localities and routes.
    fn check_routing(&self, add: &mut impl FnMut(&str, String)) {
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
    }
}
