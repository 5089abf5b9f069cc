-- Revocations of API tokens in the audit log (store/audit.go): which
-- token, by its public id (never the token or its hash), and whose it
-- was, by the member's pseudonym, as the actor is named, so that the
-- row names no one once that member is deleted. A revocation's
-- collective is the one a coordinator's token acted on, or ''; the
-- reads of member lists leave both new columns ''.

ALTER TABLE audit_log ADD COLUMN subject TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN token_id TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_log_subject ON audit_log (subject, id);
