-- Text reuse (reuse.py): each indexed article's word 3-gram set, so a candidate pair with an
-- article of an earlier batch is screened without re-reading and re-tokenising its text.
-- See docs/reuse.md ("Screening candidates").
CREATE TABLE reuse_shingles (
    seq    INTEGER PRIMARY KEY,           -- articles.seq (reuse_signatures.seq)
    grams  BLOB NOT NULL                  -- sorted unique shingle hashes, uint64
);
