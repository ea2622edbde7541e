"""Time expressions: find them in text and normalise them against an anchor date.

    find(text, anchor, tense=None, reference=None) -> [Timex(start, end, value, type, rule)]
    normalise(phrase, anchor, tense)               -> TimeValue   (value None when nothing is understood)

`text` is a string or a parsed spaCy Doc/Span; with a parse, the tense of each expression
comes from the verb that governs it (`parse_tense`), else from the words around it
(`guess_tense`). Types and values follow TIMEX3:

    DATE      `YYYY-MM-DD`, `YYYY-MM`, `YYYY`, `YYYY-Www`, `YYYY-Www-WE`, `YYYY-Qn`,
              `YYYY-SP|SU|FA|WI`, a decade `197`, a century `18`, `PAST_REF | PRESENT_REF |
              FUTURE_REF`, and `XXXX-XX-XX` for an anaphoric date whose referent is unknown
    TIME      `YYYY-MM-DDTHH:MM`, `YYYY-MM-DDTMO|AF|EV|NI` ("Monday evening")
    DURATION  `P20Y`, `P45D`, `P3M`, `PT30M`, `PXW` ("several weeks")
    SET       `P1Y` ("annual", "every year"), `XXXX-WXX-1` ("every Monday")

A span never starts with a preposition ("on Thursday" -> "Thursday"); a year range
("2011-2012", "1998-99") is two expressions, one per year.

Underspecified expressions ("Thursday", "November 1", "October", "the fourth quarter") are
resolved against the anchor. An explicit marker decides first and is never overruled:
"last X" is before the anchor, "next X" after it, "N units ago" back. Otherwise the tense
decides: past -> the latest such day on or before the anchor, future -> the earliest on or
after it; with no tense, the nearest (a month: the anchor's year). The tense is passed in
by the caller (events take it from the event's status), read from the parse, or guessed.

Anaphoric expressions ("that day", "the same day", "the following week", "at the time")
take the date of the time last named before them in the text (or `reference`, the date of
the event the caller knows they refer to); with none they stay unresolved (`XXXX-XX-XX`).

The rules are plain regular expressions in one table (`RULES`), tried together; where two
overlap the longest wins. Each rule's resolver gets the match, the anchor and the tense.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..nlp import text_of
from ..records import TimeValue
from ..text import MONTHS, WEEKDAYS, split_doc

PAST, PRESENT, FUTURE = "past", "present", "future"
DATE, TIME, DURATION, SET = "DATE", "TIME", "DURATION", "SET"

ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "final": 4, "last": 4,
    "1st": 1, "2nd": 2, "3rd": 3, "4th": 4,
}  # fmt: skip
NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "hundred": 100, "a hundred": 100, "a dozen": 12, "dozen": 12, "single": 1,
    "half a": 0.5, "half an": 0.5, "a half": 0.5,
}  # fmt: skip
VAGUE_NUMBERS = {"several", "a few", "few", "many", "some", "a couple of", "couple of", "a number of", "numerous"}
SEASONS = {"spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI"}
DAY_PARTS = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI", "overnight": "NI", "tonight": "NI"}
# duration units -> (TIMEX3 designator, multiplier); hours and smaller take the "T" marker
UNITS = {
    "second": ("S", 1), "minute": ("M", 1), "hour": ("H", 1), "day": ("D", 1), "night": ("D", 1),
    "week": ("W", 1), "month": ("M", 1), "quarter": ("Q", 1), "year": ("Y", 1), "decade": ("Y", 10),
    "century": ("Y", 100), "centurie": ("Y", 100),
}  # fmt: skip
CLOCK_UNITS = {"second", "minute", "hour"}
FRACTION_UNITS = {"year": ("months", 12), "month": ("days", 30), "week": ("days", 7), "day": ("hours", 24), "hour": ("minutes", 60)}


@dataclass(frozen=True)
class Timex:
    """A time expression found in a text: offsets into that text, its value, its TIMEX3
    type and the rule that produced it."""

    start: int
    end: int
    value: TimeValue
    type: str = DATE
    rule: str = ""

    @property
    def text(self) -> str:
        return self.value.text


# -- the anchor -----------------------------------------------------------------------


def parse_anchor(value: str | dt.date | None) -> dt.date | None:
    """An anchor from a date, an ISO string, or the DD-MM-YYYY some corpora use."""
    if value is None or isinstance(value, dt.date):
        return value
    value = value.strip()[:10]
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%Y/%m/%d"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


# -- tense ----------------------------------------------------------------------------

_FUTURE_CUES = re.compile(
    r"\b(will|shall|'ll|going to|scheduled|expected|slated|set to|due to|plans? to|planned for|"
    r"upcoming|next|to be held|to begin|to start|aims? to|intends? to|would|may|might)\b",
    re.I,
)
# irregular past forms that are not also present forms (so "put", "set", "read" are out)
_IRREGULAR_PAST = (
    "left|went|came|took|made|told|met|held|began|fell|rose|won|lost|gave|found|got|saw|knew|thought|"
    "brought|bought|built|caught|chose|drew|drove|fought|flew|froze|grew|hid|kept|led|meant|paid|ran|"
    "sang|sank|sat|sent|shot|slept|sold|spent|spoke|stood|stole|struck|swore|taught|tore|threw|"
    "understood|woke|wrote|became|broke|forgot|overtook|withdrew|undertook|sought|fled|dealt|felt|heard"
)
_PAST_CUES = re.compile(
    rf"(?<!\bbe )(?<!\bto )\b(was|were|had|has|have|did|said|ago|earlier|last|{_IRREGULAR_PAST}|"
    r"(?!need|speed|seed|feed|exceed|proceed|expected|scheduled)\w{3,}ed)\b",  # "to be held", "may be signed": not past
    re.I,
)


_REPORTING = {"said", "told"}


def guess_tense(sentence: str, at: int | None = None) -> str | None:
    """A light guess of a sentence's tense from its words, for callers without a parse.

    With `at` (an offset into `sentence`), the cue nearest to that point decides, a cue
    before it weighing a little more than one after ("scheduled to begin on November 1",
    "held talks on Friday"); without it, a future cue anywhere wins."""
    cues = [(m.start(), FUTURE) for m in _FUTURE_CUES.finditer(sentence)]
    cues += [
        (m.start(), PAST)
        for m in _PAST_CUES.finditer(sentence)
        # a reporting verb dates the saying ("said on Monday"), not the clause it reports,
        # before it ("said he will arrive on the 20th") or after it ("..., officials said")
        if at is None or m.group(1).lower() not in _REPORTING or at - 12 <= m.end() <= at
    ]
    if not cues:
        return None
    if at is None:
        return FUTURE if any(t == FUTURE for _, t in cues) else PAST
    return min(cues, key=lambda c: (at - c[0]) if c[0] <= at else 1.5 * (c[0] - at))[1]


_PLAN_LEMMAS = {"schedule", "plan", "expect", "set", "due", "slate", "intend", "aim", "prepare", "hope", "vow", "promise", "threaten"}
_FUTURE_AUX = {"will", "shall", "'ll", "wo", "would", "'d", "may", "might", "to"}  # "to": an infinitive is later


def parse_tense(token) -> str | None:
    """The tense of the clause a token belongs to, from the dependency parse: the first verb
    above it decides ("will meet" future, "met"/"has met" past, "is scheduled to meet"
    future); None for a present-tense verb or no verb."""
    h = token
    for _ in range(40):
        if h.pos_ in ("VERB", "AUX") and h.dep_ not in ("aux", "auxpass"):
            kids = list(h.children)
            auxes = {c.lower_ for c in kids if c.dep_ in ("aux", "auxpass")}
            if (auxes & _FUTURE_AUX or any(c.lower_ == "going" for c in kids)) and "have" not in auxes:
                return FUTURE  # "will meet", "to be held", "may be signed"; not "would have met"
            if h.lemma_.lower() in _PLAN_LEMMAS and any(c.dep_ == "xcomp" for c in kids):
                return FUTURE
            if h.tag_ == "VB" and any(c.lower_ == "to" for c in kids):
                up = h.head
                if up is not h and up.lemma_.lower() in _PLAN_LEMMAS:
                    return FUTURE
            if h.tag_ == "VBD" or auxes & {"was", "were", "had", "did", "has", "have"} and h.tag_ == "VBN":
                return PAST
            if h.tag_ in ("VBZ", "VBP") or auxes & {"is", "are", "am", "'s", "'re"}:
                return None
        if h.head is h:
            return None
        h = h.head
    return None


# -- resolution helpers ---------------------------------------------------------------


def _pick(candidates: list[dt.date], anchor: dt.date, tense: str | None) -> dt.date:
    """Choose among candidate dates: past -> latest <= anchor, future -> earliest >= anchor
    (never the other side of the anchor, however far); no tense -> the nearest."""
    candidates = sorted(candidates)
    nearest = min(candidates, key=lambda c: (abs((c - anchor).days), c < anchor))
    chosen = None
    if tense == PAST:
        chosen = next((c for c in reversed(candidates) if c <= anchor), None)
    elif tense == FUTURE:
        chosen = next((c for c in candidates if c >= anchor), None)
    return chosen or nearest


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _month_day(month: int, day: int, year: int | None, anchor: dt.date | None, tense: str | None) -> str | None:
    if year is not None:
        d = _safe_date(year, month, day)
        return d.isoformat() if d else None
    if anchor is None:
        return f"XXXX-{month:02d}-{day:02d}"
    cands = [d for y in (anchor.year - 1, anchor.year, anchor.year + 1) if (d := _safe_date(y, month, day))]
    return _pick(cands, anchor, tense).isoformat() if cands else None


def _day_only(day: int, anchor: dt.date | None, tense: str | None) -> str | None:
    """"on the 12th": that day of the anchor's month or a neighbouring one, by the tense."""
    if anchor is None:
        return "XXXX-XX-" + f"{day:02d}"
    months = [anchor.year * 12 + anchor.month - 1 + k for k in (-1, 0, 1)]
    cands = [d for m in months if (d := _safe_date(m // 12, m % 12 + 1, day))]
    return _pick(cands, anchor, tense).isoformat() if cands else None


def _month_only(month: int, anchor: dt.date | None, tense: str | None, shift: str | None = None) -> str:
    if anchor is None:
        return f"XXXX-{month:02d}"
    here = anchor.replace(day=1)  # months compare by their first day
    cands = [dt.date(y, month, 1) for y in (anchor.year - 1, anchor.year, anchor.year + 1)]
    if shift == "last":  # strictly before the anchor's month: "last October" in October is a year ago
        chosen = max(c for c in cands if c < here)
    elif shift in ("next", "coming"):
        chosen = min(c for c in cands if c > here)
    elif shift == "this" or tense not in (PAST, FUTURE):
        chosen = dt.date(anchor.year, month, 1)
    else:
        chosen = _pick(cands, here, tense)
    return f"{chosen.year}-{month:02d}"


def _weekday_date(name: str, anchor: dt.date, tense: str | None, shift: str | None = None) -> dt.date:
    wd = WEEKDAYS[name.lower()]
    back = (anchor.weekday() - wd) % 7  # days back to the latest such weekday (0 = anchor)
    fwd = (wd - anchor.weekday()) % 7
    if shift == "last":
        return anchor - dt.timedelta(days=back or 7)
    if shift == "next":
        return anchor + dt.timedelta(days=fwd or 7)
    if shift == "this" or back == 0:
        return anchor + dt.timedelta(days=fwd) if tense == FUTURE else anchor - dt.timedelta(days=back)
    if tense == FUTURE:
        return anchor + dt.timedelta(days=fwd)
    if tense == PAST or back <= fwd + 2:  # news mostly reports the past: lean back
        return anchor - dt.timedelta(days=back)
    return anchor + dt.timedelta(days=fwd)


def _weekday(name: str, anchor: dt.date | None, tense: str | None, shift: str | None = None) -> str:
    return _weekday_date(name, anchor, tense, shift).isoformat() if anchor else "XXXX-XX-XX"


def _week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _quarter(q: int, year: int | None, anchor: dt.date | None, tense: str | None, half: bool = False) -> str:
    """A quarter (or, with `half`, a half-year: H1, H2) of `year`, else of the year the tense picks."""
    code, months = ("H", 6) if half else ("Q", 3)
    if year is None:
        if anchor is None:
            return f"XXXX-{code}{q}"
        starts = [dt.date(y, months * (q - 1) + 1, 1) for y in (anchor.year - 1, anchor.year, anchor.year + 1)]
        if tense in (PAST, FUTURE):
            year = _pick(starts, anchor.replace(day=1), tense).year
        else:
            year = anchor.year
    return f"{year}-{code}{q}"


def _unit_shift(unit: str, n: int, anchor: dt.date | None) -> str | None:
    """`n` units from the anchor (negative = back), at the unit's granularity."""
    if anchor is None:
        return None
    unit = unit.lower().rstrip("s")
    if unit == "day":
        return (anchor + dt.timedelta(days=n)).isoformat()
    if unit == "week":
        return _week(anchor + dt.timedelta(weeks=n))
    if unit == "month":
        m = anchor.year * 12 + anchor.month - 1 + n
        return f"{m // 12}-{m % 12 + 1:02d}"
    if unit == "year":
        return f"{anchor.year + n}"
    if unit == "weekend":
        return _week(anchor + dt.timedelta(weeks=n)) + "-WE"
    if unit == "quarter":
        q = (anchor.month - 1) // 3 + n
        return f"{anchor.year + q // 4}-Q{q % 4 + 1}"
    if unit == "decade":
        return str((anchor.year + 10 * n) // 10)
    if unit in ("century", "centurie"):
        return f"{anchor.year // 100 + n:02d}"
    return None


def _year(text: str) -> int:
    y = int(text.lstrip("'’"))
    if y < 100:
        y += 2000 if y < 50 else 1900
    return y


def _num(word: str) -> float | None:
    """A count in digits or words ("12", "1.5", "twenty-five", "a dozen"); None if not one."""
    word = re.sub(r"\s+", " ", word.lower().strip())
    if re.fullmatch(r"\d+(?:\.\d+)?", word):
        return float(word)
    if word in NUMBERS:
        return NUMBERS[word]
    parts = re.split(r"[-\s]", word)
    if len(parts) == 2 and parts[0] in NUMBERS and parts[1] in NUMBERS and NUMBERS[parts[0]] >= 20:
        return NUMBERS[parts[0]] + NUMBERS[parts[1]]
    return None


def _duration(count: str | None, unit: str) -> str | None:
    """TIMEX3 duration of `count` `unit`s: "two decades" -> P20Y, "thirty minutes" -> PT30M,
    "several weeks" -> PXW."""
    unit = unit.lower().rstrip("s").replace("ie", "y") if unit.lower() != "centuries" else "century"
    if unit not in UNITS:
        return None
    code, times = UNITS[unit]
    prefix = "PT" if unit in CLOCK_UNITS else "P"
    if count is None or count.lower().strip() in VAGUE_NUMBERS:
        return prefix + "X" + ("DE" if unit == "decade" else "CE" if unit == "century" else code)
    n = _num(count)
    if n is None:
        return None
    n *= times
    if n != int(n) and unit in FRACTION_UNITS:  # "half a year" -> P6M, "half an hour" -> PT30M
        smaller, per = FRACTION_UNITS[unit]
        return _duration(str(n * per), smaller)
    return f"{prefix}{int(n) if n == int(n) else n}{code}"


# -- the rules ------------------------------------------------------------------------

Resolver = Callable[[re.Match, "dt.date | None", "str | None"], "str | None"]

MON = (
    r"(?P<mon>Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?|July?|"
    r"Aug(?:ust|\.)?|Sept?(?:ember|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)"
)
DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
YEAR = r"(?P<year>(?:1[89]|20)\d\d)"
WD = r"(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
PART = r"(?P<part>morning|afternoon|evening|night)"
DASH = r"\s*[-–—]\s*"
NOT_NUM = r"(?![\d,.]\d)"  # a year is not the head of a longer number (2,000 / 2008.5)
_NUMBER_WORDS = "|".join(sorted((re.escape(w) for w in NUMBERS), key=len, reverse=True))
COUNT = (
    rf"(?P<n>\d+(?:\.\d+)?|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-(?:one|two|three|four|five|six|seven|eight|nine)"
    rf"|{_NUMBER_WORDS}|several|a\s+few|few|many|some|a\s+couple\s+of|couple\s+of|a\s+number\s+of|numerous)"
)
UNIT = r"(?P<unit>seconds|minutes?|hours?|days?|nights|weeks?|months?|quarters|years?|decades?|century|centuries)"  # "a second term", "a quarter of": no
# a count of units that is a point, not a length ("two years ago", "a week later"); before
# and after stay lengths ("five years after its launch": P5Y, the "after" is a signal)
NOT_POINT = r"(?![-\s]+(?:ago|earlier|later|from\s+now|hence)\b)"


def _mon(m: re.Match) -> int:
    return MONTHS[m.group("mon").lower().rstrip(".")]


def _opt(m: re.Match, name: str) -> str | None:
    return m.groupdict().get(name)


def _r_date(m, anchor, tense):
    year = _opt(m, "year")
    return _month_day(_mon(m), int(m.group("day")), int(year) if year else None, anchor, tense)


def _r_date_range(m, anchor, tense):
    year = _opt(m, "year")
    mon = _mon(m)
    first = _month_day(mon, int(m.group("day")), int(year) if year else None, anchor, tense)
    if first is None:
        return None
    last = _safe_date(int(first[:4]), mon, int(m.group("day2"))) if first[:4].isdigit() else None
    return f"{first}/{last.isoformat()}" if last else first


def _r_iso(m, anchor, tense):
    d = _safe_date(int(m.group("year")), int(m.group("m")), int(m.group("d")))
    return d.isoformat() if d else None


def _r_numeric(m, anchor, tense):
    """7/8/07: month first (English news), unless the first number can only be a day."""
    first, second = int(m.group("a")), int(m.group("b"))
    month, day = (first, second) if first <= 12 else (second, first)
    d = _safe_date(_year(m.group("y")), month, day)
    return d.isoformat() if d else None


def _r_numeric_dmy(m, anchor, tense):
    d = _safe_date(_year(m.group("y")), int(m.group("m")), int(m.group("d")))
    return d.isoformat() if d else None


def _r_month_year(m, anchor, tense):
    return f"{m.group('year')}-{_mon(m):02d}"


HOLIDAYS = {"christmas eve": (12, 24), "christmas day": (12, 25), "christmas": (12, 25), "new year's eve": (12, 31),
            "new year's day": (1, 1), "valentine's day": (2, 14), "halloween": (10, 31)}  # fmt: skip


def _r_holiday(m, anchor, tense):
    """A fixed-date holiday is its month-day: "Christmas" -> XXXX-12-25 resolved like "December 25"."""
    month, day = HOLIDAYS[re.sub(r"\s+", " ", m.group("hol").lower())]
    shift = (_opt(m, "shift") or "").lower()
    year = _opt(m, "year")
    tense = {"last": PAST, "next": FUTURE}.get(shift, tense)
    return _month_day(month, day, int(year) if year else None, anchor, tense)


def _r_month_rel_year(m, anchor, tense):
    """"September this year", "January next year", "April of last year"."""
    if anchor is None:
        return f"XXXX-{_mon(m):02d}"
    return f"{anchor.year + {'last': -1, 'this': 0, 'next': 1}[m.group('rel').lower()]}-{_mon(m):02d}"


def _r_month(m, anchor, tense):
    shift = (_opt(m, "shift") or "").lower() or None
    return _month_only(_mon(m), anchor, tense, shift)


def _r_year(m, anchor, tense):
    return str(int(m.group("year")))


def _r_year_range(m, anchor, tense):
    a, b = m.group("year"), m.group("year2")
    if len(b) == 2:
        b = a[:2] + b
    return f"{a}/{b}" if int(b) > int(a) else None


def _r_decade(m, anchor, tense):
    return m.group("dec")[:3]


def _r_century(m, anchor, tense):
    n = ORDINAL_WORDS.get((_opt(m, "cw") or "").lower()) or int(_opt(m, "c") or 0)
    return f"{n - 1:02d}" if n else None


ORDINAL_WORDS = {w: i + 1 for i, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth "
    "fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split()
)}  # fmt: skip


def _r_weekday(m, anchor, tense):
    shift = (_opt(m, "shift") or "").lower() or None
    return _weekday(m.group("wd"), anchor, tense, shift)


def _r_weekday_part(m, anchor, tense):
    """"Monday evening" -> that Monday + TEV; "last night" -> the day before + TNI."""
    part = DAY_PARTS[m.group("part").lower()]
    if anchor is None:
        return f"XXXX-XX-XXT{part}"
    return f"{_weekday(m.group('wd'), anchor, tense, (_opt(m, 'shift') or '').lower() or None)}T{part}"


def _r_today(m, anchor, tense):
    return anchor.isoformat() if anchor else None


def _r_day_shift(m, anchor, tense):
    word = m.group(0).lower()
    n = -1 if "yesterday" in word else 1
    return (anchor + dt.timedelta(days=n)).isoformat() if anchor else None


def _r_relative(m, anchor, tense):
    shift = m.group("shift").lower()
    n = {"last": -1, "past": -1, "previous": -1, "next": 1, "coming": 1, "this": 0, "current": 0}[shift]
    return _unit_shift(m.group("unit"), n, anchor)


def _r_ago(m, anchor, tense):
    """"three days ago" -> that day; "several years ago", "years ago" -> PAST_REF (no count, no day)."""
    count = (_opt(m, "n") or "").lower()
    if not count or re.sub(r"\s+", " ", count) in VAGUE_NUMBERS:
        return "PAST_REF"
    n = _num(count)
    return _unit_shift(m.group("unit"), -int(n), anchor) if n and n == int(n) else None


def _r_within_year(m, anchor, tense):
    """'later this year', 'the end of last year', 'earlier this month'."""
    shift = (_opt(m, "shift") or "this").lower()
    n = {"last": -1, "previous": -1, "next": 1, "this": 0, "the": 0}[shift]
    return _unit_shift((_opt(m, "unit") or m.group("unit2")).lower(), n, anchor)


def _r_quarter(m, anchor, tense):
    """"the fourth quarter", "Q3 2009", "the first half of last year" (H1)."""
    half = bool(_opt(m, "h"))
    q = ORDINALS.get((_opt(m, "q") or _opt(m, "h") or "").lower()) or int(_opt(m, "qn") or 0)
    if not q or (half and q > 2):
        return None
    year = _opt(m, "year")
    rel = (_opt(m, "rel") or "").lower()
    if rel:
        if anchor is None:
            return None
        return f"{anchor.year + {'last': -1, 'next': 1, 'this': 0}[rel]}-{'H' if half else 'Q'}{q}"
    return _quarter(q, int(year) if year else None, anchor, tense, half)


def _r_season(m, anchor, tense):
    code = SEASONS[m.group("season").lower()]
    year = _opt(m, "year")
    rel = (_opt(m, "rel") or "").lower()
    if year:
        return f"{year}-{code}"
    if anchor is None:
        return None
    # a season by its first month; "last summer" is the latest one over, "next" the first to come
    first = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}[code]
    starts = [dt.date(y, first, 1) for y in (anchor.year - 1, anchor.year, anchor.year + 1)]
    if rel == "last":
        return f"{max(c for c in starts if _months_between(c, anchor) >= 3).year}-{code}"
    if rel == "next":
        return f"{min(c for c in starts if c > anchor).year}-{code}"
    if rel != "this" and tense in (PAST, FUTURE):
        return f"{_pick(starts, anchor, tense).year}-{code}"
    return f"{anchor.year}-{code}"


def _months_between(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def _r_fiscal(m, anchor, tense):
    return f"FY{_year(m.group('fy'))}"


def _r_edge_year(m, anchor, tense):
    return str(int(m.group("year")))


def _r_duration(m, anchor, tense):
    return _duration(_opt(m, "n"), m.group("unit"))


def _r_span_duration(m, anchor, tense):
    """"the past five years" -> P5Y, "the next few days" -> PXD, "the past year" -> P1Y."""
    return _duration(_opt(m, "n") or "1", m.group("unit"))


def _r_previous(m, anchor, tense):
    """"the previous year", "the year previous": the unit before the anchor's (a date)."""
    return _unit_shift(_opt(m, "unit") or m.group("unit2"), -1, anchor)


def _r_vague_duration(m, anchor, tense):
    """"for years", "over the years", "for decades" -> PXY, PXDE."""
    return _duration(None, m.group("unit"))


SET_ADVERBS = {"hourly": "PT1H", "daily": "P1D", "nightly": "P1D", "weekly": "P1W", "monthly": "P1M",
               "quarterly": "P3M", "yearly": "P1Y", "annually": "P1Y", "annual": "P1Y", "biannual": "P6M"}  # fmt: skip


def _r_set(m, anchor, tense):
    """"every year" -> P1Y, "twice a week" -> P1W, "every Monday" -> XXXX-WXX-1, "annual" -> P1Y."""
    word = m.group(0).lower()
    if word in SET_ADVERBS:
        return SET_ADVERBS[word]
    wd = _opt(m, "wd")
    if wd:
        return f"XXXX-WXX-{WEEKDAYS[wd.lower()] + 1}"
    unit = m.group("unit").lower()
    if unit in DAY_PARTS:
        return f"XXXX-XX-XXT{DAY_PARTS[unit]}"
    return _duration("1", unit)


def _r_day_part(m, anchor, tense):
    """"this morning", "tonight", "yesterday afternoon", "last night"."""
    m_part = _opt(m, "part") or _opt(m, "part2") or _opt(m, "part3")
    if anchor is None:
        return None
    word = m.group(0).lower()
    n = -1 if ("yesterday" in word or word.startswith("last")) else 1 if "tomorrow" in word else 0
    return f"{(anchor + dt.timedelta(days=n)).isoformat()}T{DAY_PARTS[m_part.lower()]}"


def _r_clock(m, anchor, tense):
    """"09:30 GMT Tuesday", "3 p.m.", "noon": the day named beside it, else the anchor's."""
    word = m.group(0).lower()
    if "noon" in word or "midday" in word:
        hh, mm = 12, 0
    elif "midnight" in word:
        hh, mm = 24, 0
    else:
        h = _opt(m, "h") or _opt(m, "h2")
        hh, mm = int(h), int(_opt(m, "mi") or _opt(m, "mi2") or 0)
        ap = (_opt(m, "ap") or _opt(m, "ap2") or "").lower().replace(".", "")
        if ap == "pm" and hh < 12:
            hh += 12
        elif ap == "am" and hh == 12:
            hh = 0
    zone = "Z" if (_opt(m, "tz") or "").upper() in ("GMT", "UTC") else ""
    wd = _opt(m, "wd") or _opt(m, "wd2")
    if _opt(m, "mon"):  # "16:15 UTC, June 1st"
        day = _r_date(m, anchor, tense)
    elif anchor is None:
        day = "XXXX-XX-XX"
    elif wd:
        day = _weekday(wd, anchor, tense)
    else:
        day = anchor.isoformat()
    return f"{day}T{hh:02d}:{mm:02d}{zone}" if day else None


def _const(value: str) -> Resolver:
    return lambda m, anchor, tense: value


# rules whose TIMEX3 type is not read off the value
RULE_TYPES = {"set": SET, "set-adverb": SET}

ON = r"(?:(?:(?:early|late|earlier|later)\s+)?on\s+)?"  # "on Friday", "earlier on Thursday": trimmed off the span
ANAPHORIC = "anaphoric"

RULES: list[tuple[str, str, Resolver]] = [
    # absolute and month-day dates
    ("iso", rf"\b{YEAR}-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b", _r_iso),
    # "on the 12th," alone (a day of this month or a neighbour): only after "on" and before
    # the clause goes on, so "the 12th largest" and "the 12th floor" are not dates
    ("day-ordinal", r"\bon\s+the\s+(?P<day>[12]?\d|3[01])(?:st|nd|rd|th)\b(?=\s*[,.;:)]|\s+(?:and|when|as|after|before|at|in|with|but)\b)", lambda m, a, t: _day_only(int(m.group("day")), a, t)),
    # 7/8/07, 07/08/2007 (month first, as in English news, unless the first can only be a
    # day: 25/12/2007), 25.12.2007 (day first; only with the century, so no version number)
    ("numeric", r"(?<![\d/.,])\b(?P<a>[01]?\d|[23]\d)/(?P<b>[0-3]?\d)/(?P<y>(?:19|20)\d\d|\d\d)\b(?![/\d]|\.\d)", _r_numeric),
    ("numeric-dmy", r"(?<![\d/.,])(?<!version )\b(?P<d>[0-3]?\d)\.(?P<m>[01]?\d)\.(?P<y>(?:19|20)\d\d)\b(?![.\d])", _r_numeric_dmy),
    ("date-range", rf"\b{ON}{MON}\s+{DAY}{DASH}(?P<day2>[0-3]?\d)(?:st|nd|rd|th)?(?:,?\s+{YEAR})?\b", _r_date_range),
    ("mdy", rf"\b{ON}(?:{WD},?\s+)?{MON}\s+{DAY}(?:,?\s+{YEAR})?\b{NOT_NUM}", _r_date),
    ("dmy", rf"\b{ON}(?:{WD},?\s+)?(?:the\s+)?{DAY}\s+(?:of\s+)?{MON}(?:,?\s+{YEAR})?\b{NOT_NUM}", _r_date),
    ("month-year", rf"\b(?:(?:early|mid|late)[-\s]+)?{MON}(?:,)?\s+(?:of\s+)?{YEAR}\b{NOT_NUM}", _r_month_year),
    ("month-rel-year", rf"\b(?:(?:early|mid|late)[-\s]+)?{MON}\s+(?:of\s+)?(?P<rel>this|last|next)\s+year\b", _r_month_rel_year),
    (
        "month",
        rf"\b(?:(?:early|mid|late)[-\s]+)?(?:(?P<shift>last|next|coming|this)\s+)?"
        rf"(?P<mon>January|February|March|April|May|June|July|August|September|October|November|December)\b",
        _r_month,
    ),
    (
        "holiday",
        r"\b(?:(?P<shift>last|next|this)\s+)?(?P<hol>Christmas\s+Eve|Christmas\s+Day|Christmas|New\s+Year's\s+Eve|New\s+Year's\s+Day"
        r"|Valentine's\s+Day|Halloween)\b(?:\s+(?:of\s+)?" + YEAR + ")?",
        _r_holiday,
    ),
    # years, ranges, decades, centuries, fiscal years
    ("year-range", rf"(?<![\d.,$])\b(?:from\s+|between\s+)?{YEAR}(?:{DASH}|\s+(?:to|and|through)\s+)(?P<year2>(?:1[89]|20)\d\d|\d\d)\b{NOT_NUM}", _r_year_range),
    ("decade", r"\b(?:the\s+)?(?:(?:early|mid|late)[-\s]+)?(?P<dec>(?:1[89]|20)\d0)'?s\b", _r_decade),
    ("short-decade", r"(?:(?<=\s)|(?<=^))['’]?(?P<dec>[2-9]0)s\b", lambda m, a, t: "19" + m.group("dec")[0]),
    ("century", r"\b(?:the\s+)?(?:(?:early|mid|late)[-\s]+)?(?:(?P<c>[12]?\d)(?:st|nd|rd|th)|(?P<cw>" + "|".join(ORDINAL_WORDS) + r"))[-\s]+century\b", _r_century),
    ("short-year", r"(?:(?<=\s)|(?<=^))['’](?P<year>[0-9]\d)\b(?!['’])", lambda m, a, t: str(_year(m.group("year")))),
    ("fiscal", r"\b(?:FY\s?|fiscal\s+(?:year\s+)?)(?P<fy>(?:19|20)\d\d|\d\d)\b", _r_fiscal),
    ("edge-year", rf"\b(?:(?:early|mid|late)[-\s]+|the\s+(?:start|end|beginning|middle)\s+of\s+){YEAR}\b", _r_edge_year),
    ("year", rf"(?<![\d.,$£€#])(?<!No\. )\b{YEAR}\b{NOT_NUM}(?!\s*(?:%|per\s?cent|million|billion|units|people|workers|jobs))", _r_year),
    # weekdays, times of day
    ("weekday", rf"\b(?:(?P<shift>last|next|this)\s+|{ON}){WD}\b", _r_weekday),
    ("weekday-part", rf"\b(?:(?P<shift>last|next|this)\s+|{ON}){WD}(?:'s)?\s+{PART}\b", _r_weekday_part),
    ("day-part", r"\b(?:(?:this|yesterday|tomorrow)\s+(?P<part>morning|afternoon|evening|night)|(?P<part2>tonight)|last\s+(?P<part3>night))\b", _r_day_part),
    (
        "clock",
        rf"\b(?:(?:{WD.replace('wd', 'wd2')})(?:,\s*|\s+at\s+|\s+))?(?:"
        r"(?P<h>[01]?\d|2[0-3]):(?P<mi>[0-5]\d)(?:\s*(?P<ap>[ap]\.m\.|[ap]m\b))?|(?P<h2>1[0-2]|[1-9])(?::(?P<mi2>[0-5]\d))?\s*(?P<ap2>[ap]\.m\.|[ap]m\b)|noon|midday|midnight)"
        rf"(?:\s*\(?(?P<tz>GMT|UTC|EST|EDT|CST|CDT|PST|PDT|BST|CET|CEST|IST|JST|local\s+time)\)?)?"
        rf"(?:,?\s+(?:on\s+)?{WD}|,?\s+(?:on\s+)?(?-i:{MON})\s+{DAY}(?:,?\s+{YEAR})?\b)?",
        _r_clock,
    ),
    # the anchor's day and its neighbours
    (
        "today",
        r"\b(?:earlier|later)\s+(?:today|in\s+the\s+day)\b|\b(?:late|early)\s+in\s+the\s+day\b|"
        r"\btoday\b|\b(?:for|during|on|in|throughout)\s+the\s+day\b(?!\s+(?:before|after|of|when|that|which))|"
        r"\b(?:end|close|finish)(?:s|ed|ing)?\s+the\s+day\b",  # "ending the day up 2%" (the verb is trimmed off)
        _r_today,
    ),
    ("yesterday", r"\b(?:yesterday|tomorrow)\b", _r_day_shift),
    # anaphoric: the time last named (resolved in `find`)
    (
        ANAPHORIC,
        r"\b(?:(?P<same>that|the\s+same)\s+(?P<unit>day|week|month|year|quarter|period)"
        # "the same month a year ago", "the same period last year": that time, a year back
        r"(?P<yearback>,?\s+(?:a\s+year\s+(?:ago|earlier|before)|(?:of\s+)?(?:the\s+)?(?:last|previous|prior)\s+year))?"
        r"|the\s+year[-\s](?P<yearback2>earlier|ago)\s+(?P<unit4>day|week|month|quarter|period)"  # "the year-earlier quarter"
        r"|the\s+(?P<dir>following|next|previous|preceding)\s+day|the\s+following\s+(?P<unit2>week|month|year)"
        r"|(?:the\s+)?(?P<unit3>day|week|month|year)\s+(?P<dir2>before|after)(?!\s+(?:the|a|an|his|her|their|its|that|this)\b)"
        r"|at\s+(?:that|the)\s+(?:time|point))\b",
        None,
    ),
    # relative periods
    (
        "within-period",
        r"\b(?:(?:earlier|later)\s+|(?:the\s+)?(?:start|end|beginning|middle|rest)\s+of\s+)"
        r"(?P<shift>this|last|next|the)\s+(?P<unit>year|month|week)\b"
        r"|\b(?P<unit2>year|month)[-\s]end\b",  # "by year-end": the end of this year
        _r_within_year,
    ),
    (
        "quarter",
        r"\b(?:the\s+)?(?:(?P<q>first|second|third|fourth|final|last|1st|2nd|3rd|4th)[-\s]+quarter"
        # a half is a date only with its year ("the second half" of a match is not)
        r"|(?P<h>first|second)[-\s]+half(?=\s+of\s+(?:the\s+year|(?:the\s+)?(?:last|next|this)\s+year|(?:fiscal\s+)?(?:19|20)\d\d))"
        r"|Q(?P<qn>[1-4]))\b"
        r"(?:\s+(?:of\s+)?(?:(?:the\s+)?(?P<rel>last|next|this)\s+year|the\s+year|(?:the\s+)?(?:fiscal\s+)?(?:year\s+)?" + YEAR + r"))?",
        _r_quarter,
    ),
    (
        "relative",
        r"\b(?P<shift>last|next|this|past|previous|coming|current)\s+(?P<unit>year|month|week|weekend|quarter|decade|century)\b",
        _r_relative,
    ),
    ("ago", rf"\b(?:{COUNT}\s+)?(?P<unit>days?|weeks?|months?|years?|decades?)\s+(?:ago|earlier)\b", _r_ago),
    ("weekend", r"\b(?:the|this)\s+weekend\b", lambda m, a, t: _unit_shift("weekend", 0, a)),
    (
        "season",
        r"\b(?:(?P<rel>last|next|this)\s+|(?:the\s+)?|in\s+(?:the\s+)?)"
        r"(?P<season>[Ss]pring|[Ss]ummer|[Aa]utumn|[Ww]inter|(?<=the\s)fall|(?<=this\s)fall|(?<=last\s)fall|(?<=next\s)fall)"
        rf"\b(?:\s+(?:of\s+)?{YEAR})?",
        _r_season,
    ),
    # durations and sets
    ("duration", rf"(?<![\d,.])\b(?:(?:about|some|nearly|almost|around|over|more\s+than|less\s+than|at\s+least|up\s+to)\s+)?{COUNT}[-\s]+(?:(?:consecutive|straight|successive|full|long|more|additional|further|whole)\s+)?{UNIT}{NOT_POINT}\b", _r_duration),
    ("span-duration", rf"\bthe\s+(?:past|last|next|coming|first|final)\s+(?:{COUNT}\s+)?{UNIT}\b", _r_span_duration),
    ("previous", r"\bthe\s+(?:previous|preceding|prior)\s+(?P<unit>year|month|week|quarter)\b|\bthe\s+(?P<unit2>year|month|week)\s+previous\b", _r_previous),
    ("vague-duration", r"\b(?:for|over\s+the|in|within)\s+(?P<unit>years|months|weeks|decades|centuries)\b(?!\s+(?:ago|of|to\s+come))", _r_vague_duration),
    ("set", rf"\b(?:every|each|per|(?:once|twice|\w+\s+times)\s+(?:a|an|per|each|every))\s+(?:{WD}|(?P<unit>day|week|month|quarter|year|hour|minute|morning|evening|night|afternoon)\b)", _r_set),
    ("set-adverb", r"\b(?:hourly|daily|nightly|weekly|monthly|quarterly|yearly|annually|annual|biannual)\b", _r_set),
    # vague references
    ("present", r"\b(?:now|currently|at\s+present|at\s+the\s+moment|for\s+the\s+time\s+being|nowadays)\b", _const("PRESENT_REF")),
    ("past", rf"\b(?:recently|in\s+recent\s+(?:years|months|weeks|days)|recent\s+years|(?:in\s+)?the\s+past\b(?!\s+(?:{COUNT}\s+)?{UNIT})|formerly|recent\s+history)\b", _const("PAST_REF")),
    ("future", r"\b(?:(?:very\s+)?soon|in\s+the\s+(?:near\s+)?future|in\s+the\s+coming\s+(?:years|months|weeks|days)|the\s+(?:near|long|short)\s+term)\b", _const("FUTURE_REF")),
]

# case-sensitive where a capital tells a date from a word ("May" vs "may", "March" vs "march")
_CASED = {"mdy", "dmy", "month-year", "month-rel-year", "month", "holiday", "date-range", "weekday", "weekday-part", "season", "set-adverb"}
_COMPILED = [
    (name, re.compile(pattern) if name in _CASED else re.compile(pattern, re.I), resolve)
    for name, pattern, resolve in RULES
]
# A text a rule's needle is not found in holds no match of the rule, so `_matches` skips the
# rule there (the same matches, found faster: 40 rules per sentence were a third of the
# events stage's CPU). Each needle is something every match must contain: YEAR's digits for
# the rules that cannot do without a year (a decade's "1990" too); the first letters of MON,
# as written (those rules are case-sensitive), for the day-and-month dates; the separators of
# the numeric dates; a digit for the other rules written in digits; the words the others
# cannot do without. A third of the sentences hold a digit, a tenth a year or a month name
# (ECB+ sentences): the narrower needles leave the year and month rules unread on the rest.
_DIGIT = re.compile(r"\d")
_YEAR_DIGITS = re.compile(r"(?:1[89]|20)\d\d")
_MONTH_START = re.compile(r"Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec")
_UNIT_WORD = re.compile(r"second|minute|hour|day|night|week|month|quarter|year|decade|centur", re.I)
_NEEDLES = {
    **dict.fromkeys(["iso", "month-year", "year-range", "decade", "edge-year", "year"], _YEAR_DIGITS),
    **dict.fromkeys(["date-range", "mdy", "dmy"], _MONTH_START),
    "numeric": re.compile(r"\d/\d"),
    "numeric-dmy": re.compile(r"\d\.\d"),
    "fiscal": re.compile(r"\d\d"),
    **dict.fromkeys(["day-ordinal", "short-decade", "short-year"], _DIGIT),
    "clock": re.compile(r"\d|noon|midday|midnight", re.I),
    "century": re.compile(r"century", re.I),
    "ago": re.compile(r"ago|earlier", re.I),
    "duration": _UNIT_WORD,
    "span-duration": _UNIT_WORD,
    "month": re.compile(r"January|February|March|April|May|June|July|August|September|October|November|December"),
    "holiday": re.compile(r"Christmas|New|Valentine|Halloween"),
    "weekday": re.compile(r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"),
    "weekday-part": re.compile(r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"),
    "day-part": re.compile(r"morning|afternoon|evening|night", re.I),
    "today": re.compile(r"day", re.I),
    "yesterday": re.compile(r"yesterday|tomorrow", re.I),
    ANAPHORIC: re.compile(r"day|week|month|year|quarter|period|time|point", re.I),
    "within-period": re.compile(r"year|month|week", re.I),
    "quarter": re.compile(r"quarter|half|q[1-4]", re.I),
    "relative": re.compile(r"year|month|week|quarter|decade|centur", re.I),
    "weekend": re.compile(r"weekend", re.I),
    "season": re.compile(r"spring|summer|autumn|winter|fall", re.I),
    "previous": re.compile(r"year|month|week|quarter", re.I),
    "vague-duration": re.compile(r"years|months|weeks|decades|centuries", re.I),
    "set": re.compile(r"every|each|per|once|twice|times", re.I),
    "set-adverb": re.compile(r"hourly|daily|nightly|weekly|monthly|quarterly|yearly|annual", re.I),
    "present": re.compile(r"now|current|present|moment|time", re.I),
    "past": re.compile(r"recent|past|formerly", re.I),
    "future": re.compile(r"soon|future|coming|term", re.I),
}
_RESOLVERS = {name: resolve for name, _, resolve in RULES}


def _literal_words(needle: re.Pattern) -> tuple[str, ...] | None:
    """The words of a needle that is only words joined by "|" (lower-cased when it ignores
    case), else None: on an ASCII text, "any word in the text" (lower-cased as the needle is)
    is exactly what the needle's search finds, and Python's case-blind alternation costs ~10x
    a substring test (the needles were two thirds of `_matches` on ECB+ sentences)."""
    if not re.fullmatch(r"[A-Za-z]+(?:\|[A-Za-z]+)*", needle.pattern):
        return None
    words = needle.pattern.split("|")
    return tuple(w.lower() for w in words) if needle.flags & re.I else tuple(words)


# each distinct needle once (15 rules share the digit): (its id, the needle, its words or
# None, whether it ignores case), in the order of `_NEEDLES`
_NEEDLE_PLAN = [
    (id(n), n, _literal_words(n), bool(n.flags & re.I)) for n in {id(n): n for n in _NEEDLES.values()}.values()
]


def _needles_found(text: str) -> dict[int, bool]:
    """{id of a needle: whether it is in `text`}. Outside ASCII the needle's own search
    decides (re's case-blind matching also pairs "ſ" with "s", "K" with "k", which
    `str.lower` does not). The words are tested with `map(haystack.__contains__, ...)`, not
    a generator: ~100 substring tests per sentence, whose generator steps cost more than
    the tests (the needles were 0.38 s of the events stage's ~2 s on 1k articles, now 0.23)."""
    lowered = text.lower() if text.isascii() else None
    found = {}
    for key, needle, words, ignore_case in _NEEDLE_PLAN:
        if lowered is None or words is None:
            found[key] = needle.search(text) is not None
        else:
            found[key] = any(map((lowered if ignore_case else text).__contains__, words))
    return found
_RULE_RANK = {name: i for i, (name, _, _) in enumerate(RULES)}
_SINCE = re.compile(r"\bsince\s+$", re.I)  # "since December": an explicit marker of the past, whatever the verb
# for a plain string (no parse at hand: callers of find(text), normalise(), the MEANTIME
# text runs) the sentence around an expression is cut by punctuation; with a parse it is the
# project splitter's sentence (text.split_doc)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’']?\s+(?=[\"“‘A-Z0-9])|\n+")
# a leading preposition (and its modifier) is not part of the expression: "on Thursday" -> "Thursday"
_LEAD = re.compile(
    r"(?:(?:early|late|earlier|later)\s+on|on|in|at|from|since|during|until|till|by|for|over|throughout|within|between|of"
    r"|(?:end|close|finish)(?:s|ed|ing)?)\s+",
    re.I,
)


def _sentence_around(text: str, start: int, end: int, parsed=None) -> tuple[str, int]:
    """The sentence of `text` that holds [start, end), and its start offset: the parse's
    (`parsed` is a Doc or a Span whose text is `text`), else cut by punctuation."""
    if parsed is not None:
        base = getattr(parsed, "start_char", 0)
        for s, e in split_doc(parsed.doc):  # a Doc's .doc is itself
            left, right = max(s - base, 0), min(e - base, len(text))
            if left <= start < right:
                return text[left:right], left
    left = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        left = m.end()
    right_m = _SENTENCE_END.search(text, end)
    return text[left : right_m.start() if right_m else len(text)], left


def _case_ok(name: str, m: re.Match) -> bool:
    """Capitalised "May"/"March" count only after a word that introduces a date ("in May")
    or before a day number, so the modal and the verb are not dates."""
    if name == "month" and m.group("mon") in ("May", "March") and not m.group("shift"):
        before = m.string[max(0, m.start() - 12) : m.start()].lower()
        return bool(re.search(r"\b(in|of|since|until|by|from|during|early|late|mid|last|next|this)\s+$", before))
    return True


def _matches(text: str) -> list[tuple[int, int, str, re.Match]]:
    """Every rule's matches, overlaps resolved: the earliest start wins, then the longest."""
    found = []
    present = _needles_found(text)
    for name, pattern, _ in _COMPILED:
        needle = _NEEDLES.get(name)
        if needle is not None and not present[id(needle)]:
            continue
        for m in pattern.finditer(text):
            if m.end() > m.start() and _case_ok(name, m):
                found.append((m.start(), -(m.end() - m.start()), _RULE_RANK[name], name, m))
    found.sort()
    return [(start, start - neg, name, m) for start, neg, _, name, m in found]


def _type_of(rule: str, value: str) -> str:
    if rule in RULE_TYPES:
        return RULE_TYPES[rule]
    if value.startswith("P") and not value.endswith("_REF"):
        return DURATION
    if re.search(r"\dT|XT", value):
        return TIME
    return DATE


def _tense_at(text: str, parsed, start: int, end: int) -> str | None:
    """The tense for the expression at [start, end): the parse's verb above it, else a guess
    from the words of its sentence."""
    if parsed is not None:
        base = getattr(parsed, "start_char", 0)
        tok = next((t for t in parsed if t.idx - base >= start), None)
        if tok is not None and (tense := parse_tense(tok)):
            return tense
    sentence, left = _sentence_around(text, start, end, parsed)
    return guess_tense(sentence[: start - left] + " " * (end - start) + sentence[end - left :], start - left)


def _anaphor(m: re.Match, last: str | None) -> str:
    """"that day", "the following day", "the year before", "the previous year", "at the
    time": the time last named shifted as the words say; unresolved ("XXXX-XX-XX") when nothing was named."""
    unit = (_opt(m, "unit") or _opt(m, "unit2") or _opt(m, "unit3") or _opt(m, "unit4") or ("day" if _opt(m, "dir") else "")).lower()
    words = m.group(0).lower()
    step = 1 if re.search(r"\b(?:following|next|after)\b", words) else -1 if re.search(r"\b(?:previous|preceding|prior|before)\b", words) else 0
    unknown = {"day": "XXXX-XX-XX", "week": "XXXX-WXX", "month": "XXXX-XX", "quarter": "XXXX-QX", "year": "XXXX"}.get(unit, "XXXX-XX-XX")
    if not last or not last[:4].isdigit():
        return unknown
    if _opt(m, "yearback") or _opt(m, "yearback2"):  # the same time, a year before: as precise as it was named
        return _year_before(last.split("T")[0], unit)
    if not unit:  # "at the time": the time itself, as precise as it was named
        return last
    day = day_of(last.split("T")[0])
    if unit == "day":
        return (day + dt.timedelta(days=step)).isoformat() if day else unknown
    if unit == "week":
        return _week(day + dt.timedelta(weeks=step)) if day else unknown
    if unit == "month":
        if len(last) < 7 or not last[5:7].isdigit():
            return unknown
        months = int(last[:4]) * 12 + int(last[5:7]) - 1 + step
        return f"{months // 12}-{months % 12 + 1:02d}"
    return str(int(last[:4]) + step)


def _year_before(value: str, unit: str) -> str:
    """`value` a year earlier, cut to `unit` ("period" and "quarter" keep what was named)."""
    if unit == "week" and (day := day_of(value)):
        return _week(_safe_date(day.year - 1, day.month, min(day.day, 28)))
    keep = {"day": 10, "week": 10, "month": 7, "year": 4}.get(unit, len(value))
    return str(int(value[:4]) - 1) + value[4:keep]


def find(
    text,
    anchor: dt.date | str | None = None,
    tense: str | None = None,
    anchor_from: str | None = "published",
    reference: str | None = None,
) -> list[Timex]:
    """Every time expression in `text`, normalised against `anchor`.

    `text` is a string or a parsed spaCy Doc/Span (then each expression's tense comes from
    its verb). `tense` ("past" | "present" | "future"), when given, decides the direction of
    every underspecified expression instead. `reference` is the value of the time the text
    continues from (for "that day" in its first sentence)."""
    parsed = None
    if not isinstance(text, str):
        parsed, text = text, text_of(text)
    anchor = parse_anchor(anchor)
    out: list[Timex] = []
    taken_until = -1
    last = reference
    for start, end, name, m in _matches(text):
        if start < taken_until:
            continue
        if name == ANAPHORIC or (name == "previous" and last and last[:4].isdigit()):
            value = _anaphor(m, last)  # "the previous year" is the year before the one just named, else the anchor's
        else:
            here = PAST if _SINCE.search(text, max(0, start - 7), start) else tense or _tense_at(text, parsed, start, end)
            value = _RESOLVERS[name](m, anchor, here)
        if value is None:
            continue
        taken_until = end
        if name == "year-range":  # "2011-2012", "1998-99": two years, one expression each
            first, second = value.split("/")
            pieces = [(*m.span("year"), first), (*m.span("year2"), second)]
        elif name == "clock" and _opt(m, "mon"):  # "16:15 UTC, June 1st": the time (on that day) and the date
            clock = text[start : m.start("mon")]
            clock_end = start + len(re.sub(r",?\s+(?:on\s+)?$", "", clock))
            pieces = [(start, clock_end, value), (m.start("mon"), end, value.split("T")[0])]
        else:
            lead = _LEAD.match(text, start, end)
            pieces = [(lead.end() if lead and lead.end() < end else start, end, value)]
        for s, e, v in pieces:
            kind = _type_of(name, v)
            out.append(Timex(s, e, _time_value(v, text[s:e], anchor, anchor_from), kind, name))
            if kind in (DATE, TIME) and v[:4].isdigit():
                last = v
    return out


def _time_value(value: str | None, text: str, anchor: dt.date | None, anchor_from: str | None) -> TimeValue:
    return TimeValue(value, text, anchor.isoformat() if anchor else None, anchor_from if anchor else None)


def normalise(
    text: str, anchor: dt.date | str | None, tense: str | None = None, anchor_from: str | None = "published"
) -> TimeValue:
    """The value of one time phrase ("on Thursday", "November 1", "2024–2027").

    The phrase's longest expression decides; a phrase with none gets value None (the
    surface text is kept either way)."""
    found = find(text, anchor, tense, anchor_from)
    anchor = parse_anchor(anchor)
    if not found:
        return _time_value(None, text, anchor, anchor_from)
    if len(found) == 2 and all(t.rule == "year-range" for t in found):  # one phrase "2024–2027": one range
        return _time_value(f"{found[0].value.value}/{found[1].value.value}", text, anchor, anchor_from)
    best = max(found, key=lambda t: t.end - t.start)
    return TimeValue(best.value.value, text, best.value.anchor, best.value.anchor_from)


def day_of(value: TimeValue | str | None) -> dt.date | None:
    """The single day a value names (None for months, years, ranges and vague references)."""
    raw = value.value if isinstance(value, TimeValue) else value
    if raw and re.fullmatch(r"\d{4}-\d\d-\d\d", raw):
        return dt.date.fromisoformat(raw)
    return None


def compatible(a: str | None, b: str | None) -> bool:
    """Whether two values can name the same time: equal, or one contains the other
    ("2025-10" and "2025-10-31"), or either is unknown."""
    if not a or not b or a.endswith("_REF") or b.endswith("_REF") or "X" in a or "X" in b:
        return True
    return a.startswith(b) or b.startswith(a)
