"""A stage computes before its chunk's write transaction and only writes inside it, so an
upload stores while the analysis computes (issue 19): the corroborate stage's story
updates (`CorroborateStage.prepare`, `pipeline._Prepared`). The results are those of the
stage computing inside its transaction."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import newsweave
from newsweave import pipeline
from newsweave.corroborate import _story_state
from support.outcome import differences, outcome

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ("facts", "fact_evidence", "conflicts")


def _stage(name: str):
    (stage,) = [s for s in pipeline.analysis_stages() if s.name == name]
    return stage


@pytest.fixture(scope="module")
def before_corroborate(seeds_dir, tmp_path_factory) -> Path:
    """The seeds and the examples analysed up to the events stage (stories with quotes)."""
    db = tmp_path_factory.mktemp("lock") / "events.db"
    with newsweave.open(db) as ws:
        ws.ingest([seeds_dir, ROOT / "examples"])
        pipeline.analyse(ws.store, ws.settings, until="events")
    return db


@pytest.fixture(scope="module")
def inside(before_corroborate, tmp_path_factory) -> dict:
    """The corroborate stage's results computed inside its transaction (no prepare)."""
    db = shutil.copy(before_corroborate, tmp_path_factory.mktemp("inside") / "inside.db")
    with newsweave.open(db) as ws:
        stage = _stage("corroborate")
        with pytest.MonkeyPatch.context() as mp:
            mp.delattr(type(stage), "prepare", raising=False)
            pipeline.run_stage(ws.store, stage, ws.settings)
        assert not ws.store.pending("corroborate")
        return outcome(ws.store, RESULTS)


def _counting_compute(monkeypatch, during_first) -> list[int]:
    """Count the story updates computed (`observe_variants` is one per story); the first
    calls `during_first`."""
    calls, real = [], _story_state.observe_variants

    def assemble(*args, **kwargs):
        if not calls:
            during_first()
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(_story_state, "observe_variants", assemble)
    return calls


def test_an_upload_stores_while_the_corroborate_stage_computes(before_corroborate, inside, seeds_dir, tmp_path, monkeypatch):
    """An upload arriving while the stage computes a story's facts stores at once: the
    computing happens before the chunk's transaction; its article waits for the next run.
    The results are those computed inside the transaction."""
    db = shutil.copy(before_corroborate, tmp_path / "upload.db")
    ws, other = newsweave.open(db), newsweave.open(db)
    other.store.lock_wait = 1.0  # a writer held behind the stage's transaction fails after 1 s
    other.store.conn.execute("PRAGMA busy_timeout = 1000")
    stored: list[str] = []
    late = tmp_path / "late.txt"
    late.write_text("Halvik, 3 March - The harbour board said on Tuesday that the bridge repairs would start in May.\n")
    calls = _counting_compute(monkeypatch, lambda: stored.extend(other.ingest([late]).ingested))
    report = pipeline.run_stage(ws.store, _stage("corroborate"), ws.settings)
    assert len(stored) == 1 and report.failed == {}
    stories = ws.store.conn.execute("SELECT COUNT(DISTINCT story_id) FROM story_articles").fetchone()[0]
    assert len(calls) == stories  # each story computed once, in prepare: the plan was used
    assert ws.store.pending("corroborate") == stored  # the upload's article waits for the next run
    assert differences(outcome(ws.store, RESULTS), inside) == {}
    ws.close(), other.close()


def test_a_plan_made_while_another_analysis_committed_is_computed_again(before_corroborate, inside, tmp_path, monkeypatch):
    """Another process committing analysis work while the stage computes (a second
    `newsweave analyse`) makes the plan stale: the stage computes again inside its
    transaction, with the same results."""
    db = shutil.copy(before_corroborate, tmp_path / "stale.db")
    ws, other = newsweave.open(db), newsweave.open(db)
    some = ws.store.article_ids()[0]

    def another_analysis_commits() -> None:  # recorded work changes (and is put back)
        other.store.mark_failed("claims", some, "another process")
        other.store.forget_failures("claims")

    calls = _counting_compute(monkeypatch, another_analysis_commits)
    pipeline.run_stage(ws.store, _stage("corroborate"), ws.settings)
    stories = ws.store.conn.execute("SELECT COUNT(DISTINCT story_id) FROM story_articles").fetchone()[0]
    assert len(calls) == 2 * stories  # in prepare, then again inside the transaction
    assert differences(outcome(ws.store, RESULTS), inside) == {}
    ws.close(), other.close()
