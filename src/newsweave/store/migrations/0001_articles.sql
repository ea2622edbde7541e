-- Articles as ingested, cleaned and described; every sighting; what cleaning removed.
CREATE TABLE articles (
    id          TEXT PRIMARY KEY,          -- hash of the normalised body text
    seq         INTEGER NOT NULL UNIQUE,   -- arrival order, stable
    raw_text    TEXT NOT NULL,
    clean_text  TEXT NOT NULL,
    title       TEXT,
    url         TEXT,
    outlet      TEXT,
    agency      TEXT,
    byline      TEXT,
    dateline    TEXT,
    published   TEXT,                      -- YYYY-MM-DD or NULL
    language    TEXT,
    body_start  INTEGER NOT NULL DEFAULT 0,
    provenance  TEXT NOT NULL DEFAULT '{}', -- JSON: field -> where it came from
    extra       TEXT NOT NULL DEFAULT '{}', -- JSON: unknown keys of the source
    ingested_at TEXT NOT NULL
);
CREATE INDEX articles_published ON articles(published);
CREATE INDEX articles_outlet ON articles(outlet);

CREATE TABLE sightings (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    source     TEXT NOT NULL,
    seen_at    TEXT NOT NULL,
    PRIMARY KEY (article_id, source)
);

CREATE TABLE removed_spans (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start      INTEGER NOT NULL,           -- offsets into raw_text
    "end"      INTEGER NOT NULL,
    text       TEXT NOT NULL,
    reason     TEXT NOT NULL
);
CREATE INDEX removed_spans_article ON removed_spans(article_id);

-- Lines seen per outlet, to learn boilerplate that an outlet repeats across its articles.
CREATE TABLE outlet_lines (
    outlet     TEXT NOT NULL,
    line_hash  TEXT NOT NULL,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    PRIMARY KEY (outlet, line_hash, article_id)
);

-- Which analysis stage has processed which article: makes every stage incremental
-- and resumable (a stage runs only on the articles it has not yet done).
CREATE TABLE stage_done (
    stage      TEXT NOT NULL,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    done_at    TEXT NOT NULL,
    PRIMARY KEY (stage, article_id)
);
