-- What the corroborate stage keeps per story so that a new article costs only its own work
-- (issue 19): the sentences of every article as quote variants compare them, the forms
-- (distinct comparison-token sequences) each story has aligned, the variant pairs found
-- between them, the articles the story's state covers (with their families) and the entity
-- names its facts were written with, and every full recompute.
-- Dropping the stage's record makes `newsweave analyse` build the state for stored stories.
CREATE TABLE variant_sentences (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    idx        INTEGER NOT NULL,           -- position among the article's sentences (corroborate.sentences)
    start      INTEGER NOT NULL,           -- clean-text offsets
    "end"      INTEGER NOT NULL,
    form       TEXT NOT NULL,              -- corroborate.form_key of its comparison tokens
    offsets    TEXT NOT NULL,              -- JSON [[start, end], ...] of each token, from the sentence's start
    PRIMARY KEY (article_id, idx)
);
CREATE INDEX variant_sentences_form ON variant_sentences(form);

CREATE TABLE variant_forms (
    story_id TEXT NOT NULL,
    side     TEXT NOT NULL,                -- q: a quoted sentence | s: a sentence of an article
    form     TEXT NOT NULL,
    words    TEXT NOT NULL,                -- JSON list of comparison tokens
    PRIMARY KEY (story_id, side, form)
);

-- Blocking: the content words of each form a story holds (a new form is aligned only with
-- the forms sharing variant_min_shared_words of them).
CREATE TABLE variant_form_words (
    story_id TEXT NOT NULL,
    side     TEXT NOT NULL,
    word     TEXT NOT NULL,
    form     TEXT NOT NULL,
    PRIMARY KEY (story_id, side, word, form)
) WITHOUT ROWID;

CREATE TABLE variant_pairs (
    story_id TEXT NOT NULL,
    q_form   TEXT NOT NULL,
    s_form   TEXT NOT NULL,
    i1 INTEGER NOT NULL, i2 INTEGER NOT NULL,  -- the quoted form's tokens replaced ...
    j1 INTEGER NOT NULL, j2 INTEGER NOT NULL,  -- ... by these of the other form
    PRIMARY KEY (story_id, q_form, s_form)
);

CREATE TABLE corroborate_members (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    story_id   TEXT NOT NULL,              -- the story whose stored state covers the article
    family     TEXT                        -- its reuse family when the facts were written (NULL: its own)
);
CREATE INDEX corroborate_members_story ON corroborate_members(story_id);

-- The entity names a story's facts were written with: a story whose entity got a fuller
-- name since ("Karen B. Olson") is written again.
CREATE TABLE corroborate_names (
    story_id  TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    name      TEXT NOT NULL,
    PRIMARY KEY (story_id, entity_id)
) WITHOUT ROWID;

CREATE TABLE corroborate_recomputes (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    story_id TEXT NOT NULL,
    reason   TEXT NOT NULL,                -- first | lost articles | gained articles | gone
    articles INTEGER NOT NULL,             -- the story's size then
    at       TEXT NOT NULL
);

DELETE FROM stage_done WHERE stage = 'corroborate';
