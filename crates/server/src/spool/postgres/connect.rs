//! Reaching the database: the URL as settings give it, the password from outside the
//! configuration, TLS with rustls (ring) where the URL's `sslmode` asks for it, and the pool.

use crate::spool::SpoolSettings;
use anyhow::Context;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod, Runtime};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres::config::{Host, SslMode};
use tokio_postgres_rustls::MakeRustlsConnect;

/// The environment variable that carries the database password.
pub const PASSWORD_ENV: &str = "PISG_POSTGRES_PASSWORD";

/// How long a caller waits for a connection (or for the database to answer a new one) before
/// the spool reports itself unavailable: a submission then gets 503 rather than hanging.
const WAIT: Duration = Duration::from_secs(5);

/// What the URL's `sslmode` asks for. Certificates are always verified when TLS is used:
/// `require` and `verify-ca` are read as `verify-full`, the only way rustls connects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tls {
    Disable,
    /// TLS when the server offers it (libpq's default `prefer`), verified.
    Prefer,
    Require,
}

/// The parsed connection settings.
#[derive(Clone)]
pub struct Target {
    pub config: tokio_postgres::Config,
    pub tls: Tls,
}

impl Target {
    /// Where the gateway connects, for logs and `check-config` (no password, no user).
    pub fn describe(&self) -> String {
        let hosts: Vec<String> = self
            .config
            .get_hosts()
            .iter()
            .map(|h| match h {
                Host::Tcp(name) => name.clone(),
                #[cfg(unix)]
                Host::Unix(path) => path.display().to_string(),
            })
            .collect();
        format!(
            "{} database {} (tls {})",
            hosts.join(","),
            self.config.get_dbname().unwrap_or("-"),
            match self.tls {
                Tls::Disable => "off",
                Tls::Prefer => "if offered",
                Tls::Require => "required",
            }
        )
    }

    /// Every address dialled is on this machine (a Unix socket or a loopback address). Where
    /// `hostaddr` is given, that is what is dialled (the host name then only names the server
    /// for TLS), so it alone decides.
    fn local(&self) -> bool {
        let addrs = self.config.get_hostaddrs();
        if !addrs.is_empty() {
            return addrs.iter().all(|ip| ip.is_loopback());
        }
        self.config.get_hosts().iter().all(|h| match h {
            Host::Tcp(name) => {
                name == "localhost"
                    || name
                        .parse::<std::net::IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback())
            }
            #[cfg(unix)]
            Host::Unix(_) => true,
        })
    }
}

/// Parses `spool.postgres_url` (a `postgresql://` URL or libpq key=value pairs). `sslmode`
/// is read here, since the client knows only disable, prefer and require.
pub fn parse(url: &str) -> Result<Target, String> {
    let url = url.trim();
    if url.is_empty() {
        return Err("must be set for the postgres backend".into());
    }
    let (rest, tls) = take_sslmode(url)?;
    let mut config: tokio_postgres::Config = rest
        .parse()
        .map_err(|e| format!("not a PostgreSQL URL: {e}"))?;
    if config.get_password().is_some() {
        return Err(format!(
            "holds a password; give it in {PASSWORD_ENV} or spool.postgres_password_file instead"
        ));
    }
    if config.get_hosts().is_empty() {
        return Err("names no host".into());
    }
    if config.get_dbname().is_none() {
        return Err("names no database".into());
    }
    if config.get_user().is_none() {
        return Err("names no user".into());
    }
    config.ssl_mode(match tls {
        Tls::Disable => SslMode::Disable,
        Tls::Prefer => SslMode::Prefer,
        Tls::Require => SslMode::Require,
    });
    config.application_name("pis-gateway");
    config.connect_timeout(WAIT);
    // A database that vanishes (a failover, a pulled cable) is noticed by the kernel within
    // seconds rather than hours.
    config.keepalives_idle(Duration::from_secs(10));
    Ok(Target { config, tls })
}

/// Removes `sslmode` from the URL or key=value string and reads it.
fn take_sslmode(url: &str) -> Result<(String, Tls), String> {
    let read = |v: &str| match v {
        "disable" => Ok(Tls::Disable),
        "allow" | "prefer" => Ok(Tls::Prefer),
        "require" | "verify-ca" | "verify-full" => Ok(Tls::Require),
        other => Err(format!(
            "sslmode {other:?} is not one of disable, prefer, require, verify-ca, verify-full"
        )),
    };
    let mut tls = Tls::Prefer;
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let Some((base, query)) = url.split_once('?') else {
            return Ok((url.to_string(), tls));
        };
        let mut kept = Vec::new();
        for pair in query.split('&') {
            match pair.split_once('=') {
                Some(("sslmode", v)) => tls = read(v)?,
                _ => kept.push(pair),
            }
        }
        let rest = if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        return Ok((rest, tls));
    }
    let mut kept = Vec::new();
    for pair in url.split_whitespace() {
        match pair.split_once('=') {
            Some(("sslmode", v)) => tls = read(v.trim_matches('\''))?,
            _ => kept.push(pair),
        }
    }
    Ok((kept.join(" "), tls))
}

/// Problems with the PostgreSQL settings, by key, for `check-config`.
pub fn check_settings(s: &SpoolSettings) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    match parse(&s.postgres_url) {
        Ok(target) => {
            if !target.local() && target.tls != Tls::Require {
                out.push((
                    "spool.postgres_url",
                    "reaches another host without sslmode=verify-full (or require): submissions' envelopes would cross the network unprotected".into(),
                ));
            }
        }
        Err(e) => out.push(("spool.postgres_url", e)),
    }
    for (key, path) in [
        ("spool.postgres_password_file", &s.postgres_password_file),
        ("spool.postgres_ca_file", &s.postgres_ca_file),
    ] {
        if !path.as_os_str().is_empty() && !path.is_file() {
            out.push((key, format!("file not found: {}", path.display())));
        }
    }
    if !(1..=256).contains(&s.postgres_pool_size) {
        out.push((
            "spool.postgres_pool_size",
            "must be between 1 and 256".into(),
        ));
    }
    if !(1..=1024).contains(&s.postgres_batch_max) {
        out.push((
            "spool.postgres_batch_max",
            "must be between 1 and 1024".into(),
        ));
    }
    if s.postgres_batch_wait_ms > 100 {
        out.push((
            "spool.postgres_batch_wait_ms",
            "must be at most 100 (milliseconds every submission may wait)".into(),
        ));
    }
    out
}

/// The target with its password (from the environment, else the password file).
pub(super) fn target(s: &SpoolSettings) -> anyhow::Result<Target> {
    let mut target =
        parse(&s.postgres_url).map_err(|e| anyhow::anyhow!("spool.postgres_url {e}"))?;
    let password = match std::env::var(PASSWORD_ENV) {
        Ok(p) => Some(p),
        Err(_) if !s.postgres_password_file.as_os_str().is_empty() => Some(
            std::fs::read_to_string(&s.postgres_password_file)
                .with_context(|| format!("reading {}", s.postgres_password_file.display()))?
                .trim_end_matches(['\r', '\n'])
                .to_string(),
        ),
        Err(_) => None,
    };
    if let Some(p) = password {
        target.config.password(p);
    }
    Ok(target)
}

/// rustls with ring, trusting the CA file alone when given, else the system roots.
pub(super) fn tls_connector(s: &SpoolSettings) -> anyhow::Result<MakeRustlsConnect> {
    let mut roots = rustls::RootCertStore::empty();
    if s.postgres_ca_file.as_os_str().is_empty() {
        let found = rustls_native_certs::load_native_certs();
        roots.add_parsable_certificates(found.certs);
    } else {
        let pem = std::fs::read(&s.postgres_ca_file)
            .with_context(|| format!("reading {}", s.postgres_ca_file.display()))?;
        for cert in CertificateDer::pem_slice_iter(&pem) {
            roots
                .add(cert.context("parsing spool.postgres_ca_file")?)
                .context("parsing spool.postgres_ca_file")?;
        }
        anyhow::ensure!(
            !roots.is_empty(),
            "spool.postgres_ca_file holds no certificate"
        );
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .context("setting up TLS to the database")?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// The pool every query goes through. Connections are made as needed; a broken one is
/// dropped and remade, so the gateway recovers by itself when the database comes back.
pub(super) fn pool(target: &Target, tls: MakeRustlsConnect, size: usize) -> anyhow::Result<Pool> {
    let manager = Manager::from_config(
        target.config.clone(),
        tls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Verified,
        },
    );
    Pool::builder(manager)
        .max_size(size)
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(WAIT))
        .create_timeout(Some(WAIT))
        .recycle_timeout(Some(WAIT))
        .build()
        .context("setting up the database pool")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_with_a_password_is_refused_and_sslmode_is_read_here() {
        let e = parse("postgresql://pisg:hunter2@db.example/pisg").err();
        assert!(e.expect("refused").contains(PASSWORD_ENV));
        let e = parse("host=db.example user=pisg dbname=pisg password=x").err();
        assert!(e.expect("refused").contains("password"));
        let t = parse("postgresql://pisg@db.example/pisg?sslmode=verify-full&connect_timeout=3")
            .expect("parsed");
        assert_eq!(t.tls, Tls::Require);
        assert_eq!(t.config.get_dbname(), Some("pisg"));
        let t = parse("host=/run/postgresql user=pisg dbname=pisg sslmode=disable").expect("kv");
        assert_eq!(t.tls, Tls::Disable);
        assert!(t.local());
        assert!(parse("postgresql://pisg@db.example/pisg?sslmode=sometimes").is_err());
        assert!(parse("postgresql://db.example/pisg").is_err(), "no user");
    }

    #[test]
    fn a_remote_database_without_tls_is_a_problem() {
        let mut s = crate::config::Settings::default().spool;
        s.postgres_url = "postgresql://pisg@db.example/pisg".into();
        let problems = check_settings(&s);
        assert!(
            problems
                .iter()
                .any(|(k, m)| *k == "spool.postgres_url" && m.contains("sslmode")),
            "{problems:?}"
        );
        s.postgres_url = "postgresql://pisg@db.example/pisg?sslmode=verify-full".into();
        assert!(check_settings(&s).is_empty());
        s.postgres_url = "postgresql://pisg@127.0.0.1/pisg".into();
        assert!(check_settings(&s).is_empty());
    }

    #[test]
    fn group_commit_bounds_are_checked() {
        let mut s = crate::config::Settings::default().spool;
        s.postgres_url = "postgresql://pisg@127.0.0.1/pisg".into();
        assert!(check_settings(&s).is_empty(), "the defaults pass");
        s.postgres_batch_max = 0;
        s.postgres_batch_wait_ms = 101;
        let keys: Vec<&str> = check_settings(&s).iter().map(|(k, _)| *k).collect();
        assert_eq!(
            keys,
            ["spool.postgres_batch_max", "spool.postgres_batch_wait_ms"]
        );
        s.postgres_batch_max = 1024;
        s.postgres_batch_wait_ms = 0;
        assert!(check_settings(&s).is_empty());
    }

    #[test]
    fn the_address_dialled_decides_whether_tls_is_needed_not_the_host_name() {
        let mut s = crate::config::Settings::default().spool;
        for url in [
            "host=localhost hostaddr=192.0.2.10 user=pisg dbname=pisg",
            "host=localhost hostaddr=192.0.2.10 user=pisg dbname=pisg sslmode=prefer",
            "postgresql://pisg@localhost/pisg?hostaddr=192.0.2.10",
        ] {
            s.postgres_url = url.into();
            assert!(
                check_settings(&s)
                    .iter()
                    .any(|(k, m)| *k == "spool.postgres_url" && m.contains("sslmode")),
                "{url}"
            );
        }
        s.postgres_url =
            "host=localhost hostaddr=192.0.2.10 user=pisg dbname=pisg sslmode=verify-full".into();
        assert!(check_settings(&s).is_empty());
        s.postgres_url = "host=db.example hostaddr=127.0.0.1 user=pisg dbname=pisg".into();
        assert!(check_settings(&s).is_empty(), "dials loopback");
    }
}
