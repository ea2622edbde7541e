"""Corroboration: events, roles, numbers and quotes become facts with evidence, supporting
articles and independent sources; conflicts and quote variants."""

from ._stage import (
    CorroborateStage,
    EventFact,
    StoryFacts,
    corroborate_story,
    group_quotes,
    load_conflicts,
    load_facts,
    sentences,
    story_records,
    support_of,
)

__all__ = [
    "CorroborateStage", "EventFact", "StoryFacts", "corroborate_story", "group_quotes",
    "load_conflicts", "load_facts", "sentences", "story_records", "support_of",
]
