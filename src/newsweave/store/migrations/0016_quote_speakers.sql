-- Quote speakers keep their name beside the resolved entity (extract stage; 0006 is shipped).
ALTER TABLE quote_mentions ADD COLUMN speaker_name TEXT;    -- the name as the article gives it (fullest form)
ALTER TABLE quote_mentions ADD COLUMN speaker_entity TEXT;  -- resolved entity id, if any
