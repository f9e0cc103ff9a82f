//! pis-gateway: a hardened HTTPS intake for Partnership Information Sharing (PIS) about child
//! exploitation.
//!
//! The product is a workspace of three crates, joined here under one name for the
//! `pis-gateway` binary, its tests and benches:
//!
//! - `pis-core`: the shared domain: forms, triage, routes, the sealed document and its
//!   envelopes, references, the workflow's values, signatures;
//! - `pis-server`: the HTTPS service, its spool and delivery, holding public keys only;
//! - `pis-reader`: what holds a private key and runs on a reader's machine: `open`, `map`,
//!   the desk and the officer's commands.
//!
//! `pis-server` does not depend on `pis-reader`: the server cannot read an identity.
#![forbid(unsafe_code)]

pub mod cli;

pub use pis_core::{
    ack, attachments, document, forms, i18n, keyfile, locality, partners, reference, routing, seal,
    signing, triage, ukdate, views, workflow,
};
pub use pis_reader::{desk, keys, map, officer, open};
pub use pis_server::{
    config, delivery, follow_up, housekeeping, http, intake, metrics, secrets_key, spool, startup,
    telemetry,
};
