-- Facts of a story (events, roles, numbers, quotes) with their support, and conflicts.
-- Rebuilt per story by the corroborate stage (delete-then-insert), so always consistent
-- with the story's current articles.
CREATE TABLE facts (
    id                  TEXT PRIMARY KEY,     -- hash of story, kind, subject, attribute, value, status
    story_id            TEXT NOT NULL,
    kind                TEXT NOT NULL,        -- event | attribute | quote
    subject             TEXT NOT NULL,
    attribute           TEXT NOT NULL,        -- event type, role, duration, quote
    value               TEXT NOT NULL,
    status              TEXT NOT NULL,        -- occurred | planned | negated | reported
    event_id            TEXT,                 -- representative event of an event fact
    events              TEXT NOT NULL DEFAULT '[]',  -- JSON: every event merged into the fact
    confirmed_by        TEXT,                 -- planned fact: the occurred fact confirming it
    first_reported      TEXT,                 -- article id
    independent_sources INTEGER NOT NULL,     -- distinct syndication families among articles
    articles            TEXT NOT NULL,        -- JSON list of article ids
    families            TEXT NOT NULL         -- JSON list of family ids
);
CREATE INDEX facts_story ON facts(story_id);

CREATE TABLE fact_evidence (
    fact_id    TEXT NOT NULL REFERENCES facts(id) ON DELETE CASCADE,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start      INTEGER NOT NULL,              -- offsets into the article's clean_text
    "end"      INTEGER NOT NULL,
    text       TEXT NOT NULL                  -- == clean_text[start:end]
);
CREATE INDEX fact_evidence_fact ON fact_evidence(fact_id);
CREATE INDEX fact_evidence_article ON fact_evidence(article_id);

CREATE TABLE conflicts (
    id        TEXT PRIMARY KEY,
    story_id  TEXT NOT NULL,
    kind      TEXT NOT NULL,                  -- attribute | quote-variant | date | number
    subject   TEXT NOT NULL,
    attribute TEXT NOT NULL,
    "values"  TEXT NOT NULL                   -- JSON: [{value, note, evidence: [[article, start, end, text]], families}]
);
CREATE INDEX conflicts_story ON conflicts(story_id);
