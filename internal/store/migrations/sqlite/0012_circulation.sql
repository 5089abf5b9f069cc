-- The newspaper's circulation and the organization's growth, week by
-- week: the copies each collective received and handed out, as its
-- coordinators record them, and the number of members of each
-- collective, noted by the server every week. Counts only: no row names
-- a member. A week is written as in ISO 8601: 2026-W48.

CREATE TABLE circulation (
	collective_id TEXT NOT NULL REFERENCES collectives (id) ON DELETE CASCADE,
	week          TEXT NOT NULL CHECK (length(week) = 8),
	received      INTEGER NOT NULL CHECK (received >= 0),
	handed_out    INTEGER NOT NULL CHECK (handed_out >= 0),
	recorded_at   INTEGER NOT NULL,
	PRIMARY KEY (collective_id, week)
);

CREATE TABLE collective_sizes (
	collective_id TEXT NOT NULL REFERENCES collectives (id) ON DELETE CASCADE,
	week          TEXT NOT NULL CHECK (length(week) = 8),
	members       INTEGER NOT NULL CHECK (members >= 0),
	PRIMARY KEY (collective_id, week)
);
