//! Officer actions, signed on the officer's machine: replies to a submitter and case statuses.
//!
//! An officer holds an Ed25519 key pair (`pis-gateway keygen --officer`); its public key is
//! listed on the routes whose submissions the officer may act on (`officers = [...]`). Each
//! request to `/api/v1/officer/…` carries a signature over its canonical form ([`request`]),
//! which the gateway checks ([`verify`]): a known key, a good signature made for this
//! gateway's host, a timestamp within [`verify::WINDOW_SECS`] of the gateway's clock, and a
//! nonce never seen before; then a route of the officer's that received the submission in
//! full and whose role allows the action. The reply itself is sealed with age on the
//! officer's machine ([`client`]), so the gateway never sees it in the clear; a view shared
//! with MACE is signed by the officer ([`signed_share`]).

pub mod ack;
pub mod client;
pub mod commands;
pub mod share;
pub mod signed_share;

// The signed request's form and the gateway's check of it are shared with the server.
pub use pis_core::officer::{request, verify};
