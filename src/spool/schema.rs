//! Versioned schema migrations, applied in order at open. `PRAGMA user_version` records the
//! version reached; a database newer than this binary is refused rather than misread.

use rusqlite::Connection;

const MIGRATIONS: &[&str] = &[
    // 1: submissions, envelopes, deliveries (times in Unix seconds), settings.
    r#"
    CREATE TABLE submissions (
        reference     TEXT PRIMARY KEY,
        received_at   TEXT NOT NULL,
        form_id       TEXT NOT NULL,
        form_version  INTEGER NOT NULL,
        priority      TEXT NOT NULL,
        reason_codes  TEXT NOT NULL,
        token_hash    BLOB UNIQUE,
        received_unix INTEGER NOT NULL,
        -- Acknowledgement and escalation (times in Unix seconds).
        ack_deadline        INTEGER,
        next_escalation_at  INTEGER,
        escalations         INTEGER NOT NULL DEFAULT 0,
        acknowledged_at     INTEGER,
        acknowledged_route  TEXT,
        -- Retention: when the envelopes were purged, and whether the purge was announced.
        purged_at     INTEGER,
        purge_warned  INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    CREATE INDEX submissions_escalation ON submissions(next_escalation_at)
        WHERE next_escalation_at IS NOT NULL;
    CREATE TABLE envelopes (
        reference  TEXT NOT NULL REFERENCES submissions(reference),
        route      TEXT NOT NULL,
        view       TEXT NOT NULL,
        body       BLOB NOT NULL,
        PRIMARY KEY (reference, route)
    ) STRICT;
    CREATE TABLE deliveries (
        reference         TEXT NOT NULL REFERENCES submissions(reference),
        route             TEXT NOT NULL,
        mailbox           TEXT NOT NULL,
        view              TEXT NOT NULL,
        notice            TEXT,
        -- 0 IMMEDIATE (and escalations), 1 PRIORITY, 2 ROUTINE: the order the outbox sends in.
        rank              INTEGER NOT NULL DEFAULT 2,
        state             TEXT NOT NULL DEFAULT 'pending'
                          CHECK (state IN ('pending', 'delivered', 'dead')),
        attempts          INTEGER NOT NULL DEFAULT 0,
        next_attempt_at   INTEGER NOT NULL,
        retry_from        INTEGER NOT NULL,
        last_attempt_at   INTEGER,
        last_error_class  TEXT,
        delivered_at      INTEGER,
        dead_at           INTEGER,
        acknowledged_at   INTEGER,
        PRIMARY KEY (reference, route)
    ) STRICT;
    CREATE INDEX deliveries_due ON deliveries(state, rank, next_attempt_at);
    CREATE TABLE ack_tokens (
        token_hash  BLOB PRIMARY KEY,
        reference   TEXT NOT NULL REFERENCES submissions(reference),
        route       TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        used_at     INTEGER
    ) STRICT;
    -- Append-only, hash-chained: hash = SHA-256(prev_hash | seq | at | event | reference | route | code).
    CREATE TABLE audit (
        seq        INTEGER PRIMARY KEY,
        at         INTEGER NOT NULL,
        event      TEXT NOT NULL,
        reference  TEXT,
        route      TEXT,
        code       TEXT,
        prev_hash  BLOB NOT NULL,
        hash       BLOB NOT NULL
    ) STRICT;
    CREATE TABLE settings (
        name   TEXT PRIMARY KEY,
        value  BLOB NOT NULL
    ) STRICT;
    "#,
];

pub const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;

pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > CURRENT_VERSION {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_MISMATCH),
            Some(format!(
                "spool schema version {version} is newer than this gateway understands ({CURRENT_VERSION})"
            )),
        ));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}
