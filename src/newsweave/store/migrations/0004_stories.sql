-- Stories: articles grouped by the real-world happening they report (cluster stage).
-- Story ids are stable: a story is never renumbered; a merged story keeps its row and
-- points to the story that absorbed it (merged_into).
CREATE TABLE stories (
    id           TEXT PRIMARY KEY,          -- "s" + the first 12 characters of the opening article's id
    seq          INTEGER NOT NULL UNIQUE,   -- opening order
    label        TEXT NOT NULL DEFAULT '',  -- short headline drawn from its articles
    first        TEXT,                      -- YYYY-MM-DD of its earliest dated article
    last         TEXT,
    size         INTEGER NOT NULL DEFAULT 0,
    top_entities TEXT NOT NULL DEFAULT '[]',  -- JSON list of names
    merged_into  TEXT REFERENCES stories(id),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

CREATE TABLE story_articles (
    article_id  TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    story_id    TEXT NOT NULL REFERENCES stories(id),
    score       REAL NOT NULL,              -- similarity when it joined (1.0 for the opener)
    assigned_at TEXT NOT NULL
);
CREATE INDEX story_articles_story ON story_articles(story_id);

-- What the clusterer saw of each article (lemmas, entities, years, place), so that later
-- runs and consolidation never parse again.
CREATE TABLE story_features (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    features   TEXT NOT NULL              -- JSON, features.ArticleFeatures.to_json()
);

-- Every merge, move and split made by consolidation: old ids point to the new.
CREATE TABLE story_changes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL,             -- merge | move | split
    story_id   TEXT NOT NULL,             -- the story that lost the article(s)
    target_id  TEXT NOT NULL,             -- the story that took them
    article_id TEXT,                      -- NULL for a merge (all its articles)
    score      REAL NOT NULL,
    at         TEXT NOT NULL
);
