//! Conditions an operator is told about at every start: allowed, but worth hearing.

use super::{MailTransport, Settings};

impl Settings {
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
}
