-- Webhooks: endpoints an admin registers for events, the messages those events make, and
-- one delivery of each message to each endpoint that wanted it. Times are milliseconds.
--
-- An endpoint's signing secret is derived from the instance key and (id, generation), so
-- the database holds none; rotating it moves to the next generation, and until
-- `previous_until` deliveries carry the previous generation's signature too.
-- `failing_since` is the first failure since the last success: an endpoint failing for
-- days is disabled and its creator told.
--
-- A message of an anonymous survey keeps no response, no contact and only the day
-- (`occurred_at` is that day's midnight); its deliveries are `held` until the day is over
-- and enough of the survey's answers wait to go out together. Both tables are keyed by
-- the message's random id, never by a counter, so their order tells nothing.
CREATE TABLE webhook_endpoints (
    id              BIGSERIAL PRIMARY KEY,
    url             TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    events          TEXT NOT NULL DEFAULT '[]',
    generation      BIGINT NOT NULL DEFAULT 1,
    previous_until  BIGINT,
    created_by      BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at      BIGINT NOT NULL,
    disabled_at     BIGINT,
    disabled_reason TEXT,
    failing_since   BIGINT
);

CREATE TABLE webhook_messages (
    id          TEXT PRIMARY KEY,
    event       TEXT NOT NULL,
    survey_id   BIGINT REFERENCES surveys (id) ON DELETE CASCADE,
    response_id BIGINT REFERENCES responses (id) ON DELETE CASCADE,
    case_id     BIGINT REFERENCES cases (id) ON DELETE CASCADE,
    send_id     BIGINT REFERENCES sends (id) ON DELETE CASCADE,
    payload     TEXT NOT NULL DEFAULT '{}',
    occurred_at BIGINT NOT NULL
);
CREATE INDEX webhook_messages_by_time ON webhook_messages (occurred_at);

CREATE TABLE webhook_deliveries (
    message_id      TEXT NOT NULL REFERENCES webhook_messages (id) ON DELETE CASCADE,
    endpoint_id     BIGINT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    status          TEXT NOT NULL CHECK (status IN ('held', 'queued', 'sending', 'delivered', 'failed')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until     BIGINT,
    last_attempt_at BIGINT,
    last_status     BIGINT,
    last_error      TEXT,
    PRIMARY KEY (message_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, next_attempt_at);

-- When a send's last invitation left the outbox: its `send.finished` event, once.
ALTER TABLE sends ADD COLUMN finished_at BIGINT;

-- Telling an endpoint's creator it was disabled is one more kind of outbox message; the
-- kind is no longer checked here (as on SQLite): the worker reads it through `MessageKind`.
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
