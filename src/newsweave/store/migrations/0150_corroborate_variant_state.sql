-- Issue 19, round 4: the corroborate stage keeps each story's quote-variant conflicts as
-- running minima and unions over their observations, ranked by a key that does not move as
-- articles arrive (the quoted sentence's article seq and start, then the other sentence's
-- article seq and index), so a new article adds only its own observations; and it writes
-- only the facts and conflicts whose content changed (`digest`), keeping their ids.
-- The ranking orders quote-variant conflicts and their values differently from before, so
-- the stage's results and state are dropped with its record: `newsweave analyse` rebuilds them.
CREATE TABLE variant_conflicts (
    story_id TEXT NOT NULL,
    norms    TEXT NOT NULL,            -- JSON: the two normalised values, sorted
    speaker  TEXT NOT NULL,            -- the quoted speaker's entity id ('' for none)
    state    TEXT NOT NULL,            -- JSON: corroborate.variant_state_json
    PRIMARY KEY (story_id, norms, speaker)
) WITHOUT ROWID;

-- What a story's variant_conflicts cover: digests of its articles and of its quote
-- candidates then; when either differs (articles moved in or out, an article extracted
-- again, an old quote given another speaker) the story's states are built again, recorded.
CREATE TABLE variant_state (
    story_id TEXT PRIMARY KEY,
    articles TEXT NOT NULL,
    cands    TEXT NOT NULL
);

ALTER TABLE facts ADD COLUMN digest TEXT;       -- SHA-1 of the row's content and evidence
ALTER TABLE conflicts ADD COLUMN digest TEXT;
ALTER TABLE conflicts ADD COLUMN group_key TEXT;  -- quote variants: JSON [norms, speaker's name]

DELETE FROM fact_evidence;
DELETE FROM facts;
DELETE FROM conflicts;
DELETE FROM variant_sentences;
DELETE FROM variant_forms;
DELETE FROM variant_form_words;
DELETE FROM variant_pairs;
DELETE FROM corroborate_members;
DELETE FROM corroborate_names;
DELETE FROM stage_done WHERE stage = 'corroborate';
