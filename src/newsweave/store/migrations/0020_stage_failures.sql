-- What a stage could not do for one article, so one article never blocks a stage (issue 14).
-- stage_failures: the article failed the stage (the reason is one line); later runs of the
--   stage skip it (`Store.pending`), the others go on. `newsweave analyse --retry-failed`
--   forgets them.
-- stage_notes: the stage did its work within a limit it records (nlp: a paragraph split into
--   pieces, or text beyond the per-article parse cap left unparsed).
CREATE TABLE IF NOT EXISTS stage_failures (
    stage      TEXT NOT NULL,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    reason     TEXT NOT NULL,
    failed_at  TEXT NOT NULL,
    PRIMARY KEY (stage, article_id)
);

CREATE TABLE IF NOT EXISTS stage_notes (
    stage      TEXT NOT NULL,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    note       TEXT NOT NULL,
    noted_at   TEXT NOT NULL,
    PRIMARY KEY (stage, article_id)
);
