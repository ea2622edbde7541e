-- Every sentence of every article (the project's splitter over the cached parse), with the
-- features the claims and the summary use. Written once per article by the claims stage;
-- grouping into claims happens when a set of articles is briefed (the group depends on it).
CREATE TABLE claim_sentences (
    article_id  TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,        -- position in the article (0 = first sentence)
    start       INTEGER NOT NULL,        -- the trimmed span shown (clean-text offsets)
    "end"       INTEGER NOT NULL,
    words       INTEGER NOT NULL,
    leaning     INTEGER NOT NULL,        -- opens with a pronoun or demonstrative
    features    TEXT NOT NULL,           -- JSON: content lemmas, entities, numbers, concepts (lemma bigrams)
    PRIMARY KEY (article_id, idx)
);
