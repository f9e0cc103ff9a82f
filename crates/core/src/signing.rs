//! The gateway's Ed25519 signature on what it seals, and on the audit chain's head.
//!
//! age does not authenticate the sender: a route's recipients are public, so anyone can seal a
//! document to an inbox. The gateway therefore signs every canonical document before sealing it,
//! with a key kept outside the spool (`server.signing_key`), and `open` and `map` check the
//! signature against the gateway's published keys.
//!
//! Format (see docs/src/security.md): the signature travels inside the document as
//!
//! ```text
//! "signature": {"alg": "Ed25519", "key_id": "<16 hex>", "value": "<base64>"}
//! ```
//!
//! where `value` is the Ed25519 signature of the document's canonical JSON *without* its
//! `signature` member: keys sorted, no insignificant whitespace, strings escaped as RFC 8785
//! (JCS) does (the documents hold only ASCII keys, strings, integers, arrays and objects, for
//! which that is exactly serde_json's compact output). `key_id` is the first 8 bytes of the
//! SHA-256 of the 32-byte public key, in hex. The decrypted document stays plain JSON, so
//! `age -d` output is still read directly by `jq` and other tools.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};
use serde_json::{Map, Value};
use std::path::Path;
use zeroize::Zeroizing;

pub const ALG: &str = "Ed25519";
/// The member of a signed document that holds its signature.
pub const FIELD: &str = "signature";

#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    #[error("{0} already exists; refusing to overwrite a signing key")]
    Exists(String),
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{0} is not an Ed25519 private key in PKCS#8 PEM")]
    NotAKey(String),
    #[error("not an Ed25519 public key: {0}")]
    NotAPublicKey(String),
}

impl From<crate::keyfile::KeyFileError> for SigningError {
    fn from(e: crate::keyfile::KeyFileError) -> Self {
        match e {
            crate::keyfile::KeyFileError::Exists(path) => SigningError::Exists(path),
            crate::keyfile::KeyFileError::Io { path, source } => SigningError::Io { path, source },
        }
    }
}

/// An Ed25519 public key, as published.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey([u8; 32]);

impl PublicKey {
    /// The base64 of the 32-byte key (the form printed and published).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let s = s.strip_prefix("ed25519:").unwrap_or(s);
        let bytes = STANDARD.decode(s).ok()?;
        Some(PublicKey(bytes.try_into().ok()?))
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// First 8 bytes of SHA-256 of the key, in hex.
    pub fn id(&self) -> String {
        let d = ring::digest::digest(&ring::digest::SHA256, &self.0);
        d.as_ref()[..8].iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&ED25519, &self.0)
            .verify(message, signature)
            .is_ok()
    }
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", self.id())
    }
}

/// The gateway's signing key. Holds a private key: no Debug of its contents.
pub struct SigningKey {
    pair: Ed25519KeyPair,
    public: PublicKey,
    /// The PKCS#8 document, kept to derive other keys from (acknowledgement tokens).
    pkcs8: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.public.id())
    }
}

fn from_pkcs8(der: &[u8]) -> Option<SigningKey> {
    // OpenSSL writes PKCS#8 v1 (no public key inside); ring's own files are v2.
    let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der).ok()?;
    let public = PublicKey(pair.public_key().as_ref().try_into().ok()?);
    Some(SigningKey {
        pair,
        public,
        pkcs8: Zeroizing::new(der.to_vec()),
    })
}

fn pem(der: &[u8]) -> Zeroizing<String> {
    let b64 = Zeroizing::new(STANDARD.encode(der));
    let mut out = Zeroizing::new(String::from("-----BEGIN PRIVATE KEY-----\n"));
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str("-----END PRIVATE KEY-----\n");
    out
}

impl SigningKey {
    /// A fresh key held only in memory (tests, benchmarks).
    pub fn generate() -> Self {
        let doc = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .expect("the system random source is available");
        from_pkcs8(doc.as_ref()).expect("ring reads the PKCS#8 document it just wrote")
    }

    /// Reads a PKCS#8 PEM private key (as `keygen --signing` or `openssl genpkey -algorithm
    /// ed25519` writes it).
    pub fn load(path: &Path) -> Result<Self, SigningError> {
        use rustls_pki_types::pem::PemObject;
        let shown = path.display().to_string();
        let text = Zeroizing::new(std::fs::read(path).map_err(|source| SigningError::Io {
            path: shown.clone(),
            source,
        })?);
        let key = rustls_pki_types::PrivatePkcs8KeyDer::from_pem_slice(&text)
            .map_err(|_| SigningError::NotAKey(shown.clone()))?;
        from_pkcs8(key.secret_pkcs8_der()).ok_or(SigningError::NotAKey(shown))
    }

    /// Writes a new key to `path` (mode 0600, never over an existing file) and returns its
    /// public key.
    pub fn create(path: &Path) -> Result<PublicKey, SigningError> {
        let key = SigningKey::generate();
        crate::keyfile::write_new(path, pem(&key.pkcs8).as_bytes())?;
        Ok(key.public)
    }

    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.pair.sign(message).as_ref().to_vec()
    }

    /// Secret material from which keys for other purposes are derived (never used directly).
    pub fn derivation_secret(&self) -> &[u8] {
        &self.pkcs8
    }

    /// Signs a document (an object without a `signature` member) and returns its canonical
    /// bytes with the signature inside.
    pub fn sign_document(&self, mut doc: Map<String, Value>) -> Zeroizing<Vec<u8>> {
        doc.remove(FIELD);
        let signature = self.sign(&canonical(&doc));
        doc.insert(
            FIELD.into(),
            serde_json::json!({
                "alg": ALG,
                "key_id": self.public.id(),
                "value": STANDARD.encode(signature),
            }),
        );
        canonical(&doc)
    }
}

/// The canonical bytes of a JSON value: serde_json's compact output with sorted keys.
fn canonical(value: &Map<String, Value>) -> Zeroizing<Vec<u8>> {
    // Serialising a Value built from strings, integers, arrays and objects cannot fail.
    Zeroizing::new(serde_json::to_vec(value).expect("a JSON value serialises"))
}

/// The canonical bytes of a signed document without its signature, as `canonical` gives them
/// for the document with the signature removed, from a borrowed view: no copy of the document
/// is made (`map` checks a hundred thousand of them).
fn canonical_unsigned(doc: &Map<String, Value>) -> Zeroizing<Vec<u8>> {
    struct Unsigned<'a>(&'a Map<String, Value>);
    impl serde::Serialize for Unsigned<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            // The same entries in the same (sorted) order as the map itself serialises them.
            s.collect_map(self.0.iter().filter(|(k, _)| k.as_str() != FIELD))
        }
    }
    Zeroizing::new(serde_json::to_vec(&Unsigned(doc)).expect("a JSON value serialises"))
}

/// The public keys a reader trusts.
#[derive(Debug, Clone, Default)]
pub struct Keyring(pub Vec<PublicKey>);

impl Keyring {
    /// Reads keys from a file: the JSON published at `/.well-known/pis-gateway/signing-keys`,
    /// or one base64 public key per line (`#` starts a comment), as `check-config` and
    /// `keygen --signing` print them.
    pub fn read(path: &Path) -> Result<Self, SigningError> {
        let text = std::fs::read_to_string(path).map_err(|source| SigningError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Self, SigningError> {
        if let Ok(v) = serde_json::from_str::<Value>(text) {
            let keys = v["keys"]
                .as_array()
                .ok_or_else(|| SigningError::NotAPublicKey("a JSON file without keys".into()))?;
            return keys
                .iter()
                .map(|k| {
                    k["public_key"]
                        .as_str()
                        .and_then(PublicKey::parse)
                        .ok_or_else(|| SigningError::NotAPublicKey("an entry of keys".into()))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Keyring);
        }
        let mut keys = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            // `check-config` prints "signing key <id> <base64>"; take the last word.
            let word = line.split_whitespace().last().unwrap_or(line);
            keys.push(
                PublicKey::parse(word)
                    .ok_or_else(|| SigningError::NotAPublicKey(format!("line {}", i + 1)))?,
            );
        }
        if keys.is_empty() {
            return Err(SigningError::NotAPublicKey("no key in the file".into()));
        }
        Ok(Keyring(keys))
    }

    pub fn get(&self, id: &str) -> Option<&PublicKey> {
        self.0.iter().find(|k| k.id() == id)
    }
}

/// Why a document's signature is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("not signed by the gateway")]
    Unsigned,
    #[error("signed with key {0}, which is not among the trusted signing keys")]
    UnknownKey(String),
    #[error("the gateway's signature does not match: the document was altered or forged")]
    BadSignature,
}

/// A document's signature taken apart, ready to be checked: which key, over which bytes.
pub struct Signed {
    /// The key's place in the keyring it was prepared with.
    key: usize,
    /// The canonical bytes of the document without its signature (plaintext, so zeroised).
    message: Zeroizing<Vec<u8>>,
    /// The signature as decoded (of any length: a wrong one is refused by the check).
    signature: Vec<u8>,
}

/// Finds a document's signature and the trusted key it names. The errors come in the order
/// `verify_document` has always reported them.
fn prepare(doc: &Value, ids: &[String]) -> Result<Signed, VerifyError> {
    let Some(obj) = doc.as_object() else {
        return Err(VerifyError::Unsigned);
    };
    let Some(sig) = obj.get(FIELD).and_then(Value::as_object) else {
        return Err(VerifyError::Unsigned);
    };
    if sig.get("alg").and_then(Value::as_str) != Some(ALG) {
        return Err(VerifyError::BadSignature);
    }
    let id = sig.get("key_id").and_then(Value::as_str).unwrap_or("");
    let Some(key) = ids.iter().position(|k| k == id) else {
        return Err(VerifyError::UnknownKey(id.chars().take(16).collect()));
    };
    let signature = sig
        .get("value")
        .and_then(Value::as_str)
        .and_then(|v| STANDARD.decode(v).ok())
        .ok_or(VerifyError::BadSignature)?;
    Ok(Signed {
        key,
        message: canonical_unsigned(obj),
        signature,
    })
}

/// Checks a decrypted document's signature; returns the id of the key that signed it.
pub fn verify_document(doc: &Value, keys: &Keyring) -> Result<String, VerifyError> {
    let ids: Vec<String> = keys.0.iter().map(PublicKey::id).collect();
    let signed = prepare(doc, &ids)?;
    if keys.0[signed.key].verify(&signed.message, &signed.signature) {
        Ok(ids[signed.key].clone())
    } else {
        Err(VerifyError::BadSignature)
    }
}

/// The trusted keys made ready for checking many documents (`map` checks a hundred thousand):
/// each key's id computed once, and every signature checked on its own by ring, exactly as
/// `verify_document` checks it, so `map` and `open` never disagree about a document.
pub struct Checker {
    keys: Vec<PublicKey>,
    ids: Vec<String>,
}

impl Checker {
    pub fn new(keys: &Keyring) -> Self {
        Checker {
            keys: keys.0.clone(),
            ids: keys.0.iter().map(PublicKey::id).collect(),
        }
    }

    /// Takes a document's signature apart (no cryptography yet).
    pub fn prepare(&self, doc: &Value) -> Result<Signed, VerifyError> {
        prepare(doc, &self.ids)
    }

    /// Checks one signature with ring.
    pub fn check(&self, s: &Signed) -> Result<(), VerifyError> {
        if self.keys[s.key].verify(&s.message, &s.signature) {
            Ok(())
        } else {
            Err(VerifyError::BadSignature)
        }
    }

    /// Checks a document's signature: `verify_document`'s answer, without the key id.
    pub fn verify(&self, doc: &Value) -> Result<(), VerifyError> {
        self.check(&self.prepare(doc)?)
    }
}

/// The audit chain's head as the gateway logs it, signed: whoever can rewrite the spool cannot
/// also produce a head the gateway signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHead {
    pub seq: i64,
    pub hash: Vec<u8>,
    pub key_id: String,
    pub signature: Vec<u8>,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn head_message(seq: i64, hash: &[u8]) -> Vec<u8> {
    format!("pis-gateway/audit-head/v1\n{seq}\n{}", hex(hash)).into_bytes()
}

impl SignedHead {
    pub fn sign(key: &SigningKey, seq: i64, hash: &[u8]) -> Self {
        SignedHead {
            seq,
            hash: hash.to_vec(),
            key_id: key.public().id(),
            signature: key.sign(&head_message(seq, hash)),
        }
    }

    pub fn hash_hex(&self) -> String {
        hex(&self.hash)
    }

    pub fn signature_base64(&self) -> String {
        STANDARD.encode(&self.signature)
    }

    /// The fields of a logged line: `seq=N hash=H key=ID sig=S` anywhere in it (the plain log),
    /// or the same names as JSON fields (at the top level or under `fields`).
    pub fn parse(line: &str) -> Option<Self> {
        let json: Option<Value> = line
            .find('{')
            .and_then(|i| serde_json::from_str(&line[i..]).ok());
        let get = |k: &str| -> Option<String> {
            let v = json.as_ref()?;
            let f = v.get("fields").filter(|f| f.get(k).is_some()).unwrap_or(v);
            match f.get(k)? {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
        };
        let words: Vec<(String, String)> = line
            .split_whitespace()
            .filter_map(|w| {
                let (k, v) = w.split_once('=')?;
                Some((k.to_string(), v.trim_matches('"').to_string()))
            })
            .collect();
        let field = |k: &str| {
            get(k).or_else(|| {
                words
                    .iter()
                    .rev()
                    .find(|(wk, _)| wk == k)
                    .map(|(_, v)| v.clone())
            })
        };
        Some(SignedHead {
            seq: field("seq")?.parse().ok()?,
            hash: unhex(&field("hash")?)?,
            key_id: field("key")?,
            signature: STANDARD.decode(field("sig")?).ok()?,
        })
    }

    pub fn verify(&self, keys: &Keyring) -> Result<(), VerifyError> {
        let key = keys
            .get(&self.key_id)
            .ok_or_else(|| VerifyError::UnknownKey(self.key_id.chars().take(16).collect()))?;
        if key.verify(&head_message(self.seq, &self.hash), &self.signature) {
            Ok(())
        } else {
            Err(VerifyError::BadSignature)
        }
    }
}

#[cfg(test)]
mod tests;
