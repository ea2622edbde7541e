"""Dated sentences of ECB+ and MEANTIME for the kinds that matter (last/next month, a bare
month in a past or future sentence, durations, anaphoric dates, year ranges, times of
day): tests/data/timex_sentences.jsonl holds a reference (corpus, document, the expression,
a context phrase to find its sentence) and the expected TIMEX3 values and type; the text is
read from ../shared at test time.

Anchors: MEANTIME's creation time; for ECB+ (undated) the day the topic's event was
reported, written in each record. MEANTIME sentences are taken after the first six, which
MEANTIME does not annotate and bench/eval_timex.py never scores."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import pytest

from conftest import shared_path

from newsweave.events import timex

ITEMS = [json.loads(line) for line in (Path(__file__).parent / "data" / "timex_sentences.jsonl").read_text().splitlines()]


@lru_cache(maxsize=1)
def _ecbplus() -> dict[str, str]:
    path = shared_path("corpora", "ecbplus", "ecbplus-topics-1-35.jsonl")
    return {d["id"]: d["text"] for d in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


@lru_cache(maxsize=1)
def _meantime() -> dict[str, tuple[str, str]]:
    shared_path("corpora", "meantime")
    import eval_timex as bench  # bench/ is on the path (conftest)

    bench.MEANTIME = shared_path("corpora", "meantime", "intra_cross-doc_annotation")
    return {d.name.split("_")[0]: (d.text, d.anchor.isoformat()) for d in bench.load()}


def _source(item) -> tuple[str, str]:
    if item["corpus"] == "ecbplus":
        return _ecbplus()[item["doc"]], item["anchor"]
    return _meantime()[item["doc"]]


@lru_cache(maxsize=1)
def _nlp():
    import eval_timex

    return eval_timex._spacy()  # the project's default spaCy model


def _check(item, parsed: bool = False) -> tuple[bool, list]:
    """Whether find() on the document up to the end of the item's sentence (as text, or as
    its spaCy parse: tense from the verb) gives, for the expression there, exactly the
    expected values and type."""
    text, anchor = _source(item)
    at = text.index(item.get("context", item["expr"]))
    start = at + text[at:].index(item["expr"])
    end = start + len(item["expr"])
    stop = re.search(r"(?<=[.!?])\s|\n", text[end:])
    prefix = text[: end + stop.start() if stop else len(text)]
    found = timex.find(_nlp()(prefix) if parsed else prefix, anchor)
    got = [(t.value.value, t.type) for t in found if t.start < end and start < t.end]
    return got == [(v, item["type"]) for v in item["values"]], got


def test_the_set_covers_every_kind():
    kinds = {"last-next", "bare-month", "duration", "anaphoric", "range", "time-of-day"}
    assert len(ITEMS) >= 60 and {i["kind"] for i in ITEMS} == kinds


@pytest.mark.parametrize("parsed", [False, True], ids=["text", "parse"])
@pytest.mark.parametrize("item", ITEMS, ids=lambda i: f"{i['kind']}:{i['doc']}:{i['expr']}")
def test_dated_sentence(item, parsed):
    ok, got = _check(item, parsed)
    assert ok, (item["values"], got)
