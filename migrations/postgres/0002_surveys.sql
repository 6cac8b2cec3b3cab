-- Surveys keep their whole definition (questions, texts in every language, follow-ups,
-- branding) as JSON. Every change made once a survey has answers becomes a new version, so
-- each response stays tied to the wording it was given; answers are keyed by the question's
-- stable key, which versions keep.

CREATE TABLE surveys (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('nps', 'enps', 'ces', 'csat', 'pulse', 'custom')),
    -- The title in the default language, for lists.
    title          TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('draft', 'active', 'closed')),
    public_slug    TEXT NOT NULL UNIQUE,
    anonymous      BOOLEAN NOT NULL DEFAULT FALSE,
    -- Groups smaller than this are never shown (anonymity, DESIGN principle 4).
    min_group_size INTEGER NOT NULL DEFAULT 5,
    default_locale TEXT NOT NULL DEFAULT 'en',
    version        BIGINT NOT NULL DEFAULT 1,
    definition     TEXT NOT NULL,
    closes_at      TIMESTAMPTZ,
    response_cap   BIGINT CHECK (response_cap > 0),
    -- Kept in the answer's transaction, so the cap holds under concurrent submissions.
    response_count BIGINT NOT NULL DEFAULT 0,
    created_by     BIGINT NOT NULL REFERENCES users (id),
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE survey_versions (
    survey_id  BIGINT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    version    BIGINT NOT NULL,
    definition TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (survey_id, version)
);

-- A personal link: only the HMAC of its token is stored. The response it leads to is found
-- by a second, different HMAC of the same token, so for anonymous surveys nothing in the
-- database joins an invitation (a person) to a response; the invitation learns only that
-- it was answered.
CREATE TABLE invitations (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    survey_id   BIGINT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    contact_id  BIGINT,
    locale      TEXT,
    -- Contact attributes (JSON object) for placeholders and grouping.
    attributes  TEXT NOT NULL DEFAULT '{}',
    created_at  TIMESTAMPTZ NOT NULL,
    answered    BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX invitations_by_survey ON invitations (survey_id);

-- response_key is an HMAC of the secret that resumes the response (the personal token, or
-- the key a public link's first page handed out). Anonymous responses hold no contact and
-- no time, only the day and the grouping attributes the survey names.
CREATE TABLE responses (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    survey_id    BIGINT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    version      BIGINT NOT NULL,
    response_key TEXT NOT NULL UNIQUE,
    contact_id   BIGINT,
    groups       TEXT NOT NULL DEFAULT '{}',
    locale       TEXT NOT NULL,
    day          DATE NOT NULL,
    submitted_at TIMESTAMPTZ,
    updated_at   TIMESTAMPTZ,
    completed    BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX responses_by_survey ON responses (survey_id, day);

-- One row per answered question; score is set for scale questions (what reports count),
-- value holds the checked answer as JSON.
CREATE TABLE answers (
    response_id  BIGINT NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    question_key TEXT NOT NULL,
    score        INTEGER CHECK (score BETWEEN 0 AND 10),
    value        TEXT NOT NULL,
    follow_up    TEXT,
    PRIMARY KEY (response_id, question_key)
);

-- Dashboards read these counts (question x day x segment x score), kept current in the
-- answer's own transaction, so their cost does not grow with history (principle 7).
CREATE TABLE answer_buckets (
    survey_id    BIGINT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    question_key TEXT NOT NULL,
    day          DATE NOT NULL,
    segment      TEXT NOT NULL DEFAULT '',
    score        INTEGER NOT NULL,
    n            BIGINT NOT NULL,
    PRIMARY KEY (survey_id, question_key, day, segment, score)
);
