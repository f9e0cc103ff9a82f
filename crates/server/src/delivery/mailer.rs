//! The transports: SMTP over TLS (connections kept per lane, see `smtp`) or `.eml` files in a
//! folder.

use super::smtp::SmtpMailer;
use crate::config::{MailSettings, MailTransport};
use anyhow::Context;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncTransport, Message, Tokio1Executor};

pub enum Mailer {
    Smtp(SmtpMailer),
    File(AsyncFileTransport<Tokio1Executor>),
}

/// Why a send failed, as a class safe to store and log (never the server's text, which can
/// quote addresses), and whether trying again could help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    pub class: String,
    pub permanent: bool,
}

fn smtp_password(settings: &MailSettings) -> anyhow::Result<Option<age::secrecy::SecretString>> {
    if let Ok(p) = std::env::var("PISG_SMTP_PASSWORD") {
        return Ok(Some(p.into()));
    }
    if settings.smtp_password_file.as_os_str().is_empty() {
        return Ok(None);
    }
    let p = std::fs::read_to_string(&settings.smtp_password_file)
        .with_context(|| format!("reading {}", settings.smtp_password_file.display()))?;
    Ok(Some(p.trim_end_matches(['\r', '\n']).to_string().into()))
}

/// The outbox folder, 0700 whatever the umask: its emails carry live acknowledgement links.
fn private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)
}

impl Mailer {
    /// `connections`: SMTP connections kept open, one per outbox lane.
    pub fn from_settings(settings: &MailSettings, connections: usize) -> anyhow::Result<Self> {
        match settings.transport {
            MailTransport::File => {
                private_dir(&settings.file_dir)
                    .with_context(|| format!("creating {}", settings.file_dir.display()))?;
                Ok(Mailer::File(AsyncFileTransport::new(&settings.file_dir)))
            }
            MailTransport::Smtp => {
                let credentials = smtp_password(settings)?.map(|password| {
                    use age::secrecy::ExposeSecret;
                    Credentials::new(
                        settings.smtp_username.clone(),
                        password.expose_secret().to_string(),
                    )
                });
                Ok(Mailer::Smtp(SmtpMailer::from_settings(
                    settings,
                    connections,
                    credentials,
                )?))
            }
        }
    }

    pub async fn send(&self, message: Message) -> Result<(), SendError> {
        match self {
            Mailer::Smtp(t) => t.send(message.envelope(), &message.formatted()).await,
            Mailer::File(t) => t.send(message).await.map(|_| ()).map_err(|_| SendError {
                class: "file_io".into(),
                permanent: false,
            }),
        }
    }
}

pub(super) fn classify(e: &lettre::transport::smtp::Error) -> SendError {
    let code = e.status().map(|c| c.to_string());
    let (class, permanent) = if e.is_permanent() {
        (format!("smtp_{}", code.as_deref().unwrap_or("5xx")), true)
    } else if e.is_transient() {
        (format!("smtp_{}", code.as_deref().unwrap_or("4xx")), false)
    } else if e.is_timeout() {
        ("timeout".into(), false)
    } else if e.is_tls() {
        ("tls".into(), false)
    } else if e.is_client() {
        // Includes a server that does not offer STARTTLS while TLS is required.
        ("client".into(), false)
    } else {
        ("connection".into(), false)
    };
    SendError { class, permanent }
}
