//! Versioned migrations, embedded in the binary and applied at start. All of them run in one
//! transaction under an advisory lock: two gateways starting together migrate once (the
//! second waits, then finds nothing to do), and a failed migration leaves nothing behind.
//! A database migrated by a newer gateway is refused rather than misread.

use tokio_postgres::Client;

/// In order; a migration's version is its place in the list, counting from 1.
pub const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_spool", include_str!("migrations/0001_spool.sql")),
    (
        "0002_attachments",
        include_str!("migrations/0002_attachments.sql"),
    ),
    (
        "0003_download_tokens",
        include_str!("migrations/0003_download_tokens.sql"),
    ),
    (
        "0004_follow_up",
        include_str!("migrations/0004_follow_up.sql"),
    ),
    (
        "0005_workflow",
        include_str!("migrations/0005_workflow.sql"),
    ),
    (
        "0006_notify_confirm",
        include_str!("migrations/0006_notify_confirm.sql"),
    ),
    ("0007_drafts", include_str!("migrations/0007_drafts.sql")),
];

pub const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;

/// The advisory lock's key ("pisg" "schm"): taken for the transaction only.
const LOCK: i64 = 0x7069_7367_7363_686d;

/// Brings the schema up to date; returns the versions applied now (empty if none).
pub async fn migrate(client: &mut Client) -> Result<Vec<i64>, MigrateError> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version     BIGINT PRIMARY KEY,
             name        TEXT NOT NULL,
             applied_at  TIMESTAMPTZ NOT NULL DEFAULT now())",
    )
    .await?;
    let reached: i64 = tx
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            &[],
        )
        .await?
        .get(0);
    if reached > CURRENT_VERSION {
        return Err(MigrateError::Newer(reached));
    }
    let mut applied = Vec::new();
    for (i, (name, sql)) in MIGRATIONS.iter().enumerate().skip(reached as usize) {
        let version = i as i64 + 1;
        tx.batch_execute(sql).await?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
            &[&version, name],
        )
        .await?;
        applied.push(version);
    }
    tx.commit().await?;
    Ok(applied)
}

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("spool schema version {0} is newer than this gateway understands ({CURRENT_VERSION})")]
    Newer(i64),
    #[error(transparent)]
    Database(#[from] tokio_postgres::Error),
}
