-- Links that let a person choose their password: an invitation an admin sent, or a reset
-- they asked for. Only a hash of the link's secret is kept; a link works once and until it
-- expires, and using one ends all the user's links (a disabled user has none).
CREATE TABLE account_links (
    id         BIGSERIAL PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('invite', 'reset')),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX account_links_by_user ON account_links (user_id, purpose);

-- The outbox carries these links' emails too, which belong to no survey. A link's secret
-- waits in `payload` only until its message is finished.
ALTER TABLE outbox ALTER COLUMN survey_id DROP NOT NULL;
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check CHECK
    (kind IN ('invitation', 'reminder', 'thank_you', 'alert', 'account_invite', 'password_reset'));
-- How many links a user was sent lately (a reset asked for again and again sends few).
CREATE INDEX outbox_by_user ON outbox (user_id, kind, created_at);
