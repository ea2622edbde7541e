-- The stories stage keeps its in-memory index between runs in one process (issue 19:
-- rebuilding it from every stored row was ~38% of a batch at 10,000 articles) and uses it
-- only while the store is exactly the state it left. This token names that state: the
-- stage's `save` ends by writing a fresh random one, in its transaction, and every write
-- to a table the index is read from clears it (the triggers below), whoever makes it: a
-- second process, `stories.consolidate`, a hand-made UPDATE. A rolled-back transaction
-- leaves the token it found, never the one the stage kept its index under.
-- (reuse_families is not here: the stage reads the families afresh at every run.)
CREATE TABLE story_generation (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    token TEXT                            -- NULL: written since (no kept index describes the store)
);
INSERT INTO story_generation (id, token) VALUES (1, lower(hex(randomblob(16))));  -- the store as migrated

CREATE TRIGGER story_generation_assigned AFTER INSERT ON story_articles
WHEN (SELECT token FROM story_generation) IS NOT NULL
BEGIN UPDATE story_generation SET token = NULL; END;

CREATE TRIGGER story_generation_reassigned AFTER UPDATE ON story_articles
WHEN (SELECT token FROM story_generation) IS NOT NULL
BEGIN UPDATE story_generation SET token = NULL; END;

CREATE TRIGGER story_generation_unassigned AFTER DELETE ON story_articles
WHEN (SELECT token FROM story_generation) IS NOT NULL
BEGIN UPDATE story_generation SET token = NULL; END;

CREATE TRIGGER story_generation_features_added AFTER INSERT ON story_features
WHEN (SELECT token FROM story_generation) IS NOT NULL
BEGIN UPDATE story_generation SET token = NULL; END;

CREATE TRIGGER story_generation_features_changed AFTER UPDATE ON story_features
WHEN (SELECT token FROM story_generation) IS NOT NULL
BEGIN UPDATE story_generation SET token = NULL; END;

CREATE TRIGGER story_generation_features_removed AFTER DELETE ON story_features
WHEN (SELECT token FROM story_generation) IS NOT NULL
BEGIN UPDATE story_generation SET token = NULL; END;

CREATE TRIGGER story_generation_story_added AFTER INSERT ON stories
WHEN (SELECT token FROM story_generation) IS NOT NULL
BEGIN UPDATE story_generation SET token = NULL; END;

CREATE TRIGGER story_generation_story_changed AFTER UPDATE ON stories
WHEN (SELECT token FROM story_generation) IS NOT NULL
BEGIN UPDATE story_generation SET token = NULL; END;

CREATE TRIGGER story_generation_story_removed AFTER DELETE ON stories
WHEN (SELECT token FROM story_generation) IS NOT NULL
BEGIN UPDATE story_generation SET token = NULL; END;

-- the index orders its articles by arrival (articles.seq); a new article changes nothing
CREATE TRIGGER story_generation_article_reordered AFTER UPDATE OF seq ON articles
WHEN (SELECT token FROM story_generation) IS NOT NULL
BEGIN UPDATE story_generation SET token = NULL; END;

CREATE TRIGGER story_generation_article_removed AFTER DELETE ON articles
WHEN (SELECT token FROM story_generation) IS NOT NULL
BEGIN UPDATE story_generation SET token = NULL; END;
