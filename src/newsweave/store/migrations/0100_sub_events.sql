-- Sub-events (issue 17): a story is a happening and its follow-ups; its sub-events are the
-- distinct happenings inside it (the escape and the capture a week later, the shooting and
-- the trial). The stories stage rewrites a story's rows whenever it saves the story: `n`
-- numbers them within the story in date order (1 = the earliest), so a sub-event has no
-- id of its own beyond (story_id, n). Stories saved before this migration get theirs the
-- next time the stage saves them (`newsweave analyse` after new articles, or
-- `stories.consolidate`); until then the read API falls back to one sub-event per story.
CREATE TABLE sub_events (
    story_id TEXT NOT NULL REFERENCES stories(id),
    n        INTEGER NOT NULL,           -- 1, 2, ... in date order within the story
    label    TEXT NOT NULL DEFAULT '',   -- the central article's title (else first sentence)
    first    TEXT,                       -- YYYY-MM-DD of its earliest dated article
    last     TEXT,
    size     INTEGER NOT NULL,
    PRIMARY KEY (story_id, n)
);

CREATE TABLE sub_event_articles (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    story_id   TEXT NOT NULL REFERENCES stories(id),
    n          INTEGER NOT NULL
);
CREATE INDEX sub_event_articles_story ON sub_event_articles(story_id, n);
