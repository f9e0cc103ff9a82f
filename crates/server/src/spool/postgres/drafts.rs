//! Sealed drafts of web journeys on a shared database: any gateway behind the load balancer
//! can carry on a journey another one started.

use super::db::{self, DbResult};
use super::PostgresSpool;
use crate::spool::{DraftId, DraftStore, SpoolFuture};
use deadpool_postgres::Pool;

async fn put(pool: &Pool, id: DraftId, sealed: Vec<u8>, now: i64) -> DbResult<()> {
    let client = pool.get().await?;
    db::exec(
        &client,
        "INSERT INTO drafts (id, sealed, touched_at) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET sealed = excluded.sealed, touched_at = excluded.touched_at",
        &[&&id[..], &sealed, &now],
    )
    .await?;
    Ok(())
}

async fn get(pool: &Pool, id: DraftId, idle_after: i64) -> DbResult<Option<Vec<u8>>> {
    let client = pool.get().await?;
    let row = db::opt(
        &client,
        "SELECT sealed FROM drafts WHERE id = $1 AND touched_at >= $2",
        &[&&id[..], &idle_after],
    )
    .await?;
    Ok(row.map(|r| r.get(0)))
}

async fn delete(pool: &Pool, id: DraftId) -> DbResult<bool> {
    let client = pool.get().await?;
    Ok(db::exec(&client, "DELETE FROM drafts WHERE id = $1", &[&&id[..]]).await? > 0)
}

async fn purge(pool: &Pool, before: i64) -> DbResult<u64> {
    let client = pool.get().await?;
    Ok(db::exec(
        &client,
        "DELETE FROM drafts WHERE touched_at < $1",
        &[&before],
    )
    .await?)
}

impl DraftStore for PostgresSpool {
    fn put_draft(&self, id: DraftId, sealed: Vec<u8>, now: i64) -> SpoolFuture<'_, ()> {
        let pool = self.pool.clone();
        self.spawn(async move { put(&pool, id, sealed, now).await })
    }

    fn draft(&self, id: DraftId, idle_after: i64) -> SpoolFuture<'_, Option<Vec<u8>>> {
        let pool = self.pool.clone();
        self.spawn(async move { get(&pool, id, idle_after).await })
    }

    fn delete_draft(&self, id: DraftId) -> SpoolFuture<'_, bool> {
        let pool = self.pool.clone();
        self.spawn(async move { delete(&pool, id).await })
    }

    fn purge_drafts(&self, idle_before: i64) -> SpoolFuture<'_, u64> {
        let pool = self.pool.clone();
        self.spawn(async move { purge(&pool, idle_before).await })
    }
}
