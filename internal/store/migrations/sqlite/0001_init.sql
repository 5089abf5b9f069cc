-- The first schema of commune on SQLite. There are no columns for legal
-- names, immigration status, street addresses or birth dates, and there
-- must never be: a member is an alias, a home cell and one sealed way to
-- reach them.

CREATE TABLE collectives (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	kind       TEXT NOT NULL CHECK (kind IN ('workplace', 'school', 'neighbourhood', 'other')),
	created_at INTEGER NOT NULL
);

CREATE TABLE members (
	id          TEXT PRIMARY KEY,
	alias       TEXT NOT NULL UNIQUE,
	language    TEXT NOT NULL,
	cell        TEXT NOT NULL CHECK (length(cell) BETWEEN 4 AND 6),
	contact     BLOB,
	call_opt_in INTEGER NOT NULL DEFAULT 0 CHECK (call_opt_in IN (0, 1)),
	created_at  INTEGER NOT NULL
);

CREATE TABLE memberships (
	member_id     TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	collective_id TEXT NOT NULL REFERENCES collectives (id) ON DELETE CASCADE,
	role          TEXT NOT NULL CHECK (role IN ('member', 'coordinator')),
	pos           INTEGER NOT NULL,
	PRIMARY KEY (member_id, collective_id)
);
CREATE INDEX memberships_collective ON memberships (collective_id, member_id);

CREATE TABLE world_settings (
	id     INTEGER PRIMARY KEY CHECK (id = 1),
	period TEXT NOT NULL
);

CREATE TABLE skills (
	id   TEXT PRIMARY KEY,
	pos  INTEGER NOT NULL,
	name TEXT NOT NULL
);

CREATE TABLE products (
	id             TEXT PRIMARY KEY,
	pos            INTEGER NOT NULL,
	name           TEXT NOT NULL,
	unit           TEXT NOT NULL,
	kind           TEXT NOT NULL CHECK (kind IN ('good', 'service')),
	transport_cost REAL,
	reach_km       REAL NOT NULL DEFAULT 0
);

CREATE TABLE sites (
	id            TEXT PRIMARY KEY,
	pos           INTEGER NOT NULL,
	name          TEXT NOT NULL,
	kind          TEXT NOT NULL,
	lat           REAL NOT NULL,
	lon           REAL NOT NULL,
	collective_id TEXT REFERENCES collectives (id) ON DELETE SET NULL
);

CREATE TABLE recipes (
	id       TEXT PRIMARY KEY,
	pos      INTEGER NOT NULL,
	site_id  TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
	max_runs REAL
);

CREATE TABLE recipe_outputs (
	recipe_id  TEXT NOT NULL REFERENCES recipes (id) ON DELETE CASCADE,
	product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
	qty        REAL NOT NULL,
	PRIMARY KEY (recipe_id, product_id)
);

CREATE TABLE recipe_inputs (
	recipe_id  TEXT NOT NULL REFERENCES recipes (id) ON DELETE CASCADE,
	product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
	qty        REAL NOT NULL,
	PRIMARY KEY (recipe_id, product_id)
);

CREATE TABLE recipe_labor (
	recipe_id TEXT NOT NULL REFERENCES recipes (id) ON DELETE CASCADE,
	skill_id  TEXT NOT NULL REFERENCES skills (id) ON DELETE CASCADE,
	hours     REAL NOT NULL,
	PRIMARY KEY (recipe_id, skill_id)
);

CREATE TABLE stocks (
	site_id    TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
	product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
	pos        INTEGER NOT NULL,
	qty        REAL NOT NULL,
	PRIMARY KEY (site_id, product_id)
);

CREATE TABLE commitments (
	member_id TEXT PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE,
	pos       INTEGER NOT NULL,
	hours     REAL NOT NULL,
	max_km    REAL NOT NULL
);

CREATE TABLE commitment_skills (
	member_id TEXT NOT NULL REFERENCES commitments (member_id) ON DELETE CASCADE,
	skill_id  TEXT NOT NULL REFERENCES skills (id) ON DELETE CASCADE,
	pos       INTEGER NOT NULL,
	PRIMARY KEY (member_id, skill_id)
);

CREATE TABLE needs (
	id         TEXT PRIMARY KEY,
	pos        INTEGER NOT NULL,
	member_id  TEXT REFERENCES members (id) ON DELETE CASCADE,
	site_id    TEXT REFERENCES sites (id) ON DELETE CASCADE,
	product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
	qty        REAL NOT NULL,
	tier       TEXT NOT NULL CHECK (tier IN ('essential', 'basic', 'wanted')),
	CHECK ((member_id IS NULL) <> (site_id IS NULL))
);
CREATE INDEX needs_member ON needs (member_id);
CREATE INDEX needs_site ON needs (site_id);

CREATE TABLE plan_runs (
	id         INTEGER PRIMARY KEY,
	status     TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
	progress   REAL NOT NULL DEFAULT 0,
	plan       BLOB,
	error      TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL
);
