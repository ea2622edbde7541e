"""Errors a reader sees at once (bench/support/visible.py), on a sample of the real news that
bench/visible_errors.py covers whole: four ECB+ events of ecbplus-summaries, briefed alone.
The target is zero of each kind."""

from __future__ import annotations

import pytest

from conftest import shared_path

SAMPLE = ["1_ecb", "13_ecbplus", "19_ecb", "33_ecbplus"]  # a storm of names, a fire, riots, a shooting


@pytest.fixture(scope="module")
def briefs(tmp_path_factory):
    shared_path("corpora", "ecbplus-summaries")
    import visible_errors

    return list(visible_errors.ecb_briefs(tmp_path_factory.mktemp("visible"), SAMPLE))


def test_no_error_a_reader_sees_at_once(briefs):
    from support.visible import visible_errors

    assert len(briefs) == len(SAMPLE)
    found = {name: {k: v for k, v in visible_errors(b).items() if v} for name, b in briefs}
    assert {n: f for n, f in found.items() if f} == {}


def test_the_check_sees_each_kind():
    """Each kind fires on a brief that shows it (so a zero above is a finding, not a blind check)."""
    from support.visible import visible_errors

    brief = {
        "headline": "WASILLA, Alaska (AP) - A fire destroyed the church",
        "summary": [{"kind": "event", "text": "The Pinochet convened.", "evidence": []}],
        "events": [
            {"text": "Fatos Klosi visited the Albania.", "evidence": [{"text": "Kader claimed that he had visited Albania."}]},
            {"text": "Kessia signed the that.", "evidence": []},
        ],
        "timeline": [{"text": "The ceremony was led by Dr."}, {"text": "He said ``it was over'' then."}],
        "entities": [{"name": "Antara", "type": "PERSON", "roles": [], "aliases": []},
                     {"name": "Albania", "type": "PERSON", "roles": [], "aliases": []}],
    }
    found = visible_errors(brief)
    assert all(found[k] for k in ("convened", "article_name", "dateline", "cut", "tex_quotes", "person_kind")), found
    assert len(found["article_name"]) == 2 and len(found["person_kind"]) == 2


def test_a_name_keeps_the_article_its_sources_write():
    """"The United Nations announced …" (its sources say "the United Nations"), "visited
    Albania" (they say "Albania"): the realisation takes the article from the evidence."""
    from newsweave.brief._compose import describe
    from newsweave.records import Event, Span

    said = "A day after the United Nations announced the timetable, the envoys met."
    un = Event("e1", "announce", ["United Nations"], object="timetable", evidence=[Span("a", 0, len(said), said)])
    assert describe(un, {}) == "The United Nations announced the timetable."
    went = "Anselm Voight visited Albania on Tuesday."
    visit = Event("e2", "visit", ["Anselm Voight"], place="Albania", evidence=[Span("a", 0, len(went), went)])
    assert describe(visit, {}).startswith("Anselm Voight visited Albania")
