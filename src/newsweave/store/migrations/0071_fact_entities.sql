-- A role fact names the entity it is about by id (facts.entity_id), not only by display
-- name (facts.subject): two people of one name in a story keep their own roles in the brief.
-- Facts stored before this carry no entity id, so they are dropped with the corroborate
-- stage's record: `newsweave analyse` rebuilds them, and until then the brief corroborates
-- at read time and says so in its notes.
ALTER TABLE facts ADD COLUMN entity_id TEXT;  -- role facts: the entity's id; NULL for other kinds
DELETE FROM fact_evidence;
DELETE FROM facts;
DELETE FROM conflicts;
DELETE FROM stage_done WHERE stage = 'corroborate';
