-- A ring of 100,000 members writes 100,000 targets and as many outbox
-- rows per channel in one transaction (issue 6: under 2 seconds from
-- verification to the outbox). Each foreign key made every one of those
-- rows look up its parent, and the outbox's unique idempotency ids kept
-- an index of random strings; so the three tables of a call's people
-- keep no foreign keys, and their rows are deleted explicitly: by
-- PurgeCalls when the retention has passed, by DeleteMember when a
-- member leaves (calls themselves are never deleted, only purged).
-- An idempotency id is unique by construction (a random 128-bit prefix
-- for each ring and a count, see idempotencyIDs), and so is an outbox
-- row's (call, member, channel), which a ring writes once for each
-- target it adds; an index on the call alone is what the purge and the
-- erasure read, and it costs far less to fill than the unique one of
-- three long keys did. call_targets is
-- clustered on its key (WITHOUT ROWID): one b-tree a row instead of two;
-- and it has no index by member any more: a member's rows are found
-- through the calls not yet purged, the only ones that have any.
--
-- An outbox row now says what it is for: 'answer', a call's notice to a
-- member it targets, or 'verify', the request to a coordinator or an
-- organizer to verify a call another raised (AskVerify); calls.asked_ms
-- is when those requests were written, once a call.
--
-- Children first: with foreign keys on, dropping call_targets while
-- call_answers and call_outbox still referred to it would delete their
-- rows by cascade.

CREATE TABLE call_outbox_new (
	id          INTEGER PRIMARY KEY,
	call_id     TEXT NOT NULL,
	member_id   TEXT NOT NULL,
	channel     TEXT NOT NULL,
	idem        TEXT NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	next_ms     INTEGER,
	lease       TEXT,
	error_class TEXT NOT NULL DEFAULT '',
	sent_ms     INTEGER,
	purpose     TEXT NOT NULL DEFAULT 'answer' CHECK (purpose IN ('answer', 'verify'))
);
INSERT INTO call_outbox_new (id, call_id, member_id, channel, idem, attempts, next_ms, lease, error_class, sent_ms)
SELECT id, call_id, member_id, channel, idem, attempts, next_ms, lease, error_class, sent_ms FROM call_outbox;
DROP TABLE call_outbox;
ALTER TABLE call_outbox_new RENAME TO call_outbox;
CREATE INDEX call_outbox_call ON call_outbox (call_id);
CREATE INDEX call_outbox_due ON call_outbox (next_ms) WHERE next_ms IS NOT NULL;

CREATE TABLE call_answers_new (
	call_id   TEXT NOT NULL,
	member_id TEXT NOT NULL,
	answer    TEXT NOT NULL CHECK (answer IN ('coming', 'arrived', 'cannot')),
	at_ms     INTEGER NOT NULL,
	PRIMARY KEY (call_id, member_id)
) WITHOUT ROWID;
INSERT INTO call_answers_new SELECT call_id, member_id, answer, at_ms FROM call_answers;
DROP TABLE call_answers;
ALTER TABLE call_answers_new RENAME TO call_answers;

CREATE TABLE call_targets_new (
	call_id     TEXT NOT NULL,
	member_id   TEXT NOT NULL,
	ring        INTEGER NOT NULL CHECK (ring >= 1),
	km          REAL NOT NULL,
	notified_ms INTEGER,
	PRIMARY KEY (call_id, member_id)
) WITHOUT ROWID;
INSERT INTO call_targets_new SELECT call_id, member_id, ring, km, notified_ms FROM call_targets;
DROP TABLE call_targets;
ALTER TABLE call_targets_new RENAME TO call_targets;

ALTER TABLE calls ADD COLUMN asked_ms INTEGER;
