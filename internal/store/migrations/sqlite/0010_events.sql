-- Events (a May Day march): who is invited, each collective's contingent,
-- RSVPs, check-ins and the reminders sent.
--
-- What names a member (rsvps, checkins, reminders, a contingent's
-- marshal, the event's creator) is deleted or set to NULL seven days
-- after the event ends (PurgeEvents), and at once when the member is
-- deleted (the cascades). What stays is a count per collective, in
-- event_collectives, written by the purge before it deletes the rows.
--
-- A place is a site (public) or a geohash cell of 4 to 6 characters,
-- never a street address; a meeting point may add free text ("corner of
-- 1st and Soto").

CREATE TABLE events (
	id             TEXT PRIMARY KEY,
	title_en       TEXT NOT NULL,
	title_es       TEXT NOT NULL,
	description_en TEXT NOT NULL DEFAULT '',
	description_es TEXT NOT NULL DEFAULT '',
	starts_at      INTEGER NOT NULL,
	ends_at        INTEGER NOT NULL,
	site_id        TEXT REFERENCES sites (id) ON DELETE SET NULL,
	cell           TEXT CHECK (cell IS NULL OR length(cell) BETWEEN 4 AND 6),
	created_by     TEXT REFERENCES members (id) ON DELETE SET NULL,
	created_at     INTEGER NOT NULL,
	purged_at      INTEGER,
	CHECK (ends_at > starts_at)
);
CREATE INDEX events_starts ON events (starts_at, id);
CREATE INDEX events_created_by ON events (created_by);

CREATE TABLE event_collectives (
	event_id      TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	collective_id TEXT NOT NULL REFERENCES collectives (id) ON DELETE CASCADE,
	pos           INTEGER NOT NULL,
	meet_site     TEXT REFERENCES sites (id) ON DELETE SET NULL,
	meet_cell     TEXT CHECK (meet_cell IS NULL OR length(meet_cell) BETWEEN 4 AND 6),
	meet_note     TEXT NOT NULL DEFAULT '',
	meet_at       INTEGER,
	marshal_id    TEXT REFERENCES members (id) ON DELETE SET NULL,
	yes_count     INTEGER NOT NULL DEFAULT 0,
	maybe_count   INTEGER NOT NULL DEFAULT 0,
	no_count      INTEGER NOT NULL DEFAULT 0,
	checkin_count INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (event_id, collective_id)
);
CREATE INDEX event_collectives_collective ON event_collectives (collective_id, event_id);
CREATE INDEX event_collectives_marshal ON event_collectives (marshal_id);

CREATE TABLE event_rsvps (
	event_id      TEXT NOT NULL,
	member_id     TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	collective_id TEXT NOT NULL,
	answer        TEXT NOT NULL CHECK (answer IN ('yes', 'maybe', 'no')),
	updated_at    INTEGER NOT NULL,
	PRIMARY KEY (event_id, member_id),
	FOREIGN KEY (event_id, collective_id) REFERENCES event_collectives (event_id, collective_id) ON DELETE CASCADE
);
CREATE INDEX event_rsvps_member ON event_rsvps (member_id);
CREATE INDEX event_rsvps_collective ON event_rsvps (event_id, collective_id);

CREATE TABLE event_checkins (
	event_id      TEXT NOT NULL,
	member_id     TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	collective_id TEXT NOT NULL,
	at            INTEGER NOT NULL,
	PRIMARY KEY (event_id, member_id),
	FOREIGN KEY (event_id, collective_id) REFERENCES event_collectives (event_id, collective_id) ON DELETE CASCADE
);
CREATE INDEX event_checkins_member ON event_checkins (member_id);

-- A reminder is claimed here before it is sent: the primary key is its
-- idempotency id, so that a restart never sends one twice.
CREATE TABLE event_reminders (
	event_id  TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	member_id TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	kind      TEXT NOT NULL CHECK (kind IN ('day', 'hour')),
	at        INTEGER NOT NULL,
	PRIMARY KEY (event_id, member_id, kind)
);
CREATE INDEX event_reminders_member ON event_reminders (member_id);
