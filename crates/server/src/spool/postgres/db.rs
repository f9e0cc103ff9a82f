//! Small helpers over the client: statements prepared once per connection, errors mapped to
//! the spool's.

use super::super::SpoolError;
use deadpool_postgres::GenericClient;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Error, Row};

pub(super) type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

pub(super) async fn exec<C: GenericClient>(c: &C, sql: &str, p: Params<'_>) -> Result<u64, Error> {
    let st = c.prepare_cached(sql).await?;
    c.execute(&st, p).await
}

pub(super) async fn rows<C: GenericClient>(
    c: &C,
    sql: &str,
    p: Params<'_>,
) -> Result<Vec<Row>, Error> {
    let st = c.prepare_cached(sql).await?;
    c.query(&st, p).await
}

pub(super) async fn one<C: GenericClient>(c: &C, sql: &str, p: Params<'_>) -> Result<Row, Error> {
    let st = c.prepare_cached(sql).await?;
    c.query_one(&st, p).await
}

pub(super) async fn opt<C: GenericClient>(
    c: &C,
    sql: &str,
    p: Params<'_>,
) -> Result<Option<Row>, Error> {
    let st = c.prepare_cached(sql).await?;
    c.query_opt(&st, p).await
}

pub(super) fn unavailable(e: impl std::fmt::Display) -> SpoolError {
    SpoolError::Unavailable(e.to_string())
}

/// The row id of the submission a reference names: by its enciphered number, or for one
/// kept from before references were numbered, by the reference itself. $1 number, $2 reference.
pub(super) const SUBMISSION_ID: &str =
    "(SELECT id FROM submissions WHERE id = $1 AND reference = $2
     UNION ALL SELECT id FROM submissions WHERE legacy AND reference = $2 LIMIT 1)";

/// Wakes the other gateways' outboxes when this transaction commits (best effort: polling
/// covers a lost notification, or a proxy that drops them).
pub(super) const NOTIFY: &str = "SELECT pg_notify('pisg_outbox', '')";

/// What can go wrong reaching the database: no connection to be had, or a statement failed.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("no database connection: {0}")]
    Pool(#[from] deadpool_postgres::PoolError),
    #[error("database: {}", explain(.0))]
    Db(#[from] tokio_postgres::Error),
    #[error("{0}")]
    Missing(&'static str),
    #[error(transparent)]
    WrongKey(#[from] crate::spool::secrets::WrongKey),
}

/// The server's own message where there is one ("db error" alone says nothing).
fn explain(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

impl DbError {
    pub fn code(&self) -> Option<&tokio_postgres::error::SqlState> {
        match self {
            DbError::Db(e) => e.code(),
            DbError::Pool(_) | DbError::Missing(_) | DbError::WrongKey(_) => None,
        }
    }
}

pub(super) type DbResult<T> = Result<T, DbError>;
