-- Issue 19: an entity's mentions counted by the forms its type and name are voted from
-- (label, key, name, titled), kept by triggers on entity_mentions. `refresh` re-voted a
-- touched entity by grouping all its mentions, so each batch of a growing story paid for
-- every earlier mention of the story's people and places (a country in every article);
-- now it reads this handful of rows. Triggers rather than writes in the stage, so every
-- change to entity_mentions keeps the counts: a mention stored, an article forgotten, a
-- merge moving mentions, a cascade from a deleted article.
CREATE TABLE entity_forms (
    entity_id TEXT NOT NULL,
    label     TEXT NOT NULL,
    key       TEXT NOT NULL,
    name      TEXT NOT NULL,
    titled    INTEGER NOT NULL,   -- titles != '': the mention carried honorifics
    n         INTEGER NOT NULL,   -- mentions of the entity in this form (0: all gone)
    PRIMARY KEY (entity_id, label, key, name, titled)
) WITHOUT ROWID;

INSERT INTO entity_forms (entity_id, label, key, name, titled, n)
SELECT entity_id, label, key, name, titles != '', COUNT(*) FROM entity_mentions GROUP BY 1, 2, 3, 4, 5;

CREATE TRIGGER entity_forms_count AFTER INSERT ON entity_mentions BEGIN
    INSERT INTO entity_forms (entity_id, label, key, name, titled, n)
    VALUES (NEW.entity_id, NEW.label, NEW.key, NEW.name, NEW.titles != '', 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

-- A form whose mentions all went keeps its row at n = 0 (readers take n > 0): one statement
-- to uncount, the same in both triggers.
CREATE TRIGGER entity_forms_uncount AFTER DELETE ON entity_mentions BEGIN
    UPDATE entity_forms SET n = n - 1
    WHERE (entity_id, label, key, name, titled) = (OLD.entity_id, OLD.label, OLD.key, OLD.name, OLD.titles != '');
END;

CREATE TRIGGER entity_forms_recount AFTER UPDATE OF entity_id, label, key, name, titles ON entity_mentions BEGIN
    UPDATE entity_forms SET n = n - 1
    WHERE (entity_id, label, key, name, titled) = (OLD.entity_id, OLD.label, OLD.key, OLD.name, OLD.titles != '');
    INSERT INTO entity_forms (entity_id, label, key, name, titled, n)
    VALUES (NEW.entity_id, NEW.label, NEW.key, NEW.name, NEW.titles != '', 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;
