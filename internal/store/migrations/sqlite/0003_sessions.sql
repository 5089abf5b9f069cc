-- Signing in: browser sessions, passkeys, one-time login codes, who is an
-- organizer, and a keyed hash of each member's email to find them by it.
-- Secrets are kept only as hashes (auth.Hash for sessions, an HMAC under a
-- key outside the database for codes and emails), so a stolen database
-- gives no way in and names no one. Everything goes with its member.

-- HMAC-SHA256 of the member's normalized email under a key derived from
-- the sealing key: "send me a code" finds the member without a column of
-- plain emails. NULL without an email.
ALTER TABLE members ADD COLUMN email_index TEXT;
CREATE UNIQUE INDEX members_email_index ON members (email_index);

CREATE TABLE organizers (
	member_id TEXT PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE
);

CREATE TABLE sessions (
	hash       TEXT PRIMARY KEY,
	member_id  TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	passkey    INTEGER NOT NULL CHECK (passkey IN (0, 1)),
	created_at INTEGER NOT NULL,
	seen_at    INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_member ON sessions (member_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE login_codes (
	member_id  TEXT PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
	hash       TEXT NOT NULL,
	expires_at INTEGER NOT NULL,
	attempts   INTEGER NOT NULL DEFAULT 0
);

-- The WebAuthn user handle of a member: random, so that authenticators
-- hold nothing of the member's id.
CREATE TABLE passkey_users (
	member_id TEXT PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
	handle    BLOB NOT NULL UNIQUE
);

CREATE TABLE credentials (
	id                 BLOB PRIMARY KEY,
	member_id          TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	public_key         BLOB NOT NULL,
	sign_count         INTEGER NOT NULL DEFAULT 0,
	flags              INTEGER NOT NULL DEFAULT 0,
	aaguid             BLOB,
	attestation_type   TEXT NOT NULL DEFAULT '',
	attestation_format TEXT NOT NULL DEFAULT '',
	clone_warning      INTEGER NOT NULL DEFAULT 0 CHECK (clone_warning IN (0, 1)),
	created_at         INTEGER NOT NULL,
	used_at            INTEGER
);
CREATE INDEX credentials_member ON credentials (member_id);
