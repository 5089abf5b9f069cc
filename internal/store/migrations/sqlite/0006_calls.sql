-- Urgent calls (internal/call): the call, the members each ring reached,
-- their answers, the durable outbox of notifications, and the settings
-- that decide who a call reaches.
--
-- Times are milliseconds since 1970 (UTC): rings and retries are
-- minutes and seconds apart.
--
-- Retention: 24 hours (up to 7 days) after a call closes, PurgeCalls
-- copies its counts into the call's row, deletes its targets, answers
-- and outbox rows, and sets its place, message, author and verifier to
-- NULL or ''. What is left names no one and no place.
--
-- Erasure: targets, answers and outbox rows go with their member (the
-- answers and outbox rows through their target); a call keeps no
-- reference to a deleted author or verifier.

CREATE TABLE calls (
	id            TEXT PRIMARY KEY,
	collective_id TEXT NOT NULL REFERENCES collectives (id) ON DELETE CASCADE,
	author_id     TEXT REFERENCES members (id) ON DELETE SET NULL,
	verified_by   TEXT REFERENCES members (id) ON DELETE SET NULL,
	-- The place: a site (its id copied, not a reference: a world may
	-- replace its sites) or a cell, and in cell always the geohash of 5
	-- to 9 characters the call is measured from (a site's point to 9
	-- characters, about 5 m). No latitude or longitude is kept.
	site_id       TEXT,
	cell          TEXT,
	kind          TEXT NOT NULL CHECK (kind IN ('raid', 'picket', 'disaster', 'other')),
	headcount     INTEGER NOT NULL CHECK (headcount >= 1),
	until_ms      INTEGER NOT NULL,
	message_es    TEXT NOT NULL DEFAULT '',
	message_en    TEXT NOT NULL DEFAULT '',
	verify        INTEGER NOT NULL CHECK (verify IN (0, 1)),
	status        TEXT NOT NULL CHECK (status IN ('unverified', 'open', 'closed', 'expired')),
	created_ms    INTEGER NOT NULL,
	verified_ms   INTEGER,
	closed_ms     INTEGER,
	rings         INTEGER NOT NULL DEFAULT 0,
	ring_ms       INTEGER,
	-- Set by the purge, with the counts it keeps.
	purged_ms     INTEGER,
	n_targeted    INTEGER NOT NULL DEFAULT 0,
	n_notified    INTEGER NOT NULL DEFAULT 0,
	n_coming      INTEGER NOT NULL DEFAULT 0,
	n_arrived     INTEGER NOT NULL DEFAULT 0,
	n_cannot      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX calls_live ON calls (status) WHERE status IN ('unverified', 'open');
CREATE INDEX calls_unpurged ON calls (closed_ms) WHERE purged_ms IS NULL;
CREATE INDEX calls_author ON calls (author_id);
CREATE INDEX calls_verified_by ON calls (verified_by);

CREATE TABLE call_targets (
	call_id     TEXT NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
	member_id   TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	ring        INTEGER NOT NULL CHECK (ring >= 1),
	km          REAL NOT NULL,
	notified_ms INTEGER,
	PRIMARY KEY (call_id, member_id)
);
CREATE INDEX call_targets_member ON call_targets (member_id);

CREATE TABLE call_answers (
	call_id   TEXT NOT NULL,
	member_id TEXT NOT NULL,
	answer    TEXT NOT NULL CHECK (answer IN ('coming', 'arrived', 'cannot')),
	at_ms     INTEGER NOT NULL,
	PRIMARY KEY (call_id, member_id),
	FOREIGN KEY (call_id, member_id) REFERENCES call_targets (call_id, member_id) ON DELETE CASCADE
);

-- One row for each (call, member, channel): sent at least once, retried
-- with backoff while next_ms is set; idem is the idempotency id the
-- receiver sees, so that it can drop a repeat. lease names the worker
-- that claimed the row until next_ms.
CREATE TABLE call_outbox (
	id         INTEGER PRIMARY KEY,
	call_id    TEXT NOT NULL,
	member_id  TEXT NOT NULL,
	channel    TEXT NOT NULL,
	idem       TEXT NOT NULL UNIQUE,
	attempts   INTEGER NOT NULL DEFAULT 0,
	next_ms    INTEGER,
	lease      TEXT,
	error_class TEXT NOT NULL DEFAULT '',
	sent_ms    INTEGER,
	UNIQUE (call_id, member_id, channel),
	FOREIGN KEY (call_id, member_id) REFERENCES call_targets (call_id, member_id) ON DELETE CASCADE
);
CREATE INDEX call_outbox_due ON call_outbox (next_ms) WHERE next_ms IS NOT NULL;

-- How far a member goes for a call and when they can; without a row, a
-- member who opted in is reached within DefaultCallReachKm at any time.
-- week is JSON of call.Week, '' for any time; tz an IANA zone.
CREATE TABLE member_call_settings (
	member_id TEXT PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
	reach_km  REAL NOT NULL CHECK (reach_km >= 0),
	week      TEXT NOT NULL DEFAULT '',
	tz        TEXT NOT NULL DEFAULT 'UTC'
);

-- Whether a collective's calls wait for verification (without a row,
-- they do), and the hours (a school's) during which its members count
-- as available for calls.
CREATE TABLE collective_call_settings (
	collective_id TEXT PRIMARY KEY REFERENCES collectives (id) ON DELETE CASCADE,
	verify        INTEGER NOT NULL CHECK (verify IN (0, 1)),
	school_week   TEXT NOT NULL DEFAULT '',
	tz            TEXT NOT NULL DEFAULT 'UTC'
);
