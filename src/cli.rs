//! The command line: `serve`, `check-config`, `keygen`, `open`, `map`, `triage-eval`, …

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "pis-gateway",
    version,
    about = "Partnership Information Sharing gateway"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the gateway.
    Serve {
        /// Configuration file (default: $PISG_CONFIG, else config/gateway.toml).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Validate the configuration, keys and form specs; list every problem.
    CheckConfig {
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Create an age identity for an inbox owner, with --signing the gateway's Ed25519
    /// signing key, or with --officer an officer's Ed25519 key; prints the public key.
    Keygen {
        /// Where to write the identity (mode 0600; never overwrites). Without it, the identity
        /// goes to standard output. Required with --signing and --officer.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Create the gateway's signing key (`server.signing_key`) instead of an age identity.
        #[arg(long, conflicts_with = "officer")]
        signing: bool,
        /// Create an officer's key for `reply` and `status` (kept on the officer's machine);
        /// prints the public key to list in a route's `officers`.
        #[arg(long)]
        officer: bool,
    },
    /// Reply to a submitter who took a follow-up code: the message is sealed on this machine to
    /// the submitter and to your route's recipients, then sent signed with your officer key.
    Reply {
        /// Your age identity (one of your route's recipients): checks that your unit can read
        /// its copy before anything is sent. Default: the desk file's `identity`.
        #[arg(long)]
        identity: Option<PathBuf>,
        #[command(flatten)]
        officer: OfficerArgs,
        /// The message, a UTF-8 text file (at most 16 KiB).
        #[arg(long)]
        message: PathBuf,
    },
    /// Share a restricted view of a submission with a MACE route: built on this machine from
    /// the full-view envelope you received, without the answers that could identify the
    /// source, sealed to the route's recipients and sent through the gateway signed with your
    /// officer key.
    Share {
        /// Your age identity (a recipient of the full view). Default: the desk file's
        /// `identity`.
        #[arg(long)]
        identity: Option<PathBuf>,
        #[command(flatten)]
        officer: OfficerArgs,
        /// The MACE route, as the gateway's route directory names it (e.g. mace_harrogate).
        #[arg(long)]
        route: String,
        /// The full-view envelope as your email carried it (`<reference>.age`, binary or
        /// armored).
        #[arg(long, value_name = "FILE")]
        envelope: PathBuf,
        /// Take out this answer too, by the path the report shows: people[1],
        /// locations[0].address_line1, submitter.full_name. May be given more than once.
        #[arg(long = "remove", value_name = "PATH")]
        remove: Vec<String>,
        /// Share the suggested removals too (the sections about the submitter and how they
        /// know, and the partner agency), which are otherwise taken out.
        #[arg(long)]
        keep_suggested: bool,
        /// Send without asking (after printing what will go).
        #[arg(long)]
        yes: bool,
        /// Form specs folder for question labels (default: the forms built into this binary).
        #[arg(long)]
        forms: Option<PathBuf>,
        #[command(flatten)]
        signers: Signers,
    },
    /// A submission's workflow, signed with your officer key: with no action, its history;
    /// `--record STEP` records triaged, graded (with --grade), recorded (with --force-ref) or
    /// closed; `--set` sets the status a submitter with a follow-up code sees.
    Status {
        #[command(flatten)]
        officer: OfficerArgs,
        /// received, being_looked_at, passed_to_team or closed (what the submitter sees).
        #[arg(long = "set", value_name = "STATUS", conflicts_with = "record")]
        set: Option<String>,
        /// triaged, graded, recorded or closed.
        #[arg(long, value_name = "STEP")]
        record: Option<String>,
        /// Your 3x5x2 grading for `--record graded`: SOURCE/INTELLIGENCE/HANDLING, e.g. 2/B/P.
        #[arg(long, value_name = "GRADE")]
        grade: Option<String>,
        /// The force intelligence system's reference for `--record recorded`.
        #[arg(long, value_name = "REF")]
        force_ref: Option<String>,
    },
    /// Inspect the outbox or put a dead-lettered submission back in the queue.
    Outbox {
        #[arg(long)]
        config: Option<PathBuf>,
        #[command(subcommand)]
        action: OutboxAction,
    },
    /// Partner agencies that submit through the API with their own bearer token.
    Partner {
        #[arg(long)]
        config: Option<PathBuf>,
        #[command(subcommand)]
        action: PartnerAction,
    },
    /// Check or export the hash-chained audit log.
    Audit {
        #[arg(long)]
        config: Option<PathBuf>,
        #[command(subcommand)]
        action: AuditAction,
    },
    /// Move the spool to another store.
    Spool {
        #[command(subcommand)]
        action: SpoolAction,
    },
    /// Map links between people, vehicles, phones, accounts and places across submissions
    /// (offline, on the analyst's machine).
    Map(MapArgs),
    /// Run the narrative reader over labelled narratives (JSON lines: `{"text", "form",
    /// "min", "max"}`) and print IMMEDIATE recall, under-triaged and over-escalated cases.
    TriageEval {
        /// Rules file (default: config/triage.toml, else the rules built into this binary).
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Exit non-zero if any IMMEDIATE case is missed or any case is under-triaged.
        #[arg(long)]
        strict: bool,
        /// Show how the reader reads this one text (words, modifiers, times, concepts)
        /// instead of running a corpus.
        #[arg(long, conflicts_with = "corpus")]
        explain: Option<String>,
        #[arg(required_unless_present = "explain")]
        corpus: Option<PathBuf>,
    },
    /// Reads one PDF on standard input and writes its active content as JSON. `serve` runs
    /// this itself, as a child process, for each PDF sent; it caps its own memory and CPU time
    /// first.
    #[command(hide = true)]
    ScanPdf {
        #[arg(long)]
        memory_bytes: u64,
        #[arg(long)]
        cpu_secs: u64,
    },
    /// Decrypt and show submissions (run on the reader's machine, never on the server).
    Open {
        /// age identity file (default: the desk file's `identity`).
        #[arg(long)]
        identity: Option<PathBuf>,
        #[command(flatten)]
        desk: DeskFile,
        #[arg(long, value_enum, default_value = "text")]
        format: crate::open::Format,
        /// Form specs folder for question labels (default: the forms built into this binary).
        #[arg(long)]
        forms: Option<PathBuf>,
        #[command(flatten)]
        signers: Signers,
        /// Writes each evidence file the documents list (and whose `.age` file is given too)
        /// into this folder as `<reference>-<n>.<ext>`, mode 0600. The folder must exist.
        #[arg(long, value_name = "DIR")]
        extract: Option<PathBuf>,
        #[command(flatten)]
        imap: ImapArgs,
        /// Envelopes (`.age`, binary or armored): documents and the evidence files sent with
        /// them (`<reference>-1.age`, …), in any order; emails as saved (`.eml`); folders of
        /// them; Maildirs. Default, without `--mailbox`: the desk file's `mailbox`.
        envelopes: Vec<PathBuf>,
    },
    /// The officer's desk: a local web application on this machine (127.0.0.1 only) showing
    /// the mailbox's reports, decrypted in memory, with signed actions. `desk init` writes
    /// its file.
    Desk(DeskArgs),
}

/// `open`'s mailbox on an IMAP server: read-only, over TLS, the password never on the
/// command line.
#[derive(Debug, Clone, clap::Args)]
pub struct ImapArgs {
    /// Read a mailbox on an IMAP server (implicit TLS): imaps://USER@HOST[:PORT][/FOLDER]
    /// (port 993 and INBOX by default; an @ in the user name written %40). Opened
    /// read-only: nothing is marked seen, moved or deleted.
    #[arg(long, value_name = "URL")]
    pub mailbox: Option<String>,
    /// A file whose first line is the mailbox password.
    #[arg(long, value_name = "FILE", requires = "mailbox")]
    pub imap_password_file: Option<PathBuf>,
    /// Or the environment variable that holds it.
    #[arg(
        long,
        value_name = "VAR",
        requires = "mailbox",
        conflicts_with = "imap_password_file"
    )]
    pub imap_password_env: Option<String>,
    /// Trust only the CA certificates in this PEM file for the mail server's certificate,
    /// instead of the system's.
    #[arg(long, value_name = "FILE", requires = "mailbox")]
    pub imap_ca: Option<PathBuf>,
}

impl ImapArgs {
    /// The IMAP settings these flags give, if a mailbox was named.
    pub fn settings(&self) -> anyhow::Result<Option<crate::open::imap::ImapSettings>> {
        let Some(url) = &self.mailbox else {
            return Ok(None);
        };
        let mut s = crate::open::imap::ImapSettings::from_url(url)?;
        s.password_file.clone_from(&self.imap_password_file);
        s.password_env.clone_from(&self.imap_password_env);
        s.ca_file.clone_from(&self.imap_ca);
        Ok(Some(s))
    }
}

/// Who acts, on which gateway, about which submission (`reply`, `status`, `share`). A flag
/// left out is taken from the desk file (`desk init` writes it).
#[derive(Debug, Clone, clap::Args)]
pub struct OfficerArgs {
    /// Your officer key (from `keygen --officer`); default: the desk file's `officer_key`.
    #[arg(long)]
    pub officer_key: Option<PathBuf>,
    /// The submission, e.g. PIS-ABCD-EFGH.
    #[arg(long)]
    pub reference: String,
    /// The gateway's public address; default: the desk file's `gateway`, else
    /// https://localhost:8443.
    #[arg(long)]
    pub gateway: Option<String>,
    /// Trust only the CA certificates in this PEM file for the gateway's certificate (e.g.
    /// certs-example/ca.pem), instead of the system's.
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,
    #[command(flatten)]
    pub desk: DeskFile,
}

/// The desk file the officer commands take what is not given from.
#[derive(Debug, Clone, clap::Args)]
pub struct DeskFile {
    /// The officer's desk file (default: $XDG_CONFIG_HOME/pis-gateway/desk.toml, else
    /// ~/.config/pis-gateway/desk.toml, when it exists).
    #[arg(long = "desk", value_name = "FILE")]
    pub desk: Option<PathBuf>,
}

/// `desk`: the officer's desk, or `desk init` to write its file.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct DeskArgs {
    #[command(subcommand)]
    pub init: Option<DeskAction>,
    #[command(flatten)]
    pub desk: DeskFile,
    /// The port on 127.0.0.1 (default: the desk file's `port`, else a free one).
    #[arg(long)]
    pub port: Option<u16>,
    /// Open the desk's link in the browser (xdg-open).
    #[arg(long)]
    pub open: bool,
}

#[derive(Debug, Subcommand)]
pub enum DeskAction {
    /// Write the desk file (mode 0600), asking on the terminal for what the flags leave out.
    Init(DeskInit),
}

#[derive(Debug, clap::Args)]
pub struct DeskInit {
    /// Where to write it (default: $XDG_CONFIG_HOME/pis-gateway/desk.toml, else
    /// ~/.config/pis-gateway/desk.toml). An existing file is never overwritten.
    #[arg(long = "desk", value_name = "FILE")]
    pub desk: Option<PathBuf>,
    /// The gateway's public address, https://host[:port].
    #[arg(long)]
    pub gateway: Option<String>,
    /// CA certificates (PEM) for the gateway's certificate; "-" for the system's.
    #[arg(long, value_name = "FILE")]
    pub ca: Option<String>,
    /// Your age identity file.
    #[arg(long, value_name = "FILE")]
    pub identity: Option<PathBuf>,
    /// Your officer key (from `keygen --officer`).
    #[arg(long, value_name = "FILE")]
    pub officer_key: Option<PathBuf>,
    /// The gateway's signing keys, saved from /.well-known/pis-gateway/signing-keys.
    #[arg(long, value_name = "FILE")]
    pub signing_keys: Option<PathBuf>,
    /// Your mailbox: a Maildir, or a folder of .eml/.age files.
    #[arg(long, value_name = "DIR")]
    pub mailbox: Option<PathBuf>,
    /// The desk's port on 127.0.0.1 (default: a free one each time).
    #[arg(long)]
    pub port: Option<u16>,
    /// A MACE coordinator's desk for this locality (e.g. HARROGATE; repeat for more): it
    /// shows only the restricted views for them and needs no officer key.
    #[arg(long = "mace-locality", value_name = "CODE")]
    pub mace_localities: Vec<String>,
}

/// `map`'s arguments.
#[derive(Debug, clap::Args)]
pub struct MapArgs {
    /// age identity file.
    #[arg(long)]
    pub identity: PathBuf,
    /// Only submissions received on or after this day (YYYY-MM-DD).
    #[arg(long)]
    pub since: Option<String>,
    /// Only submissions touching this locality (e.g. SCARBOROUGH); also writes that
    /// locality's printable Level 2 pack.
    #[arg(long)]
    pub locality: Option<String>,
    /// Folder for map.html, map.json, map.dot, map.graphml, links.csv and i2.csv (mode 0600).
    #[arg(long)]
    pub out: PathBuf,
    /// Entities map.html draws at most: the largest clusters that fit; the others are listed,
    /// found by the search, and drawn one at a time on request.
    #[arg(long, default_value_t = crate::map::page::DRAWN)]
    pub draw: usize,
    /// The analyst's workspace (JSON, mode 0600): merge and split decisions, read on every
    /// run and applied to the map; created when it does not exist. map.html exports it with
    /// the decisions made in the page added.
    #[arg(long)]
    pub workspace: Option<PathBuf>,
    /// Also write each report as the officer's HTML report (what `open --format html` shows)
    /// into reports/ in the output folder (folder 0700, files 0600), and link every reference
    /// in map.html's panel to its page.
    #[arg(long)]
    pub reports: bool,
    #[command(flatten)]
    pub signers: Signers,
    /// `.age` envelopes, `.eml` files, or folders of them (a Maildir).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
}

/// Whose signatures a reader trusts.
#[derive(Debug, Clone, clap::Args)]
pub struct Signers {
    /// The gateway's public signing keys: the JSON published at
    /// /.well-known/pis-gateway/signing-keys, or one key per line as `check-config` prints
    /// them. May be given more than once.
    #[arg(long = "signer", value_name = "FILE")]
    pub signer: Vec<PathBuf>,
    /// A gateway configuration whose signing keys (server.signing_key and
    /// server.previous_signing_keys) are trusted.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Read documents that are unsigned or not signed by a trusted key (each is named, and
    /// marked as unverified).
    #[arg(long)]
    pub allow_unsigned: bool,
}

#[derive(Debug, Subcommand)]
pub enum OutboxAction {
    /// Every pending or dead delivery with its state.
    List,
    /// Re-queue a submission's dead (or waiting) deliveries, due now.
    Retry {
        /// The submission reference, e.g. PIS-ABCD-EFGH.
        reference: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum SpoolAction {
    /// Copy everything in one gateway's spool (submissions, envelopes, deliveries,
    /// acknowledgement tokens, the audit log, partners, settings and keys) into another
    /// gateway's empty spool, then check the counts and the audit chain on both sides. Stop
    /// the gateways first.
    Copy {
        /// Configuration naming the spool to copy from.
        #[arg(long)]
        from: PathBuf,
        /// Configuration naming the spool to copy into (created if missing; must be empty).
        #[arg(long)]
        to: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum PartnerAction {
    /// Add a partner and print its new token (once: only its hash is kept).
    Add {
        /// The agency's name (lower-case letters, digits, `-`, `_`), as sealed documents will
        /// name it.
        name: String,
    },
    /// Every partner, active or revoked (never a token).
    List,
    /// Revoke a partner's token at once.
    Revoke { name: String },
}

#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// Walk the chain and report the first broken link.
    Verify {
        /// A head noted from the service log, to detect a truncated or rewritten chain: the
        /// signed log line as it stands ("audit chain head seq=N hash=H key=K sig=S"), whose
        /// signature is checked, or N:H.
        #[arg(long)]
        head: Option<String>,
        /// Public signing keys to check a signed head against, besides the configuration's.
        #[arg(long = "signer", value_name = "FILE")]
        signer: Vec<PathBuf>,
    },
    /// Write every entry as a JSON line (standard output).
    Export,
}
