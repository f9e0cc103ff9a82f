-- One-time download links for evidence files too large to email, by hash only.
CREATE TABLE download_tokens (
    token_hash  BYTEA PRIMARY KEY,
    submission  BIGINT NOT NULL REFERENCES submissions(id),
    route       TEXT NOT NULL,
    n           INTEGER NOT NULL CHECK (n >= 1),
    created_at  BIGINT NOT NULL,
    used_at     BIGINT
);
