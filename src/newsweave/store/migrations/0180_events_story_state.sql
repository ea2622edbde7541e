-- What the events stage keeps per story so that a new article's quotes cost only their own
-- work (issue 19): the articles the story's stored quotes and events cover, the story's quote
-- groups as first-fit grouping continues them (events.QuoteGroup), and every full recompute.
-- A story with no state here is recomputed whole the next time it gets an article.
CREATE TABLE events_members (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    story_id   TEXT NOT NULL               -- the story whose stored events and quotes cover the article
);
CREATE INDEX events_members_story ON events_members(story_id);

CREATE TABLE quote_groups (
    story_id TEXT NOT NULL,
    n        INTEGER NOT NULL,             -- the group's place in first-fit order
    quote_id TEXT NOT NULL,                -- the quotes row it is written as
    state    TEXT NOT NULL,                -- JSON (QuoteGroup.to_json)
    PRIMARY KEY (story_id, n)
);

CREATE TABLE events_recomputes (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    story_id TEXT NOT NULL,
    reason   TEXT NOT NULL,                -- first | lost articles | gained articles | re-analysed | evidence elsewhere | entity merged | shared quote id | asked
    articles INTEGER NOT NULL,             -- the story's size then
    at       TEXT NOT NULL
);
