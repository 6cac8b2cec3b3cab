-- Digests: a user's weekly or monthly email of one survey's dashboard view (or of every
-- survey they may read), in their language. `filters` holds the view's attribute filters
-- as a JSON list (`["team:Sales"]`); `stop_hash` the keyed hash of the one-click stop
-- link's secret, which is derived from the instance key and the subscription, so nothing
-- secret is kept.
ALTER TABLE users ADD COLUMN locale TEXT NOT NULL DEFAULT 'en';

CREATE TABLE digest_subscriptions (
    id          BIGSERIAL PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    survey_id   BIGINT REFERENCES surveys (id) ON DELETE CASCADE,
    frequency   TEXT NOT NULL CHECK (frequency IN ('weekly', 'monthly')),
    filters     TEXT NOT NULL DEFAULT '[]',
    stop_hash   TEXT NOT NULL DEFAULT '',
    next_run_at TIMESTAMPTZ NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX digest_subscriptions_due ON digest_subscriptions (next_run_at);
CREATE INDEX digest_subscriptions_by_user ON digest_subscriptions (user_id);

-- A digest is one more kind of outbox message.
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check CHECK
    (kind IN ('invitation', 'reminder', 'thank_you', 'alert', 'account_invite', 'password_reset', 'case_reply', 'digest'));
