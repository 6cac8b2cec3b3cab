-- Weighted NPS. A survey may weigh each respondent by a contact attribute (a tier with
-- the admin's weights, or a number such as revenue). A response keeps the weight it was
-- counted with, so a changed answer takes off exactly what it added, and the weight
-- buckets keep, per bucket of answer_buckets, the answers that had a weight, Σw and Σw².
ALTER TABLE surveys ADD COLUMN weighting TEXT;
ALTER TABLE responses ADD COLUMN weight DOUBLE PRECISION;
CREATE TABLE answer_weights (
    survey_id    BIGINT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    question_key TEXT NOT NULL,
    segment      TEXT NOT NULL,
    day          DATE NOT NULL,
    score        INTEGER NOT NULL,
    n            BIGINT NOT NULL,
    weight       DOUBLE PRECISION NOT NULL,
    weight_sq    DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (survey_id, question_key, segment, day, score)
);

-- A send's wave movement reads its responses, found by send.
CREATE INDEX responses_by_send ON responses (send_id) WHERE send_id IS NOT NULL;

-- Comments are listed newest first by (day, id): with the id in the index, a page of them
-- reads its rows, not the whole range (SQLite's indexes carry the rowid already).
CREATE INDEX responses_by_survey_day ON responses (survey_id, day, id);
DROP INDEX responses_by_survey;
