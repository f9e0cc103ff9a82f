//! The mailbox over IMAP, read-only: implicit TLS (rustls, ring) to the mail server, the
//! folder opened with EXAMINE and every message fetched with `BODY.PEEK[]`, so nothing is
//! marked seen, moved, deleted or expunged. Each message gives the envelopes attached to it,
//! exactly as the folder reader takes them from a Maildir ([`super::mailbox`]).
//!
//! The password comes from a file or an environment variable, never from the command line
//! (where other users of the machine could read it), and is never in an error.

use super::mailbox::{envelopes_of, Envelope};
use anyhow::Context;
use futures_util::TryStreamExt;
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use zeroize::Zeroizing;

/// Where the officer's mailbox is and how to log in (`[imap]` in `desk.toml`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImapSettings {
    /// The mail server's name, as its certificate names it.
    pub host: String,
    /// Its IMAP port with implicit TLS (993 by default).
    #[serde(default = "default_port")]
    pub port: u16,
    pub user: String,
    /// A file whose first line is the password (keep it mode 0600).
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// Or the environment variable that holds it.
    #[serde(default)]
    pub password_env: Option<String>,
    /// Trust only the CA certificates in this PEM file for the server's certificate, instead
    /// of the system's.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// The folder to read (`INBOX` by default).
    #[serde(default = "default_folder")]
    pub folder: String,
    /// The most the whole read may take, in seconds (60 by default).
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
}

fn default_port() -> u16 {
    993
}

fn default_folder() -> String {
    "INBOX".into()
}

fn default_timeout() -> u64 {
    60
}

impl ImapSettings {
    /// The settings an `imaps://user@host[:port][/folder]` address gives (the user name
    /// percent-encoded where it holds an `@`), with no password source or CA file yet.
    pub fn from_url(address: &str) -> anyhow::Result<Self> {
        // The address is never echoed: it might carry a password.
        let bad =
            || anyhow::anyhow!("the mailbox is not an imaps://user@host[:port][/folder] address");
        let url = url::Url::parse(address).map_err(|_| bad())?;
        if url.scheme() != "imaps" {
            anyhow::bail!("the mailbox address must start imaps:// (only IMAP over TLS is read)");
        }
        if url.password().is_some() {
            anyhow::bail!(
                "a password in the mailbox address is refused (anyone listing this machine's \
                 processes would see it); give --imap-password-file or --imap-password-env"
            );
        }
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        };
        let user = decode(url.username());
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or_else(bad)?;
        if user.is_empty() {
            return Err(bad());
        }
        let folder = decode(url.path().trim_start_matches('/'));
        Ok(ImapSettings {
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_string(),
            port: url.port().unwrap_or_else(default_port),
            user,
            password_file: None,
            password_env: None,
            ca_file: None,
            folder: if folder.is_empty() {
                default_folder()
            } else {
                folder
            },
            timeout_secs: default_timeout(),
        })
    }

    /// How the mailbox is named in messages (never with a password).
    pub fn address(&self) -> String {
        format!(
            "imaps://{}@{}:{}/{}",
            self.user, self.host, self.port, self.folder
        )
    }

    /// The password, from the one source given.
    fn password(&self) -> anyhow::Result<Zeroizing<String>> {
        let password = match (&self.password_file, &self.password_env) {
            (Some(path), None) => {
                let text =
                    Zeroizing::new(std::fs::read_to_string(path).with_context(|| {
                        format!("reading the password file {}", path.display())
                    })?);
                Zeroizing::new(text.lines().next().unwrap_or("").to_string())
            }
            (None, Some(var)) => Zeroizing::new(std::env::var(var).with_context(|| {
                format!("the environment variable {var} (the mailbox password) is not set")
            })?),
            (None, None) => anyhow::bail!(
                "{}: no password source: give a password file or an environment variable",
                self.address()
            ),
            (Some(_), Some(_)) => anyhow::bail!(
                "{}: give a password file or an environment variable, not both",
                self.address()
            ),
        };
        if password.is_empty() {
            anyhow::bail!("{}: the password is empty", self.address());
        }
        Ok(password)
    }
}

/// The mailbox's envelopes, as [`super::mailbox::envelopes_in`] gives a Maildir's: every
/// envelope attached to a message of the folder, oldest message first, and a problem when the
/// folder holds none. An error when the server cannot be reached, its certificate is not
/// trusted, the login is refused or the folder cannot be opened.
pub async fn fetch(settings: &ImapSettings) -> anyhow::Result<(Vec<Envelope>, Vec<String>)> {
    let limit = Duration::from_secs(settings.timeout_secs.max(1));
    tokio::time::timeout(limit, read(settings))
        .await
        .with_context(|| {
            format!(
                "{}: no answer within {} seconds",
                settings.address(),
                limit.as_secs()
            )
        })?
}

/// [`fetch`] on a runtime of its own, for callers that are not async.
pub fn read_imap(settings: &ImapSettings) -> anyhow::Result<(Vec<Envelope>, Vec<String>)> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(fetch(settings))
}

type Stream = tokio_rustls::client::TlsStream<tokio::net::TcpStream>;

/// The TLS connection to the server, its certificate checked against the CA file (or the
/// system's roots) for the host name given.
async fn connect(settings: &ImapSettings) -> anyhow::Result<Stream> {
    let address = settings.address();
    let config =
        crate::officer::client::client_tls(settings.ca_file.as_deref(), "the mail server's")?;
    let name = rustls_pki_types::ServerName::try_from(settings.host.clone())
        .with_context(|| format!("{address}: not a host name"))?;
    let tcp = tokio::net::TcpStream::connect((settings.host.as_str(), settings.port))
        .await
        .with_context(|| format!("{address}: cannot connect"))?;
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .with_context(|| {
            format!("{address}: TLS refused (is the server's certificate signed by the CA given?)")
        })
}

async fn read(settings: &ImapSettings) -> anyhow::Result<(Vec<Envelope>, Vec<String>)> {
    let address = settings.address();
    let password = settings.password()?;
    let mut client = async_imap::Client::new(connect(settings).await?);
    client
        .read_response()
        .await
        .with_context(|| format!("{address}: no greeting"))?
        .with_context(|| format!("{address}: closed before its greeting"))?;
    let mut session = client
        .login(&settings.user, password.as_str())
        .await
        // The server's own words say why; the password is in neither.
        .map_err(|(e, _)| {
            anyhow::anyhow!(
                "{address}: the server refused the login of {} (check the user name and the \
                 password): {}",
                settings.user,
                refusal(&e)
            )
        })?;
    drop(password);
    // EXAMINE: the folder is opened read-only, so no flag can change.
    let folder = session
        .examine(&settings.folder)
        .await
        .map_err(|e| anyhow::anyhow!("{address}: cannot open the folder: {}", refusal(&e)))?;
    // Each message is taken apart as it arrives, so only its envelopes are kept.
    let mut found: Vec<(u32, Vec<Envelope>)> = Vec::new();
    if folder.exists > 0 {
        let cannot = |e: async_imap::error::Error| {
            anyhow::anyhow!("{address}: cannot fetch: {}", refusal(&e))
        };
        let mut stream = session
            .fetch("1:*", "(UID BODY.PEEK[])")
            .await
            .map_err(cannot)?;
        while let Some(message) = stream.try_next().await.map_err(cannot)? {
            if let (Some(uid), Some(body)) = (message.uid, message.body()) {
                let label = format!("{address} UID {uid}");
                found.push((uid, envelopes_of(&label, body.to_vec(), false)));
            }
        }
    }
    // Nothing more is asked of the server; a failed goodbye loses nothing read.
    let _ = session.logout().await;
    found.sort_by_key(|(uid, _)| *uid);
    let count = found.len();
    let envelopes: Vec<Envelope> = found.into_iter().flat_map(|(_, e)| e).collect();
    let problems = if envelopes.is_empty() {
        vec![format!(
            "{address}: no age envelope in any of its {count} messages"
        )]
    } else {
        Vec::new()
    };
    Ok((envelopes, problems))
}

/// What the server said when it refused, without anything this side sent.
fn refusal(e: &async_imap::error::Error) -> String {
    use async_imap::error::Error;
    let text = match e {
        Error::No(why) | Error::Bad(why) => why.clone(),
        Error::Io(e) => e.to_string(),
        Error::ConnectionLost => "the connection was lost".into(),
        Error::Validate(_) => "a character IMAP cannot carry in the user name or password".into(),
        _ => "an answer that could not be read".into(),
    };
    crate::open::terminal_safe(&text)
        .chars()
        .take(300)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_imaps_address_gives_host_port_user_and_folder_and_never_a_password() {
        let s =
            ImapSettings::from_url("imaps://intel%40force.example@mail.example:1993/Reports/PIS")
                .expect("address");
        assert_eq!(s.host, "mail.example");
        assert_eq!(s.port, 1993);
        assert_eq!(s.user, "intel@force.example");
        assert_eq!(s.folder, "Reports/PIS");
        let s = ImapSettings::from_url("imaps://intel@mail.example").expect("address");
        assert_eq!((s.port, s.folder.as_str()), (993, "INBOX"));
        for bad in [
            "imap://intel@mail.example",
            "imaps://mail.example",
            "mail.example",
        ] {
            assert!(ImapSettings::from_url(bad).is_err(), "{bad}");
        }
        let e = ImapSettings::from_url("imaps://intel:hunter2@mail.example")
            .expect_err("a password in the address");
        assert!(!format!("{e:#}").contains("hunter2"), "{e:#}");
    }

    #[test]
    fn settings_embed_in_a_desk_file_and_take_one_password_source() {
        #[derive(Deserialize)]
        struct Desk {
            mailbox: Mailbox,
        }
        #[derive(Deserialize)]
        struct Mailbox {
            imap: ImapSettings,
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("password");
        std::fs::write(&file, "s3cret\n").expect("password");
        let desk: Desk = toml::from_str(&format!(
            "[mailbox.imap]\nhost = \"mail.example\"\nuser = \"intel\"\npassword_file = {:?}\n",
            file.display().to_string()
        ))
        .expect("desk.toml");
        let s = desk.mailbox.imap;
        assert_eq!(
            (s.port, s.folder.as_str(), s.timeout_secs),
            (993, "INBOX", 60)
        );
        assert_eq!(s.password().expect("password").as_str(), "s3cret");

        let mut both = s.clone();
        both.password_env = Some("PISG_TEST_IMAP_PASSWORD_UNSET".into());
        assert!(both.password().is_err());
        let mut none = s.clone();
        none.password_file = None;
        assert!(none.password().is_err());
        let mut env = none.clone();
        env.password_env = Some("PISG_TEST_IMAP_PASSWORD_UNSET".into());
        let e = env.password().expect_err("unset");
        assert!(format!("{e:#}").contains("PISG_TEST_IMAP_PASSWORD_UNSET"));
        assert!(
            toml::from_str::<ImapSettings>("host = \"h\"\nuser = \"u\"\npasword = \"x\"\n")
                .is_err()
        );
    }
}
