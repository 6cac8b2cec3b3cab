-- A send's counts group its outbox rows by kind, status and skip reason: with the reason
-- in the index, they are read from the index alone, never from the rows.
DROP INDEX outbox_by_send;
CREATE INDEX outbox_by_send ON outbox (send_id, kind, status, skip_reason);
