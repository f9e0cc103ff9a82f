//! The officer commands' HTTPS client: the public route directory, and requests signed with
//! the officer's key. Runs on the officer's machine.

use super::request::{authorization, RequestParts};
use crate::signing::SigningKey;
use anyhow::Context;
use serde::Deserialize;
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// The gateway's answers are small JSON.
const MAX_RESPONSE_BYTES: usize = 4 << 20;
const TIMEOUT: Duration = Duration::from_secs(30);

/// One route of `GET /api/v1/routes`.
#[derive(Debug, Clone, Deserialize)]
pub struct DirectoryRoute {
    pub name: String,
    /// `mace`, `police_intelligence`…; absent from older gateways.
    #[serde(default)]
    pub role: Option<String>,
    pub recipients: Vec<String>,
    /// Officer key ids.
    pub officers: Vec<String>,
}

#[derive(Deserialize)]
struct Directory {
    routes: Vec<DirectoryRoute>,
}

/// A gateway answer: its status and JSON body (`Null` when the body is not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    /// The gateway's own words for a refusal, `code: message` per error, for the terminal.
    pub fn explain(&self) -> String {
        let errors = self.body["errors"].as_array().cloned().unwrap_or_default();
        let words: Vec<String> = errors
            .iter()
            .map(|e| {
                let text = format!(
                    "{}{}{}: {}",
                    e["field"].as_str().unwrap_or(""),
                    if e["field"].as_str().unwrap_or("").is_empty() {
                        ""
                    } else {
                        " "
                    },
                    e["code"].as_str().unwrap_or("error"),
                    e["message"].as_str().unwrap_or("")
                );
                // Printed on a terminal: no control characters, whoever wrote it.
                text.chars().filter(|c| !c.is_control()).collect()
            })
            .collect();
        if words.is_empty() {
            format!("HTTP {}", self.status)
        } else {
            format!("HTTP {}: {}", self.status, words.join("; "))
        }
    }
}

pub struct Gateway {
    /// `https://host[:port]`, as given.
    base: String,
    host: String,
    port: u16,
    tls: tokio_rustls::TlsConnector,
}

fn tls(ca: Option<&Path>) -> anyhow::Result<rustls::ClientConfig> {
    let mut config = client_tls(ca, "the gateway's")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// rustls (ring), TLS 1.2 and 1.3, trusting `ca` only, else the system's roots; `whose` names
/// the certificate checked, for the error when there is nothing to check it against.
pub(crate) fn client_tls(ca: Option<&Path>, whose: &str) -> anyhow::Result<rustls::ClientConfig> {
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    match ca {
        Some(path) => {
            for cert in rustls_pki_types::CertificateDer::pem_file_iter(path)
                .with_context(|| format!("reading {}", path.display()))?
            {
                roots
                    .add(cert.with_context(|| format!("parsing {}", path.display()))?)
                    .with_context(|| format!("{} holds an unusable certificate", path.display()))?;
            }
        }
        None => {
            for cert in rustls_native_certs::load_native_certs().certs {
                // One unreadable system certificate is no reason to refuse the rest.
                let _ = roots.add(cert);
            }
        }
    }
    if roots.is_empty() {
        anyhow::bail!("no CA certificate to check {whose} certificate against");
    }
    Ok(rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
    .context("choosing TLS versions")?
    .with_root_certificates(roots)
    .with_no_client_auth())
}

impl Gateway {
    /// `url` is the gateway's base (`https://host[:port]`, no path): the signed path is the one
    /// the gateway sees.
    pub fn new(url: &str, ca: Option<&Path>) -> anyhow::Result<Self> {
        let base = url.trim().trim_end_matches('/');
        let Some(authority) = base.strip_prefix("https://") else {
            anyhow::bail!("--gateway must be an https:// URL");
        };
        if authority.is_empty() || authority.contains(['/', '?', '#', '@', '[']) {
            anyhow::bail!("--gateway must be https://host or https://host:port, without a path");
        }
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) => (
                host,
                port.parse::<u16>()
                    .map_err(|_| anyhow::anyhow!("--gateway: `{port}` is not a port"))?,
            ),
            None => (authority, 443),
        };
        Ok(Gateway {
            base: base.to_string(),
            host: host.to_string(),
            port,
            tls: tokio_rustls::TlsConnector::from(Arc::new(tls(ca)?)),
        })
    }

    /// One request on a connection of its own (the commands make two or three).
    async fn send(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, String)],
        body: Vec<u8>,
    ) -> anyhow::Result<Answer> {
        use http_body_util::BodyExt;
        let unreachable = |e: &dyn std::fmt::Display| {
            anyhow::anyhow!("cannot reach the gateway at {}: {e}", self.base)
        };
        let tcp = tokio::net::TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(|e| unreachable(&e))?;
        let name = rustls_pki_types::ServerName::try_from(self.host.clone())
            .map_err(|_| anyhow::anyhow!("--gateway: `{}` is not a host name", self.host))?;
        let stream = self
            .tls
            .connect(name, tcp)
            .await
            .map_err(|e| unreachable(&e))?;
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .map_err(|e| unreachable(&e))?;
        tokio::spawn(connection);
        let authority = if self.port == 443 {
            self.host.clone()
        } else {
            format!("{}:{}", self.host, self.port)
        };
        let mut req = hyper::Request::builder()
            .method(method)
            .uri(path_and_query)
            .header(hyper::header::HOST, authority);
        for (name, value) in headers {
            req = req.header(*name, value.as_str());
        }
        let req = req
            .body(http_body_util::Full::new(hyper::body::Bytes::from(body)))
            .context("building the request")?;
        let res = sender
            .send_request(req)
            .await
            .map_err(|e| unreachable(&e))?;
        let status = res.status().as_u16();
        let body = http_body_util::Limited::new(res.into_body(), MAX_RESPONSE_BYTES)
            .collect()
            .await
            .map_err(|e| anyhow::anyhow!("reading the gateway's answer: {e}"))?
            .to_bytes();
        Ok(Answer {
            status,
            body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        })
    }

    async fn timed(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(&str, String)],
        body: Vec<u8>,
    ) -> anyhow::Result<Answer> {
        tokio::time::timeout(TIMEOUT, self.send(method, path_and_query, headers, body))
            .await
            .map_err(|_| anyhow::anyhow!("the gateway at {} did not answer in time", self.base))?
    }

    /// An unsigned request to one of the gateway's public pages (an acknowledgement link):
    /// only its status matters.
    pub async fn public(&self, method: &str, path: &str) -> anyhow::Result<u16> {
        let headers = [(
            "content-type",
            "application/x-www-form-urlencoded".to_string(),
        )];
        let headers: &[(&str, String)] = if method == "POST" { &headers } else { &[] };
        Ok(self.timed(method, path, headers, Vec::new()).await?.status)
    }

    /// The base URL, as given (`https://host[:port]`).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The public route directory.
    pub async fn directory(&self) -> anyhow::Result<Vec<DirectoryRoute>> {
        let answer = self.timed("GET", "/api/v1/routes", &[], Vec::new()).await?;
        if answer.status != 200 {
            anyhow::bail!("the route directory: {}", answer.explain());
        }
        let dir: Directory = serde_json::from_value(answer.body)
            .context("the gateway's route directory is not in the expected form")?;
        Ok(dir.routes)
    }

    /// A request signed with `key` at `timestamp` (Unix seconds). `body` is JSON for a POST,
    /// empty for a GET.
    pub async fn signed(
        &self,
        key: &SigningKey,
        method: &str,
        path: &str,
        query: &str,
        body: Vec<u8>,
        timestamp: i64,
    ) -> anyhow::Result<Answer> {
        let parts = RequestParts {
            method,
            host: &self.host,
            path,
            query,
            body: &body,
        };
        let mut headers = vec![("authorization", authorization(key, &parts, timestamp))];
        if method != "GET" {
            headers.push(("content-type", "application/json".to_string()));
        }
        let target = if query.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{query}")
        };
        self.timed(method, &target, &headers, body).await
    }
}
