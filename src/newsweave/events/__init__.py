"""Events: frames from the parse and a lexicon (who did what with whom, where, when, and
whether it happened), time expressions normalised against the article's date, direct quotes
with their speakers, and event coreference per story."""

from . import _timex as timex  # the public time API: timex.find(text, anchor), timex.normalise, timex.Timex
from ._frames import is_gathering
from ._participants import display_name
from ._stage import ExtractStage, event_json, load_events, load_quotes, quote_json

__all__ = ["ExtractStage", "display_name", "event_json", "is_gathering", "load_events", "load_quotes", "quote_json", "timex"]
