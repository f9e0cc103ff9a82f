-- Follow-up. Per submission whose submitter kept a code: the lookup id and age recipient
-- derived from it (never the code), the status police set, and for a professional who asked,
-- the work address for a content-free notice. Messages are sealed (binary age). Officers'
-- request nonces, to refuse a replayed request. Follow-up rows and messages are purged with
-- the envelopes.
CREATE TABLE follow_ups (
    submission  BIGINT PRIMARY KEY REFERENCES submissions(id),
    lookup_id   BYTEA NOT NULL UNIQUE CHECK (length(lookup_id) = 32),
    recipient   TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'received'
                CHECK (status IN ('received', 'being_looked_at', 'passed_to_team', 'closed')),
    status_at   BIGINT NOT NULL,
    notify      TEXT
);
CREATE TABLE follow_up_messages (
    submission  BIGINT NOT NULL REFERENCES submissions(id),
    n           INTEGER NOT NULL CHECK (n >= 1),
    at          BIGINT NOT NULL,
    sender      TEXT NOT NULL CHECK (sender IN ('officer', 'submitter')),
    body        BYTEA NOT NULL,
    PRIMARY KEY (submission, n)
);
CREATE TABLE officer_nonces (
    officer  TEXT NOT NULL,
    nonce    BYTEA NOT NULL,
    used_at  BIGINT NOT NULL,
    PRIMARY KEY (officer, nonce)
);
CREATE INDEX officer_nonces_age ON officer_nonces(used_at);
