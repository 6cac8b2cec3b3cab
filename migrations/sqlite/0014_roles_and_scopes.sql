-- A manager's scope: the attribute values (e.g. team=Sales) their results are narrowed
-- to, as `attribute=value` items separated by U+001F; empty for every other role.
ALTER TABLE users ADD COLUMN scope TEXT NOT NULL DEFAULT '';

-- What a token grants, chosen at its creation and never more than its owner has. Tokens
-- made before this were made by admins and carried their owner's rights.
ALTER TABLE api_tokens ADD COLUMN role TEXT NOT NULL DEFAULT 'viewer'
    CHECK (role IN ('admin', 'hr', 'manager', 'viewer'));
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT '';
UPDATE api_tokens SET role = (SELECT role FROM users WHERE users.id = api_tokens.user_id),
    scope = (SELECT scope FROM users WHERE users.id = api_tokens.user_id);
