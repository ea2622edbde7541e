"""Quality gate for HTML ingestion (like trafilatura's eval_gate): the 181 pages of the
article-extraction benchmark go through newsweave's whole ingest (read, clean, store) and
the token precision/recall/F1 of the clean texts against the ground truth must stay at or
above the floors in `quality_floors.json`."""

from __future__ import annotations


import pytest

from support.extraction_eval import extract_ours, load_pages, score, token_prf

from conftest import quality_floors, shared_path

FLOORS = quality_floors("article-extraction")


def test_token_metric_on_known_cases():
    assert token_prf("a b c", "a b c") == (1.0, 1.0, 1.0)
    assert token_prf("", "a b") == (0.0, 0.0, 0.0)
    p, r, f = token_prf("a a b x", "a b b")  # multisets: common = {a:1, b:1}
    assert (p, r) == (0.5, 2 / 3) and f == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))


def test_floors_are_not_under_the_baseline():
    """Bare `trafilatura.extract` on the same 181 pages: our cleaning must not lower F1."""
    assert FLOORS["f1"] >= FLOORS["baseline_bare_trafilatura_f1"]


def test_html_extraction_quality_holds_its_floors(tmp_path):
    pages = load_pages(shared_path("corpora", "article-extraction"))
    assert len(pages) == 181
    scores = score(pages, extract_ours(pages, db=str(tmp_path / "pages.db")))
    report = f"measured {scores.as_dict()} against floors {FLOORS}"
    assert scores.empty <= FLOORS["max_empty"], report
    assert scores.precision >= FLOORS["precision"], report
    assert scores.recall >= FLOORS["recall"], report
    assert scores.f1 >= FLOORS["f1"], report
