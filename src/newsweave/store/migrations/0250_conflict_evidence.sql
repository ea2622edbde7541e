-- Issue 19, round 7: a conflict's evidence as rows (beside fact_evidence), and a quote-variant
-- state's spans as rows. A conflict of a story of thousands of articles holds thousands of
-- sentences, and nearly every one gains a few from each batch: stored as one JSON value
-- (conflicts."values", variant_conflicts.state) it was decoded and written whole for each
-- batch; as rows the batch appends its own. The stored JSON keeps what a value is without
-- its evidence (conflicts: value, note, families; states: the running minima), and this
-- migration moves the evidence of what is stored now into the rows: nothing is built again.
CREATE TABLE conflict_evidence (
    conflict_id TEXT NOT NULL,
    value       INTEGER NOT NULL,          -- the value's place in conflicts."values"
    article_id  TEXT NOT NULL,
    start       INTEGER NOT NULL,          -- offsets into the article's clean_text
    "end"       INTEGER NOT NULL,
    text        TEXT NOT NULL,             -- == clean_text[start:end]
    PRIMARY KEY (conflict_id, value, article_id, start, "end")
) WITHOUT ROWID;
CREATE INDEX conflict_evidence_article ON conflict_evidence(article_id);

CREATE TABLE variant_spans (
    story_id   TEXT NOT NULL,
    norms      TEXT NOT NULL,              -- the state's key (variant_conflicts)
    speaker    TEXT NOT NULL,
    norm       TEXT NOT NULL,              -- the value (normalised wording) the sentence is evidence of
    article_id TEXT NOT NULL,
    start      INTEGER NOT NULL,
    "end"      INTEGER NOT NULL,
    PRIMARY KEY (story_id, norms, speaker, norm, article_id, start, "end")
) WITHOUT ROWID;
CREATE INDEX variant_spans_article ON variant_spans(story_id, article_id);

INSERT OR IGNORE INTO conflict_evidence (conflict_id, value, article_id, start, "end", text)
SELECT c.id, v.key, json_extract(e.value, '$[0]'), json_extract(e.value, '$[1]'), json_extract(e.value, '$[2]'),
       json_extract(e.value, '$[3]')
FROM conflicts c, json_each(c."values") v, json_each(v.value, '$.evidence') e;

UPDATE conflicts SET "values" = (
    SELECT json_group_array(json_remove(j.value, '$.evidence')) FROM (SELECT value FROM json_each(conflicts."values") ORDER BY key) j
);

INSERT OR IGNORE INTO variant_spans (story_id, norms, speaker, norm, article_id, start, "end")
SELECT vc.story_id, vc.norms, vc.speaker, v.key, json_extract(sp.value, '$[0]'), json_extract(sp.value, '$[1]'),
       json_extract(sp.value, '$[2]')
FROM variant_conflicts vc, json_each(vc.state, '$.values') v, json_each(v.value, '$.spans') sp;

UPDATE variant_conflicts SET state = json_set(state, '$.values', (
    SELECT json_group_object(key, json_remove(value, '$.spans')) FROM json_each(variant_conflicts.state, '$.values')
));

-- A conflict row is now small: whether it changed is told by comparing it, not by a digest
-- of its content (which would need all of its evidence).
ALTER TABLE conflicts DROP COLUMN digest;
