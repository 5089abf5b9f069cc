-- The newspaper: articles, their editors, and editions.
--
-- An article is signed by its author's alias, read from members at the
-- time it is shown: there is no column for any other name. Its body is
-- Markdown as written; the HTML readers get is rendered and sanitized
-- on the way out (web/newsrender.go), so a better sanitizer later covers
-- every article already stored. An article goes with its author when
-- they erase themselves (ON DELETE CASCADE), published ones included:
-- erasing means everything, and the paper keeps its printed copies.
--
-- translation_id links an article to its translation in the other
-- language; the link is kept symmetric by the store (both rows name each
-- other) and UNIQUE makes it one to one.
--
-- editors are the members an organizer let move articles to published.

CREATE TABLE editors (
	member_id TEXT PRIMARY KEY REFERENCES members (id) ON DELETE CASCADE
);

CREATE TABLE articles (
	id             TEXT PRIMARY KEY,
	author_id      TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
	language       TEXT NOT NULL CHECK (language IN ('en', 'es')),
	title          TEXT NOT NULL,
	body           TEXT NOT NULL,
	state          TEXT NOT NULL CHECK (state IN ('draft', 'review', 'published')),
	translation_id TEXT UNIQUE REFERENCES articles (id) ON DELETE SET NULL,
	created_at     INTEGER NOT NULL,
	updated_at     INTEGER NOT NULL,
	published_at   INTEGER
);
CREATE INDEX articles_published ON articles (state, language, published_at);
CREATE INDEX articles_author ON articles (author_id);

CREATE TABLE editions (
	id         TEXT PRIMARY KEY,
	number     INTEGER NOT NULL UNIQUE CHECK (number > 0),
	title      TEXT NOT NULL,
	date       TEXT NOT NULL,
	created_at INTEGER NOT NULL
);

CREATE TABLE edition_articles (
	edition_id TEXT NOT NULL REFERENCES editions (id) ON DELETE CASCADE,
	article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	pos        INTEGER NOT NULL,
	PRIMARY KEY (edition_id, article_id)
);
CREATE INDEX edition_articles_article ON edition_articles (article_id);
