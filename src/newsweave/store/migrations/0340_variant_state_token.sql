-- Issue 19, round 8: the corroborate stage keeps a large story's quote-variant states and
-- variant pairs in the process between runs (decoding the JSON states of a story of 10,000
-- articles, ~420k spans, cost 1.3 s of every batch) and uses them only while the store holds
-- exactly what its last write left. This token names that: `write_update` ends by writing a
-- fresh random one in the story's variant_state row, in its transaction; every write to the
-- story's states or pairs clears it (the triggers below), whoever makes it (a second process,
-- a hand-made UPDATE, the stage itself before it writes the token); a rolled-back
-- transaction leaves the token it found, never the one the process kept its copy under.
ALTER TABLE variant_state ADD COLUMN token TEXT;

CREATE TRIGGER variant_token_state_added AFTER INSERT ON variant_conflicts
BEGIN UPDATE variant_state SET token = NULL WHERE story_id = NEW.story_id AND token IS NOT NULL; END;

CREATE TRIGGER variant_token_state_changed AFTER UPDATE ON variant_conflicts
BEGIN UPDATE variant_state SET token = NULL WHERE story_id IN (OLD.story_id, NEW.story_id) AND token IS NOT NULL; END;

CREATE TRIGGER variant_token_state_removed AFTER DELETE ON variant_conflicts
BEGIN UPDATE variant_state SET token = NULL WHERE story_id = OLD.story_id AND token IS NOT NULL; END;

CREATE TRIGGER variant_token_pair_added AFTER INSERT ON variant_pairs
BEGIN UPDATE variant_state SET token = NULL WHERE story_id = NEW.story_id AND token IS NOT NULL; END;

CREATE TRIGGER variant_token_pair_changed AFTER UPDATE ON variant_pairs
BEGIN UPDATE variant_state SET token = NULL WHERE story_id IN (OLD.story_id, NEW.story_id) AND token IS NOT NULL; END;

CREATE TRIGGER variant_token_pair_removed AFTER DELETE ON variant_pairs
BEGIN UPDATE variant_state SET token = NULL WHERE story_id = OLD.story_id AND token IS NOT NULL; END;
