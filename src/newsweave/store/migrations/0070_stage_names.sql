-- The analysis stages are named after their packages (entities/, stories/, events/):
-- carry the record of what each stage has done over from the old names.
UPDATE OR IGNORE stage_done SET stage = 'entities' WHERE stage = 'resolve';
UPDATE OR IGNORE stage_done SET stage = 'stories' WHERE stage = 'cluster';
UPDATE OR IGNORE stage_done SET stage = 'events' WHERE stage = 'extract';
DELETE FROM stage_done WHERE stage IN ('resolve', 'cluster', 'extract');
