-- A ring of 100,000 members writes 100,000 targets and as many outbox
-- rows per channel in one transaction (issue 6: under 2 seconds from
-- verification to the outbox). Each foreign key made every one of those
-- rows look up its parent (on PostgreSQL a trigger a row: 1.8 s of a
-- ring's 3.8 s), and the outbox's unique idempotency ids kept an index
-- of random strings; so the three tables of a call's people keep no
-- foreign keys, and their rows are deleted explicitly: by PurgeCalls
-- when the retention has passed, by DeleteMember when a member leaves
-- (calls themselves are never deleted, only purged). An idempotency id
-- is unique by construction (a random 128-bit prefix for each ring and
-- a count, see idempotencyIDs), and so is an outbox row's (call, member,
-- channel), which a ring writes once for each target it adds; an index
-- on the call alone is what the purge and the erasure read, and costs
-- half as much to fill as the unique one of three long keys did.
-- call_targets has no index by member any more (a third of the time of
-- its inserts): a member's rows are found through the calls not yet
-- purged, the only ones that have any.
--
-- An outbox row now says what it is for: 'answer', a call's notice to a
-- member it targets, or 'verify', the request to a coordinator or an
-- organizer to verify a call another raised (AskVerify); calls.asked_ms
-- is when those requests were written, once a call.

ALTER TABLE call_outbox DROP CONSTRAINT call_outbox_call_id_member_id_fkey;
ALTER TABLE call_outbox DROP CONSTRAINT call_outbox_idem_key;
ALTER TABLE call_answers DROP CONSTRAINT call_answers_call_id_member_id_fkey;
ALTER TABLE call_targets DROP CONSTRAINT call_targets_call_id_fkey;
ALTER TABLE call_targets DROP CONSTRAINT call_targets_member_id_fkey;
ALTER TABLE call_outbox DROP CONSTRAINT call_outbox_call_id_member_id_channel_key;
CREATE INDEX call_outbox_call ON call_outbox (call_id);
DROP INDEX call_targets_member;
ALTER TABLE call_outbox ADD COLUMN purpose TEXT NOT NULL DEFAULT 'answer' CHECK (purpose IN ('answer', 'verify'));
ALTER TABLE calls ADD COLUMN asked_ms BIGINT;
