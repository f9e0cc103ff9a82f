-- Evidence files, each sealed on its own to one route's recipients (only full views carry
-- any). Purged with the envelope they travel with.
CREATE TABLE attachments (
    submission BIGINT NOT NULL REFERENCES submissions(id),
    route      TEXT NOT NULL,
    n          INTEGER NOT NULL CHECK (n >= 1),
    body       BYTEA NOT NULL,
    PRIMARY KEY (submission, route, n)
);
