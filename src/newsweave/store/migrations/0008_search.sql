-- Full-text search over articles (web): an external-content FTS5 index of title and clean
-- text, keyed by the article's arrival number `seq`, kept in sync by triggers so that every
-- article is searchable the moment its ingest transaction commits.
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title,
    clean_text,
    content = 'articles',
    content_rowid = 'seq',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, clean_text) VALUES (new.seq, new.title, new.clean_text);
END;

CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, clean_text)
    VALUES ('delete', old.seq, old.title, old.clean_text);
END;

CREATE TRIGGER articles_fts_update AFTER UPDATE OF seq, title, clean_text ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, clean_text)
    VALUES ('delete', old.seq, old.title, old.clean_text);
    INSERT INTO articles_fts (rowid, title, clean_text) VALUES (new.seq, new.title, new.clean_text);
END;

-- A store that held articles before this migration gets them indexed now.
INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');
