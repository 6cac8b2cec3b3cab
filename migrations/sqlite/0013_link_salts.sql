-- The personal links of an anonymous survey's send are derived from the instance key, the
-- send, the contact and this random salt. Once the send's last reminder is out and no
-- message of it waits, the salt is forgotten (''), and with it any way to recompute a link,
-- and so to join an invitation to its response, even holding the database and the key.
-- NULL: links derived without a salt (identified surveys, and sends made before this).
ALTER TABLE sends ADD COLUMN link_salt TEXT;
