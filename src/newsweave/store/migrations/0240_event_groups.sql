-- The events stage's kept event coreference (issue 19): per story, its groups of named event
-- mentions as first-fit formed them (in order), so a new article's mentions are grouped
-- with the kept groups instead of first-fitting every mention of the story again, and a
-- digest of each event as written, so only the events whose content changed are rewritten.
-- A story with quote state (events_members) but no row here is recomputed whole once
-- (events_recomputes reason "no event groups"); other new reasons: "shared event id".
CREATE TABLE event_groups (
    story_id TEXT PRIMARY KEY,
    groups   TEXT NOT NULL,   -- JSON [[[article id, k], ...], ...]: k = the mention's place in its article (start, then id)
    digests  TEXT NOT NULL    -- JSON {event id: digest of the event as written (row and evidence)}
);
