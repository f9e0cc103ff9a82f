//! pis-reader: everything that runs on an officer's or analyst's own machine and holds a
//! private key: `open` (reports from what an inbox received), `map` (the analyst's link map),
//! the officer's desk, and the officer's signed commands (reply, status, share).
//!
//! The gateway's server crate does not depend on this one, so no code that reads an identity
//! can be linked into the service by mistake.
#![forbid(unsafe_code)]
// A test reads as one scenario from start to end; the 100-line limit is for the code it tests.
#![cfg_attr(test, allow(clippy::too_many_lines))]

pub mod desk;
pub mod keys;
pub mod map;
pub mod officer;
pub mod open;

// The shared domain, under the names the reader's modules use for it.
pub use pis_core::{
    ack, attachments, document, forms, i18n, keyfile, locality, partners, reference, routing, seal,
    signing, triage, ukdate, views, workflow,
};
