-- A token's public id: the first 12 hex digits of its hash (auth.Hash
-- of the secret). It names the token in lists and revocations without
-- being the secret or a way to it: 48 bits of a SHA-256 of 256 random
-- bits. Tokens made before it get theirs from the hash they have, so
-- they keep working and can be revoked like new ones.

ALTER TABLE tokens ADD COLUMN id TEXT NOT NULL DEFAULT '';
UPDATE tokens SET id = substr(hash, 1, 12);
CREATE UNIQUE INDEX tokens_id ON tokens (id);
