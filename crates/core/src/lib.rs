//! pis-core: the domain the gateway and its readers share.
//!
//! The forms and their validation, the narrative reader (triage), the routes a submission is
//! sealed to, the sealed document and its age envelopes, references, the case workflow's
//! values, and the signatures on documents and officers' requests. Nothing here holds a
//! reader's private key: identities are parsed in `pis-reader` only.
#![forbid(unsafe_code)]
// A test reads as one scenario from start to end; the 100-line limit is for the code it tests.
#![cfg_attr(test, allow(clippy::too_many_lines))]

pub mod ack;
pub mod attachments;
pub mod document;
pub mod forms;
pub mod i18n;
pub mod keyfile;
pub mod keys;
pub mod locality;
pub mod officer;
pub mod partners;
pub mod reference;
pub mod routing;
pub mod seal;
pub mod signing;
pub mod triage;
pub mod ukdate;
pub mod views;
pub mod workflow;
