"""Corroboration: events, roles, numbers and quotes become facts with evidence, supporting
articles and independent sources; conflicts and quote variants."""

from ._claims import (
    DATELINE,
    ClaimsStage,
    Claim,
    Sentence,
    article_sentence_records,
    concepts,
    group_claims,
    load_sentences,
    sentence_records,
    trim,
)
from ._stage import _count_compatible as count_compatible
from ._stage import (
    EventFact,
    StoryFacts,
    corroborate_story,
    count_of,
    group_quotes,
    load_conflicts,
    load_facts,
    sentences,
    story_records,
    support_of,
)
from ._story_state import CorroborateStage, recomputes

__all__ = [
    "DATELINE", "ClaimsStage", "Claim", "Sentence", "article_sentence_records", "concepts", "group_claims",
    "load_sentences", "sentence_records", "trim",
    "CorroborateStage", "EventFact", "StoryFacts", "corroborate_story", "count_compatible", "count_of", "group_quotes",
    "load_conflicts", "load_facts", "recomputes", "sentences", "story_records", "support_of",
]
