//! The spool's settings (`[spool]` in the configuration): which store, where, and how it is
//! reached. They live with the spool, which reads them; `config` holds them among the rest.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SpoolSettings {
    /// Where the state is kept: `sqlite` (the default), one database file in `dir`, for one
    /// gateway; or `postgres`, a database several gateways share.
    #[serde(default)]
    pub backend: SpoolBackend,
    /// The SQLite spool's folder.
    pub dir: PathBuf,
    /// For `postgres`: a libpq-style URL or key=value string, without a password, e.g.
    /// `postgresql://pisg@db.example/pisg?sslmode=verify-full`. The password comes from
    /// `PISG_POSTGRES_PASSWORD` or `postgres_password_file`, never from this file.
    pub postgres_url: String,
    /// File holding the database password (mode 0600).
    pub postgres_password_file: PathBuf,
    /// PEM file of the CA that signs the database server's certificate; empty uses the system
    /// roots. TLS is used when the URL's `sslmode` asks for it.
    pub postgres_ca_file: PathBuf,
    /// Connections each gateway keeps to the database.
    pub postgres_pool_size: usize,
    /// Most submissions one gateway commits in one PostgreSQL transaction (group commit).
    #[serde(default = "default_postgres_batch_max")]
    pub postgres_batch_max: usize,
    /// How long, in milliseconds, the first submission of a batch waits for others to join it
    /// before the batch commits (0: commit whatever has queued, at once).
    #[serde(default = "default_postgres_batch_wait_ms")]
    pub postgres_batch_wait_ms: u64,
    /// The key file (64 hex digits, mode 0600) that seals professionals' notice addresses and
    /// the spool's own secrets, kept outside the database. Empty: `secrets.key` in `dir`,
    /// made on first start. Gateways sharing a PostgreSQL spool must share this file.
    #[serde(default)]
    pub secrets_key_file: PathBuf,
}

impl SpoolSettings {
    /// Where the secrets key is kept (see `secrets_key_file`).
    pub fn secrets_key_path(&self) -> PathBuf {
        if self.secrets_key_file.as_os_str().is_empty() {
            self.dir.join("secrets.key")
        } else {
            self.secrets_key_file.clone()
        }
    }
}

/// `spool.postgres_batch_max` unless set.
pub fn default_postgres_batch_max() -> usize {
    64
}

/// `spool.postgres_batch_wait_ms` unless set.
pub fn default_postgres_batch_wait_ms() -> u64 {
    2
}

/// Which store the spool is kept in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SpoolBackend {
    /// One SQLite database in `spool.dir`, for a gateway on one machine.
    #[default]
    Sqlite,
    /// One PostgreSQL database (`spool.postgres_url`) that several gateways share.
    Postgres,
}
