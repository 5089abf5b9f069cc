-- API tokens for scripts. Only the SHA-256 of a token is kept (auth.Hash),
-- so a stolen database gives no way in. A member's tokens go with them.

CREATE TABLE tokens (
	hash          TEXT PRIMARY KEY,
	member_id     TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	role          TEXT NOT NULL CHECK (role IN ('member', 'coordinator', 'organizer')),
	collective_id TEXT REFERENCES collectives (id) ON DELETE CASCADE,
	created_at    BIGINT NOT NULL
);
CREATE INDEX tokens_member ON tokens (member_id);
