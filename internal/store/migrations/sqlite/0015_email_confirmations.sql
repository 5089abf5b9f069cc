-- An email a member gives, joining or on their account, is not attached
-- to them at once: it waits here until they open the link sent to it
-- (store/emailconfirm.go, web/emailconfirm.go). Only then is it sealed
-- into members.contact and indexed in members.email_index. So no one
-- who types an address is told whether it is already a member's: the
-- message that goes to the address says so, to whoever reads it.
--
-- The link's secret is kept only as its hash (auth.Hash); the address
-- is sealed like a contact, bound to the member's id. A member has at
-- most one; a row is deleted when it is used, replaced, expired (it
-- lasts store.EmailConfirmTTL), when the key is rotated, and with its
-- member.

CREATE TABLE email_confirmations (
	member_id  TEXT PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
	hash       TEXT NOT NULL UNIQUE,
	email      BLOB NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE INDEX email_confirmations_expires ON email_confirmations (expires_at);
