"""Time expressions: found in real text, normalised against an anchor with tense deciding."""

from __future__ import annotations

import datetime as dt

import pytest

from newsweave.events import timex
from conftest import quality_floors, seed_file, shared_path

FRI = dt.date(2025, 10, 31)  # the seeds' Friday


def values(text, anchor=FRI, tense=None):
    return {t.text: t.value.value for t in timex.find(text, anchor, tense)}


def test_seed_000_times_resolve_against_the_header_date():
    text = seed_file("000").read_text(encoding="utf-8")
    found = values(text)
    assert found["Thursday"] == "2025-10-30"  # "Earlier on Thursday" in a Friday article
    assert found["Friday"] == "2025-10-31"
    assert found["November 1"] == "2025-11-01"
    assert found["September 9"] == "2025-09-09"
    assert found["Earlier in the day"] == "2025-10-31"
    assert (found["2024"], found["2027"]) == ("2024", "2027")  # a cycle "2024–2027": two years (TIMEX3)
    assert found["two-day"] == "P2D"  # "a two-day visit" is a duration
    assert found["1992"] == "1992"


def test_offsets_point_at_the_phrase():
    text = seed_file("001").read_text(encoding="utf-8")
    for t in timex.find(text, FRI):
        assert text[t.start : t.end] == t.text
        assert t.value.anchor == "2025-10-31" and t.value.anchor_from == "published"


@pytest.mark.parametrize(
    "phrase, tense, expected",
    [
        ("on Thursday", "past", "2025-10-30"),
        ("on Thursday", "future", "2025-11-06"),
        ("Friday", None, "2025-10-31"),
        ("last Friday", None, "2025-10-24"),
        ("next Monday", None, "2025-11-03"),
        ("November 1", "future", "2025-11-01"),
        ("1 November", None, "2025-11-01"),
        ("Oct. 31, 2025", None, "2025-10-31"),
        ("October 30-31", None, "2025-10-30/2025-10-31"),
        ("September 9", "past", "2025-09-09"),
        ("December 11", "past", "2024-12-11"),  # a past tense never reaches into the future
        ("last July", None, "2025-07"),
        ("late last September", None, "2025-09"),
        ("next October", None, "2026-10"),  # "next" is never before the anchor, nor its own month
        ("January 5", "future", "2026-01-05"),
        ("next year", None, "2026"),
        ("last month", None, "2025-09"),
        ("this week", None, "2025-W44"),
        ("yesterday", None, "2025-10-30"),
        ("three days ago", None, "2025-10-28"),
        ("the third quarter of 2009", None, "2009-Q3"),
        ("in October", "past", "2025-10"),
        ("September 2006", None, "2006-09"),
        ("the 1970s", None, "197"),
        ("2026-2030", None, "2026/2030"),
        ("fiscal 2009", None, "FY2009"),
        ("later this year", None, "2025"),
        ("recently", None, "PAST_REF"),
        ("this weekend", None, "2025-W44-WE"),
    ],
)
def test_normalise(phrase, tense, expected):
    value = timex.normalise(phrase, FRI, tense)
    assert value.value == expected
    assert value.text == phrase


def test_quarters_follow_the_tense():
    march = dt.date(2007, 3, 13)
    assert timex.normalise("the fourth quarter", march, "past").value == "2006-Q4"
    assert timex.normalise("the fourth quarter", march, "future").value == "2007-Q4"


def test_words_that_only_look_like_dates_are_not_dates():
    assert values("Singh may attend. Troops march on. It sold 2,000 cars and 1,100 dealers closed.") == {}
    found = timex.find("a 2008 increase of 2008.5 percent", FRI)
    assert [(t.start, t.value.value) for t in found] == [(2, "2008")]  # 2008.5 is a number
    # fractions, scores, version numbers and IP-like runs are not numeric dates
    assert values("Half (1/2) of the vote, a 3/4 majority, version 1.2.2010, the score 2/1/0, 10.0.12.2020.") == {}
    assert values("It is the 12th largest city; he lives on the 12th floor.") == {}


def test_undated_anchor_keeps_what_it_can():
    assert timex.normalise("on Thursday", None).value == "XXXX-XX-XX"
    assert timex.normalise("November 1", None).value == "XXXX-11-01"
    assert timex.normalise("in 2010", None).value == "2010"
    story = timex.normalise("slated for 1 November", "2025-10-31", "future", anchor_from="story")
    assert (story.value, story.anchor_from) == ("2025-11-01", "story")


def test_tense_is_guessed_from_the_nearest_cue_when_not_given():
    assert values("The summit is scheduled to begin on Monday.")["Monday"] == "2025-11-03"
    assert values("He arrived on Monday.")["Monday"] == "2025-10-27"


def test_compatible_values():
    assert timex.compatible("2025-10", "2025-10-31")
    assert timex.compatible(None, "2025-10-31")
    assert not timex.compatible("2025-10-30", "2025-10-31")


def test_meantime_dates_beat_the_heideltime_reference():
    """MEANTIME (118 dated Wikinews articles), both halves: DATE recall and value accuracy,
    and value F1 over all four types (floors in quality_floors.json, measured and margin)."""
    shared_path("corpora", "meantime")
    import eval_timex as bench  # bench/ is on the path (conftest)

    bench.MEANTIME = shared_path("corpora", "meantime", "intra_cross-doc_annotation")
    floors = quality_floors("meantime-timex")
    docs = bench.load()
    preds = {d.name: bench.ours(d) for d in docs}
    for half in ("tune", "held"):
        scores = bench.score([d for d in docs if bench.half(d) == half], preds)
        assert scores["DATE"]["gold"] > 100
        for key, floor in floors[half].items():
            kind, metric = key.split(".")
            assert scores[kind][metric] >= floor, (half, key, scores[kind][metric])


FEB14 = dt.date(2026, 2, 14)


@pytest.mark.parametrize(
    "sentence, expr, value, kind",
    [
        ("Prices peaked late last September.", "late last September", "2025-09", "DATE"),
        ("The fund left the market in November.", "November", "2025-11", "DATE"),  # "left": past
        ("The fund will leave the market in November.", "November", "2026-11", "DATE"),
        ("The envoy last visited in July.", "July", "2025-07", "DATE"),  # past, however far back
        ("The strike has lasted two decades.", "two decades", "P20Y", "DURATION"),
        ("A three-month inquiry began.", "three-month", "P3M", "DURATION"),
        ("It took several weeks.", "several weeks", "PXW", "DURATION"),
        ("Output doubled in the past five years.", "the past five years", "P5Y", "DURATION"),
        ("He served a year in prison.", "a year", "P1Y", "DURATION"),
        ("A year earlier, he resigned.", "A year earlier", "2025", "DATE"),
        ("Talks ran on Monday evening.", "Monday evening", "2026-02-09TEV", "TIME"),
        ("Trading opened at 09:30 GMT Tuesday.", "09:30 GMT Tuesday", "2026-02-10T09:30Z", "TIME"),
        ("The fair is held every year.", "every year", "P1Y", "SET"),
        ("A custom of the 19th century.", "the 19th century", "18", "DATE"),
        ("That day, the bridge closed.", "That day", "XXXX-XX-XX", "DATE"),  # nothing named before: unresolved
        ("It opened on March 3, 2025. That day, it rained.", "That day", "2025-03-03", "DATE"),
        ("It opened on March 3, 2025. The following day, it rained.", "The following day", "2025-03-04", "DATE"),
        # the same time a year back: the last time named, a year earlier, as precise as named
        ("Sales fell in January from the same month a year ago.", "the same month a year ago", "2025-01", "DATE"),
        ("Profit in the third quarter rose from the same period last year.", "the same period last year", "2024-Q3", "DATE"),  # Q3 of 2025 (past), a year back
        ("Net income rose in the third quarter from the year-earlier period.", "the year-earlier period", "2024-Q3", "DATE"),
        ("Profit fell against the year-ago quarter.", "the year-ago quarter", "XXXX-QX", "DATE"),  # none named
        ("The deal is expected to close by year-end.", "year-end", "2026", "DATE"),
        # numeric dates: month first unless the first number can only be a day
        ("The letter was dated 7/8/25.", "7/8/25", "2025-07-08", "DATE"),
        ("The ruling of 25/12/2024 stands.", "25/12/2024", "2024-12-25", "DATE"),
        ("Filed on 25.12.2024 in Vienna.", "25.12.2024", "2024-12-25", "DATE"),
        # a day of the month alone, by the tense; "in recent days"
        ("He died on the 12th, the family said.", "the 12th", "2026-02-12", "DATE"),
        ("She arrives on the 20th, officials said.", "the 20th", "2026-02-20", "DATE"),
        ("The ship sailed on the 28th.", "the 28th", "2026-01-28", "DATE"),  # past: January's, not February's
        ("Attacks rose in recent days.", "recent days", "PAST_REF", "DATE"),
    ],
)
def test_the_kinds_the_issue_names(sentence, expr, value, kind):
    found = {t.text: (t.value.value, t.type) for t in timex.find(sentence, FEB14)}
    assert found[expr] == (value, kind)


def test_ranges_are_two_years_and_spans_drop_the_preposition():
    found = timex.find("He played from 2011-2012 and coached in 1998-99, on Thursday.", FEB14)
    assert [(t.text, t.value.value, t.rule) for t in found] == [
        ("2011", "2011", "year-range"), ("2012", "2012", "year-range"),
        ("1998", "1998", "year-range"), ("99", "1999", "year-range"), ("Thursday", "2026-02-12", "weekday"),
    ]  # fmt: skip


def test_the_parse_gives_the_tense():
    from eval_timex import _spacy

    doc = _spacy()("The ministers will meet in November, after they met in January.")
    found = {t.text: t.value.value for t in timex.find(doc, FEB14)}
    assert found == {"November": "2026-11", "January": "2026-01"}


@pytest.mark.parametrize(
    "sentence, value",
    [
        ("It rained last summer.", "2026-SU"),  # in October: the summer just over
        ("They will meet in the summer.", "2027-SU"),
        ("The bridge stood for half a century.", "P50Y"),
        ("The vote took half an hour.", "PT30M"),
    ],
)
def test_seasons_follow_the_tense_and_halves_are_exact(sentence, value):
    assert [t.value.value for t in timex.find(sentence, dt.date(2026, 10, 4))] == [value]


def test_a_reporting_verb_dates_the_saying_not_what_it_reports():
    march = dt.date(2026, 3, 10)
    assert values("Apple said on Monday that the phone ships in June.", march) == {"Monday": "2026-03-09", "June": "2026-06"}
    assert values("Apple said the phone shipped in June.", march) == {"June": "2025-06"}  # "shipped": past


def _ecb_sentences() -> list[str]:
    import json

    ecb = shared_path("corpora", "ecbplus", "ecbplus-topics-1-35.jsonl")
    return [s for line in ecb.read_text(encoding="utf-8").splitlines() for s in json.loads(line)["text"].split("\n")]


def test_every_match_of_a_rule_holds_its_needle():
    """A rule is skipped on a text its needle is not in (`_timex._NEEDLES`), which is only
    right when every match holds the needle: checked on every ECB+ sentence and the seeds."""
    from newsweave.events import _timex

    texts = _ecb_sentences() + [p.read_text(encoding="utf-8") for p in sorted(shared_path("seeds").iterdir()) if p.is_file()]
    # the digit-written forms the narrower needles (a year's digits, a month's first letters,
    # the numeric dates' separators) stand for
    texts += ["On 25.12.2007 and 7/8/07, then 2011-03-04.", "FY09 and fiscal 2010; the 1990s and the '80s.",
              "From Jan. 5-7, 2010 to 5 Sept 2011, mid-2012, 2008-09, on the 12th, and Dec 3."]
    matched = {}
    for name, pattern, _ in _timex._COMPILED:
        needle = _timex._NEEDLES.get(name)
        for text in texts:
            for m in pattern.finditer(text):
                matched[name] = matched.get(name, 0) + 1
                assert needle is None or needle.search(m.group(0)), (name, m.group(0))
    assert len(matched) >= 35  # the check saw nearly every rule match


def test_needles_change_no_match():
    """`_matches` with its needles finds what every rule run over the whole text finds."""
    from newsweave.events import _timex

    def every_rule(text):
        found = []
        for name, pattern, _ in _timex._COMPILED:
            for m in pattern.finditer(text):
                if m.end() > m.start() and _timex._case_ok(name, m):
                    found.append((m.start(), m.end(), name))
        return sorted(found, key=lambda f: (f[0], f[0] - f[1], _timex._RULE_RANK[f[2]]))

    for text in _ecb_sentences():
        assert [(s, e, n) for s, e, n, _ in _timex._matches(text)] == every_rule(text)


def test_needles_are_found_as_their_own_search_finds_them():
    """`_needles_found` (substring tests on ASCII text, each needle once) says of every needle
    what its regex search says: on ECB+ sentences, and on texts where re's case-blind match
    and `str.lower` part ways (the long s, the Kelvin sign, a dotted capital I)."""
    from newsweave.events import _timex

    texts = _ecb_sentences() + ["Three ſeconds later", "the KELVIN scale at 3 Kelvin", "İstanbul, every yEAR",
                                "MONDAY or Monday", "Every YEAR, TWICE a Day", "a Q3 report", "no needle here", ""]
    words = [w for _, _, w, _ in _timex._NEEDLE_PLAN]
    assert any(words) and not all(words)  # both ways of testing a needle are exercised
    for text in texts:
        found = _timex._needles_found(text)
        for needle in _timex._NEEDLES.values():
            assert found[id(needle)] == (needle.search(text) is not None), (needle.pattern, text)
