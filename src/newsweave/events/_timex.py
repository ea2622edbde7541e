"""Time expressions: find them in text and normalise them against an anchor date.

    find(text, anchor, tense=None)      -> [Timex(start, end, value: TimeValue)]
    normalise(phrase, anchor, tense)    -> TimeValue   (value None when nothing is understood)

Values follow TIMEX3: `YYYY-MM-DD`, `YYYY-MM`, `YYYY`, `YYYY-Www`, `YYYY-Www-WE`, `YYYY-Qn`,
`YYYY-SP|SU|FA|WI`, a decade `197`, a range `A/B` ("2024–2027" -> "2024/2027"), and the
vague `PAST_REF | PRESENT_REF | FUTURE_REF`.

Underspecified expressions ("Thursday", "November 1", "October", "the fourth quarter") are
resolved against the anchor with the tense of their sentence deciding the direction:
past -> the latest such day on or before the anchor, future -> the earliest on or after it,
unknown -> the nearest (a weekday equal to the anchor's is the anchor itself). The tense is
passed in by the caller (events take it from the parse); when it is None, `find` guesses it
from the words of the sentence around each expression (`guess_tense`).

The rules are plain regular expressions in one table (`RULES`), tried together; where two
overlap the longest wins. Each rule's resolver gets the match, the anchor and the tense.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..records import TimeValue

PAST, PRESENT, FUTURE = "past", "present", "future"

MONTHS = {
    name: i
    for i in range(1, 13)
    for name in {calendar.month_name[i].lower(), calendar.month_abbr[i].lower()}
}
MONTHS["sept"] = 9
WEEKDAYS = {calendar.day_name[i].lower(): i for i in range(7)}
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "final": 4, "last": 4,
    "1st": 1, "2nd": 2, "3rd": 3, "4th": 4,
}  # fmt: skip
NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
REACH_DAYS = 183  # tense may push an underspecified date at most half a year from the anchor
SEASONS = {"spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI"}


@dataclass(frozen=True)
class Timex:
    """A time expression found in a text: offsets into that text and its value."""

    start: int
    end: int
    value: TimeValue

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
    r"\b(will|shall|'ll|going to|scheduled|expected to|slated|set to|due to|plans? to|planned for|"
    r"upcoming|next|to be held|to begin|to start|aims? to|intends? to|would)\b",
    re.I,
)
_PAST_CUES = re.compile(
    r"\b(was|were|had|has|have|did|said|ago|earlier|last|(?!need|speed|seed|feed|exceed|proceed)\w{3,}ed)\b", re.I
)


def guess_tense(sentence: str, at: int | None = None) -> str | None:
    """A light guess of a sentence's tense from its words, for callers without a parse.

    With `at` (an offset into `sentence`), the cue nearest to that point decides, a cue
    before it weighing a little more than one after ("scheduled to begin on November 1",
    "held talks on Friday"); without it, a future cue anywhere wins."""
    cues = [(m.start(), FUTURE) for m in _FUTURE_CUES.finditer(sentence)]
    cues += [(m.start(), PAST) for m in _PAST_CUES.finditer(sentence)]
    if not cues:
        return None
    if at is None:
        return FUTURE if any(t == FUTURE for _, t in cues) else PAST
    return min(cues, key=lambda c: (at - c[0]) if c[0] <= at else 1.5 * (c[0] - at))[1]


# -- resolution helpers ---------------------------------------------------------------


def _pick(candidates: list[dt.date], anchor: dt.date, tense: str | None, reach: int | None = None) -> dt.date:
    """Choose among candidate dates by tense: past -> latest <= anchor, future -> earliest >=
    anchor, otherwise (or when the tense would reach more than REACH_DAYS away) the nearest."""
    candidates = sorted(candidates)
    nearest = min(candidates, key=lambda c: (abs((c - anchor).days), c < anchor))
    chosen = None
    if tense == PAST:
        chosen = next((c for c in reversed(candidates) if c <= anchor), None)
    elif tense == FUTURE:
        chosen = next((c for c in candidates if c >= anchor), None)
    if chosen is None or abs((chosen - anchor).days) > (reach or REACH_DAYS):
        return nearest
    return chosen


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


def _month_only(month: int, anchor: dt.date | None, tense: str | None) -> str:
    if anchor is None:
        return f"XXXX-{month:02d}"
    # compare months by their first day; the anchor's own month counts as both past and future
    here = anchor.replace(day=1)
    cands = [dt.date(y, month, 1) for y in (anchor.year - 1, anchor.year, anchor.year + 1)]
    if tense in (PAST, FUTURE):
        chosen = _pick(cands, here, tense)
    else:
        chosen = dt.date(anchor.year, month, 1)
    return f"{chosen.year}-{month:02d}"


def _weekday(name: str, anchor: dt.date | None, tense: str | None, shift: str | None = None) -> str:
    wd = WEEKDAYS[name.lower()]
    if anchor is None:
        return "XXXX-XX-XX"
    back = (anchor.weekday() - wd) % 7  # days back to the latest such weekday (0 = anchor)
    fwd = (wd - anchor.weekday()) % 7
    if shift == "last":
        return (anchor - dt.timedelta(days=back or 7)).isoformat()
    if shift == "next":
        return (anchor + dt.timedelta(days=fwd or 7)).isoformat()
    if shift == "this" or back == 0:
        day = anchor + dt.timedelta(days=fwd) if tense == FUTURE else anchor - dt.timedelta(days=back)
        return day.isoformat()
    if tense == FUTURE:
        return (anchor + dt.timedelta(days=fwd)).isoformat()
    if tense == PAST or back <= fwd + 2:  # news mostly reports the past: lean back
        return (anchor - dt.timedelta(days=back)).isoformat()
    return (anchor + dt.timedelta(days=fwd)).isoformat()


def _week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _quarter(q: int, year: int | None, anchor: dt.date | None, tense: str | None) -> str:
    if year is None:
        if anchor is None:
            return f"XXXX-Q{q}"
        starts = [dt.date(y, 3 * q - 2, 1) for y in (anchor.year - 1, anchor.year, anchor.year + 1)]
        if tense in (PAST, FUTURE):
            year = _pick(starts, anchor.replace(day=1), tense, reach=300).year
        else:
            year = anchor.year
    return f"{year}-Q{q}"


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
    return None


def _year(text: str) -> int:
    y = int(text.lstrip("'’"))
    if y < 100:
        y += 2000 if y < 50 else 1900
    return y


def _num(word: str) -> int | None:
    word = word.lower()
    return int(word) if word.isdigit() else NUMBERS.get(word)


# -- the rules ------------------------------------------------------------------------

Resolver = Callable[[re.Match, "dt.date | None", "str | None"], "str | None"]

MON = (
    r"(?P<mon>Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?|July?|"
    r"Aug(?:ust|\.)?|Sept?(?:ember|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)"
)
DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
YEAR = r"(?P<year>(?:1[89]|20)\d\d)"
WD = r"(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
DASH = r"\s*[-–—]\s*"
NOT_NUM = r"(?![\d,.]\d)"  # a year is not the head of a longer number (2,000 / 2008.5)


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


def _r_month_year(m, anchor, tense):
    return f"{m.group('year')}-{_mon(m):02d}"


def _r_month(m, anchor, tense):
    shift = (_opt(m, "shift") or "").lower()
    mon = _mon(m)
    if shift == "last":
        tense = PAST
    elif shift in ("next", "coming"):
        tense = FUTURE
    return _month_only(mon, anchor, tense)


def _r_year(m, anchor, tense):
    return str(int(m.group("year")))


def _r_year_range(m, anchor, tense):
    a, b = m.group("year"), m.group("year2")
    if len(b) == 2:
        b = a[:2] + b
    return f"{a}/{b}" if int(b) > int(a) else None


def _r_decade(m, anchor, tense):
    return m.group("dec")[:3]


def _r_weekday(m, anchor, tense):
    shift = (_opt(m, "shift") or "").lower() or None
    return _weekday(m.group("wd"), anchor, tense, shift)


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
    n = _num(m.group("n"))
    return _unit_shift(m.group("unit"), -n, anchor) if n else None


def _r_within_year(m, anchor, tense):
    """'later this year', 'the end of last year', 'earlier this month'."""
    shift = (_opt(m, "shift") or "this").lower()
    n = {"last": -1, "previous": -1, "next": 1, "this": 0, "the": 0}[shift]
    return _unit_shift(m.group("unit"), n, anchor)


def _r_quarter(m, anchor, tense):
    q = ORDINALS.get((_opt(m, "q") or "").lower()) or int(_opt(m, "qn") or 0)
    if not q:
        return None
    year = _opt(m, "year")
    rel = (_opt(m, "rel") or "").lower()
    if rel:
        if anchor is None:
            return None
        return f"{anchor.year + {'last': -1, 'next': 1, 'this': 0}[rel]}-Q{q}"
    return _quarter(q, int(year) if year else None, anchor, tense)


def _r_season(m, anchor, tense):
    code = SEASONS[m.group("season").lower()]
    year = _opt(m, "year")
    rel = (_opt(m, "rel") or "").lower()
    if year:
        return f"{year}-{code}"
    if anchor is None:
        return None
    y = anchor.year + {"last": -1, "next": 1}.get(rel, 0)
    return f"{y}-{code}"


def _r_fiscal(m, anchor, tense):
    return f"FY{_year(m.group('fy'))}"


def _r_edge_year(m, anchor, tense):
    return str(int(m.group("year")))


def _const(value: str) -> Resolver:
    return lambda m, anchor, tense: value


ON = r"(?:(?:(?:early|late|earlier|later)\s+)?on\s+)?"  # "on Friday", "earlier on Thursday"

RULES: list[tuple[str, str, Resolver]] = [
    # absolute and month-day dates
    ("iso", rf"\b{YEAR}-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b", _r_iso),
    ("date-range", rf"\b{ON}{MON}\s+{DAY}{DASH}(?P<day2>[0-3]?\d)(?:st|nd|rd|th)?(?:,?\s+{YEAR})?\b", _r_date_range),
    ("mdy", rf"\b{ON}(?:{WD},?\s+)?{MON}\s+{DAY}(?:,?\s+{YEAR})?\b{NOT_NUM}", _r_date),
    ("dmy", rf"\b{ON}(?:{WD},?\s+)?{DAY}\s+(?:of\s+)?{MON}(?:,?\s+{YEAR})?\b{NOT_NUM}", _r_date),
    ("month-year", rf"\b(?:(?:early|mid|late)[-\s]+)?{MON}(?:,)?\s+(?:of\s+)?{YEAR}\b{NOT_NUM}", _r_month_year),
    (
        "month",
        rf"\b(?:(?P<shift>last|next|coming|this|early|mid|late)[-\s]+)?"
        rf"(?P<mon>January|February|March|April|May|June|July|August|September|October|November|December)\b",
        _r_month,
    ),
    # years, ranges, decades, fiscal years
    ("year-range", rf"(?<![\d.,$])\b(?:from\s+)?{YEAR}(?:{DASH}|\s+to\s+)(?P<year2>(?:1[89]|20)\d\d|\d\d)\b{NOT_NUM}", _r_year_range),
    ("decade", r"\b(?:the\s+)?(?P<dec>(?:1[89]|20)\d0)'?s\b", _r_decade),
    ("short-decade", r"(?:(?<=\s)|(?<=^))['’]?(?P<dec>[2-9]0)s\b", lambda m, a, t: "19" + m.group("dec")[0]),
    ("short-year", r"(?:(?<=\s)|(?<=^))['’](?P<year>[0-9]\d)\b(?!['’])", lambda m, a, t: str(_year(m.group("year")))),
    ("fiscal", r"\b(?:FY\s?|fiscal\s+(?:year\s+)?)(?P<fy>(?:19|20)\d\d|\d\d)\b", _r_fiscal),
    ("edge-year", rf"\b(?:(?:early|mid|late)[-\s]+|the\s+(?:start|end|beginning|middle)\s+of\s+){YEAR}\b", _r_edge_year),
    ("year", rf"(?<![\d.,$£€#])(?<!No\. )\b{YEAR}\b{NOT_NUM}(?!\s*(?:%|per\s?cent|million|billion|units|people|workers|jobs))", _r_year),
    # weekdays
    ("weekday", rf"\b(?:(?P<shift>last|next|this)\s+|{ON}){WD}\b", _r_weekday),
    # the anchor's day and its neighbours
    (
        "today",
        r"\b(?:earlier|later)\s+(?:today|in\s+the\s+day|that\s+day)\b|\b(?:late|early)\s+in\s+the\s+day\b|"
        r"\btoday\b|\btonight\b|\bthis\s+(?:morning|afternoon|evening)\b|\bthe\s+same\s+day\b|"
        r"\b(?:for|during|on|in|throughout)\s+the\s+day\b(?!\s+(?:before|after|of|when|that|which))",
        _r_today,
    ),
    ("yesterday", r"\b(?:yesterday|tomorrow)(?:\s+(?:morning|afternoon|evening|night))?\b", _r_day_shift),
    # relative periods
    (
        "within-period",
        r"\b(?:(?:earlier|later)\s+|(?:the\s+)?(?:start|end|beginning|middle|rest)\s+of\s+)"
        r"(?P<shift>this|last|next|the)\s+(?P<unit>year|month|week)\b",
        _r_within_year,
    ),
    (
        "quarter",
        r"\b(?:the\s+)?(?:(?P<q>first|second|third|fourth|final|last|1st|2nd|3rd|4th)[-\s]+quarter"
        r"|Q(?P<qn>[1-4]))\b(?:\s+(?:of\s+)?(?:(?P<rel>last|next|this)\s+year|(?:fiscal\s+)?" + YEAR + r"))?",
        _r_quarter,
    ),
    (
        "relative",
        r"\b(?P<shift>last|next|this|past|previous|coming|current)\s+(?P<unit>year|month|week|weekend|quarter|decade)\b",
        _r_relative,
    ),
    ("ago", r"\b(?P<n>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+"
     r"(?P<unit>days?|weeks?|months?|years?|decades?)\s+(?:ago|earlier)\b", _r_ago),
    ("weekend", r"\b(?:the|this)\s+weekend\b", lambda m, a, t: _unit_shift("weekend", 0, a)),
    (
        "season",
        r"\b(?:(?P<rel>last|next|this)\s+|(?:the\s+)?|in\s+(?:the\s+)?)"
        r"(?P<season>[Ss]pring|[Ss]ummer|[Aa]utumn|[Ww]inter|(?<=the\s)fall|(?<=this\s)fall|(?<=last\s)fall|(?<=next\s)fall)"
        rf"\b(?:\s+(?:of\s+)?{YEAR})?",
        _r_season,
    ),
    # vague references
    ("present", r"\b(?:now|currently|at\s+present|at\s+the\s+moment|for\s+the\s+time\s+being|nowadays)\b", _const("PRESENT_REF")),
    ("past", r"\b(?:recently|in\s+recent\s+(?:years|months|weeks)|recent\s+years|(?:in\s+)?the\s+past|formerly|recent\s+history)\b", _const("PAST_REF")),
    ("future", r"\b(?:(?:very\s+)?soon|in\s+the\s+(?:near\s+)?future|in\s+the\s+coming\s+(?:years|months|weeks|days)|the\s+(?:near|long|short)\s+term)\b", _const("FUTURE_REF")),
]

# case-sensitive where a capital tells a date from a word ("May" vs "may", "March" vs "march")
_CASED = {"mdy", "dmy", "month-year", "month", "date-range", "weekday", "season"}
_COMPILED = [
    (name, re.compile(pattern) if name in _CASED else re.compile(pattern, re.I), resolve)
    for name, pattern, resolve in RULES
]
_RULE_RANK = {name: i for i, (name, _, _) in enumerate(RULES)}
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’']?\s+(?=[\"“‘A-Z0-9])|\n+")


def _sentence_around(text: str, start: int, end: int) -> tuple[str, int]:
    """The sentence of `text` that holds [start, end), and its start offset."""
    left = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        left = m.end()
    right_m = _SENTENCE_END.search(text, end)
    return text[left : right_m.start() if right_m else len(text)], left


def _case_ok(name: str, m: re.Match) -> bool:
    """Rules matched with re.I must not fire on the capitalised start of a name ("Now Foods")
    only by accident; case-sensitive rules reject month/weekday words used as names."""
    if name == "month" and m.group("mon") in ("May", "March") and not m.group("shift"):
        before = m.string[max(0, m.start() - 12) : m.start()].lower()
        return bool(re.search(r"\b(in|of|since|until|by|from|during|early|late|mid|last|next|this)\s+$", before))
    return True


def find(
    text: str,
    anchor: dt.date | str | None = None,
    tense: str | None = None,
    anchor_from: str | None = "published",
) -> list[Timex]:
    """Every time expression in `text`, normalised against `anchor`.

    `tense` ("past" | "present" | "future") decides the direction of underspecified
    expressions; None means guess it per sentence from the text itself.
    """
    anchor = parse_anchor(anchor)
    found: list[tuple[int, int, int, str, re.Match]] = []
    for name, pattern, _ in _COMPILED:
        for m in pattern.finditer(text):
            if m.end() > m.start() and _case_ok(name, m):
                found.append((m.start(), -(m.end() - m.start()), _RULE_RANK[name], name, m))
    found.sort()
    out: list[Timex] = []
    taken_until = -1
    resolvers = {name: resolve for name, _, resolve in _COMPILED}
    for start, neg_len, _, name, m in found:
        end = start - neg_len
        if start < taken_until:
            continue
        if tense is None:
            sentence, left = _sentence_around(text, start, end)
            sent_tense = guess_tense(sentence[: start - left] + " " * (end - start) + sentence[end - left :], start - left)
        else:
            sent_tense = tense
        value = resolvers[name](m, anchor, sent_tense)
        if value is None:
            continue
        phrase = text[start:end]
        out.append(
            Timex(
                start,
                end,
                TimeValue(
                    value=value,
                    text=phrase,
                    anchor=anchor.isoformat() if anchor else None,
                    anchor_from=anchor_from if anchor else None,
                ),
            )
        )
        taken_until = end
    return out


def normalise(
    text: str, anchor: dt.date | str | None, tense: str | None = None, anchor_from: str | None = "published"
) -> TimeValue:
    """The value of one time phrase ("on Thursday", "November 1", "2024–2027").

    The phrase's longest expression decides; a phrase with none gets value None (the
    surface text is kept either way)."""
    found = find(text, anchor, tense, anchor_from)
    anchor = parse_anchor(anchor)
    if not found:
        return TimeValue(None, text, anchor.isoformat() if anchor else None, anchor_from if anchor else None)
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
    if not a or not b or a.endswith("_REF") or b.endswith("_REF"):
        return True
    return a.startswith(b) or b.startswith(a)
