//! `pis-gateway map`: MACE locality mapping, offline on the analyst's machine (it needs the
//! private key, so never on the server).
//!
//! Decrypts envelopes, extracts people, nicknames, vehicles, phones, online accounts, places and
//! localities, merges the same entity across submissions on exact normalised keys, links what is
//! named together, and proposes weaker matches (a partial plate, the same name with another date
//! of birth) as possible links with a reason, never as silent merges.

pub mod entities;
pub mod exports;
pub mod graph;
pub mod input;
pub mod output;
pub mod pack;
pub mod page;

pub use graph::{build, MapGraph};
pub use input::{read_inputs, Loaded, Trust};
