-- A link that signs a member in once, made by the server's operator
-- with "commune signin-link" (store/signinlink.go, web/signin.go): the
-- way into a browser for the first organizer of a new server, or for
-- a member with neither a passkey nor an email the server can write
-- to. Only the hash of its secret is kept (auth.Hash); a member has at
-- most one; a row is deleted when it is used, replaced, expired (it
-- lasts store.SignInLinkTTL), and with its member.

CREATE TABLE signin_links (
	member_id  TEXT PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
	hash       TEXT NOT NULL UNIQUE,
	expires_at BIGINT NOT NULL
);
CREATE INDEX signin_links_expires ON signin_links (expires_at);
