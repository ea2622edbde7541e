-- Text reuse and syndication (reuse.py). See docs/reuse.md.

-- The index new articles are compared against. Keyed by articles.seq (compact integers);
-- rows derive from the clean text alone, so re-running an article re-inserts the same rows.
CREATE TABLE reuse_signatures (
    seq        INTEGER PRIMARY KEY,       -- articles.seq
    article_id TEXT NOT NULL UNIQUE REFERENCES articles(id) ON DELETE CASCADE,
    n_tokens   INTEGER NOT NULL,
    digest     TEXT NOT NULL,             -- hash of the normalised token stream: exact duplicates
    signature  BLOB NOT NULL              -- MinHash, num_perm x uint32
);
CREATE INDEX reuse_signatures_digest ON reuse_signatures(digest);

CREATE TABLE reuse_buckets (              -- LSH band keys
    key INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (key, seq)
) WITHOUT ROWID;

CREATE TABLE reuse_fingerprints (         -- winnowed word 5-gram hashes
    hash INTEGER NOT NULL,
    seq  INTEGER NOT NULL,
    PRIMARY KEY (hash, seq)
) WITHOUT ROWID;

-- Compared pairs that share text (a arrived before b).
CREATE TABLE reuse_pairs (
    a                TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    b                TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    estimated        REAL NOT NULL,       -- MinHash estimate of the shingle Jaccard
    jaccard          REAL NOT NULL,       -- exact shingle Jaccard
    exact            INTEGER NOT NULL,    -- same normalised token stream
    near_duplicate   INTEGER NOT NULL,
    narrative_tokens INTEGER NOT NULL,
    quote_tokens     INTEGER NOT NULL,
    joins            INTEGER NOT NULL,    -- substantial reuse: one family
    PRIMARY KEY (a, b)
);
CREATE INDEX reuse_pairs_b ON reuse_pairs(b);

CREATE TABLE reuse_passages (
    id         INTEGER PRIMARY KEY,
    a          TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    a_start    INTEGER NOT NULL,          -- offsets into a's clean text
    a_end      INTEGER NOT NULL,
    b          TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    b_start    INTEGER NOT NULL,
    b_end      INTEGER NOT NULL,
    matched    INTEGER NOT NULL,          -- tokens matched
    similarity REAL NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('narrative', 'quote'))
);
CREATE INDEX reuse_passages_ab ON reuse_passages(a, b);
CREATE INDEX reuse_passages_b ON reuse_passages(b);

-- Families of two or more articles; an article not listed is a family of its own.
CREATE TABLE reuse_families (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    family     TEXT NOT NULL
);
CREATE INDEX reuse_families_family ON reuse_families(family);

CREATE TABLE reuse_family_info (
    family TEXT PRIMARY KEY,
    origin TEXT,                          -- article id
    agency TEXT,
    size   INTEGER NOT NULL
);
