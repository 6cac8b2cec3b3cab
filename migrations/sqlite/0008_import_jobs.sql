-- Imports are previewed before they run, and run as a job with progress. An upload is
-- kept (its bytes) while it waits for its column mapping and while it runs; the bytes are
-- dropped once it is done. A job whose lease ran out (its process died) is taken up again
-- where its progress says, since upserting a contact twice changes nothing.
ALTER TABLE contact_imports ADD COLUMN state TEXT NOT NULL DEFAULT 'done'
    CHECK (state IN ('pending', 'running', 'done'));
ALTER TABLE contact_imports ADD COLUMN file BLOB;
-- The column mapping chosen at the start (JSON).
ALTER TABLE contact_imports ADD COLUMN mapping TEXT;
ALTER TABLE contact_imports ADD COLUMN rows_total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contact_imports ADD COLUMN rows_done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contact_imports ADD COLUMN inserted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contact_imports ADD COLUMN updated INTEGER NOT NULL DEFAULT 0;
-- Milliseconds since 1970: until when a process works on it.
ALTER TABLE contact_imports ADD COLUMN lease_until BIGINT;
