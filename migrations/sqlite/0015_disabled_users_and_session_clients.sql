-- A disabled user cannot sign in; their sessions are deleted when they are disabled and
-- their API tokens grant nothing while they are.
ALTER TABLE users ADD COLUMN disabled_at TEXT;

-- What a session was started from (the browser's User-Agent, cut short), so its owner can
-- tell their sessions apart and end one.
ALTER TABLE sessions ADD COLUMN client TEXT NOT NULL DEFAULT '';
CREATE INDEX sessions_by_user ON sessions (user_id);
