-- Events and quotes (the extract stage).
-- Per article: every event mention and quote mention as its sentence tells it.
-- Per story: the events and quotes those mentions corefer into, with their evidence.
-- Offsets are into articles.clean_text; text = clean_text[start:end].

CREATE TABLE event_mentions (
    id            INTEGER PRIMARY KEY,
    article_id    TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    type          TEXT NOT NULL,              -- meet | sign | arrive | ... (events.LEXICON)
    status        TEXT NOT NULL,              -- occurred | planned | negated | reported
    actors        TEXT NOT NULL,              -- JSON [{name, start, end, label, via}]
    counterparts  TEXT NOT NULL,              -- JSON, same shape
    object        TEXT,
    place         TEXT,
    date_value    TEXT,                       -- TIMEX3 value: 2025-10-31, 2025-11, 2024/2027, PAST_REF
    date_text     TEXT,                       -- the phrase: "on Thursday"
    date_anchor   TEXT,                       -- the date it was resolved against
    anchor_from   TEXT,                       -- published | story (a weaker anchor)
    date_from     TEXT,                       -- own | antecedent | paragraph
    start         INTEGER NOT NULL,           -- evidence: the sentence
    "end"         INTEGER NOT NULL,
    text          TEXT NOT NULL,
    trigger_start INTEGER NOT NULL,
    trigger_end   INTEGER NOT NULL,
    details       TEXT NOT NULL DEFAULT '{}'  -- JSON: duration, edition, ...
);
CREATE INDEX event_mentions_article ON event_mentions(article_id);

CREATE TABLE events (
    id           TEXT PRIMARY KEY,            -- ev_ + hash of story, type, participants, object, status, date
    story_id     TEXT NOT NULL,
    type         TEXT NOT NULL,
    actors       TEXT NOT NULL,               -- JSON [entity id or name]
    counterparts TEXT NOT NULL,
    object       TEXT,
    place        TEXT,
    date_value   TEXT,
    date_text    TEXT,
    date_anchor  TEXT,
    anchor_from  TEXT,
    status       TEXT NOT NULL,
    linked       TEXT NOT NULL DEFAULT '[]',  -- JSON: ids of the planned/occurred twin(s)
    details      TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX events_story ON events(story_id);

CREATE TABLE event_evidence (
    event_id   TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start      INTEGER NOT NULL,
    "end"      INTEGER NOT NULL,
    text       TEXT NOT NULL
);
CREATE INDEX event_evidence_event ON event_evidence(event_id);
CREATE INDEX event_evidence_article ON event_evidence(article_id);

CREATE TABLE quote_mentions (
    id            INTEGER PRIMARY KEY,
    article_id    TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    text          TEXT NOT NULL,              -- the quoted words, paragraphs joined by a space
    parts         TEXT NOT NULL,              -- JSON [[start, end], ...] inside the marks
    start         INTEGER NOT NULL,           -- first opening mark
    "end"         INTEGER NOT NULL,           -- after the last closing mark
    speaker       TEXT,                       -- entity id or name
    speaker_start INTEGER,
    speaker_end   INTEGER,
    channel       TEXT                        -- X | statement | interview | told | said | post
);
CREATE INDEX quote_mentions_article ON quote_mentions(article_id);

CREATE TABLE quotes (
    id       TEXT PRIMARY KEY,
    story_id TEXT NOT NULL,
    speaker  TEXT,
    text     TEXT NOT NULL,
    channel  TEXT
);
CREATE INDEX quotes_story ON quotes(story_id);

CREATE TABLE quote_evidence (
    quote_id   TEXT NOT NULL REFERENCES quotes(id) ON DELETE CASCADE,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start      INTEGER NOT NULL,
    "end"      INTEGER NOT NULL,
    text       TEXT NOT NULL
);
CREATE INDEX quote_evidence_quote ON quote_evidence(quote_id);
CREATE INDEX quote_evidence_article ON quote_evidence(article_id);
