-- The paragraph cache of the nlp stage: one parsed paragraph per (text, pipeline).
-- `key` = sha1 of pipeline name + the paragraph text (see nlp.paragraph_key); `doc` is a
-- spaCy DocBin (zlib-compressed, without tensors) holding the one parsed paragraph.
-- A wire paragraph printed by ten outlets is stored, and parsed, once.
CREATE TABLE nlp_paragraphs (
    key        TEXT PRIMARY KEY,
    model      TEXT NOT NULL,
    chars      INTEGER NOT NULL,
    doc        BLOB NOT NULL,
    created_at TEXT NOT NULL
);
