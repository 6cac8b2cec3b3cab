-- Accounts, surveys and answers. Times are UTC; ids are integers.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'hr', 'manager', 'viewer')),
    created_at    TEXT NOT NULL
);

-- Sessions live in the database so several processes share them; only a hash of the
-- cookie's secret is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE login_attempts (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    ip      TEXT NOT NULL,
    success INTEGER NOT NULL,
    at      TEXT NOT NULL
);
CREATE INDEX login_attempts_by_account ON login_attempts (account, at);
CREATE INDEX login_attempts_by_ip ON login_attempts (ip, at);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);

CREATE TABLE surveys (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    kind           TEXT NOT NULL CHECK (kind IN ('nps', 'enps', 'ces', 'csat', 'pulse', 'custom')),
    title          TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('draft', 'active', 'closed')),
    public_slug    TEXT NOT NULL UNIQUE,
    anonymous      INTEGER NOT NULL DEFAULT 0,
    -- Groups smaller than this are never shown (anonymity, DESIGN principle 4).
    min_group_size INTEGER NOT NULL DEFAULT 5,
    default_locale TEXT NOT NULL DEFAULT 'en',
    created_by     INTEGER NOT NULL REFERENCES users (id),
    created_at     TEXT NOT NULL
);

CREATE TABLE questions (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    survey_id INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    text      TEXT NOT NULL,
    UNIQUE (survey_id, position)
);

-- For anonymous surveys contact_id and submitted_at stay NULL: the row keeps the day only.
-- submission_key makes a double-submitted form record one response.
CREATE TABLE responses (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    survey_id      INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    contact_id     INTEGER,
    submission_key TEXT NOT NULL UNIQUE,
    day            TEXT NOT NULL,
    submitted_at   TEXT
);
CREATE INDEX responses_by_survey ON responses (survey_id, day);

CREATE TABLE answers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    response_id INTEGER NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    score       INTEGER CHECK (score BETWEEN 0 AND 10),
    comment     TEXT,
    UNIQUE (response_id, question_id)
);

-- Dashboards read these counts (question x day x segment x score), kept current in the
-- answer's own transaction, so their cost does not grow with history (principle 7).
CREATE TABLE answer_buckets (
    question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    day         TEXT NOT NULL,
    segment     TEXT NOT NULL DEFAULT '',
    score       INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (question_id, day, segment, score)
);
