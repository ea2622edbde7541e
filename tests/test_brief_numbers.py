"""Numbers over time in the brief: a toll that rises across the articles' dates is shown as
its latest value with its date and the earlier values as history, not as a conflict; two
values of the same day that cannot both hold still are one.

The articles are ours, written for this test (invented places and figures): no ECB+ or
MEANTIME topic has a count that grows across dated articles (ECB+ articles carry no date;
MEANTIME's counts of people never change within a topic)."""

from __future__ import annotations

import json

import pytest

import newsweave
from newsweave.brief import render

STORM = [
    ("2026-03-01", "Cyclone Orla strikes the Velden coast",
     "Cyclone Orla struck the Velden coast of Estmark on Sunday, and the storm killed more than 300 people in the "
     "fishing towns south of Maribo, the coastguard said. Roads to the coast were cut and power was out across the "
     "province."),
    ("2026-03-04", "Orla toll rises as rescuers reach the coast",
     "Rescuers reached the flooded towns of the Velden coast on Wednesday. Officials in Maribo said the cyclone "
     "killed 1,204 people, most of them in the fishing towns, and that thousands were still missing."),
    ("2026-03-10", "Estmark mourns Orla dead",
     "Estmark held a day of mourning on Tuesday for the victims of Cyclone Orla. The government said the storm "
     "killed more than 2,000 people along the Velden coast, making it the deadliest in the country's history."),
]
SAME_DAY = ("2026-03-04", "Velden coast counts its dead",
            "Volunteers in Maribo said on Wednesday that the cyclone killed 900 people on the Velden coast.")


def _brief(tmp_path, rows):
    src = tmp_path / "storm.jsonl"
    src.write_text(
        "\n".join(json.dumps({"text": t, "title": h, "published": d, "url": f"https://news{i}.example/orla"}) for i, (d, h, t) in enumerate(rows)),
        encoding="utf-8",
    )
    ws = newsweave.open(tmp_path / "storm.db")
    ws.ingest([src])
    ws.analyse()
    ids = [a.id for a in ws.articles()]
    return ws.brief_articles(ids), {a.id: a for a in ws.articles()}


@pytest.fixture(scope="module")
def storm(tmp_path_factory):
    return _brief(tmp_path_factory.mktemp("storm"), STORM)


def test_a_rising_toll_is_its_latest_value_with_history(storm):
    brief, articles = storm
    (killed,) = [x for x in brief["numbers"] if x["subject"] == "people killed"]
    assert killed["latest"]["value"] == "more than 2000" and killed["latest"]["date"] == "2026-03-10"
    assert [(v["value"], v["date"]) for v in killed["history"]] == [("more than 300", "2026-03-01"), ("1204", "2026-03-04")]
    assert killed["conflict"] is False and killed["same_day"] == []
    assert not [c for c in brief["conflicts"] if c["kind"] == "number"]  # an update is no discrepancy
    for v in [killed["latest"], *killed["history"]]:
        for ev in v["evidence"]:  # every value is the source's words, where the source says it
            assert articles[ev["article"]].clean_text[ev["start"] : ev["end"]] == ev["text"]
            assert str(articles[ev["article"]].published) == v["date"]


def test_rendered_in_markdown_and_html(storm):
    brief, articles = storm
    md = render.render_markdown([brief])
    assert "## Numbers over time" in md and "more than 2000 (2026-03-10)" in md and "earlier: more than 300 (2026-03-01)" in md
    html = render.render_html([brief], {a: x.clean_text for a, x in articles.items()})
    assert "Numbers over time" in html and "more than 2000" in html and "(2026-03-01)" in html


def test_values_that_disagree_on_the_same_day_are_a_conflict(tmp_path):
    brief, _ = _brief(tmp_path, [*STORM, SAME_DAY])
    (killed,) = [x for x in brief["numbers"] if x["subject"] == "people killed"]
    assert killed["conflict"] is True and killed["latest"]["value"] == "more than 2000"
    assert [v["value"] for v in killed["history"]] == ["more than 300", "900", "1204"]  # the 4th's two values, in number order
    (conflict,) = [c for c in brief["conflicts"] if c["kind"] == "number"]
    assert {"1204", "900"} <= {v["value"] for v in conflict["values"]}


def test_html_escapes_a_count_subject():
    """The view's strings go through the template's autoescape like every article string."""
    brief = {
        "schema": "newsweave.brief/1", "story": "s", "headline": "h", "summary": [], "articles": [], "entities": [],
        "events": [], "timeline": [], "quotes": [], "conflicts": [], "reuse": [], "removed": [], "planned": [], "unique": [],
        "numbers": [{"subject": "<b>people</b> killed", "latest": {"value": "3", "date": "2026-03-01", "articles": [], "evidence": [],
                     "independent_sources": 0}, "same_day": [], "history": [], "undated": [], "conflict": False}],
    }
    html = render.render_html([brief], {})
    assert "<b>people</b>" not in html and "&lt;b&gt;people&lt;/b&gt;" in html
