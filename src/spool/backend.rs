//! Opening the spool the settings name: the rest of the gateway holds a [`Spool`] and never
//! learns which backend is behind it.

use super::postgres::PostgresSpool;
use super::sqlite::SqliteSpool;
use super::Spool;
use crate::config::{SpoolBackend, SpoolSettings};
use std::sync::Arc;
use tokio::sync::Notify;

/// Opens (creating and migrating as needed) the configured spool. `wake` is woken when
/// another gateway on a shared spool commits work for the outbox.
pub async fn open(settings: &SpoolSettings, wake: Arc<Notify>) -> anyhow::Result<Arc<dyn Spool>> {
    Ok(match settings.backend {
        SpoolBackend::Sqlite => Arc::new(SqliteSpool::open(&settings.dir)?),
        SpoolBackend::Postgres => Arc::new(PostgresSpool::open(settings, wake).await?),
    })
}

/// Where the spool is, for `check-config` and the start-up log (no password).
pub fn describe(settings: &SpoolSettings) -> String {
    match settings.backend {
        SpoolBackend::Sqlite => format!("sqlite in {}", settings.dir.display()),
        SpoolBackend::Postgres => match super::postgres::parse_url(&settings.postgres_url) {
            Ok(target) => format!("postgres at {}", target.describe()),
            Err(e) => format!("postgres (spool.postgres_url {e})"),
        },
    }
}
