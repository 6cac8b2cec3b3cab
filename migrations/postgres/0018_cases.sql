-- Cases: an identified survey's critical answer followed up until someone acted on it.
-- `case_rule` (JSON, see app::domain::cases::CaseRule) says which completed answers open
-- one; NULL opens none. `alert_recipients` (JSON list of user ids) get the low-score alert
-- besides a case's owner.
ALTER TABLE surveys ADD COLUMN case_rule TEXT;
ALTER TABLE surveys ADD COLUMN alert_recipients TEXT NOT NULL DEFAULT '[]';

CREATE TABLE cases (
    id               BIGSERIAL PRIMARY KEY,
    survey_id        BIGINT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    response_id      BIGINT NOT NULL UNIQUE REFERENCES responses (id) ON DELETE CASCADE,
    owner_id         BIGINT REFERENCES users (id) ON DELETE SET NULL,
    state            TEXT NOT NULL CHECK (state IN ('open', 'contacted', 'resolved', 'closed')),
    opened_at        TIMESTAMPTZ NOT NULL,
    due_at           TIMESTAMPTZ NOT NULL,
    first_contact_at TIMESTAMPTZ,
    done_at          TIMESTAMPTZ,
    -- The answer that opened it, as it was then: the headline score and the first comment.
    score            INTEGER,
    comment          TEXT,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX cases_by_survey ON cases (survey_id, opened_at);
CREATE INDEX cases_by_owner ON cases (owner_id, state);

-- A case's history: opened, notes, state changes, replies (with the outbox message that
-- carries each), owner changes.
CREATE TABLE case_events (
    id        BIGSERIAL PRIMARY KEY,
    case_id   BIGINT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    user_id   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    at        TIMESTAMPTZ NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('opened', 'note', 'state', 'reply', 'owner')),
    state     TEXT,
    subject   TEXT,
    body      TEXT NOT NULL DEFAULT '',
    outbox_id BIGINT REFERENCES outbox (id) ON DELETE SET NULL
);
CREATE INDEX case_events_by_case ON case_events (case_id, id);

-- A reply from a case is one more kind of outbox message.
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check CHECK
    (kind IN ('invitation', 'reminder', 'thank_you', 'alert', 'account_invite', 'password_reset', 'case_reply'));
