//! Integration tests: the real gateway over HTTPS on a loopback port, real SQLite spool, real
//! age envelopes, and (where installed) the reference `age` tool.

// A test reads as one scenario from start to end; the 100-line limit is for the code it tests.
#![allow(clippy::too_many_lines)]

mod abuse;
mod ack_audit;
mod age_cli;
mod api_json;
mod at_rest;
mod attachments;
mod contact_and_replies;
mod delivery;
mod desk;
mod docs_book;
mod documents;
#[path = "../support/dovecot.rs"]
mod dovecot;
mod drafts;
mod email_instructions;
mod follow_up;
mod follow_up_files;
mod forms_html;
mod gateways;
mod hardening;
mod helpers;
mod imap_mailbox;
mod journey;
mod languages;
mod lists;
mod map;
mod officer;
mod officer_actions;
mod officer_flood;
mod officer_host;
mod officer_roles;
mod officer_share;
mod pages_weight;
mod partners;
#[path = "../support/pg_cluster.rs"]
mod pg_cluster;
mod process;
mod professional_sitting;
mod samples;
mod shipped_config;
mod smtp_server;
mod spool_contract;
mod spool_copy;
mod triage_corpus;
mod triage_languages;
mod triage_routing;
mod upload_memory;
mod workflow;
