-- Web journeys' drafts, sealed under a key held only in the submitter's cookie; the id is
-- derived from that key, so the server cannot find a draft without the browser.
CREATE TABLE drafts (
    id          BYTEA PRIMARY KEY CHECK (length(id) = 32),
    sealed      BYTEA NOT NULL,
    touched_at  BIGINT NOT NULL
);
CREATE INDEX drafts_touched ON drafts(touched_at);
