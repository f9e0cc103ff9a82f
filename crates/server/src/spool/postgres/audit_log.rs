//! The audit log on a shared database: read by the gateway that writes it, and by
//! `audit verify`, read only, without creating or migrating anything.

use super::*;

/// The audit log of a PostgreSQL spool, read only: nothing is created or migrated.
pub struct AuditReader {
    pool: Pool,
}

impl AuditReader {
    pub async fn open(settings: &SpoolSettings) -> anyhow::Result<Self> {
        let target = connect::target(settings)?;
        let tls = connect::tls_connector(settings)?;
        let pool = connect::pool(&target, tls, 1)?;
        let client = pool.get().await.with_context(|| {
            format!("connecting to the spool database at {}", target.describe())
        })?;
        let version: Option<i64> = client
            .query_one(
                "SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN NULL
                        ELSE (SELECT MAX(version) FROM schema_migrations) END",
                &[],
            )
            .await?
            .get(0);
        match version {
            None => anyhow::bail!("no spool in the database at {}", target.describe()),
            Some(v) if v > migrate::CURRENT_VERSION => {
                anyhow::bail!("{}", migrate::MigrateError::Newer(v))
            }
            Some(_) => {}
        }
        drop(client);
        Ok(AuditReader { pool })
    }
}

impl AuditStore for AuditReader {
    fn audit_head(&self) -> SpoolFuture<'_, Option<(i64, Vec<u8>)>> {
        Box::pin(async move {
            let client = self.pool.get().await.map_err(DbError::from)?;
            Ok(chain::head(&client).await.map_err(DbError::from)?)
        })
    }

    fn audit_entries(&self) -> SpoolFuture<'_, Vec<audit::Entry>> {
        Box::pin(async move {
            let client = self.pool.get().await.map_err(DbError::from)?;
            Ok(chain::entries(&client).await.map_err(DbError::from)?)
        })
    }
}

impl AuditStore for PostgresSpool {
    fn audit_head(&self) -> SpoolFuture<'_, Option<(i64, Vec<u8>)>> {
        let pool = self.pool.clone();
        self.spawn(async move {
            let client = pool.get().await?;
            Ok(chain::head(&client).await?)
        })
    }

    fn audit_entries(&self) -> SpoolFuture<'_, Vec<audit::Entry>> {
        let pool = self.pool.clone();
        self.spawn(async move {
            let client = pool.get().await?;
            Ok(chain::entries(&client).await?)
        })
    }
}
