//! pis-server: the gateway's HTTPS service.
//!
//! The flow runs one way:
//!
//! ```text
//! request ─► limits ─► parse ─► validate (forms) ─► triage ─► route
//!         ─► seal (one age envelope per route) ─► spool commit (fsync) ─► reply with reference
//! ```
//!
//! Invariants every module keeps: submission content exists in plaintext only in memory, on its
//! way into an age envelope; the server holds public keys only (this crate does not depend on
//! `pis-reader`, where identities are read); no client address or user agent is stored or
//! logged; a reference is shown only after the spool transaction that holds the submission is
//! durable; bad input is a 4xx with field-level messages, never a panic.
#![forbid(unsafe_code)]
// A test reads as one scenario from start to end; the 100-line limit is for the code it tests.
#![cfg_attr(test, allow(clippy::too_many_lines))]

pub mod config;
pub mod delivery;
pub mod follow_up;
pub mod housekeeping;
pub mod http;
pub mod intake;
pub mod metrics;
pub mod secrets_key;
pub mod spool;
pub mod startup;
pub mod telemetry;

// The shared domain, under the names the server's modules use for it.
pub use pis_core::{
    ack, attachments, document, forms, i18n, keyfile, keys, locality, officer, partners, reference,
    routing, seal, signing, triage, ukdate, views, workflow,
};
