"""Shared fixtures. Data from ../shared (beside the project) is never copied in: tests that
need it skip with a reason when it is absent, and fail loudly when NEWSWEAVE_REQUIRE_SHARED=1
(as .ci/run sets)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Benchmark and synthetic-corpus helpers live in bench/support (not in the library).
sys.path.insert(0, str(ROOT / "bench"))
SHARED = Path(os.environ.get("NEWSWEAVE_SHARED", ROOT.parent / "shared"))
EXAMPLES = ROOT / "examples"


def shared_path(*parts: str) -> Path:
    """Path inside ../shared; skips (or fails under NEWSWEAVE_REQUIRE_SHARED=1) when missing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"needs {path} (the ../shared data beside the project) which is absent"
        if os.environ.get("NEWSWEAVE_REQUIRE_SHARED") == "1":
            pytest.fail(message + " but NEWSWEAVE_REQUIRE_SHARED=1", pytrace=False)
        pytest.skip(message)
    return path


def quality_floors(section: str) -> dict:
    """One section of tests/quality_floors.json: the floors (and ceilings) of a quality gate,
    each written beside its measured value and margin in the section's `_comment`."""
    return json.loads(Path(__file__).with_name("quality_floors.json").read_text(encoding="utf-8"))[section]


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return shared_path("seeds")


def seed_file(prefix: str) -> Path:
    """The seed whose name starts with `prefix` ("000", "004", ...)."""
    (match,) = sorted(shared_path("seeds").glob(f"{prefix}_*"))
    return match


@pytest.fixture(scope="session")
def seeds_workspace(seeds_dir, tmp_path_factory):
    """A store holding the five seeds, ingested and analysed once per test session.
    Tests must not write to it; build your own workspace for that."""
    import newsweave

    ws = newsweave.open(tmp_path_factory.mktemp("seeds") / "seeds.db")
    ws.ingest([seeds_dir])
    ws.analyse()
    return ws


def seed_id(ws, prefix: str) -> str:
    """Article id of the seed file starting with `prefix`."""
    name = seed_file(prefix).name
    for article in ws.articles():
        if any(Path(s.source.split("#")[0]).name == name for s in article.sightings):
            return article.id
    raise AssertionError(f"seed {name} not in the store")


@pytest.fixture(scope="session")
def small_real_corpus(seeds_dir, tmp_path_factory) -> list[Path]:
    """A small real corpus whose stories have several articles: the seeds, the examples and
    the first 12 ECB+ articles of each of topics 1-3 (written to a JSONL file here)."""
    ecb = shared_path("corpora", "ecbplus", "ecbplus-topics-1-35.jsonl")
    taken: dict[str, int] = {}
    lines = []
    for line in ecb.read_text(encoding="utf-8").splitlines():
        topic = json.loads(line)["topic"]
        if topic in {"1", "2", "3"} and taken.get(topic, 0) < 12:
            taken[topic] = taken.get(topic, 0) + 1
            lines.append(line)
    path = tmp_path_factory.mktemp("corpus") / "ecbplus-1-3.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [seeds_dir, EXAMPLES, path]
