"""Events: frames from the parse and a lexicon (who did what with whom, where, when, and
whether it happened), time expressions normalised against the article's date, direct quotes
with their speakers, and event coreference per story.

The lexicon is a table of `EventType`s, each holding every fact about its kind of event
(triggers, how its roles are read, how the brief writes and ranks it). Extend it with
`register(EventType(...))`, read it with `event_type(name)` / `event_types()`, and go back
to the built-in types with `restore_lexicon()`."""

from . import _timex as timex  # the public time API: timex.find(text, anchor), timex.normalise, timex.Timex
from ._frames import (
    BUILT_IN,
    EventType,
    event_type,
    event_types,
    is_gathering,
    place_preposition,
    register,
    restore_lexicon,
    trigger_type,
)
from ._participants import display_name
from ._stage import ExtractStage, event_json, load_events, load_quotes, quote_json, recomputes

__all__ = [
    "BUILT_IN", "EventType", "ExtractStage", "display_name", "event_json", "event_type", "event_types", "is_gathering",
    "load_events", "load_quotes", "place_preposition", "quote_json", "register", "restore_lexicon", "timex",
    "trigger_type",
]  # fmt: skip
