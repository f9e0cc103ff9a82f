-- The spool's schema on PostgreSQL: the same tables and meaning as SQLite's schema 4
-- (src/spool/schema.rs), times in Unix seconds, ciphertext in bytea. Extra for several gateways:
-- a sequence for submission numbers, a lease on each delivery, and the audit chain's head in a
-- row of its own that each appending transaction locks.

-- Handed out in blocks of 64: a gateway draws a block with one call and numbers from it. A
-- number drawn and never committed is skipped, as with SQLite.
CREATE SEQUENCE submission_numbers INCREMENT BY 64 MINVALUE 1 START WITH 1;

CREATE TABLE submissions (
    id            BIGINT PRIMARY KEY,
    reference     TEXT NOT NULL,
    -- Kept from a SQLite spool of schema 1 (random references), after `spool copy`.
    legacy        BOOLEAN NOT NULL DEFAULT FALSE,
    received_at   TEXT NOT NULL,
    form_id       TEXT NOT NULL,
    form_version  INTEGER NOT NULL,
    priority      TEXT NOT NULL,
    reason_codes  TEXT NOT NULL,
    token_hash    BYTEA UNIQUE,
    received_unix BIGINT NOT NULL,
    ack_deadline        BIGINT,
    next_escalation_at  BIGINT,
    escalations         INTEGER NOT NULL DEFAULT 0,
    acknowledged_at     BIGINT,
    acknowledged_route  TEXT,
    purged_at     BIGINT,
    purge_warned  BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX submissions_legacy_reference ON submissions(reference) WHERE legacy;
CREATE INDEX submissions_escalation ON submissions(next_escalation_at)
    WHERE next_escalation_at IS NOT NULL;
CREATE INDEX submissions_unpurged ON submissions(received_unix) WHERE purged_at IS NULL;
CREATE INDEX submissions_acknowledged ON submissions(acknowledged_at)
    WHERE purged_at IS NULL AND acknowledged_at IS NOT NULL;

CREATE TABLE envelopes (
    submission BIGINT NOT NULL REFERENCES submissions(id),
    route      TEXT NOT NULL,
    view       TEXT NOT NULL,
    body       BYTEA NOT NULL,
    PRIMARY KEY (submission, route)
);

CREATE TABLE deliveries (
    submission        BIGINT NOT NULL REFERENCES submissions(id),
    route             TEXT NOT NULL,
    mailbox           TEXT NOT NULL,
    view              TEXT NOT NULL,
    notice            TEXT,
    rank              SMALLINT NOT NULL DEFAULT 2,
    state             TEXT NOT NULL DEFAULT 'pending'
                      CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   BIGINT NOT NULL,
    retry_from        BIGINT NOT NULL,
    last_attempt_at   BIGINT,
    last_error_class  TEXT,
    delivered_at      BIGINT,
    dead_at           BIGINT,
    acknowledged_at   BIGINT,
    ack_kind          TEXT NOT NULL DEFAULT 'acknowledge'
                      CHECK (ack_kind IN ('acknowledge', 'receipt')),
    -- The gateway sending it now, and until when its claim stands.
    lease_owner       TEXT,
    lease_until       BIGINT,
    PRIMARY KEY (submission, route)
);
CREATE INDEX deliveries_due ON deliveries(rank, next_attempt_at) WHERE state = 'pending';
CREATE INDEX deliveries_pending_age ON deliveries(retry_from) WHERE state = 'pending';
CREATE INDEX deliveries_dead ON deliveries(submission) WHERE state = 'dead';

CREATE TABLE ack_tokens (
    token_hash  BYTEA PRIMARY KEY,
    submission  BIGINT NOT NULL REFERENCES submissions(id),
    route       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    used_at     BIGINT,
    kind        TEXT NOT NULL DEFAULT 'acknowledge' CHECK (kind IN ('acknowledge', 'receipt'))
);
CREATE INDEX ack_tokens_delivery ON ack_tokens(submission, route, created_at);

-- Append-only, hash-chained (see src/spool/audit.rs).
CREATE TABLE audit (
    seq        BIGINT PRIMARY KEY,
    at         BIGINT NOT NULL,
    event      TEXT NOT NULL,
    reference  TEXT,
    route      TEXT,
    code       TEXT,
    prev_hash  BYTEA NOT NULL,
    hash       BYTEA NOT NULL
);
-- The chain's head: one row, locked by every transaction that appends, so two gateways never
-- both follow the same entry.
CREATE TABLE audit_head (
    one   BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    seq   BIGINT NOT NULL,
    hash  BYTEA NOT NULL
);
INSERT INTO audit_head (one, seq, hash) VALUES (TRUE, 0, '\x0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE settings (
    name   TEXT PRIMARY KEY,
    value  BYTEA NOT NULL
);

CREATE TABLE partners (
    name        TEXT PRIMARY KEY,
    token_hash  BYTEA NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
