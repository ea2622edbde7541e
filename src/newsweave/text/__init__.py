"""The text toolkit every stage shares: the one name key, honorifics, acronyms, demonyms,
the country table, the one sentence splitter, and the place, agency and storm gazetteers."""

from ._names import (
    HONORIFICS,
    Acronym,
    country,
    find_acronyms,
    fold,
    is_demonym,
    is_short_form,
    key,
    reporter_keys,
    split_honorifics,
    strip_corporate,
)
from ._places import STORM_WORDS, is_agency, is_place
from ._sentences import article_sentences, split_doc

__all__ = [
    "STORM_WORDS", "is_agency", "is_place",
    "HONORIFICS", "Acronym", "country", "find_acronyms", "fold", "is_demonym", "is_short_form",
    "key", "reporter_keys", "split_honorifics", "strip_corporate", "article_sentences", "split_doc",
]
