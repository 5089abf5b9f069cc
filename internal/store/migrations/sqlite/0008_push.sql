-- Web Push subscriptions: each browser (a phone, a laptop) on which a
-- member asked for urgent calls. The endpoint URL names the device at its
-- push service and is as personal as a phone number, so the subscription
-- (endpoint and keys) is sealed like a contact, under the key outside the
-- database; endpoint_index is an HMAC-SHA256 of the endpoint under a key
-- derived from the sealing key, to find a subscription by its endpoint
-- without opening any. A browser has one subscription whoever signs in on
-- it: the index is unique across members. Everything goes with its member.

CREATE TABLE push_subscriptions (
	endpoint_index TEXT PRIMARY KEY,
	member_id      TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	subscription   BLOB NOT NULL,
	created_at     INTEGER NOT NULL
);
CREATE INDEX push_subscriptions_member ON push_subscriptions (member_id, created_at);
