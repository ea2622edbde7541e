"""Stories: online clustering of articles into the happenings they report and their
follow-ups, with stable ids, consolidation (moves, splits, merges, each recorded), the
sub-events inside each story (`sub_events`) and `evaluate_stories` (B-cubed)."""

from ._evaluate import evaluate_stories
from ._stage import (
    ClusterStage,
    consolidate,
    load_stories,
    load_story,
    resolve_story_id,
    story_articles,
    story_changes,
    story_of,
    sub_event_of,
    sub_events,
)

__all__ = [
    "ClusterStage", "consolidate", "evaluate_stories", "load_stories", "load_story", "resolve_story_id",
    "story_articles", "story_changes", "story_of",
    "sub_event_of", "sub_events",
]
