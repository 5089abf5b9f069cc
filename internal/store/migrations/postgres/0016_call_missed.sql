-- Why a call reached fewer than its coordinators hoped, in counts only
-- (call.Missed): of the members living within call.NearKm of its place
-- and not reached, those who do not want calls, those for whom the
-- place is beyond how far they go, those not available at the time,
-- and those waiting for a later ring. Ring writes them each time it
-- looks for people (missed_ms: when they last changed; NULL before it
-- ever looked). n_noway and n_failed are the counts of the targets no
-- channel could tell (no address on any) or whose every notice failed,
-- which the board works out from the outbox while there is one, and
-- which the purge keeps with the other counts. None names anyone.

ALTER TABLE calls ADD COLUMN missed_ms BIGINT;
ALTER TABLE calls ADD COLUMN miss_opt_in INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN miss_far INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN miss_away INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN miss_later INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN n_noway INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calls ADD COLUMN n_failed INTEGER NOT NULL DEFAULT 0;
