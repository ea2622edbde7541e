-- A number that grows whenever some analysis stage's recorded work changes (issue 19): a
-- stage computes what it will write before its chunk's write transaction (`prepare`, so an
-- upload does not wait behind the computing), and the runner uses that result only if this
-- number is the one it read before computing; otherwise another process (a second
-- `newsweave analyse`) committed meanwhile and the stage computes again inside the
-- transaction. Every stage commits its chunk together with its `stage_done` records (or
-- `stage_failures`), so counting their changes covers every analysis write; uploads write
-- neither.
CREATE TABLE IF NOT EXISTS analysis_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT OR IGNORE INTO analysis_version (id, n) VALUES (1, 0);

CREATE TRIGGER IF NOT EXISTS analysis_version_done_added AFTER INSERT ON stage_done
BEGIN UPDATE analysis_version SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER IF NOT EXISTS analysis_version_done_removed AFTER DELETE ON stage_done
BEGIN UPDATE analysis_version SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER IF NOT EXISTS analysis_version_failed_added AFTER INSERT ON stage_failures
BEGIN UPDATE analysis_version SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER IF NOT EXISTS analysis_version_failed_removed AFTER DELETE ON stage_failures
BEGIN UPDATE analysis_version SET n = n + 1 WHERE id = 1; END;
