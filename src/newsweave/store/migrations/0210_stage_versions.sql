-- A number per analysis stage that grows whenever that stage's recorded work changes (its
-- stage_done or stage_failures rows; every stage commits its chunk together with them, as
-- migration 0140 counts for all stages at once). A reader whose view depends on some stages
-- only (the web's story index: reuse, entities, stories) rebuilds it when those change, not
-- at every chunk that the later stages (events, corroborate, claims) commit.
CREATE TABLE IF NOT EXISTS stage_versions (
    stage TEXT PRIMARY KEY,
    n     INTEGER NOT NULL
);
INSERT OR IGNORE INTO stage_versions (stage, n) SELECT DISTINCT stage, 1 FROM stage_done;
INSERT OR IGNORE INTO stage_versions (stage, n) SELECT DISTINCT stage, 1 FROM stage_failures;

CREATE TRIGGER IF NOT EXISTS stage_versions_done_added AFTER INSERT ON stage_done
BEGIN INSERT INTO stage_versions (stage, n) VALUES (NEW.stage, 1) ON CONFLICT (stage) DO UPDATE SET n = n + 1; END;

CREATE TRIGGER IF NOT EXISTS stage_versions_done_removed AFTER DELETE ON stage_done
BEGIN INSERT INTO stage_versions (stage, n) VALUES (OLD.stage, 1) ON CONFLICT (stage) DO UPDATE SET n = n + 1; END;

CREATE TRIGGER IF NOT EXISTS stage_versions_failed_added AFTER INSERT ON stage_failures
BEGIN INSERT INTO stage_versions (stage, n) VALUES (NEW.stage, 1) ON CONFLICT (stage) DO UPDATE SET n = n + 1; END;

CREATE TRIGGER IF NOT EXISTS stage_versions_failed_removed AFTER DELETE ON stage_failures
BEGIN INSERT INTO stage_versions (stage, n) VALUES (OLD.stage, 1) ON CONFLICT (stage) DO UPDATE SET n = n + 1; END;
