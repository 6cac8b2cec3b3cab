-- Cases: an identified survey's critical answer followed up until someone acted on it.
-- `case_rule` (JSON, see app::domain::cases::CaseRule) says which completed answers open
-- one; NULL opens none. `alert_recipients` (JSON list of user ids) get the low-score alert
-- besides a case's owner.
ALTER TABLE surveys ADD COLUMN case_rule TEXT;
ALTER TABLE surveys ADD COLUMN alert_recipients TEXT NOT NULL DEFAULT '[]';

CREATE TABLE cases (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    survey_id        INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    response_id      INTEGER NOT NULL UNIQUE REFERENCES responses (id) ON DELETE CASCADE,
    owner_id         INTEGER REFERENCES users (id) ON DELETE SET NULL,
    state            TEXT NOT NULL CHECK (state IN ('open', 'contacted', 'resolved', 'closed')),
    opened_at        TEXT NOT NULL,
    due_at           TEXT NOT NULL,
    first_contact_at TEXT,
    done_at          TEXT,
    -- The answer that opened it, as it was then: the headline score and the first comment.
    score            INTEGER,
    comment          TEXT,
    updated_at       TEXT NOT NULL
);
CREATE INDEX cases_by_survey ON cases (survey_id, opened_at);
CREATE INDEX cases_by_owner ON cases (owner_id, state);

-- A reply from a case is one more kind of outbox message. SQLite alters no CHECK, so the
-- outbox is rebuilt with its rows and indexes, as in 0016.
CREATE TABLE outbox_rebuilt (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    send_id         INTEGER REFERENCES sends (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder', 'thank_you', 'alert', 'account_invite', 'password_reset', 'case_reply')),
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

-- A case's history: opened, notes, state changes, replies (with the outbox message that
-- carries each), owner changes.
CREATE TABLE case_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id   INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    user_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    at        TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('opened', 'note', 'state', 'reply', 'owner')),
    state     TEXT,
    subject   TEXT,
    body      TEXT NOT NULL DEFAULT '',
    outbox_id INTEGER REFERENCES outbox (id) ON DELETE SET NULL
);
CREATE INDEX case_events_by_case ON case_events (case_id, id);
