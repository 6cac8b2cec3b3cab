-- Weighted NPS. A survey may weigh each respondent by a contact attribute (a tier with
-- the admin's weights, or a number such as revenue). A response keeps the weight it was
-- counted with, so a changed answer takes off exactly what it added, and the weight
-- buckets keep, per bucket of answer_buckets, the answers that had a weight, Σw and Σw².
ALTER TABLE surveys ADD COLUMN weighting TEXT;
ALTER TABLE responses ADD COLUMN weight REAL;
CREATE TABLE answer_weights (
    survey_id    INTEGER NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    question_key TEXT NOT NULL,
    segment      TEXT NOT NULL,
    day          TEXT NOT NULL,
    score        INTEGER NOT NULL,
    n            INTEGER NOT NULL,
    weight       REAL NOT NULL,
    weight_sq    REAL NOT NULL,
    PRIMARY KEY (survey_id, question_key, segment, day, score)
);

-- A send's wave movement reads its responses, found by send.
CREATE INDEX responses_by_send ON responses (send_id) WHERE send_id IS NOT NULL;
