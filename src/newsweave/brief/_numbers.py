"""Numbers over time: a count the story's articles give on different days is a story moving
on, not a disagreement ("more than 300" killed on the 1st, "6,076" on the 4th, "more than
10,000" on the 10th). Built at brief time from the stored count facts (`corroborate.count_of`)
and the articles' dates:

    numbers_over_time(facts, articles) -> [{subject, latest, same_day, history, undated, conflict}]

A value's date is the earliest publication date among the articles that state it (the day it
was first reported). `latest` is the value of the latest such day (of several, the best
supported), `same_day` the others of that day, `history` the earlier ones, oldest first,
`undated` those no dated article states. Only values of the same day that
cannot both hold (qualifiers respected: "at least 14" fits 17) are a conflict; the
corroborate stage stores that conflict, and `conflict` says there is one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from .. import corroborate
from ..records import Article, Fact


def numbers_over_time(facts: Sequence[Fact], articles: Sequence[Article]) -> list[dict]:
    published = {a.id: a.published for a in articles}
    by_subject: dict[str, list[tuple[tuple[str | None, int], dt.date | None, Fact]]] = defaultdict(list)
    for f in facts:
        key = corroborate.count_of(f)
        if key is None:
            continue
        days = [published.get(a) for a in f.support.articles]
        first = min((d for d in days if d is not None), default=None)
        by_subject[f.attribute].append((key, first, f))
    out = []
    for subject, values in sorted(by_subject.items()):
        dated = sorted((v for v in values if v[1] is not None), key=lambda v: (v[1], v[0][1]))
        if not dated:
            continue  # no day to order by: only the conflicts section can speak of them
        last_day = dated[-1][1]
        # of the latest day's values, the best supported (sources, then articles), then the largest
        latest = max(
            (v for v in dated if v[1] == last_day),
            key=lambda v: (v[2].support.independent_sources, len(v[2].support.articles), v[0][1]),
        )
        out.append(
            {
                "subject": subject,
                "latest": _value_json(latest),
                "same_day": [_value_json(v) for v in dated if v[1] == last_day and v is not latest],
                "history": [_value_json(v) for v in dated if v[1] != last_day],
                "undated": [_value_json(v) for v in values if v[1] is None],
                "conflict": _same_day_clash(dated),
            }
        )
    return out


def _same_day_clash(dated: list) -> bool:
    by_day = defaultdict(list)
    for key, day, _ in dated:
        by_day[day].append(key)
    return any(
        not corroborate.count_compatible(a, b) for keys in by_day.values() for i, a in enumerate(keys) for b in keys[i + 1 :]
    )


def _value_json(v: tuple) -> dict:
    _, day, f = v
    return {
        "value": f.value,
        "date": day.isoformat() if day else None,
        "articles": list(f.support.articles),
        "independent_sources": f.support.independent_sources,
        "evidence": [{"article": s.article, "start": s.start, "end": s.end, "text": s.text} for s in f.support.evidence],
    }
