-- A professional's notice address is sealed under a key outside the database and must be
-- confirmed (a link in a first email) before any notice goes there. Addresses kept in clear
-- before were never confirmed: they are dropped, with the notices queued to them. MACE notices
-- are sealed envelopes now: the codes kept in clear before are dropped (one still queued is
-- sent saying so).
ALTER TABLE follow_ups ADD COLUMN notify_token BYTEA UNIQUE CHECK (length(notify_token) = 32);
ALTER TABLE follow_ups ADD COLUMN notify_confirmed_at BIGINT;
UPDATE follow_ups SET notify = NULL;
UPDATE deliveries SET mailbox = '',
    state = CASE state WHEN 'pending' THEN 'dead' ELSE state END,
    last_error_class = CASE state WHEN 'pending' THEN 'address_unconfirmed'
                       ELSE last_error_class END
    WHERE view = 'follow_up';
UPDATE deliveries SET notice = NULL WHERE view = 'notice';
