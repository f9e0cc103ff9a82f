//! `pis-gateway desk`: the officer's desk, a local web application on the officer's own
//! machine. The keys never leave it: reports are decrypted here in memory with the officer's
//! age identity and checked against the gateway's pinned signing keys, and every action is
//! signed here with the officer's key through the same code as the command line
//! ([`crate::officer`]). It listens on 127.0.0.1 only, lets in one browser session opened with
//! a one-time link, checks the `Host` header against DNS rebinding and a CSRF token on every
//! form, and its pages carry no script and load nothing from elsewhere.

pub mod actions;
pub mod app;
pub mod config;
mod forms;
pub mod guard;
pub mod identity;
pub mod inbox;
pub mod init;
pub mod mace;
mod pages;
pub mod progress;
pub mod queue;
mod routes;
pub mod seen;
pub mod share;

pub use app::{start, start_with, Desk, Opening, Running};
pub use config::{default_path, find, load, DeskConfig};
