"""Seeded mutation of real inputs (the seeds, the 181 extraction pages, the examples):
3,000 inputs in batches of 100, each batch ingested through the Python API into a fresh
store. Every batch must end without an exception, store every unmutated original, and
refuse each bad input with one line that names it and the reason. The larger run, with its
figures, is `bench/fuzz_ingest.py`."""

from __future__ import annotations

import random

import pytest

import newsweave
from support.fuzzing import batch, load_originals
from newsweave.ingest import source_name
from newsweave.records import quoted_name

from conftest import EXAMPLES, shared_path

BATCHES, SIZE = 30, 100  # 3,000 inputs


@pytest.fixture(scope="module")
def originals():
    shared_path("seeds")
    shared_path("corpora", "article-extraction", "html")
    return load_originals(shared_path(), EXAMPLES)


def ingest_batch(tmp_path, items):
    folder = tmp_path / "in"
    folder.mkdir()
    paths = []
    for name, data, mutation in items:
        path = folder / name
        path.write_bytes(data)
        paths.append((source_name(str(path)), mutation))  # the name the store and the refusals use
    with newsweave.open(tmp_path / "fuzz.db") as ws:
        report = ws.ingest([folder])
        stored = {s.source for a in ws.articles() for s in a.sightings}
    return paths, report, stored


@pytest.mark.parametrize("seed", range(BATCHES))
def test_fuzzed_batch_keeps_every_good_file_and_refuses_in_one_line(tmp_path, originals, seed):
    items = batch(originals, random.Random(seed), SIZE)
    paths, report, stored = ingest_batch(tmp_path, items)
    names = [p for p, _ in paths]
    for path, mutation in paths:
        if mutation is None:  # an unmutated original: stored (or a sighting of a copy), never refused
            refused = [r for r in report.rejected if r.source == path or r.source.startswith((path + ":", path + "#"))]
            assert not refused, (path, refused)
            assert any(s == path or s.startswith((path + ":", path + "#")) for s in stored), path
    for problem in report.rejected:
        line = str(problem)
        assert "\n" not in line and problem.reason, line
        assert any(problem.source == n or problem.source.startswith((n + ":", n + "#")) for n in names), line
        assert line.startswith(quoted_name(problem.source) + ": ")
        # a named problem, not an exception the guard caught (that would be a bug it hides)
        assert not problem.reason.startswith(CAUGHT), line


CAUGHT = ("could not be read (", "could not be ingested (", "line could not be read (")
