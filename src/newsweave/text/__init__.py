"""The text toolkit every stage shares: the one name key, honorifics, acronyms, demonyms
and the country table."""

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

__all__ = [
    "HONORIFICS", "Acronym", "country", "find_acronyms", "fold", "is_demonym", "is_short_form",
    "key", "reporter_keys", "split_honorifics", "strip_corporate",
]
