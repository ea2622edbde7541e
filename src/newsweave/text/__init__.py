"""The text toolkit every stage shares: the one name key, honorifics, acronyms, demonyms,
the country table, the month and weekday names, the one sentence splitter, the one quote scanner, and the place, agency and storm gazetteers."""

from ._calendar import MONTH_ABBREVIATIONS, MONTHS, WEEKDAYS
from ._names import (
    HONORIFICS,
    LEADING_TITLES,
    Acronym,
    canonical,
    country,
    country_words,
    find_acronyms,
    fold,
    is_demonym,
    is_short_form,
    key,
    name_words,
    plain_words,
    reporter_keys,
    same_name,
    split_honorifics,
    strip_corporate,
)
from ._quotes import ALL_MARKS, CURLY_AND_STRAIGHT, QuoteSpan, continued_quotes, scan_quotes
from ._places import STORM_WORDS, agency_table, is_agency, is_place
from ._sentences import article_sentences, shorten, split_doc

__all__ = [
    "MONTH_ABBREVIATIONS", "MONTHS", "WEEKDAYS",
    "ALL_MARKS", "CURLY_AND_STRAIGHT", "QuoteSpan", "continued_quotes", "scan_quotes",
    "STORM_WORDS", "agency_table", "is_agency", "is_place",
    "HONORIFICS", "country_words", "Acronym", "country", "find_acronyms", "fold", "is_demonym", "is_short_form",
    "LEADING_TITLES", "canonical", "name_words", "plain_words", "same_name",
    "key", "reporter_keys", "split_honorifics", "strip_corporate", "article_sentences", "shorten", "split_doc",
]
