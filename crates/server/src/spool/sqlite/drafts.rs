//! Sealed drafts of web journeys: one row each, replaced whole on every page sent.

use super::writer::{Control, Job};
use super::SqliteSpool;
use crate::spool::{DraftId, DraftStore, SpoolFuture};
use rusqlite::{params, Connection, OptionalExtension};

pub(super) fn put(
    conn: &Connection,
    id: &DraftId,
    sealed: &[u8],
    now: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO drafts (id, sealed, touched_at) VALUES (?1, ?2, ?3)
         ON CONFLICT(id) DO UPDATE SET sealed = excluded.sealed, touched_at = excluded.touched_at",
    )?
    .execute(params![&id[..], sealed, now])?;
    Ok(())
}

pub(super) fn delete(conn: &Connection, id: &DraftId) -> rusqlite::Result<bool> {
    Ok(conn
        .prepare_cached("DELETE FROM drafts WHERE id = ?1")?
        .execute([&id[..]])?
        > 0)
}

pub(super) fn purge(conn: &Connection, before: i64) -> rusqlite::Result<u64> {
    Ok(conn
        .prepare_cached("DELETE FROM drafts WHERE touched_at < ?1")?
        .execute([before])? as u64)
}

fn get(conn: &Connection, id: &DraftId, idle_after: i64) -> rusqlite::Result<Option<Vec<u8>>> {
    conn.prepare_cached("SELECT sealed FROM drafts WHERE id = ?1 AND touched_at >= ?2")?
        .query_row(params![&id[..], idle_after], |r| r.get(0))
        .optional()
}

impl DraftStore for SqliteSpool {
    fn put_draft(&self, id: DraftId, sealed: Vec<u8>, now: i64) -> SpoolFuture<'_, ()> {
        Box::pin(self.ask(move |r| Job::Other(Control::PutDraft(id, sealed, now, r))))
    }

    fn draft(&self, id: DraftId, idle_after: i64) -> SpoolFuture<'_, Option<Vec<u8>>> {
        Box::pin(self.read(move |c| get(c, &id, idle_after)))
    }

    fn delete_draft(&self, id: DraftId) -> SpoolFuture<'_, bool> {
        Box::pin(self.ask(move |r| Job::Other(Control::DeleteDraft(id, r))))
    }

    fn purge_drafts(&self, idle_before: i64) -> SpoolFuture<'_, u64> {
        Box::pin(self.ask(move |r| Job::Other(Control::PurgeDrafts(idle_before, r))))
    }
}
