"""The text toolkit every stage shares: the one name key, honorifics, acronyms, demonyms,
the country table, and the one sentence splitter."""

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
from ._sentences import article_sentences, split_doc

__all__ = [
    "HONORIFICS", "Acronym", "country", "find_acronyms", "fold", "is_demonym", "is_short_form",
    "key", "reporter_keys", "split_honorifics", "strip_corporate", "article_sentences", "split_doc",
]
