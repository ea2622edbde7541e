-- Entities resolved across the articles of the store (stage "resolve").
-- An entity id never changes; when resolution learns that two entities are one, the
-- younger is marked merged_into the older and its keys, mentions and roles move over.
CREATE TABLE entities (
    id          TEXT PRIMARY KEY,
    seq         INTEGER NOT NULL,          -- creation order: the older of two merged survives
    name        TEXT NOT NULL,
    type        TEXT NOT NULL,             -- PERSON | ORG | GPE | LOC | NORP | FAC | EVENT | ...
    merged_into TEXT REFERENCES entities(id),
    created_at  TEXT NOT NULL
);

-- Comparison keys (names.key of every name form), each owned by one entity.
CREATE TABLE entity_keys (
    key         TEXT PRIMARY KEY,
    entity_id   TEXT NOT NULL REFERENCES entities(id),
    first_token TEXT NOT NULL,
    last_token  TEXT NOT NULL
);
CREATE INDEX entity_keys_entity ON entity_keys(entity_id);
CREATE INDEX entity_keys_last ON entity_keys(last_token);
CREATE INDEX entity_keys_first ON entity_keys(first_token);

CREATE TABLE entity_mentions (
    entity_id  TEXT NOT NULL REFERENCES entities(id),
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start      INTEGER NOT NULL,           -- offsets into the article's clean text
    "end"      INTEGER NOT NULL,
    text       TEXT NOT NULL,              -- clean_text[start:end]
    name       TEXT NOT NULL,              -- the name without honorifics
    titles     TEXT NOT NULL DEFAULT '',   -- honorifics kept apart, "|"-joined: "Dato'|Seri"
    label      TEXT NOT NULL,              -- the tagger's label (or ORG for a learned acronym)
    key        TEXT NOT NULL
);
CREATE INDEX entity_mentions_article ON entity_mentions(article_id, start);
CREATE INDEX entity_mentions_entity ON entity_mentions(entity_id);

CREATE TABLE entity_roles (
    entity_id  TEXT NOT NULL REFERENCES entities(id),
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start      INTEGER NOT NULL,           -- evidence: role and name together
    "end"      INTEGER NOT NULL,
    text       TEXT NOT NULL,
    surface    TEXT NOT NULL,              -- "US Secretary of War"
    normalised TEXT NOT NULL               -- "secretary of war"
);
CREATE INDEX entity_roles_entity ON entity_roles(entity_id);
CREATE INDEX entity_roles_article ON entity_roles(article_id);

-- Acronyms learned from the text: "ASEAN Defence Ministers' Meeting-Plus (ADMM-Plus)".
CREATE TABLE acronyms (
    short_key  TEXT PRIMARY KEY,
    long_key   TEXT NOT NULL,
    short      TEXT NOT NULL,
    long       TEXT NOT NULL,
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    start      INTEGER NOT NULL,           -- the long form's span in that article
    "end"      INTEGER NOT NULL
);

CREATE TABLE entity_merges (
    merged     TEXT NOT NULL,              -- the younger id, kept as a row with merged_into set
    into_id    TEXT NOT NULL,
    reason     TEXT NOT NULL,
    article_id TEXT,                       -- the article whose mentions joined them
    at         TEXT NOT NULL
);
