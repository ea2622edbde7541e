"""The year of a year-less dateline comes from the best evidence for that article (its reuse
family first), whatever else is in the store and in whatever order it arrived."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import seed_file, seed_id, shared_path

import newsweave
from newsweave.ingest import infer_year
from newsweave.reuse import DATE_READERS, revise_years

EXPECTED = {"000": "2025-10-31", "001": "2025-10-31", "002": None, "003": "2025-10-31", "004": "2025-10-31"}
PREFIXES = sorted(EXPECTED)


def _ecbplus(tmp_path, n=30):
    """The first `n` ECB+ articles as a JSONL file (read from ../shared at test time)."""
    lines = shared_path("corpora", "ecbplus", "ecbplus-topics-1-35.jsonl").read_text(encoding="utf-8").splitlines()[:n]
    path = tmp_path / "ecbplus.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run(tmp_path, groups, until="reuse"):
    ws = newsweave.open(tmp_path / "w.db")
    for group in groups:
        ws.ingest(group)
        ws.analyse(until=until)
    return ws


def _dates(ws):
    return {p: (a.published.isoformat() if a.published else None) for p in PREFIXES for a in [ws.article(seed_id(ws, p))]}


def _seeds(*prefixes):
    return [seed_file(p) for p in prefixes]


@pytest.mark.parametrize(
    "company",
    ["alone", "reversed", "one by one, copies first", "examples before", "with examples", "ecbplus before", "ecbplus after"],
)
def test_seed_dates_do_not_depend_on_order_or_company(tmp_path, company):
    from pathlib import Path

    examples = Path(__file__).parents[1] / "examples"
    seeds = _seeds(*PREFIXES)
    groups = {
        "alone": [seeds],
        "reversed": [seeds[::-1]],
        "one by one, copies first": [[s] for s in _seeds("003", "004", "002", "001", "000")],
        "examples before": [[examples], seeds],
        "with examples": [[*seeds, examples]],
        "ecbplus before": [[_ecbplus(tmp_path)], seeds],
        "ecbplus after": [seeds, [_ecbplus(tmp_path)]],
    }[company]
    ws = _run(tmp_path, groups)
    assert _dates(ws) == EXPECTED
    for p in ("003", "004"):  # the year came from the header-dated copies, and says so
        article = ws.article(seed_id(ws, p))
        assert (article.published_from, article.provenance["published_year"]) == ("dateline", "inferred:family")


def test_the_revision_is_idempotent_and_hands_changed_articles_on(tmp_path):
    ws = _run(tmp_path, [_seeds("003", "004")])  # alone, the copies have no year evidence but their text
    first = _dates_of(ws, ("003", "004"))
    assert first["003"] is None  # no year in its text, none in its batch: undated, not guessed
    ws.ingest(_seeds("000", "001", "002"))
    ws.analyse(until="stories")
    assert _dates(ws) == EXPECTED
    assert revise_years(ws.store, [a.id for a in ws.articles()]) == []  # nothing left to change
    changed = [p for p in ("003", "004") if first[p] != EXPECTED[p]]
    done = {r[0] for r in ws.store.conn.execute("SELECT article_id FROM stage_done WHERE stage = 'stories'")}
    assert all(seed_id(ws, p) in done for p in changed)  # re-clustered with the revised date


def test_the_stages_handed_a_revised_article_are_real_and_come_after_reuse():
    from newsweave.pipeline import analysis_stages

    names = [s.name for s in analysis_stages()]
    assert set(DATE_READERS) <= set(names[names.index("reuse") + 1 :])


def _dates_of(ws, prefixes):
    return {p: (a.published.isoformat() if a.published else None) for p in prefixes for a in [ws.article(seed_id(ws, p))]}


def test_events_see_the_revised_date(tmp_path):
    from pathlib import Path

    examples = Path(__file__).parents[1] / "examples"
    ws = _run(tmp_path, [[examples], _seeds("003", "004"), _seeds("000", "001", "002")], until=None)
    anchors = {
        tuple(r)
        for p in ("003", "004")
        for r in ws.store.conn.execute(
            "SELECT DISTINCT date_anchor, anchor_from FROM event_mentions WHERE article_id = ? AND date_anchor IS NOT NULL",
            (seed_id(ws, p),),
        )
    }
    assert anchors == {("2025-10-31", "published")}  # 003 came undated; extract ran again on its revised date


def test_year_ladder_family_story_text_batch():
    d = [dt.date(2025, 10, 30)]
    other = [dt.date(2026, 11, 2)]
    assert infer_year(10, 31, "In 2019.", other, family_dates=d, story_dates=other) == (2025, "inferred:family")
    assert infer_year(10, 31, "In 2019.", other, story_dates=d) == (2025, "inferred:story")
    assert infer_year(10, 31, "In 2019.", d) == (2019, "inferred:text")
    assert infer_year(10, 31, "", other) == (2026, "inferred:batch")
    assert infer_year(12, 30, "", [dt.date(2026, 1, 2)]) == (2025, "inferred:batch")  # across the new year
    assert infer_year(10, 31, "", [dt.date(2025, 6, 1)]) == (None, None)  # a date far away is no evidence
