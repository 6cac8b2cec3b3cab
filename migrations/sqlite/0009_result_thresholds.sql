-- Below this many answers a score is shown as "not enough answers yet" (min_group_size,
-- the anonymity threshold, has been here since 0002).
ALTER TABLE surveys ADD COLUMN min_meaningful INTEGER NOT NULL DEFAULT 10;
