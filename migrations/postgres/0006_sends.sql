-- Sending surveys by email. Times in these tables are milliseconds since 1970 (UTC) in
-- both backends, so due times, backoff and throttle spacing are plain arithmetic in SQL.

-- A send: a survey to an audience, at a time. Each wave of a recurring send is its own
-- row with its own numbers; starting a wave schedules the next one.
CREATE TABLE sends (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    survey_id      BIGINT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    -- The audience as it was chosen: a copy of the segment's filter (JSON), so editing or
    -- deleting the segment later changes no send; an empty filter is every contact.
    audience_name  TEXT NOT NULL,
    audience       TEXT NOT NULL,
    repeat_every   TEXT NOT NULL CHECK (repeat_every IN ('none', 'weekly', 'monthly', 'quarterly')),
    wave           BIGINT NOT NULL,
    -- Days after the start at which those who have not answered are reminded (JSON array).
    reminders      TEXT NOT NULL,
    reminders_sent BIGINT NOT NULL DEFAULT 0,
    -- When the next reminder is due (NULL: none left, or not started).
    next_reminder_at BIGINT,
    -- Throttle: at most this many messages per minute (NULL: as fast as the server allows).
    per_minute     BIGINT,
    state          TEXT NOT NULL CHECK (state IN ('scheduled', 'started', 'cancelled')),
    -- Why the send is paused (NULL: it is not); its queued messages wait meanwhile.
    paused_reason  TEXT,
    failure_run    BIGINT NOT NULL DEFAULT 0,
    scheduled_at   BIGINT NOT NULL,
    started_at     BIGINT,
    created_by     BIGINT NOT NULL REFERENCES users (id),
    created_at     BIGINT NOT NULL
);
CREATE INDEX sends_due ON sends (state, scheduled_at);
CREATE INDEX sends_reminders_due ON sends (next_reminder_at);
CREATE INDEX sends_by_survey ON sends (survey_id);

-- The outbox: every email Resonance sends is a row here first (principle 3). A worker
-- claims due rows (status queued, or sending with an expired lease after a crash), sends,
-- and records the outcome and the server's reply.
CREATE TABLE outbox (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    send_id         BIGINT REFERENCES sends (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('invitation', 'reminder', 'thank_you', 'alert')),
    -- The recipient: a contact, or (alerts) a user.
    contact_id      BIGINT REFERENCES contacts (id) ON DELETE CASCADE,
    user_id         BIGINT REFERENCES users (id) ON DELETE CASCADE,
    survey_id       BIGINT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    -- What a thank-you or an alert says (JSON); invitations are rendered from the survey.
    payload         TEXT NOT NULL DEFAULT '{}',
    status          TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'bounced', 'skipped')),
    skip_reason     TEXT CHECK (skip_reason IN ('suppressed', 'frequency')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until     BIGINT,
    reply           TEXT,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_by_send ON outbox (send_id, kind, status);
-- The contact frequency rule looks up each contact's latest invitations.
CREATE INDEX outbox_by_contact ON outbox (contact_id, created_at);

-- Invitations made by a send: answered ones give the send's response rate.
ALTER TABLE invitations ADD COLUMN send_id BIGINT REFERENCES sends (id) ON DELETE SET NULL;
CREATE INDEX invitations_by_send ON invitations (send_id, contact_id);

-- Contact frequency rule per survey kind: nobody gets an invitation to a survey of this
-- kind within min_days of any earlier invitation. Kinds without a row use 30 days.
CREATE TABLE frequency_rules (
    kind     TEXT PRIMARY KEY,
    min_days BIGINT NOT NULL CHECK (min_days >= 0)
);
