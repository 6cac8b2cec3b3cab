-- What a survey sends after a completed response: a thank-you to the respondent, and an
-- alert to its owner when the headline score is low (an NPS detractor). Both go through
-- the outbox like every email.
ALTER TABLE surveys ADD COLUMN thank_you_email BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE surveys ADD COLUMN detractor_alerts BOOLEAN NOT NULL DEFAULT FALSE;

-- The response an alert is about. A finished message drops it, so the outbox keeps no
-- time of an (anonymous) response once the alert is out.
ALTER TABLE outbox ADD COLUMN response_id BIGINT REFERENCES responses (id) ON DELETE SET NULL;
