//! How the spool's typed values are stored in and read from SQLite columns. A value no gateway
//! writes reads as an error, not as a guess, except where noted.

use crate::ack::AckKind;
use crate::reference::Reference;
use crate::spool::{DeliveryRecord, DeliveryRoute, DeliveryState, View};
use crate::triage::Priority;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

fn text<T>(v: ValueRef<'_>, parse: impl FnOnce(&str) -> Option<T>) -> FromSqlResult<T> {
    let s = v.as_str()?;
    parse(s).ok_or_else(|| FromSqlError::Other(format!("unexpected value {s:?}").into()))
}

/// A value of the shared domain kept in a text column by its stable name. (The domain's types
/// live in `pis-core`, which knows nothing of SQLite, so they are read here by name.)
pub(super) trait StoredText: Sized {
    fn from_stored(s: &str) -> Option<Self>;
}

impl StoredText for Reference {
    fn from_stored(s: &str) -> Option<Self> {
        Reference::parse(s)
    }
}

impl StoredText for Priority {
    fn from_stored(s: &str) -> Option<Self> {
        Priority::parse(s)
    }
}

impl StoredText for AckKind {
    fn from_stored(s: &str) -> Option<Self> {
        AckKind::parse(s)
    }
}

/// Reads a [`StoredText`] column; a value no gateway writes is an error, not a guess.
pub(super) fn get<T: StoredText>(r: &rusqlite::Row<'_>, column: usize) -> rusqlite::Result<T> {
    let v = r.get_ref(column)?;
    let bad =
        |why: String| rusqlite::Error::FromSqlConversionFailure(column, v.data_type(), why.into());
    let s = v.as_str().map_err(|e| bad(e.to_string()))?;
    T::from_stored(s).ok_or_else(|| bad(format!("unexpected value {s:?}")))
}

impl FromSql for View {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        text(v, View::parse)
    }
}

impl ToSql for View {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for DeliveryState {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        text(v, DeliveryState::parse)
    }
}

impl ToSql for DeliveryState {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for DeliveryRoute {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        Ok(DeliveryRoute::parse(v.as_str()?))
    }
}

impl ToSql for DeliveryRoute {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.to_string()))
    }
}

/// An acknowledgement kind. An unknown one can only come from a newer gateway; it is read as
/// the weaker one.
pub(super) fn ack_kind(stored: &str) -> AckKind {
    AckKind::parse(stored).unwrap_or(AckKind::ConfirmReceipt)
}

/// Columns read into a [`DeliveryRecord`], from `deliveries d JOIN submissions s`.
pub(super) const DELIVERY_COLUMNS: &str = "s.reference, d.route, d.mailbox, d.view, d.state, d.attempts, d.next_attempt_at, d.last_error_class, d.delivered_at, d.dead_at";

pub(super) fn delivery_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DeliveryRecord> {
    Ok(DeliveryRecord {
        reference: get(r, 0)?,
        route: r.get(1)?,
        mailbox: r.get(2)?,
        view: r.get(3)?,
        state: r.get(4)?,
        attempts: r.get(5)?,
        next_attempt_at: r.get(6)?,
        last_error_class: r.get(7)?,
        delivered_at: r.get(8)?,
        dead_at: r.get(9)?,
    })
}

/// A SHA-256 hash kept as a blob.
pub(super) fn hash32(column: usize, blob: Vec<u8>) -> rusqlite::Result<[u8; 32]> {
    <[u8; 32]>::try_from(blob.as_slice()).map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            column,
            rusqlite::types::Type::Blob,
            format!("a hash of {} bytes, not 32", blob.len()).into(),
        )
    })
}
