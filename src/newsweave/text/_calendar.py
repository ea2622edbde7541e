"""Month and weekday names, the one table every stage reads (dates in datelines, time
expressions, story features). Written out, not read from `calendar`, whose names follow
the process locale."""

from __future__ import annotations

_MONTH_NAMES = [
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
    ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
    ("dec", "december"),
]  # fmt: skip

# lower-case name or abbreviation -> month number (1-12)
MONTHS: dict[str, int] = {m: i for i, names in enumerate(_MONTH_NAMES, start=1) for m in names}
# the abbreviations, in calendar order ("sep" and "sept" both)
MONTH_ABBREVIATIONS: tuple[str, ...] = tuple(m for names in _MONTH_NAMES for m in names if len(m) <= 3 or m == "sept")
# lower-case weekday -> Monday = 0 ... Sunday = 6 (datetime.weekday())
WEEKDAYS: dict[str, int] = {d: i for i, d in enumerate("monday tuesday wednesday thursday friday saturday sunday".split())}
