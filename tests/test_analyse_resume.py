"""Chunks: each stage commits its work in chunks with its stage_done records, so an analysis
killed anywhere (SIGKILL, the Dask cluster with it) resumes at the first chunk not committed
and ends with exactly the results of a run never interrupted; and a chunked stage's results
do not depend on where the chunks end."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import newsweave
from support.outcome import differences, outcome

ROOT = Path(__file__).resolve().parents[1]
CHUNK = 10


@pytest.fixture(scope="module")
def ingested(small_real_corpus, tmp_path_factory) -> Path:
    """A store holding the small real corpus, not analysed."""
    db = tmp_path_factory.mktemp("ingested") / "ingested.db"
    with newsweave.open(db) as ws:
        report = ws.ingest(small_real_corpus)
    assert len(report.ingested) > 40
    return db


@pytest.fixture(scope="module")
def uninterrupted(ingested, tmp_path_factory) -> dict:
    """The outcome of one analysis of the whole store at once (a chunk larger than the store)."""
    db = _copy(ingested, tmp_path_factory.mktemp("whole"))
    with newsweave.open(db) as ws:
        ws.settings.pipeline.chunk = 10_000
        ws.analyse()
        return outcome(ws.store)


def _copy(db: Path, folder: Path) -> Path:
    target = folder / db.name
    shutil.copy(db, target)
    return target


def _done(db: Path, stage: str) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT COUNT(*) FROM stage_done WHERE stage = ?", (stage,)).fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def _analyse_command(db: Path) -> list[str]:
    return [sys.executable, "-m", "newsweave", "analyse", "--db", str(db), "--chunk", str(CHUNK), "--workers", "2"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    return env


def _kill_during(db: Path, stage: str, total: int) -> int:
    """Run the analysis on Dask workers; SIGKILL it (driver and workers: its process group)
    once `stage` has committed a chunk. Returns how many articles the stage had committed."""
    proc = subprocess.Popen(_analyse_command(db), env=_env(), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 600
        while _done(db, stage) < CHUNK:
            if proc.poll() is not None:
                pytest.fail(f"analyse ended (exit {proc.returncode}) before the kill: {proc.stderr.read().decode()[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"stage {stage} committed nothing within 600 s")
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    committed = _done(db, stage)
    assert committed < total, f"stage {stage} finished before the kill"
    return committed


@pytest.mark.parametrize("stage", ["nlp", "events"])
def test_a_killed_dask_analysis_resumes_with_identical_results(ingested, uninterrupted, tmp_path, stage):
    db = _copy(ingested, tmp_path)
    total = newsweave.open(db).store.count_articles()
    committed = _kill_during(db, stage, total)
    assert committed % CHUNK == 0, "only whole chunks are committed"
    with newsweave.open(db) as ws:  # the killed chunk left nothing behind; the committed ones stay
        assert len(ws.store.pending(stage)) == total - committed
        if stage == "nlp":
            parsed_before = ws.store.conn.execute("SELECT COUNT(*) FROM nlp_paragraphs").fetchone()[0]
            assert parsed_before > 0
    rerun = subprocess.run(_analyse_command(db), env=_env(), capture_output=True, text=True, timeout=900)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    with newsweave.open(db) as ws:
        assert ws.store.pending("claims") == []
        assert differences(outcome(ws.store), uninterrupted) == {}


def test_chunk_boundaries_do_not_change_the_results(ingested, uninterrupted, tmp_path):
    """Every stage in chunks of 10 (stories: once per run, as it is not chunked) gives the
    outcome of one whole-store pass."""
    db = _copy(ingested, tmp_path)
    with newsweave.open(db) as ws:
        ws.settings.pipeline.chunk = CHUNK
        ws.analyse()
        assert differences(outcome(ws.store), uninterrupted) == {}


def test_parses_kept_for_the_later_stages_do_not_change_the_results(ingested, uninterrupted, tmp_path):
    """An analysis that keeps no decoded parse (each stage decodes its own) gives the outcome
    of one that decodes each once and hands the same Docs to every stage (`nlp.kept_docs`,
    on in `uninterrupted`): a stage that changed a Doc it read would show here."""
    db = _copy(ingested, tmp_path)
    with newsweave.open(db) as ws:
        ws.settings.pipeline.chunk = 10_000
        ws.settings.nlp.kept_tokens = 0
        ws.analyse()
        assert differences(outcome(ws.store), uninterrupted) == {}


def test_an_article_stored_while_a_stage_runs_waits_for_the_next_run(seeds_dir, tmp_path):
    """A stage takes what is pending when it starts: an article stored between two of its
    chunks (an upload during an analysis) is left for the next run, so it never reaches a
    stage before the earlier stages have had it."""
    from newsweave import pipeline

    ws = newsweave.open(tmp_path / "late.db")
    ws.ingest([seeds_dir])
    first = ws.store.pending("nlp")
    ws.settings.pipeline.chunk = 2
    late = ROOT / "examples" / "port-deal_wire.txt"
    taken: list[str] = []

    class Recording:  # the nlp stage's name and pending list, recording what it is given
        name = "nlp"

        def run(self, store, ids, settings):
            if not taken:
                ws.ingest([late])  # arrives after the first chunk began
            taken.extend(ids)

    pipeline.run_stage(ws.store, Recording(), ws.settings)
    assert taken == first and len(first) == 5
    (arrived,) = ws.store.pending("nlp")
    assert arrived not in first


def test_an_article_stored_between_two_stages_waits_for_the_next_run(seeds_dir, tmp_path):
    """An upload while the analysis runs: stored after the stories stage began, it must not
    reach the events stage (which needs its story) in the same run — it waited for the next
    run (before, the events stage raised 'no story with id …' and ended the analysis)."""
    from newsweave import pipeline

    ws = newsweave.open(tmp_path / "between.db")
    ws.ingest([seeds_dir])
    late = ROOT / "examples" / "port-deal_wire.txt"

    def arrive_when_events_starts(stage: str, done: int, total: int) -> None:
        if stage == "events":
            ws.ingest([late])

    pipeline.analyse(ws.store, ws.settings, progress=arrive_when_events_starts)
    (arrived,) = ws.store.pending("nlp")
    assert all(arrived in ws.store.pending(s) for s in ("reuse", "stories", "events", "corroborate", "claims"))
    assert ws.store.conn.execute("SELECT COUNT(*) FROM stage_failures").fetchone()[0] == 0
    pipeline.analyse(ws.store, ws.settings)
    assert not any(ws.store.pending(s) for s in ("nlp", "stories", "events", "claims"))
    assert ws.store.conn.execute("SELECT COUNT(*) FROM stage_failures").fetchone()[0] == 0
