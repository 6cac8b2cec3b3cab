-- Responses are counted on a few rows per survey (picked by response id), not on the survey
-- row itself: every first answer bumps the count, and on one row concurrent answers would
-- queue behind each other's lock until commit. Surveys with a response cap still count on
-- `surveys.response_count` too, where the cap is checked and counted in one statement.
CREATE TABLE response_counts (
    survey_id INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    shard     INTEGER NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (survey_id, shard)
);

INSERT INTO response_counts (survey_id, shard, n)
SELECT survey_id, 0, COUNT(*) FROM responses GROUP BY survey_id;
