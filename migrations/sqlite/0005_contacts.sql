-- The people surveys are sent to, customers and employees alike. The email is stored
-- lower-cased and is the key imports upsert by. A suppressed contact is never sent to.
CREATE TABLE contacts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    locale        TEXT CHECK (locale IN ('en', 'de')),
    -- Free attributes (team, plan, region, tier…) as a JSON object of strings.
    attributes    TEXT NOT NULL DEFAULT '{}',
    suppressed    TEXT CHECK (suppressed IN ('unsubscribed', 'bounced', 'complained')),
    suppressed_at TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

-- What each import did, so its report (every bad row by line) can be read again.
CREATE TABLE contact_imports (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    file_name  TEXT NOT NULL,
    report     TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);

-- A person's data is found by their contact for an export or an erasure.
CREATE INDEX responses_by_contact ON responses (contact_id);
CREATE INDEX invitations_by_contact ON invitations (contact_id);

-- Saved audiences: exact matches on contact attributes, all of which must hold (JSON).
CREATE TABLE segments (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL UNIQUE,
    filter     TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);
