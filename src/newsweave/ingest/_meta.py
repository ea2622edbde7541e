"""Metadata: published date, dateline place, wire agency, outlet, byline, language.

Every value comes with where it came from (`Article.provenance`). The order of trust:
explicit metadata of the source (html-meta, feed, jsonl) > the seeds' `date` header > a
dateline date > nothing. A dateline without a year takes its year only from evidence
(`infer_year`): its reuse family and passage partners, its story, the years its text names,
the batch it came with — and otherwise stays undated: no evidence, no date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlparse

from ..records import RemovedSpan
from ..text import MONTHS, agency_table

_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_PLACE = r"[A-Z][A-Za-z'’.\-]+(?:[ -][A-Z][A-Za-z'’.\-]+){0,3}"
DATELINE = re.compile(
    rf"^(?P<place>{_PLACE})(?:\s*\[(?P<region>[A-Z][^\]\n]{{1,40}})\])?(?:,\s*(?P<country>{_PLACE})(?=,))?"
    rf"(?:\s*,\s*(?P<date>{_MONTH}\s+\d{{1,2}}(?:\s*,\s*(?P<year>\d{{4}}))?|\d{{1,2}}\s+{_MONTH}(?:\s+(?P<year2>\d{{4}}))?))?"
    rf"\s*(?:\((?P<agency>[A-Za-z][A-Za-z .&-]{{1,30}})\))?"
    r"\s*(?P<sep>:|—|–|--|-)?\s+"
)
CREDIT_AGENCY = re.compile(r"authored by (?P<agency>[A-Z][A-Za-z]+) staff|\(with inputs from (?P<inputs>[A-Z][A-Za-z]+)\)", re.I)
CREDIT_OUTLET = re.compile(r"(?:do not|does not|don't) (?:necessarily )?reflect the (?:opinions|views) of (?P<outlet>[A-Z][\w.\- ]{1,40}?)[.)]*\s*$")
CLOSING_AGENCY = re.compile(r"\((?P<agency>[A-Z][A-Za-z]{1,12})\)\s*$|(?:--|—)\s*(?P<agency2>[A-Z]{2,8})\s*$")
BYLINE = re.compile(r"^By\s+(?P<name>[A-Z][\w.'’-]+(?:\s+(?:[A-Z][\w.'’-]+|and|de|van|von|al|bin)){0,5})\s*$")
YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")


@dataclass(frozen=True)
class Dateline:
    place: str
    month: int | None
    day: int | None
    year: int | None
    agency: str | None
    end: int  # offset in the first paragraph where the news begins


def canonical_agency(name: str | None) -> str | None:
    if not name:
        return None
    return agency_table().get(name.strip()) or agency_table().get(name.strip().upper())


def parse_dateline(first_paragraph: str) -> Dateline | None:
    """The dateline at the start of the first paragraph, if any.

    "Kuala Lumpur, Oct 31 (IANS) Defence …", "Kuala Lumpur [Malaysia], October 31 (ANI): …",
    "Kuala Lumpur, Oct 31 Defence …", "Kuala Lumpur: Defence …", "LONDON (Reuters) - …".
    A bare capitalised phrase counts only with a date, an agency or a separator after it.
    """
    match = DATELINE.match(first_paragraph)
    if not match:
        return None
    agency = canonical_agency(match["agency"]) if match["agency"] else None
    if match["agency"] and agency is None:
        return None  # "(something)" that is no known agency: not a dateline we trust
    if not (match["date"] or agency or match["sep"]):
        return None
    if match["sep"] == "-" and not (match["date"] or agency):
        return None  # "Indo-Pacific - ..." style false starts
    month = day = year = None
    if match["date"]:
        month, day = _month_day(match["date"])
        year = int(match["year"] or match["year2"]) if (match["year"] or match["year2"]) else None
    place = match["place"].strip()
    if place.isupper() and len(place) > 3:
        place = place.title()
    return Dateline(place, month, day, year, agency, match.end())


def _month_day(text: str) -> tuple[int, int]:
    words = re.findall(r"[A-Za-z]+|\d+", text)
    month = next(MONTHS[w.lower()] for w in words if w.lower() in MONTHS)
    day = next(int(w) for w in words if w.isdigit() and len(w) <= 2)
    return month, day


def parse_iso_date(value: object) -> dt.date | None:
    """A date from metadata: ISO strings (with or without time), or None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    match = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", value)
    if not match:
        return None
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def agency_from_text(clean_text: str, removed: Iterable[RemovedSpan]) -> tuple[str | None, str | None]:
    """(agency, provenance) from a credit line among the removed spans, else a closing tag."""
    for span in removed:
        match = CREDIT_AGENCY.search(span.text)
        if match:
            agency = canonical_agency(match["agency"] or match["inputs"])
            if agency:
                return agency, "credit-line"
    last = clean_text.rstrip().rsplit("\n\n", 1)[-1]
    match = CLOSING_AGENCY.search(last)
    if match:
        agency = canonical_agency(match["agency"] or match["agency2"])
        if agency:
            return agency, "closing-tag"
    return None, None


def outlet_from_credit(removed: Iterable[RemovedSpan]) -> str | None:
    """The republishing outlet named in a credit line ("… do not reflect the opinions of LatestLY")."""
    for span in removed:
        match = CREDIT_OUTLET.search(span.text.strip())
        if match:
            return match["outlet"].strip()
    return None


def outlet_from_url(url: str | None) -> str | None:
    if not url:
        return None
    host = urlparse(url).hostname or ""
    return host.removeprefix("www.") or None


def byline_from_text(paragraphs: list[str]) -> str | None:
    for text in paragraphs[:3]:
        match = BYLINE.match(text)
        if match:
            return match["name"]
    return None


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language (py3langid), or None for too little text."""
    if len(text.split()) < 5:
        return None
    import py3langid

    lang, _ = py3langid.classify(text[:1000])  # a thousand characters decide it; more only costs time
    return lang


def load_language_model() -> None:
    """Load the language identifier now, not at the first article that needs it: it is a
    packed model that takes ~2 s to load (more on a loaded machine), which a server's first
    upload waited for (bench_web: the upload p99)."""
    detect_language("load the language identifier model before the first upload arrives")


def infer_year(
    month: int,
    day: int,
    text: str,
    batch_dates: Iterable[dt.date] = (),
    *,
    family_dates: Iterable[dt.date] = (),
    story_dates: Iterable[dt.date] = (),
) -> tuple[int | None, str | None]:
    """The year of a dateline's month and day, from the best evidence for that article.

    1. family: explicitly dated articles of its reuse family, or that share passages with
       it, within a week of that month/day (the commonest such year wins);
    2. story: explicitly dated articles of its story, the same way;
    3. text: the years the article itself names, the commonest (ties: the latest);
    4. batch: explicitly dated articles ingested with it, within a week;
    5. else no year. Never merely the nearest date in the store: an unrelated article of
       another year says nothing about this one.
    """
    for how, dates in (("family", family_dates), ("story", story_dates)):
        year = _year_near(month, day, dates)
        if year:
            return year, f"inferred:{how}"
    years = Counter(int(y) for y in YEAR.findall(text))
    if years:
        return max(years, key=lambda y: (years[y], y)), "inferred:text"
    year = _year_near(month, day, batch_dates)
    if year:
        return year, "inferred:batch"
    return None, None


def _year_near(month: int, day: int, dates: Iterable[dt.date]) -> int | None:
    """The commonest year (ties: the latest) that puts month/day within a week of one of the
    dates ("Dec 30" beside an article of 2 January takes the year before)."""
    near = Counter()
    for date in dates:
        for year in (date.year - 1, date.year, date.year + 1):
            candidate = dated(year, month, day)
            if candidate and abs((candidate - date).days) <= 7:
                near[year] += 1
    return max(near, key=lambda y: (near[y], y)) if near else None


def dated(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
