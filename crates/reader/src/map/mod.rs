//! `pis-gateway map`: MACE locality mapping, offline on the analyst's machine (it needs the
//! private key, so never on the server).
//!
//! Decrypts envelopes, extracts people (with their nicknames), vehicles, phones, online
//! accounts, places (flats under their buildings) and localities, merges the same entity across
//! submissions on exact normalised keys, joins same-named people whose ages agree as "possible
//! same" with the evidence, types and weighs the links by the form's structure, applies the
//! analyst's workspace decisions, and proposes weaker matches (a partial plate, the same name
//! with another date of birth) as possible links with a reason, never as silent merges.

pub mod address;
pub mod entities;
pub mod exports;
pub mod graph;
pub mod input;
pub mod output;
pub mod pack;
pub mod page;
pub mod reports;
pub mod resolve;
pub mod workspace;

pub use graph::{build, build_with, MapGraph};
pub use input::{read_inputs, Loaded, Trust};
pub use reports::ReportPages;
