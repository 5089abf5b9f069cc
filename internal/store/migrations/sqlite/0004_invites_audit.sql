-- Invites to join a collective, and the audit log of who read which
-- member list.
--
-- An invite keeps only the SHA-256 of its code (auth.Hash): the code is
-- shown once, to whoever made the invite, so a stolen database lets no one
-- join. created_by is set to NULL when its member is deleted: the invite
-- belongs to the collective, and no row may name a deleted member.
--
-- The audit log names its actor by a pseudonym, an HMAC of the member's id
-- under a key kept in a file beside the contacts' key, never in the
-- database (see store/audit.go): the rows outlive the member without
-- naming them. It holds no IP address.

CREATE TABLE invites (
	id            TEXT PRIMARY KEY,
	collective_id TEXT NOT NULL REFERENCES collectives (id) ON DELETE CASCADE,
	role          TEXT NOT NULL CHECK (role IN ('member', 'coordinator')),
	code_hash     TEXT NOT NULL UNIQUE,
	created_by    TEXT REFERENCES members (id) ON DELETE SET NULL,
	created_at    INTEGER NOT NULL,
	expires_at    INTEGER NOT NULL,
	max_uses      INTEGER NOT NULL CHECK (max_uses > 0),
	uses          INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0 AND uses <= max_uses)
);
CREATE INDEX invites_collective ON invites (collective_id, id);
CREATE INDEX invites_created_by ON invites (created_by);

CREATE TABLE audit_log (
	id            INTEGER PRIMARY KEY,
	actor         TEXT NOT NULL,
	action        TEXT NOT NULL,
	collective_id TEXT NOT NULL,
	at            INTEGER NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor, id);
