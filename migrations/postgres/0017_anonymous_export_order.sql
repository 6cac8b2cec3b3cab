-- An anonymous survey's answers file (and its comments) follow, within a day, the
-- response's keyed hash rather than its arrival: with the key in an index, each page of
-- the file starts where the last ended instead of reading the range again.
CREATE INDEX responses_by_survey_day_key ON responses (survey_id, day, response_key);
