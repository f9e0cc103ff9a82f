//! pis-gateway: a hardened HTTPS intake for Partnership Information Sharing (PIS) about child
//! exploitation.
//!
//! The flow runs one way:
//!
//! ```text
//! request ─► limits ─► parse ─► validate (forms) ─► triage ─► route
//!         ─► seal (one age envelope per route) ─► spool commit (fsync) ─► reply with reference
//! ```
//!
//! Invariants every module keeps: submission content exists in plaintext only in memory, on its
//! way into an age envelope; the server holds public keys only; no client address or user agent
//! is stored or logged; a reference is shown only after the spool transaction that holds the
//! submission is durable; bad input is a 4xx with field-level messages, never a panic.
#![forbid(unsafe_code)]

pub mod ack;
pub mod attachments;
pub mod cli;
pub mod config;
pub mod delivery;
pub mod desk;
pub mod follow_up;
pub mod forms;
pub mod housekeeping;
pub mod http;
pub mod i18n;
pub mod intake;
pub mod keyfile;
pub mod keys;
pub mod locality;
pub mod map;
pub mod metrics;
pub mod officer;
pub mod open;
pub mod partners;
pub mod reference;
pub mod routing;
pub mod seal;
pub mod secrets_key;
pub mod signing;
pub mod spool;
pub mod startup;
pub mod telemetry;
pub mod triage;
pub mod ukdate;
pub mod views;
