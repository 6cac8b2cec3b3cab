-- The editor's working copy of a survey: kept as typed, even while invalid, so nothing an
-- author writes is lost between steps; respondents only ever see the saved definition.
CREATE TABLE survey_drafts (
    survey_id  INTEGER PRIMARY KEY REFERENCES surveys (id) ON DELETE CASCADE,
    draft      TEXT NOT NULL,
    updated_by INTEGER NOT NULL REFERENCES users (id),
    updated_at TEXT NOT NULL
);
