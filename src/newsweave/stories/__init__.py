"""Stories: online clustering of articles into the happenings they report, with stable ids,
consolidation (moves, splits, merges, each recorded) and `evaluate_stories` (B-cubed)."""

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
)

__all__ = [
    "ClusterStage", "consolidate", "evaluate_stories", "load_stories", "load_story", "resolve_story_id",
    "story_articles", "story_changes", "story_of",
]
