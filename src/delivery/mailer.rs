//! The transports: SMTP over TLS (one pooled lettre transport) or `.eml` files in a folder.

use crate::config::{MailSettings, MailTransport, SmtpTls};
use anyhow::Context;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, CertificateStore, Tls, TlsParameters};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
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
    /// `connections`: SMTP connections the pool keeps, one per outbox lane.
    pub fn from_settings(settings: &MailSettings, connections: usize) -> anyhow::Result<Self> {
        match settings.transport {
            MailTransport::File => {
                private_dir(&settings.file_dir)
                    .with_context(|| format!("creating {}", settings.file_dir.display()))?;
                Ok(Mailer::File(AsyncFileTransport::new(&settings.file_dir)))
            }
            MailTransport::Smtp => {
                let host = settings.smtp_host.trim().to_string();
                let mut params = TlsParameters::builder(host.clone());
                if !settings.smtp_ca_file.as_os_str().is_empty() {
                    let pem = std::fs::read(&settings.smtp_ca_file)
                        .with_context(|| format!("reading {}", settings.smtp_ca_file.display()))?;
                    // A configured CA is the only trust anchor: the relay is known, so any other
                    // certificate for its name is an interception.
                    params = params
                        .certificate_store(CertificateStore::None)
                        .add_root_certificate(
                            Certificate::from_pem(&pem).context("parsing mail.smtp_ca_file")?,
                        );
                }
                let params = params.build_rustls().context("setting up TLS for SMTP")?;
                let tls = if settings.dangerous_smtp_plaintext {
                    Tls::None
                } else {
                    match settings.smtp_tls {
                        SmtpTls::Starttls => Tls::Required(params),
                        SmtpTls::Implicit => Tls::Wrapper(params),
                    }
                };
                let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                    .port(settings.smtp_port)
                    .tls(tls)
                    .timeout(Some(Duration::from_secs(settings.smtp_timeout_secs)))
                    .pool_config(PoolConfig::new().max_size(connections.max(1) as u32));
                if let Some(password) = smtp_password(settings)? {
                    use age::secrecy::ExposeSecret;
                    builder = builder.credentials(Credentials::new(
                        settings.smtp_username.clone(),
                        password.expose_secret().to_string(),
                    ));
                }
                Ok(Mailer::Smtp(builder.build()))
            }
        }
    }

    pub async fn send(&self, message: Message) -> Result<(), SendError> {
        match self {
            Mailer::Smtp(t) => t.send(message).await.map(|_| ()).map_err(|e| classify(&e)),
            Mailer::File(t) => t.send(message).await.map(|_| ()).map_err(|_| SendError {
                class: "file_io".into(),
                permanent: false,
            }),
        }
    }
}

fn classify(e: &lettre::transport::smtp::Error) -> SendError {
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
