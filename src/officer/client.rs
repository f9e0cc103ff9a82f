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

/// Replies are short; the gateway's body limit is far above this.
const MAX_RESPONSE_BYTES: usize = 4 << 20;

/// One route of `GET /api/v1/routes`.
#[derive(Debug, Clone, Deserialize)]
pub struct DirectoryRoute {
    pub name: String,
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
    base: String,
    http: awc::Client,
}

/// rustls (ring) trusting `ca` only, else the system's roots.
fn tls(ca: Option<&Path>) -> anyhow::Result<rustls::ClientConfig> {
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
        anyhow::bail!("no CA certificate to check the gateway's certificate against");
    }
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
    .context("choosing TLS versions")?
    .with_root_certificates(roots)
    .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

impl Gateway {
    /// `url` is the gateway's base (`https://host[:port]`, no path): the signed path is the one
    /// the gateway sees.
    pub fn new(url: &str, ca: Option<&Path>) -> anyhow::Result<Self> {
        let base = url.trim().trim_end_matches('/');
        let Some(host) = base.strip_prefix("https://") else {
            anyhow::bail!("--gateway must be an https:// URL");
        };
        if host.is_empty() || host.contains(['/', '?', '#', '@']) {
            anyhow::bail!("--gateway must be https://host or https://host:port, without a path");
        }
        let http = awc::Client::builder()
            .connector(awc::Connector::new().rustls_0_23(Arc::new(tls(ca)?)))
            .timeout(Duration::from_secs(30))
            .finish();
        Ok(Gateway {
            base: base.to_string(),
            http,
        })
    }

    async fn answer(
        mut res: awc::ClientResponse<
            impl futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>>
                + Unpin,
        >,
    ) -> anyhow::Result<Answer> {
        let body = res
            .body()
            .limit(MAX_RESPONSE_BYTES)
            .await
            .context("reading the gateway's answer")?;
        Ok(Answer {
            status: res.status().as_u16(),
            body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        })
    }

    /// The public route directory.
    pub async fn directory(&self) -> anyhow::Result<Vec<DirectoryRoute>> {
        let res = self
            .http
            .get(format!("{}/api/v1/routes", self.base))
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("cannot reach the gateway at {}: {e}", self.base))?;
        let answer = Self::answer(res).await?;
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
        method: actix_web::http::Method,
        path: &str,
        query: &str,
        body: Vec<u8>,
        timestamp: i64,
    ) -> anyhow::Result<Answer> {
        let parts = RequestParts {
            method: method.as_str(),
            path,
            query,
            body: &body,
        };
        let header = authorization(key, &parts, timestamp);
        let url = if query.is_empty() {
            format!("{}{path}", self.base)
        } else {
            format!("{}{path}?{query}", self.base)
        };
        let req = self
            .http
            .request(method.clone(), url)
            .insert_header((actix_web::http::header::AUTHORIZATION, header));
        let sent = if method == actix_web::http::Method::GET {
            req.send().await
        } else {
            req.insert_header((actix_web::http::header::CONTENT_TYPE, "application/json"))
                .send_body(body)
                .await
        };
        let res =
            sent.map_err(|e| anyhow::anyhow!("cannot reach the gateway at {}: {e}", self.base))?;
        Self::answer(res).await
    }
}
