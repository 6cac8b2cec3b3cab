-- Accounts, surveys and answers. Same shape as the SQLite schema, with native types.

CREATE TABLE users (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'hr', 'manager', 'viewer')),
    created_at    TIMESTAMPTZ NOT NULL
);

-- Sessions live in the database so several processes share them; only a hash of the
-- cookie's secret is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE login_attempts (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account TEXT NOT NULL,
    ip      TEXT NOT NULL,
    success BOOLEAN NOT NULL,
    at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_attempts_by_account ON login_attempts (account, at);
CREATE INDEX login_attempts_by_ip ON login_attempts (ip, at);

CREATE TABLE api_tokens (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);

CREATE TABLE surveys (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('nps', 'enps', 'ces', 'csat', 'pulse', 'custom')),
    title          TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('draft', 'active', 'closed')),
    public_slug    TEXT NOT NULL UNIQUE,
    anonymous      BOOLEAN NOT NULL DEFAULT FALSE,
    -- Groups smaller than this are never shown (anonymity, DESIGN principle 4).
    min_group_size INTEGER NOT NULL DEFAULT 5,
    default_locale TEXT NOT NULL DEFAULT 'en',
    created_by     BIGINT NOT NULL REFERENCES users (id),
    created_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE questions (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    survey_id BIGINT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    text      TEXT NOT NULL,
    UNIQUE (survey_id, position)
);

-- For anonymous surveys contact_id and submitted_at stay NULL: the row keeps the day only.
-- submission_key makes a double-submitted form record one response.
CREATE TABLE responses (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    survey_id      BIGINT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    contact_id     BIGINT,
    submission_key TEXT NOT NULL UNIQUE,
    day            DATE NOT NULL,
    submitted_at   TIMESTAMPTZ
);
CREATE INDEX responses_by_survey ON responses (survey_id, day);

CREATE TABLE answers (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    response_id BIGINT NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    question_id BIGINT NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    score       INTEGER CHECK (score BETWEEN 0 AND 10),
    comment     TEXT,
    UNIQUE (response_id, question_id)
);

-- Dashboards read these counts (question x day x segment x score), kept current in the
-- answer's own transaction, so their cost does not grow with history (principle 7).
CREATE TABLE answer_buckets (
    question_id BIGINT NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    day         DATE NOT NULL,
    segment     TEXT NOT NULL DEFAULT '',
    score       INTEGER NOT NULL,
    n           BIGINT NOT NULL,
    PRIMARY KEY (question_id, day, segment, score)
);
