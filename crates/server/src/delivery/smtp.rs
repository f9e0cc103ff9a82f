//! SMTP over TLS on connections the gateway opens itself, so each socket has `TCP_NODELAY`.
//!
//! lettre 0.11.23's own connector leaves Nagle's algorithm on: every command then waits for
//! the server's delayed ACK (about 40 ms on Linux), which caps four lanes at about 100 emails
//! a second and makes an IMMEDIATE email wait behind a burst. The fix (lettre#1159) is merged
//! but not released; until a release carries it, the TCP stream is opened here and handed to
//! lettre's public `AsyncSmtpConnection::connect_with_transport`. STARTTLS upgrades that
//! stream through lettre; implicit TLS wraps it in tokio-rustls first. Go back to the pooled
//! `AsyncSmtpTransport` once a lettre release sets `TCP_NODELAY`.

use crate::config::{MailSettings, SmtpTls};
use anyhow::Context;
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{
    AsyncSmtpConnection, AsyncTokioStream, Certificate, CertificateStore, TlsParameters,
};
use lettre::transport::smtp::extension::ClientId;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use super::mailer::SendError;

/// What protects the connection. Plaintext exists only behind `dangerous_smtp_plaintext`.
enum Security {
    /// Plain text until STARTTLS, which must succeed before anything else is said.
    Starttls(TlsParameters),
    /// TLS from the first byte (port 465).
    Implicit {
        connector: tokio_rustls::TlsConnector,
        name: ServerName<'static>,
    },
    Plaintext,
}

/// A mail server reached over connections kept open, one per outbox lane.
pub struct SmtpMailer {
    host: String,
    port: u16,
    security: Security,
    timeout: Duration,
    hello: ClientId,
    credentials: Option<Credentials>,
    /// Connections between sends. At most `keep`: one for each lane sending at once.
    idle: Mutex<Vec<AsyncSmtpConnection>>,
    keep: usize,
}

/// Why a connection could not be made, before lettre has a connection to report on.
enum ConnectError {
    Timeout,
    Connection,
    Tls,
    Smtp(lettre::transport::smtp::Error),
}

impl ConnectError {
    fn into_send_error(self) -> SendError {
        let class = match self {
            ConnectError::Timeout => "timeout",
            ConnectError::Connection => "connection",
            ConnectError::Tls => "tls",
            ConnectError::Smtp(e) => return super::mailer::classify(&e),
        };
        SendError {
            class: class.into(),
            permanent: false,
        }
    }
}

impl SmtpMailer {
    /// `keep`: connections kept open between sends (the number of outbox lanes).
    pub fn from_settings(
        settings: &MailSettings,
        keep: usize,
        credentials: Option<Credentials>,
    ) -> anyhow::Result<Self> {
        let host = settings.smtp_host.trim().to_string();
        // A configured CA is the only trust anchor: the relay is known, so any other
        // certificate for its name is an interception.
        let ca_pem = if settings.smtp_ca_file.as_os_str().is_empty() {
            None
        } else {
            Some(
                std::fs::read(&settings.smtp_ca_file)
                    .with_context(|| format!("reading {}", settings.smtp_ca_file.display()))?,
            )
        };
        let security = if settings.dangerous_smtp_plaintext {
            Security::Plaintext
        } else {
            match settings.smtp_tls {
                SmtpTls::Starttls => Security::Starttls(starttls_parameters(&host, ca_pem)?),
                SmtpTls::Implicit => Security::Implicit {
                    connector: tokio_rustls::TlsConnector::from(Arc::new(implicit_tls_config(
                        ca_pem,
                    )?)),
                    name: ServerName::try_from(host.clone())
                        .context("mail.smtp_host is not a valid name for TLS")?,
                },
            }
        };
        Ok(SmtpMailer {
            host,
            port: settings.smtp_port,
            security,
            timeout: Duration::from_secs(settings.smtp_timeout_secs),
            hello: ClientId::default(),
            credentials,
            idle: Mutex::new(Vec::new()),
            keep: keep.max(1),
        })
    }

    /// Sends one message: on a kept connection that still answers, or on a new one. A
    /// connection that failed is closed, never reused; the outbox retries on its schedule.
    pub async fn send(&self, envelope: &Envelope, raw: &[u8]) -> Result<(), SendError> {
        let mut conn = match self.kept().await {
            Some(conn) => conn,
            None => match tokio::time::timeout(self.timeout, self.connect()).await {
                Ok(Ok(conn)) => conn,
                Ok(Err(e)) => return Err(e.into_send_error()),
                Err(_) => return Err(ConnectError::Timeout.into_send_error()),
            },
        };
        match tokio::time::timeout(self.timeout, conn.send(envelope, raw)).await {
            Ok(Ok(_)) => {
                self.park(conn);
                Ok(())
            }
            Ok(Err(e)) => {
                // lettre has sent QUIT and closed the connection (`has_broken`).
                Err(super::mailer::classify(&e))
            }
            // Mid-command: the connection's state is unknown, so it is dropped.
            Err(_) => Err(ConnectError::Timeout.into_send_error()),
        }
    }

    /// A kept connection that answers NOOP; those that do not are closed.
    async fn kept(&self) -> Option<AsyncSmtpConnection> {
        loop {
            let mut conn = self
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop()?;
            let alive = tokio::time::timeout(self.timeout, conn.test_connected())
                .await
                .unwrap_or(false);
            if alive && !conn.has_broken() {
                return Some(conn);
            }
            tracing::debug!("closing an SMTP connection that stopped answering");
            let _ = tokio::time::timeout(self.timeout, conn.abort()).await;
        }
    }

    fn park(&self, conn: AsyncSmtpConnection) {
        if conn.has_broken() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < self.keep {
            idle.push(conn);
        }
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, ConnectError> {
        let tcp = connect_tcp(&self.host, self.port).await?;
        let mut conn = match &self.security {
            Security::Implicit { connector, name } => {
                let tls = connector.connect(name.clone(), tcp).await.map_err(|e| {
                    tracing::warn!(error = %e, "SMTP TLS handshake failed");
                    ConnectError::Tls
                })?;
                AsyncSmtpConnection::connect_with_transport(Box::new(ImplicitTls(tls)), &self.hello)
                    .await
                    .map_err(ConnectError::Smtp)?
            }
            Security::Starttls(params) => {
                let mut conn =
                    AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello)
                        .await
                        .map_err(ConnectError::Smtp)?;
                // Fails (and closes) when the server does not offer STARTTLS: nothing is ever
                // said in clear beyond EHLO.
                conn.starttls(params.clone(), &self.hello)
                    .await
                    .map_err(ConnectError::Smtp)?;
                conn
            }
            Security::Plaintext => {
                AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello)
                    .await
                    .map_err(ConnectError::Smtp)?
            }
        };
        if let Some(credentials) = &self.credentials {
            if let Err(e) = conn
                .auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await
            {
                conn.abort().await;
                return Err(ConnectError::Smtp(e));
            }
        }
        tracing::debug!("SMTP connection opened");
        Ok(conn)
    }
}

/// A TCP connection to the mail server with Nagle's algorithm off: SMTP is a dialogue of small
/// writes, each waiting for the answer, which is where Nagle and delayed ACKs cost 40 ms.
async fn connect_tcp(host: &str, port: u16) -> Result<TcpStream, ConnectError> {
    let tcp = TcpStream::connect((host, port)).await.map_err(|e| {
        tracing::warn!(error = %e, "SMTP connection failed");
        ConnectError::Connection
    })?;
    tcp.set_nodelay(true)
        .map_err(|_| ConnectError::Connection)?;
    Ok(tcp)
}

/// The same trust as the STARTTLS path: the CA file alone when given, else the system roots.
fn starttls_parameters(host: &str, ca_pem: Option<Vec<u8>>) -> anyhow::Result<TlsParameters> {
    let mut params = TlsParameters::builder(host.to_string());
    if let Some(pem) = ca_pem {
        params = params
            .certificate_store(CertificateStore::None)
            .add_root_certificate(
                Certificate::from_pem(&pem).context("parsing mail.smtp_ca_file")?,
            );
    }
    params.build_rustls().context("setting up TLS for SMTP")
}

/// rustls with ring (the only provider here), TLS 1.2 and 1.3, trusting the CA file alone when
/// given, else the system roots: what lettre builds for STARTTLS above.
fn implicit_tls_config(ca_pem: Option<Vec<u8>>) -> anyhow::Result<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    match ca_pem {
        Some(pem) => {
            let mut added = 0;
            for cert in CertificateDer::pem_slice_iter(&pem) {
                roots
                    .add(cert.context("parsing mail.smtp_ca_file")?)
                    .context("parsing mail.smtp_ca_file")?;
                added += 1;
            }
            anyhow::ensure!(added > 0, "mail.smtp_ca_file holds no certificate");
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            let (added, _ignored) = roots.add_parsable_certificates(found.certs);
            anyhow::ensure!(
                added > 0,
                "no system CA certificates found for SMTP; set mail.smtp_ca_file"
            );
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(rustls::ALL_VERSIONS)
        .context("setting up TLS for SMTP")?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// A TLS stream in the shape lettre accepts for an existing connection.
#[derive(Debug)]
struct ImplicitTls(tokio_rustls::client::TlsStream<TcpStream>);

impl AsyncTokioStream for ImplicitTls {
    fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

impl AsyncRead for ImplicitTls {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for ImplicitTls {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn connections_to_the_mail_server_have_nagle_off() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("listener");
        let port = listener.local_addr().expect("addr").port();
        let accept = tokio::spawn(async move { listener.accept().await });
        let Ok(tcp) = connect_tcp("127.0.0.1", port).await else {
            panic!("connects to loopback");
        };
        assert!(tcp.nodelay().expect("socket option"), "TCP_NODELAY is set");
        drop(accept.await);
    }
}
