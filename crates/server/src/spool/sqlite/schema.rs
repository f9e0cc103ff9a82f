//! Versioned schema migrations, applied in order at open. `PRAGMA user_version` records the
//! version reached; a database newer than this binary is refused rather than misread.

use rusqlite::Connection;

pub(super) const MIGRATIONS: &[&str] = &[
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
    // 2: submissions are numbered, and a reference is its number enciphered (see
    // `ReferenceCipher`), so the spool finds a submission by number and keeps no index of random
    // references. Envelopes and deliveries are keyed by that number. Every index then grows at
    // one end, and a commit of many submissions writes a few pages instead of one scattered page
    // per row and index (measured: about 50 KiB written per submission at 300,000 rows before,
    // under 12 KiB after). Submissions from schema 1 keep their random references, marked
    // `legacy` and indexed. Retention reads an index of unpurged submissions by age instead of
    // scanning them all.
    r#"
    CREATE TABLE submissions_v2 (
        id            INTEGER PRIMARY KEY,
        reference     TEXT NOT NULL,
        legacy        INTEGER NOT NULL DEFAULT 0,
        received_at   TEXT NOT NULL,
        form_id       TEXT NOT NULL,
        form_version  INTEGER NOT NULL,
        priority      TEXT NOT NULL,
        reason_codes  TEXT NOT NULL,
        token_hash    BLOB UNIQUE,
        received_unix INTEGER NOT NULL,
        ack_deadline        INTEGER,
        next_escalation_at  INTEGER,
        escalations         INTEGER NOT NULL DEFAULT 0,
        acknowledged_at     INTEGER,
        acknowledged_route  TEXT,
        purged_at     INTEGER,
        purge_warned  INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    INSERT INTO submissions_v2 (id, reference, legacy, received_at, form_id, form_version, priority,
            reason_codes, token_hash, received_unix, ack_deadline, next_escalation_at, escalations,
            acknowledged_at, acknowledged_route, purged_at, purge_warned)
        SELECT rowid, reference, 1, received_at, form_id, form_version, priority, reason_codes,
               token_hash, received_unix, ack_deadline, next_escalation_at, escalations,
               acknowledged_at, acknowledged_route, purged_at, purge_warned
        FROM submissions ORDER BY rowid;
    CREATE TABLE envelopes_v2 (
        submission INTEGER NOT NULL REFERENCES submissions(id),
        route      TEXT NOT NULL,
        view       TEXT NOT NULL,
        body       BLOB NOT NULL,
        PRIMARY KEY (submission, route)
    ) STRICT;
    INSERT INTO envelopes_v2 (submission, route, view, body)
        SELECT s.rowid, e.route, e.view, e.body
        FROM envelopes e JOIN submissions s ON s.reference = e.reference
        ORDER BY s.rowid, e.route;
    CREATE TABLE deliveries_v2 (
        submission        INTEGER NOT NULL REFERENCES submissions(id),
        route             TEXT NOT NULL,
        mailbox           TEXT NOT NULL,
        view              TEXT NOT NULL,
        notice            TEXT,
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
        PRIMARY KEY (submission, route)
    ) STRICT, WITHOUT ROWID;
    INSERT INTO deliveries_v2 (submission, route, mailbox, view, notice, rank, state, attempts,
            next_attempt_at, retry_from, last_attempt_at, last_error_class, delivered_at, dead_at,
            acknowledged_at)
        SELECT s.rowid, d.route, d.mailbox, d.view, d.notice, d.rank, d.state, d.attempts,
               d.next_attempt_at, d.retry_from, d.last_attempt_at, d.last_error_class,
               d.delivered_at, d.dead_at, d.acknowledged_at
        FROM deliveries d JOIN submissions s ON s.reference = d.reference
        ORDER BY s.rowid, d.route;
    CREATE TABLE ack_tokens_v2 (
        token_hash  BLOB PRIMARY KEY,
        submission  INTEGER NOT NULL REFERENCES submissions(id),
        route       TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        used_at     INTEGER
    ) STRICT;
    INSERT INTO ack_tokens_v2 (token_hash, submission, route, created_at, used_at)
        SELECT a.token_hash, s.rowid, a.route, a.created_at, a.used_at
        FROM ack_tokens a JOIN submissions s ON s.reference = a.reference;
    DROP TABLE ack_tokens;
    DROP TABLE envelopes;
    DROP TABLE deliveries;
    DROP TABLE submissions;
    ALTER TABLE submissions_v2 RENAME TO submissions;
    ALTER TABLE envelopes_v2 RENAME TO envelopes;
    ALTER TABLE deliveries_v2 RENAME TO deliveries;
    ALTER TABLE ack_tokens_v2 RENAME TO ack_tokens;
    CREATE UNIQUE INDEX submissions_legacy_reference ON submissions(reference) WHERE legacy = 1;
    CREATE INDEX submissions_escalation ON submissions(next_escalation_at)
        WHERE next_escalation_at IS NOT NULL;
    CREATE INDEX submissions_unpurged ON submissions(received_unix) WHERE purged_at IS NULL;
    CREATE INDEX submissions_acknowledged ON submissions(acknowledged_at)
        WHERE purged_at IS NULL AND acknowledged_at IS NOT NULL;
    CREATE INDEX deliveries_due ON deliveries(state, rank, next_attempt_at);
    -- The age of the outbox's oldest pending delivery (for /readyz and /metrics) in one step
    -- rather than by reading a backlog that can be hundreds of thousands long after a surge.
    CREATE INDEX deliveries_pending_age ON deliveries(retry_from) WHERE state = 'pending';
    "#,
    // 3: what a delivery's acknowledgement link does. Only a route that holds a deadline for the
    // priority stops escalation (`acknowledge`); other inboxes confirm receipt (`receipt`).
    // Deliveries kept from before are judged by their view: police intelligence and the control
    // room see the full view, escalations are their own view, and MACE inboxes never see more
    // than restricted. Tokens carry the kind of the delivery they were sent in, and a delivery's
    // live token is found by its submission and route (a resend reuses it).
    r#"
    ALTER TABLE deliveries ADD COLUMN ack_kind TEXT NOT NULL DEFAULT 'acknowledge'
        CHECK (ack_kind IN ('acknowledge', 'receipt'));
    UPDATE deliveries SET ack_kind = 'receipt' WHERE view IN ('restricted', 'notice');
    ALTER TABLE ack_tokens ADD COLUMN kind TEXT NOT NULL DEFAULT 'acknowledge'
        CHECK (kind IN ('acknowledge', 'receipt'));
    UPDATE ack_tokens SET kind = 'receipt' WHERE EXISTS (
        SELECT 1 FROM deliveries d
        WHERE d.submission = ack_tokens.submission AND d.route = ack_tokens.route
          AND d.ack_kind = 'receipt');
    CREATE INDEX ack_tokens_delivery ON ack_tokens(submission, route, created_at);
    "#,
    // 4: partner agencies' API tokens, by hash only.
    r#"
    CREATE TABLE partners (
        name        TEXT PRIMARY KEY,
        token_hash  BLOB NOT NULL UNIQUE,
        created_at  INTEGER NOT NULL,
        revoked_at  INTEGER
    ) STRICT;
    "#,
    // 5: evidence files, each sealed on its own to one route's recipients (only full views
    // carry any). Purged with the envelope they travel with.
    r#"
    CREATE TABLE attachments (
        submission INTEGER NOT NULL REFERENCES submissions(id),
        route      TEXT NOT NULL,
        n          INTEGER NOT NULL CHECK (n >= 1),
        body       BLOB NOT NULL,
        PRIMARY KEY (submission, route, n)
    ) STRICT;
    "#,
    // 6: one-time download links for evidence files too large to email, by hash only.
    r#"
    CREATE TABLE download_tokens (
        token_hash  BLOB PRIMARY KEY,
        submission  INTEGER NOT NULL REFERENCES submissions(id),
        route       TEXT NOT NULL,
        n           INTEGER NOT NULL CHECK (n >= 1),
        created_at  INTEGER NOT NULL,
        used_at     INTEGER
    ) STRICT;
    "#,
    // 7: follow-up. Per submission whose submitter kept a code: the lookup id and age
    // recipient derived from it (never the code), the status police set, and for a
    // professional who asked, the work address for a content-free notice. Messages are sealed
    // (binary age). Officers' request nonces, to refuse a replayed request. Follow-up rows and
    // messages are purged with the envelopes.
    r#"
    CREATE TABLE follow_ups (
        submission  INTEGER PRIMARY KEY REFERENCES submissions(id),
        lookup_id   BLOB NOT NULL UNIQUE CHECK (length(lookup_id) = 32),
        recipient   TEXT NOT NULL,
        status      TEXT NOT NULL DEFAULT 'received'
                    CHECK (status IN ('received', 'being_looked_at', 'passed_to_team', 'closed')),
        status_at   INTEGER NOT NULL,
        notify      TEXT
    ) STRICT;
    CREATE TABLE follow_up_messages (
        submission  INTEGER NOT NULL REFERENCES submissions(id),
        n           INTEGER NOT NULL CHECK (n >= 1),
        at          INTEGER NOT NULL,
        sender      TEXT NOT NULL CHECK (sender IN ('officer', 'submitter')),
        body        BLOB NOT NULL,
        PRIMARY KEY (submission, n)
    ) STRICT;
    CREATE TABLE officer_nonces (
        officer  TEXT NOT NULL,
        nonce    BLOB NOT NULL,
        used_at  INTEGER NOT NULL,
        PRIMARY KEY (officer, nonce)
    ) STRICT;
    CREATE INDEX officer_nonces_age ON officer_nonces(used_at);
    "#,
    // 8: the officer's workflow: numbered steps per submission (kind, a small detail such as
    // the grade's JSON or the force reference, the officer's key id). Purged with the
    // envelopes.
    r#"
    CREATE TABLE workflow_steps (
        submission  INTEGER NOT NULL REFERENCES submissions(id),
        n           INTEGER NOT NULL CHECK (n >= 1),
        at          INTEGER NOT NULL,
        step        TEXT NOT NULL
                    CHECK (step IN ('triaged', 'graded', 'recorded', 'shared_with_mace', 'closed')),
        detail      TEXT,
        officer     TEXT NOT NULL,
        PRIMARY KEY (submission, n)
    ) STRICT;
    "#,
    // 9: large evidence files are written in chunks over several short transactions, so that
    // reports committed meanwhile do not wait behind one long write and sync (see
    // `staging`). A file is staged first (`attachment_blobs`, its chunks in order in
    // `attachment_chunks`); its submission's own transaction then adopts it
    // (`attachments.blob`, with an empty `body`). Smaller files stay whole in `body`. A staged
    // file no submission adopted is removed at start and by retention.
    r#"
    CREATE TABLE attachment_blobs (
        id         INTEGER PRIMARY KEY,
        staged_at  INTEGER NOT NULL,
        bytes      INTEGER NOT NULL CHECK (bytes >= 0)
    ) STRICT;
    CREATE INDEX attachment_blobs_staged ON attachment_blobs(staged_at);
    CREATE TABLE attachment_chunks (
        blob  INTEGER NOT NULL REFERENCES attachment_blobs(id),
        seq   INTEGER NOT NULL CHECK (seq >= 0),
        data  BLOB NOT NULL,
        PRIMARY KEY (blob, seq)
    ) STRICT;
    ALTER TABLE attachments ADD COLUMN blob INTEGER REFERENCES attachment_blobs(id);
    CREATE UNIQUE INDEX attachments_blob ON attachments(blob) WHERE blob IS NOT NULL;
    "#,
    // 10: a staged file records whether a submission adopted it, so that retention finds the
    // unadopted ones through a small index rather than checking every stored file.
    r#"
    ALTER TABLE attachment_blobs ADD COLUMN adopted INTEGER NOT NULL DEFAULT 0
        CHECK (adopted IN (0, 1));
    UPDATE attachment_blobs SET adopted = 1
        WHERE id IN (SELECT blob FROM attachments WHERE blob IS NOT NULL);
    DROP INDEX attachment_blobs_staged;
    CREATE INDEX attachment_blobs_unadopted ON attachment_blobs(staged_at) WHERE adopted = 0;
    "#,
    // 11: a professional's notice address is sealed under a key outside the database and must
    // be confirmed (a link in a first email) before any notice goes there. Addresses kept in
    // clear before were never confirmed: they are dropped, with the notices queued to them.
    // MACE notices are sealed envelopes now: the codes kept in clear before are dropped (one
    // still queued is sent saying so).
    r#"
    ALTER TABLE follow_ups ADD COLUMN notify_token BLOB;
    ALTER TABLE follow_ups ADD COLUMN notify_confirmed_at INTEGER;
    CREATE UNIQUE INDEX follow_ups_notify_token ON follow_ups(notify_token)
        WHERE notify_token IS NOT NULL;
    UPDATE follow_ups SET notify = NULL;
    UPDATE deliveries SET mailbox = '',
        state = CASE state WHEN 'pending' THEN 'dead' ELSE state END,
        last_error_class = CASE state WHEN 'pending' THEN 'address_unconfirmed'
                           ELSE last_error_class END
        WHERE view = 'follow_up';
    UPDATE deliveries SET notice = NULL WHERE view = 'notice';
    "#,
    // 12: web journeys' drafts, sealed under a key held only in the submitter's cookie; the id
    // is derived from that key, so the server cannot find a draft without the browser.
    r#"
    CREATE TABLE drafts (
        id          BLOB PRIMARY KEY CHECK (length(id) = 32),
        sealed      BLOB NOT NULL,
        touched_at  INTEGER NOT NULL
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX drafts_touched ON drafts(touched_at);
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
    if version == CURRENT_VERSION {
        return Ok(());
    }
    // Rebuilding a table that others refer to needs foreign-key enforcement off (it cannot change
    // inside a transaction); each step checks the keys itself before it commits.
    let enforced: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let result = apply(conn, version);
    conn.pragma_update(None, "foreign_keys", enforced)?;
    result
}

fn apply(conn: &mut Connection, from: i64) -> rusqlite::Result<()> {
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(from as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        let broken = tx.prepare("PRAGMA foreign_key_check")?.exists([])?;
        if broken {
            return Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY),
                Some(format!(
                    "spool migration {} would break a foreign key",
                    i + 1
                )),
            ));
        }
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}
