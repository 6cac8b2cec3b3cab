-- Dashboards filter and break down by the survey's grouping attributes and (identified
-- surveys) by send. Each answer is counted once per segment it falls in: '' (everyone),
-- each `attribute=value`, and for identified surveys each pair of them, joined by U+001F
-- in key order. The segment now comes before the day in the key, so one segment's days
-- are one range of the index however many segments there are.
-- The question key '' counts responses (score 0), so a filtered view knows its skipped
-- answers without reading responses.
CREATE TABLE answer_buckets_by_segment (
    survey_id    BIGINT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    question_key TEXT NOT NULL,
    segment      TEXT NOT NULL,
    day          DATE NOT NULL,
    score        INTEGER NOT NULL,
    n            BIGINT NOT NULL,
    PRIMARY KEY (survey_id, question_key, segment, day, score)
);

INSERT INTO answer_buckets_by_segment (survey_id, question_key, segment, day, score, n)
SELECT survey_id, question_key, '', day, score, n FROM answer_buckets WHERE segment = '';

INSERT INTO answer_buckets_by_segment (survey_id, question_key, segment, day, score, n)
SELECT r.survey_id, '', '', r.day, 0, COUNT(*) FROM responses r GROUP BY r.survey_id, r.day;

-- Earlier answers are counted in their grouping attributes' segments too. Their send was
-- not kept, so they appear under no send.
INSERT INTO answer_buckets_by_segment (survey_id, question_key, segment, day, score, n)
SELECT r.survey_id, a.question_key, g.key || '=' || g.value, r.day, a.score, COUNT(*)
FROM answers a JOIN responses r ON r.id = a.response_id, json_each_text(r.groups::json) g
WHERE a.score IS NOT NULL
GROUP BY r.survey_id, a.question_key, g.key, g.value, r.day, a.score;

INSERT INTO answer_buckets_by_segment (survey_id, question_key, segment, day, score, n)
SELECT r.survey_id, '', g.key || '=' || g.value, r.day, 0, COUNT(*)
FROM responses r, json_each_text(r.groups::json) g
GROUP BY r.survey_id, g.key, g.value, r.day;

INSERT INTO answer_buckets_by_segment (survey_id, question_key, segment, day, score, n)
SELECT r.survey_id, a.question_key,
       g.key || '=' || g.value || chr(31) || h.key || '=' || h.value, r.day, a.score, COUNT(*)
FROM answers a JOIN responses r ON r.id = a.response_id
JOIN surveys s ON s.id = r.survey_id, json_each_text(r.groups::json) g, json_each_text(r.groups::json) h
WHERE a.score IS NOT NULL AND g.key < h.key COLLATE "C" AND NOT s.anonymous
GROUP BY r.survey_id, a.question_key, g.key, g.value, h.key, h.value, r.day, a.score;

INSERT INTO answer_buckets_by_segment (survey_id, question_key, segment, day, score, n)
SELECT r.survey_id, '', g.key || '=' || g.value || chr(31) || h.key || '=' || h.value,
       r.day, 0, COUNT(*)
FROM responses r JOIN surveys s ON s.id = r.survey_id, json_each_text(r.groups::json) g, json_each_text(r.groups::json) h
WHERE g.key < h.key COLLATE "C" AND NOT s.anonymous
GROUP BY r.survey_id, g.key, g.value, h.key, h.value, r.day;

DROP TABLE answer_buckets;
ALTER TABLE answer_buckets_by_segment RENAME TO answer_buckets;
ALTER TABLE answer_buckets RENAME CONSTRAINT answer_buckets_by_segment_pkey TO answer_buckets_pkey;

-- How many responses each `attribute=value` segment holds over the survey's life: the
-- values the dashboard's filters offer (an anonymous survey's only when they reach its
-- minimum group size).
CREATE TABLE segment_sizes (
    survey_id BIGINT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    segment   TEXT NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (survey_id, segment)
);

INSERT INTO segment_sizes (survey_id, segment, n)
SELECT r.survey_id, g.key || '=' || g.value, COUNT(*)
FROM responses r, json_each_text(r.groups::json) g
GROUP BY r.survey_id, g.key, g.value;

-- Whether the invitation's response was completed, for each send's response funnel
-- (recipients, delivered, started, completed). Earlier completions were not linked.
ALTER TABLE invitations ADD COLUMN completed BOOLEAN NOT NULL DEFAULT FALSE;

-- The send an identified survey's response answers (anonymous ones keep none), so its
-- comments can be filtered by send like its scores.
ALTER TABLE responses ADD COLUMN send_id BIGINT;
