-- The officer's workflow: numbered steps per submission (kind, a small detail such as the
-- grade's JSON or the force reference, the officer's key id). Purged with the envelopes.
CREATE TABLE workflow_steps (
    submission  BIGINT NOT NULL REFERENCES submissions(id),
    n           INTEGER NOT NULL CHECK (n >= 1),
    at          BIGINT NOT NULL,
    step        TEXT NOT NULL
                CHECK (step IN ('triaged', 'graded', 'recorded', 'shared_with_mace', 'closed')),
    detail      TEXT,
    officer     TEXT NOT NULL,
    PRIMARY KEY (submission, n)
);
