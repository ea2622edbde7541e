-- Text reuse (reuse/_stage.py, `retired_pairs`): an article's fingerprints by its seq, so the
-- pairs a fingerprint proposed while rare are judged, when it becomes common, on the keys their
-- two articles share, read here, instead of preparing (tokenising, winnowing) those articles
-- again. See docs/reuse.md ("Taken back from the stored index", issue 19 round 11).
CREATE INDEX IF NOT EXISTS reuse_fingerprints_by_seq ON reuse_fingerprints (seq);
