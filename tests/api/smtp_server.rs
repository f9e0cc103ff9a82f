//! A real SMTP server for the integration tests, used instead of a mock.
//!
//! It listens on `127.0.0.1:0` inside the test process and speaks SMTP (RFC 5321) over a real
//! socket: with STARTTLS (RFC 3207), with TLS from the first byte (RFC 8314) or in plain text,
//! using the example certificates in `certs-example/`. It accepts AUTH PLAIN and LOGIN, answers
//! the end of DATA as the test asks (accept, temporary or permanent failure) and records what it
//! accepted, so the gateway's real mail client (lettre) is exercised end to end, TLS handshake
//! and certificate checks included.

use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

/// Longest line accepted, CRLF included; a longer one ends the session.
const MAX_LINE: usize = 64 * 1024;
/// Largest message accepted (advertised as SIZE); a larger one is read, dropped and refused.
const MAX_MESSAGE: usize = 10 * 1024 * 1024;
/// Most recipients accepted in one transaction.
const MAX_RECIPIENTS: usize = 100;

/// How the server protects its sessions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)] // `Tls::StartTls` is the protocol's own name.
pub(crate) enum Tls {
    /// Plain text until STARTTLS, which is required before AUTH and MAIL (submission, port 587).
    StartTls,
    /// TLS from the first byte (submissions, port 465).
    Implicit,
    /// Plain text only, STARTTLS not offered.
    Plain,
}

/// The answer to the end of DATA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reply {
    /// `250 2.0.0`: the message is recorded.
    Accept,
    /// `451 4.3.0`: a temporary failure, the client should retry later.
    TempFail,
    /// `550 5.7.1`: a permanent rejection.
    PermFail,
}

/// A message the server accepted.
#[derive(Clone, Debug)]
pub(crate) struct Received {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// The message as sent, dot-stuffing undone, without the final `.` line.
    pub data: Vec<u8>,
    /// Whether the session was under TLS when the message was sent.
    pub tls: bool,
    /// The (username, password) of a successful AUTH in that session.
    pub auth: Option<(String, String)>,
    /// When the 250 for this message was about to be sent (read by `benches/delivery.rs`).
    #[allow(dead_code)]
    pub at: std::time::Instant,
}

/// A running server; it stops when dropped.
pub(crate) struct SmtpServer {
    pub port: u16,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
}

struct Shared {
    reply: Mutex<Reply>,
    received: Mutex<Vec<Received>>,
    attempts: AtomicUsize,
    connections: AtomicUsize,
    /// Messages holding this text wait at the end of DATA until `release`, as on a server
    /// slow to answer, so a test can keep a client's connections busy.
    hold: Mutex<Option<String>>,
    held: AtomicUsize,
    release: watch::Sender<bool>,
}

impl SmtpServer {
    /// Binds a loopback port and serves each connection in its own task.
    pub(crate) async fn start(tls: Tls) -> SmtpServer {
        Self::start_on(0, tls).await
    }

    /// Starts on a given port, e.g. one a gateway was configured with while no server ran.
    pub(crate) async fn start_on(port: u16, tls: Tls) -> SmtpServer {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind the test SMTP server");
        let port = listener
            .local_addr()
            .expect("test SMTP server address")
            .port();
        let acceptor = TlsAcceptor::from(Arc::new(server_config()));
        let shared = Arc::new(Shared {
            reply: Mutex::new(Reply::Accept),
            received: Mutex::new(Vec::new()),
            attempts: AtomicUsize::new(0),
            connections: AtomicUsize::new(0),
            hold: Mutex::new(None),
            held: AtomicUsize::new(0),
            release: watch::channel(false).0,
        });
        let (stop, stopped) = watch::channel(false);
        tokio::spawn(accept_loop(
            listener,
            tls,
            acceptor,
            Arc::clone(&shared),
            stopped,
        ));
        SmtpServer { port, shared, stop }
    }

    /// Sets the answer to the end of DATA for the messages that follow.
    pub(crate) fn set_reply(&self, reply: Reply) {
        *lock(&self.shared.reply) = reply;
    }

    /// Holds every message containing `text` at the end of DATA, unanswered, until `release`.
    pub(crate) fn hold(&self, text: &str) {
        self.shared.release.send_replace(false);
        *lock(&self.shared.hold) = Some(text.to_owned());
    }

    /// Answers the held messages and holds no more.
    pub(crate) fn release(&self) {
        *lock(&self.shared.hold) = None;
        self.shared.release.send_replace(true);
    }

    /// How many messages are waiting at the end of DATA now.
    pub(crate) fn held(&self) -> usize {
        self.shared.held.load(Ordering::SeqCst)
    }

    /// The accepted messages, in the order they were accepted.
    pub(crate) fn received(&self) -> Vec<Received> {
        lock(&self.shared.received).clone()
    }

    /// How many DATA transactions were completed, whatever the answer.
    pub(crate) fn attempts(&self) -> usize {
        self.shared.attempts.load(Ordering::SeqCst)
    }

    /// How many TCP connections clients opened.
    pub(crate) fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Waits until at least `n` messages were accepted or `timeout` passed, and returns them.
    pub(crate) async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let received = self.received();
            if received.len() >= n || tokio::time::Instant::now() >= deadline {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops accepting connections and drops the open sessions, as a server going down would.
    pub(crate) fn stop(&self) {
        self.stop.send_replace(true);
    }

    /// The CA that signed the server's certificate, for the client's trust settings.
    pub(crate) fn ca_file() -> PathBuf {
        certs_dir().join("ca.pem")
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn certs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("certs-example")
}

/// Waits, unanswered, while `data` holds the text the test asked to hold.
async fn hold_if_asked(shared: &Shared, data: Option<&[u8]>) {
    let marker = lock(&shared.hold).clone();
    let Some(marker) = marker else { return };
    let held = data.is_some_and(|d| d.windows(marker.len()).any(|w| w == marker.as_bytes()));
    if held {
        let mut released = shared.release.subscribe();
        shared.held.fetch_add(1, Ordering::SeqCst);
        let _ = released.wait_for(|r| *r).await;
        shared.held.fetch_sub(1, Ordering::SeqCst);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn server_config() -> rustls::ServerConfig {
    let dir = certs_dir();
    let chain = CertificateDer::pem_file_iter(dir.join("localhost.pem"))
        .expect("open certs-example/localhost.pem")
        .collect::<Result<Vec<_>, _>>()
        .expect("parse certs-example/localhost.pem");
    let key = PrivateKeyDer::from_pem_file(dir.join("localhost-key.pem"))
        .expect("read certs-example/localhost-key.pem");
    rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("TLS protocol versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("certificate and key match")
}

/// Resolves once `stop()` was called or the server dropped.
async fn stopped(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopped| *stopped).await;
}

async fn accept_loop(
    listener: TcpListener,
    mode: Tls,
    acceptor: TlsAcceptor,
    shared: Arc<Shared>,
    stop: watch::Receiver<bool>,
) {
    loop {
        let tcp = tokio::select! {
            biased;
            () = stopped(stop.clone()) => return,
            accepted = listener.accept() => match accepted {
                Ok((tcp, _)) => {
                    let _ = tcp.set_nodelay(true);
                    shared.connections.fetch_add(1, Ordering::SeqCst);
                    tcp
                }
                Err(_) => {
                    // Out of descriptors or a connection reset before accept: try again shortly.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let (stop, acceptor, shared) = (stop.clone(), acceptor.clone(), Arc::clone(&shared));
        tokio::spawn(async move {
            tokio::select! {
                biased;
                () = stopped(stop) => {}
                // An I/O or TLS error ends this session only.
                _ = serve(tcp, mode, acceptor, &shared) => {}
            }
        });
    }
}

/// How a session ended.
enum Ended<S> {
    Closed,
    /// The client asked for STARTTLS: the raw stream, to be upgraded.
    StartTls(S),
}

async fn serve(
    tcp: TcpStream,
    mode: Tls,
    acceptor: TlsAcceptor,
    shared: &Shared,
) -> io::Result<()> {
    match mode {
        Tls::Plain => {
            session(tcp, mode, false, true, shared).await?;
        }
        Tls::Implicit => {
            let stream = acceptor.accept(tcp).await?;
            session(stream, mode, true, true, shared).await?;
        }
        Tls::StartTls => {
            if let Ended::StartTls(tcp) = session(tcp, mode, false, true, shared).await? {
                let stream = acceptor.accept(tcp).await?;
                // No new greeting after STARTTLS: the client sends EHLO again.
                session(stream, mode, true, false, shared).await?;
            }
        }
    }
    Ok(())
}

/// What one session knows; a new one starts after STARTTLS.
#[derive(Default)]
struct Session {
    greeted: bool,
    auth: Option<(String, String)>,
    mail_from: Option<String>,
    rcpt_to: Vec<String>,
}

impl Session {
    fn reset_transaction(&mut self) {
        self.mail_from = None;
        self.rcpt_to.clear();
    }
}

async fn session<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    mode: Tls,
    tls: bool,
    greet: bool,
    shared: &Shared,
) -> io::Result<Ended<S>> {
    let mut conn = BufReader::new(stream);
    let mut line = Vec::new();
    let mut state = Session::default();
    // In StartTls mode nothing but the handshake commands is allowed in plain text.
    let needs_tls = mode == Tls::StartTls && !tls;

    if greet {
        send(&mut conn, "220 localhost ESMTP test").await?;
    }
    loop {
        if !read_line(&mut conn, &mut line).await? {
            return Ok(Ended::Closed);
        }
        let Ok(text) = std::str::from_utf8(trim_eol(&line)) else {
            send(&mut conn, "500 5.5.2 Invalid characters in command").await?;
            continue;
        };
        let (verb, arg) = text.split_once(' ').unwrap_or((text, ""));
        let verb = verb.to_ascii_uppercase();
        let arg = arg.trim();

        let answer = match verb.as_str() {
            "EHLO" | "HELO" if arg.is_empty() => format!("501 5.5.4 Syntax: {verb} hostname"),
            "HELO" => {
                state.greeted = true;
                state.reset_transaction();
                "250 localhost".to_owned()
            }
            "EHLO" => {
                state.greeted = true;
                state.reset_transaction();
                let mut lines = vec![
                    format!("localhost greets {arg}"),
                    "8BITMIME".to_owned(),
                    format!("SIZE {MAX_MESSAGE}"),
                ];
                if tls || mode == Tls::Plain {
                    lines.push("AUTH PLAIN LOGIN".to_owned());
                }
                if needs_tls {
                    lines.push("STARTTLS".to_owned());
                }
                multiline(250, &lines)
            }
            "STARTTLS" if mode != Tls::StartTls => "502 5.5.1 STARTTLS not offered".to_owned(),
            "STARTTLS" if tls => "503 5.5.1 TLS already active".to_owned(),
            "STARTTLS" if !arg.is_empty() => "501 5.5.4 Syntax: STARTTLS".to_owned(),
            "STARTTLS" => {
                send(&mut conn, "220 2.0.0 Ready to start TLS").await?;
                // Bytes the client sent after STARTTLS in plain text are dropped with the buffer.
                return Ok(Ended::StartTls(conn.into_inner()));
            }
            "AUTH" | "MAIL" | "RCPT" | "DATA" if needs_tls => {
                "530 5.7.0 Must issue a STARTTLS command first".to_owned()
            }
            "AUTH" | "MAIL" if !state.greeted => "503 5.5.1 Send EHLO first".to_owned(),
            "AUTH" if state.auth.is_some() => "503 5.5.1 Already authenticated".to_owned(),
            "AUTH" if state.mail_from.is_some() => {
                "503 5.5.1 AUTH not permitted during a mail transaction".to_owned()
            }
            "AUTH" => match authenticate(&mut conn, arg).await? {
                Ok(credentials) => {
                    state.auth = Some(credentials);
                    "235 2.7.0 Authentication successful".to_owned()
                }
                Err(refusal) => refusal.to_owned(),
            },
            "MAIL" if state.mail_from.is_some() => "503 5.5.1 Sender already given".to_owned(),
            "MAIL" => match parse_path(arg, "FROM:") {
                None => "501 5.5.4 Syntax: MAIL FROM:<address>".to_owned(),
                Some((_, params)) if declared_size(params) > MAX_MESSAGE => {
                    "552 5.3.4 Message size exceeds fixed limit".to_owned()
                }
                Some((address, _)) => {
                    state.mail_from = Some(address.to_owned());
                    "250 2.1.0 Ok".to_owned()
                }
            },
            "RCPT" if state.mail_from.is_none() => "503 5.5.1 Need MAIL first".to_owned(),
            "RCPT" if state.rcpt_to.len() >= MAX_RECIPIENTS => {
                "452 4.5.3 Too many recipients".to_owned()
            }
            "RCPT" => match parse_path(arg, "TO:") {
                Some((address, _)) if !address.is_empty() => {
                    state.rcpt_to.push(address.to_owned());
                    "250 2.1.5 Ok".to_owned()
                }
                _ => "501 5.5.4 Syntax: RCPT TO:<address>".to_owned(),
            },
            "DATA" if state.rcpt_to.is_empty() => "503 5.5.1 Need RCPT first".to_owned(),
            "DATA" if !arg.is_empty() => "501 5.5.4 Syntax: DATA".to_owned(),
            "DATA" => {
                send(&mut conn, "354 End data with <CR><LF>.<CR><LF>").await?;
                let data = read_data(&mut conn, &mut line).await?;
                hold_if_asked(shared, data.as_deref()).await;
                let mail_from = state.mail_from.take().unwrap_or_default();
                let rcpt_to = std::mem::take(&mut state.rcpt_to);
                shared.attempts.fetch_add(1, Ordering::SeqCst);
                let reply = *lock(&shared.reply);
                match (data, reply) {
                    (None, _) => "552 5.3.4 Message size exceeds fixed limit".to_owned(),
                    (Some(data), Reply::Accept) => {
                        // Recorded before the answer, so a client that saw 250 finds it there.
                        lock(&shared.received).push(Received {
                            mail_from,
                            rcpt_to,
                            data,
                            tls,
                            auth: state.auth.clone(),
                            at: std::time::Instant::now(),
                        });
                        "250 2.0.0 Ok: queued".to_owned()
                    }
                    (Some(_), Reply::TempFail) => {
                        "451 4.3.0 Temporary failure, try again later".to_owned()
                    }
                    (Some(_), Reply::PermFail) => "550 5.7.1 Message rejected".to_owned(),
                }
            }
            "RSET" => {
                state.reset_transaction();
                "250 2.0.0 Ok".to_owned()
            }
            "NOOP" => "250 2.0.0 Ok".to_owned(),
            "QUIT" => {
                send(&mut conn, "221 2.0.0 Bye").await?;
                conn.shutdown().await?;
                return Ok(Ended::Closed);
            }
            "VRFY" | "EXPN" | "HELP" | "ETRN" | "BDAT" | "TURN" => {
                "502 5.5.1 Command not implemented".to_owned()
            }
            _ => "500 5.5.2 Command not recognized".to_owned(),
        };
        send(&mut conn, &answer).await?;
    }
}

/// Runs an AUTH exchange: the inner `Err` is the refusal to send back.
async fn authenticate<S: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut BufReader<S>,
    arg: &str,
) -> io::Result<Result<(String, String), &'static str>> {
    const BAD: &str = "501 5.5.2 Cannot decode response";
    let line = &mut Vec::new();
    let mut words = arg.split_whitespace();
    let mechanism = words.next().unwrap_or_default().to_ascii_uppercase();
    let initial = words.next().map(str::to_owned);
    if words.next().is_some() {
        return Ok(Err("501 5.5.4 Syntax: AUTH mechanism [initial-response]"));
    }
    match mechanism.as_str() {
        "PLAIN" => {
            let response = match initial {
                Some(response) => response,
                None => challenge(conn, line, "334 ").await?,
            };
            if response == "*" {
                return Ok(Err("501 5.7.0 Authentication cancelled"));
            }
            // authzid NUL authcid NUL passwd (RFC 4616)
            let Some(decoded) = decode(&response) else {
                return Ok(Err(BAD));
            };
            match decoded.split('\0').collect::<Vec<_>>()[..] {
                [_, user, password] if !user.is_empty() => {
                    Ok(Ok((user.to_owned(), password.to_owned())))
                }
                _ => Ok(Err(BAD)),
            }
        }
        "LOGIN" => {
            let user = match initial {
                Some(user) => user,
                None => challenge(conn, line, "334 VXNlcm5hbWU6").await?, // "Username:"
            };
            if user == "*" {
                return Ok(Err("501 5.7.0 Authentication cancelled"));
            }
            let password = challenge(conn, line, "334 UGFzc3dvcmQ6").await?; // "Password:"
            if password == "*" {
                return Ok(Err("501 5.7.0 Authentication cancelled"));
            }
            match (decode(&user), decode(&password)) {
                (Some(user), Some(password)) => Ok(Ok((user, password))),
                _ => Ok(Err(BAD)),
            }
        }
        "" => Ok(Err("501 5.5.4 Syntax: AUTH mechanism [initial-response]")),
        _ => Ok(Err("504 5.5.4 Unrecognized authentication type")),
    }
}

/// Sends a 334 challenge and returns the client's (still encoded) answer.
async fn challenge<S: AsyncRead + AsyncWrite + Unpin>(
    conn: &mut BufReader<S>,
    line: &mut Vec<u8>,
    prompt: &str,
) -> io::Result<String> {
    send(conn, prompt).await?;
    if !read_line(conn, line).await? {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(String::from_utf8_lossy(trim_eol(line)).trim().to_owned())
}

/// Decodes a base64 SASL response; `=` is the empty response (RFC 4954).
fn decode(response: &str) -> Option<String> {
    if response == "=" {
        return Some(String::new());
    }
    String::from_utf8(BASE64.decode(response).ok()?).ok()
}

/// Reads the message after `354` up to the `.` line, undoing dot-stuffing. `None` if it was
/// larger than [`MAX_MESSAGE`] (it is read to the end all the same, then dropped).
async fn read_data<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    line: &mut Vec<u8>,
) -> io::Result<Option<Vec<u8>>> {
    let mut data = Vec::new();
    let mut too_big = false;
    loop {
        if !read_line(reader, line).await? {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed during DATA",
            ));
        }
        if line == b".\r\n" {
            return Ok((!too_big).then_some(data));
        }
        // RFC 5321 4.5.2: the first of the leading periods is the client's stuffing.
        let content = line.strip_prefix(b".").unwrap_or(line);
        if too_big || data.len() + content.len() > MAX_MESSAGE {
            too_big = true;
            data = Vec::new();
        } else {
            data.extend_from_slice(content);
        }
    }
}

/// Reads one line, end of line included, into `line`; `false` at a clean end of stream.
async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    line: &mut Vec<u8>,
) -> io::Result<bool> {
    line.clear();
    let read = (&mut *reader)
        .take(MAX_LINE as u64)
        .read_until(b'\n', line)
        .await?;
    if read == 0 {
        return Ok(false);
    }
    if line.last() != Some(&b'\n') {
        return Err(if read >= MAX_LINE {
            io::Error::new(io::ErrorKind::InvalidData, "line too long")
        } else {
            io::Error::new(io::ErrorKind::UnexpectedEof, "connection closed mid-line")
        });
    }
    Ok(true)
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Splits `FROM:<address> PARAMS` (the keyword case-insensitive) into the address and params.
fn parse_path<'a>(arg: &'a str, keyword: &str) -> Option<(&'a str, &'a str)> {
    let head = arg.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = arg[keyword.len()..].trim_start().strip_prefix('<')?;
    let (address, params) = rest.split_once('>')?;
    Some((address, params.trim()))
}

/// The `SIZE=` a client declared in MAIL FROM, or 0.
fn declared_size(params: &str) -> usize {
    params
        .split_whitespace()
        .filter_map(|param| param.split_once('='))
        .find(|(key, _)| key.eq_ignore_ascii_case("SIZE"))
        .map_or(0, |(_, value)| value.parse().unwrap_or(usize::MAX))
}

fn multiline(code: u16, lines: &[String]) -> String {
    let last = lines.len().saturating_sub(1);
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| format!("{code}{}{line}", if i == last { ' ' } else { '-' }))
        .collect::<Vec<_>>()
        .join("\r\n")
}

async fn send<W: AsyncWrite + Unpin>(writer: &mut W, reply: &str) -> io::Result<()> {
    // One write per reply: split writes meet the peer's delayed ACK and stall each exchange.
    let mut line = Vec::with_capacity(reply.len() + 2);
    line.extend_from_slice(reply.as_bytes());
    line.extend_from_slice(b"\r\n");
    writer.write_all(&line).await?;
    writer.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use lettre::message::header::ContentType;
    use lettre::message::{Attachment, MultiPart, SinglePart};
    use lettre::transport::smtp::authentication::{Credentials, Mechanism};
    use lettre::transport::smtp::client::{Certificate, CertificateStore, TlsParameters};
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

    const WAIT: Duration = Duration::from_secs(10);
    const ARMOR: &str = "-----BEGIN AGE ENCRYPTED FILE-----\n\
        YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBzbWtGZ2xDaWdGcjBsVUJV\n\
        -----END AGE ENCRYPTED FILE-----\n";

    /// Trusts only the example CA, checking the name `localhost`.
    fn tls_parameters() -> TlsParameters {
        let ca = std::fs::read(SmtpServer::ca_file()).expect("read the example CA");
        TlsParameters::builder("localhost".into())
            .certificate_store(CertificateStore::None)
            .add_root_certificate(Certificate::from_pem(&ca).expect("parse the example CA"))
            .build_rustls()
            .expect("build TLS parameters")
    }

    fn transport(
        port: u16,
        tls: lettre::transport::smtp::client::Tls,
    ) -> lettre::transport::smtp::AsyncSmtpTransportBuilder {
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("localhost")
            .port(port)
            .tls(tls)
            .timeout(Some(WAIT))
    }

    fn starttls(port: u16) -> lettre::transport::smtp::AsyncSmtpTransportBuilder {
        transport(
            port,
            lettre::transport::smtp::client::Tls::Required(tls_parameters()),
        )
    }

    /// Short enough (under 57 bytes) for its base64 to fit on one line of the message.
    const BINARY: &[u8] = b"\x00\x01\x02\xff\xfe\xfd binary attachment \x80\x81\x82\x83\x84\x85";

    fn message(subject: &str) -> Message {
        Message::builder()
            .from(
                "PIS gateway <gateway@example.invalid>"
                    .parse()
                    .expect("from"),
            )
            .to("intel@example.invalid".parse().expect("to"))
            .subject(subject)
            .multipart(
                MultiPart::mixed()
                    .singlepart(SinglePart::plain("A submission is attached.\n".to_owned()))
                    .singlepart(Attachment::new("submission.age".into()).body(
                        ARMOR.to_owned(),
                        ContentType::parse("application/octet-stream").expect("content type"),
                    ))
                    .singlepart(Attachment::new("blob.bin".into()).body(
                        BINARY.to_vec(),
                        ContentType::parse("application/octet-stream").expect("content type"),
                    )),
            )
            .expect("build message")
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack
            .windows(needle.len())
            .any(|window| window == needle)
    }

    #[actix_web::test]
    async fn starttls_delivers_a_message_with_attachments_over_tls() {
        let server = SmtpServer::start(Tls::StartTls).await;
        let mailer = starttls(server.port).build::<Tokio1Executor>();
        mailer
            .send(message("PIS submission 42"))
            .await
            .expect("delivered");

        let received = server.wait_for(1, WAIT).await;
        assert_eq!(received.len(), 1);
        let mail = &received[0];
        assert!(mail.tls, "delivered after STARTTLS");
        assert_eq!(mail.mail_from, "gateway@example.invalid");
        assert_eq!(mail.rcpt_to, ["intel@example.invalid"]);
        assert_eq!(mail.auth, None);
        assert!(contains(&mail.data, b"Subject: PIS submission 42\r\n"));
        assert!(contains(&mail.data, b"-----BEGIN AGE ENCRYPTED FILE-----"));
        assert!(contains(
            &mail.data,
            b"YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBzbWtGZ2xDaWdGcjBsVUJV"
        ));
        assert!(contains(&mail.data, BASE64.encode(BINARY).as_bytes()));
        assert!(!mail.data.ends_with(b".\r\n"), "terminator is not data");
        assert_eq!(server.attempts(), 1);
    }

    #[actix_web::test]
    async fn implicit_tls_delivers() {
        let server = SmtpServer::start(Tls::Implicit).await;
        let mailer = transport(
            server.port,
            lettre::transport::smtp::client::Tls::Wrapper(tls_parameters()),
        )
        .build::<Tokio1Executor>();
        mailer.send(message("over TLS")).await.expect("delivered");
        let received = server.wait_for(1, WAIT).await;
        assert_eq!(received.len(), 1);
        assert!(received[0].tls);
        assert!(contains(&received[0].data, b"Subject: over TLS\r\n"));
    }

    #[actix_web::test]
    async fn rejections_are_counted_but_not_recorded() {
        let server = SmtpServer::start(Tls::StartTls).await;
        let mailer = starttls(server.port).build::<Tokio1Executor>();

        server.set_reply(Reply::TempFail);
        let error = mailer
            .send(message("temp"))
            .await
            .expect_err("451 fails the send");
        assert!(error.is_transient(), "{error}");

        server.set_reply(Reply::PermFail);
        let error = mailer
            .send(message("perm"))
            .await
            .expect_err("550 fails the send");
        assert!(error.is_permanent(), "{error}");

        assert!(server.received().is_empty());
        assert_eq!(server.attempts(), 2);

        server.set_reply(Reply::Accept);
        mailer.send(message("third")).await.expect("delivered");
        let received = server.wait_for(1, WAIT).await;
        assert_eq!(received.len(), 1);
        assert!(contains(&received[0].data, b"Subject: third\r\n"));
        assert_eq!(server.attempts(), 3);
    }

    #[actix_web::test]
    async fn a_client_without_tls_is_refused() {
        let server = SmtpServer::start(Tls::StartTls).await;
        let mailer = transport(server.port, lettre::transport::smtp::client::Tls::None)
            .build::<Tokio1Executor>();
        let error = mailer
            .send(message("plain"))
            .await
            .expect_err("530 before STARTTLS");
        assert!(error.is_permanent(), "{error}");
        assert!(server.received().is_empty());
        assert_eq!(server.attempts(), 0);
    }

    #[actix_web::test]
    async fn credentials_are_recorded() {
        let server = SmtpServer::start(Tls::StartTls).await;
        for (mechanism, user) in [(Mechanism::Plain, "plain"), (Mechanism::Login, "login")] {
            let mailer = starttls(server.port)
                .credentials(Credentials::new(user.into(), "secret".into()))
                .authentication(vec![mechanism])
                .build::<Tokio1Executor>();
            mailer.send(message(user)).await.expect("delivered");
        }
        let received = server.wait_for(2, WAIT).await;
        let auth: Vec<_> = received.iter().map(|mail| mail.auth.clone()).collect();
        assert_eq!(
            auth,
            [
                Some(("plain".to_owned(), "secret".to_owned())),
                Some(("login".to_owned(), "secret".to_owned())),
            ]
        );
    }

    #[actix_web::test]
    async fn a_stopped_server_refuses_mail() {
        let server = SmtpServer::start(Tls::StartTls).await;
        let mailer = starttls(server.port).build::<Tokio1Executor>();
        mailer.send(message("before")).await.expect("delivered");
        server.stop();
        let error = mailer
            .send(message("after"))
            .await
            .expect_err("the server is down");
        assert!(!error.is_permanent(), "{error}");
        assert_eq!(
            server.wait_for(2, Duration::from_millis(200)).await.len(),
            1
        );
    }

    /// A bare-hands client, to check the protocol without lettre's politeness.
    struct Raw(BufReader<TcpStream>);

    impl Raw {
        async fn connect(port: u16) -> Raw {
            let tcp = TcpStream::connect(("127.0.0.1", port))
                .await
                .expect("connect");
            Raw(BufReader::new(tcp))
        }

        async fn write(&mut self, bytes: &[u8]) {
            self.0.get_mut().write_all(bytes).await.expect("write");
        }

        /// Reads one reply, its lines joined with `\n`, without the line ends.
        async fn reply(&mut self) -> String {
            let mut lines = Vec::new();
            loop {
                let mut line = String::new();
                self.0.read_line(&mut line).await.expect("read reply");
                assert!(line.ends_with("\r\n"), "reply line {line:?}");
                let line = line.trim_end().to_owned();
                let last = line.as_bytes().get(3) != Some(&b'-');
                lines.push(line);
                if last {
                    return lines.join("\n");
                }
            }
        }

        async fn command(&mut self, command: &str) -> String {
            self.write(format!("{command}\r\n").as_bytes()).await;
            self.reply().await
        }

        /// Sends a command and returns the reply's code.
        async fn code(&mut self, command: &str) -> u16 {
            let reply = self.command(command).await;
            reply
                .get(..3)
                .and_then(|code| code.parse().ok())
                .expect("reply code")
        }
    }

    #[actix_web::test]
    async fn starttls_mode_offers_tls_and_requires_it() {
        let server = SmtpServer::start(Tls::StartTls).await;
        let mut raw = Raw::connect(server.port).await;
        assert_eq!(raw.reply().await, "220 localhost ESMTP test");
        let ehlo = raw.command("EHLO client.example").await;
        assert!(ehlo.starts_with("250-localhost"), "{ehlo}");
        assert!(ehlo.contains("250-8BITMIME\n"), "{ehlo}");
        assert!(ehlo.contains("SIZE 10485760"), "{ehlo}");
        assert!(ehlo.ends_with("250 STARTTLS"), "{ehlo}");
        assert!(!ehlo.contains("AUTH"), "no AUTH in plain text: {ehlo}");
        assert!(!ehlo.contains("PIPELINING"), "{ehlo}");
        for command in ["MAIL FROM:<a@example.invalid>", "AUTH PLAIN AGEAMg=="] {
            assert_eq!(
                raw.command(command).await,
                "530 5.7.0 Must issue a STARTTLS command first"
            );
        }
        assert_eq!(
            raw.command("STARTTLS").await,
            "220 2.0.0 Ready to start TLS"
        );
    }

    #[actix_web::test]
    async fn plain_mode_speaks_smtp() {
        let server = SmtpServer::start(Tls::Plain).await;
        let mut raw = Raw::connect(server.port).await;
        assert_eq!(raw.reply().await, "220 localhost ESMTP test");
        assert_eq!(raw.code("MAIL FROM:<a@example.invalid>").await, 503);
        assert_eq!(raw.command("HELO client.example").await, "250 localhost");
        let ehlo = raw.command("ehlo client.example").await;
        assert!(ehlo.ends_with("\n250 AUTH PLAIN LOGIN"), "{ehlo}");
        assert!(!ehlo.contains("STARTTLS"), "{ehlo}");
        for (command, code) in [
            ("STARTTLS", 502),
            ("FROB", 500),
            ("VRFY root", 502),
            ("RCPT TO:<b@example.invalid>", 503),
            ("DATA", 503),
            ("MAIL FROM:a@example.invalid", 501),
            ("AUTH CRAM-MD5", 504),
            ("AUTH PLAIN", 334),
            (&BASE64.encode("\0raw\0pa ss"), 235),
            ("AUTH PLAIN AHJhdwBwYSBzcw==", 503),
            ("NOOP", 250),
            ("MAIL FROM:<a@example.invalid> SIZE=99999999", 552),
            ("MAIL FROM:<a@example.invalid> SIZE=100 BODY=8BITMIME", 250),
            ("RSET", 250),
            ("MAIL FROM:<>", 250),
            ("RCPT TO:<b@example.invalid>", 250),
            ("rcpt to: <c@example.invalid>", 250),
            ("DATA", 354),
        ] {
            assert_eq!(raw.code(command).await, code, "{command}");
        }
        raw.write(b"Subject: dots\r\n\r\n..leading dot\r\n...two\r\n.\r\n")
            .await;
        assert!(raw.reply().await.starts_with("250 "));
        assert_eq!(raw.command("QUIT").await, "221 2.0.0 Bye");

        let received = server.wait_for(1, WAIT).await;
        assert_eq!(received.len(), 1);
        let mail = &received[0];
        assert_eq!(mail.mail_from, "");
        assert_eq!(mail.rcpt_to, ["b@example.invalid", "c@example.invalid"]);
        assert_eq!(mail.data, b"Subject: dots\r\n\r\n.leading dot\r\n..two\r\n");
        assert!(!mail.tls);
        assert_eq!(mail.auth, Some(("raw".to_owned(), "pa ss".to_owned())));
        assert_eq!(server.attempts(), 1);
    }

    #[actix_web::test]
    async fn oversized_input_is_bounded() {
        let server = SmtpServer::start(Tls::Plain).await;

        // A message over the limit is read to its end, refused and counted, not kept.
        let mut raw = Raw::connect(server.port).await;
        raw.reply().await;
        for command in [
            "EHLO client.example",
            "MAIL FROM:<a@e.invalid>",
            "RCPT TO:<b@e.invalid>",
        ] {
            assert_eq!(raw.code(command).await, 250, "{command}");
        }
        assert_eq!(raw.code("DATA").await, 354);
        let line = [b"x".repeat(998), b"\r\n".to_vec()].concat();
        for _ in 0..(MAX_MESSAGE / line.len() + 10) {
            raw.write(&line).await;
        }
        raw.write(b".\r\n").await;
        assert!(raw.reply().await.starts_with("552 "));
        assert_eq!(server.attempts(), 1);
        assert!(server.received().is_empty());

        // An endless line ends that session only.
        let mut raw = Raw::connect(server.port).await;
        raw.reply().await;
        let _ = raw.0.get_mut().write_all(&vec![b'A'; MAX_LINE + 10]).await;
        let mut rest = Vec::new();
        let _ = raw.0.read_to_end(&mut rest).await;
        assert!(rest.is_empty(), "no reply to an overlong line");

        let mut raw = Raw::connect(server.port).await;
        assert_eq!(raw.reply().await, "220 localhost ESMTP test");
    }
}
