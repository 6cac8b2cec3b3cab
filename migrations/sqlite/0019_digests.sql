-- Digests: a user's weekly or monthly email of one survey's dashboard view (or of every
-- survey they may read), in their language. `filters` holds the view's attribute filters
-- as a JSON list (`["team:Sales"]`); `stop_hash` the keyed hash of the one-click stop
-- link's secret, which is derived from the instance key and the subscription, so nothing
-- secret is kept.
ALTER TABLE users ADD COLUMN locale TEXT NOT NULL DEFAULT 'en';

CREATE TABLE digest_subscriptions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    survey_id   INTEGER REFERENCES surveys (id) ON DELETE CASCADE,
    frequency   TEXT NOT NULL CHECK (frequency IN ('weekly', 'monthly')),
    filters     TEXT NOT NULL DEFAULT '[]',
    stop_hash   TEXT NOT NULL DEFAULT '',
    next_run_at TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX digest_subscriptions_due ON digest_subscriptions (next_run_at);
CREATE INDEX digest_subscriptions_by_user ON digest_subscriptions (user_id);

-- A digest is one more kind of outbox message. SQLite alters no CHECK, so the outbox is
-- rebuilt with its rows and indexes, as in 0016.
CREATE TABLE outbox_rebuilt (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    send_id         INTEGER REFERENCES sends (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder', 'thank_you', 'alert', 'account_invite', 'password_reset', 'case_reply', 'digest')),
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
CREATE INDEX outbox_by_user ON outbox (user_id, kind, created_at);
