-- Links that let a person choose their password: an invitation an admin sent, or a reset
-- they asked for. Only a hash of the link's secret is kept; a link works once and until it
-- expires, and using one ends all the user's links (a disabled user has none).
CREATE TABLE account_links (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('invite', 'reset')),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX account_links_by_user ON account_links (user_id, purpose);

-- The outbox carries these links' emails too, which belong to no survey: `survey_id`
-- becomes optional and two kinds join the list. SQLite alters neither a NOT NULL nor a
-- CHECK, so the table is rebuilt with its rows and indexes. A link's secret waits in
-- `payload` only until its message is finished.
CREATE TABLE outbox_rebuilt (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    send_id         INTEGER REFERENCES sends (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder', 'thank_you', 'alert', 'account_invite', 'password_reset')),
    contact_id      INTEGER REFERENCES contacts (id) ON DELETE CASCADE,
    user_id         INTEGER REFERENCES users (id) ON DELETE CASCADE,
    survey_id       INTEGER REFERENCES surveys (id) ON DELETE CASCADE,
    payload         TEXT NOT NULL DEFAULT '{}',
    status          TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'bounced', 'skipped')),
    skip_reason     TEXT CHECK (skip_reason IN ('suppressed', 'frequency')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until     BIGINT,
    reply           TEXT,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT,
    response_id     INTEGER REFERENCES responses (id) ON DELETE SET NULL
);
INSERT INTO outbox_rebuilt (id, send_id, kind, contact_id, user_id, survey_id, payload,
    status, skip_reason, attempts, next_attempt_at, lease_until, reply, created_at, sent_at,
    response_id)
SELECT id, send_id, kind, contact_id, user_id, survey_id, payload, status, skip_reason,
    attempts, next_attempt_at, lease_until, reply, created_at, sent_at, response_id
FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_rebuilt RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_by_send ON outbox (send_id, kind, status, skip_reason);
CREATE INDEX outbox_by_contact ON outbox (contact_id, created_at);
-- How many links a user was sent lately (a reset asked for again and again sends few).
CREATE INDEX outbox_by_user ON outbox (user_id, kind, created_at);
