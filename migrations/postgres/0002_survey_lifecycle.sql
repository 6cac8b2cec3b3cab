-- A survey may close at a time or after a number of responses. response_count is kept in
-- the answer's transaction, so the cap holds under concurrent submissions.
ALTER TABLE surveys ADD COLUMN closes_at TIMESTAMPTZ;
ALTER TABLE surveys ADD COLUMN response_cap BIGINT CHECK (response_cap > 0);
ALTER TABLE surveys ADD COLUMN response_count BIGINT NOT NULL DEFAULT 0;
UPDATE surveys SET response_count = (SELECT COUNT(*) FROM responses r WHERE r.survey_id = surveys.id);
