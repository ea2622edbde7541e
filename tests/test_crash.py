"""Kill an ingest with SIGKILL midway: the store stays intact, and the next run resumes.

The first run is a subprocess ingesting a generated folder through the API, with every
article write slowed a little (a slow disk) so that the kill lands while articles are being
committed; the test watches the store from outside and kills once some are in. The second
run is the real command line, `python -m newsweave ingest`.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsweave.ingest import _clean as clean
from newsweave.store import Store
from support.synth import write_corpus

ROOT = Path(__file__).resolve().parents[1]
N, DUPLICATES, KILL_AFTER = 300, 20, 40

SLOW_INGEST = """
import sys, time
import newsweave
from newsweave import store as store_mod

_put = store_mod.Store.put_article

def slow_put(self, article):  # runs inside the article's transaction: the kill may land here
    stored = _put(self, article)
    time.sleep(0.02)
    return stored

store_mod.Store.put_article = slow_put
newsweave.open(sys.argv[1]).ingest([sys.argv[2]])
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    return env


def _count(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet, or the schema is being written
        return 0


def _kill_midway(db: Path, folder: Path) -> int:
    """Start the slow ingest, SIGKILL it once KILL_AFTER articles are committed; the count then."""
    proc = subprocess.Popen([sys.executable, "-c", SLOW_INGEST, str(db), str(folder)], env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 300
        while _count(db) < KILL_AFTER:
            if proc.poll() is not None:
                pytest.fail(f"ingest ended (exit {proc.returncode}) before it could be killed: "
                            f"{proc.stderr.read().decode()[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail("ingest committed nothing within 300 s")
            time.sleep(0.01)
        assert proc.poll() is None, "ingest finished before the kill"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    return _count(db)


def _assert_intact(store: Store) -> None:
    conn = store.conn
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    for article in store.articles():
        redone = clean.clean(article.raw_text)  # no outlet on these files: rules only
        assert article.id == redone.body_hash
        assert article.clean_text == redone.clean_text
        assert [(r.start, r.end, r.reason) for r in article.removed] == [
            (r.start, r.end, r.reason) for r in redone.removed
        ]
        assert article.sightings, f"article {article.id} stored without its sighting"
        assert article.published is not None and article.provenance["published"] == "header"


def test_killed_ingest_leaves_store_intact_and_resumes(tmp_path):
    folder, db = tmp_path / "corpus", tmp_path / "store.db"
    corpus = write_corpus(folder, N, duplicates=DUPLICATES, seed=7)

    committed = _kill_midway(db, folder)
    assert KILL_AFTER <= committed < N

    store = Store(db)  # reopening recovers the WAL and applies no migration twice
    try:
        assert store.count_articles() == committed
        _assert_intact(store)
        removed_before = store.conn.execute("SELECT COUNT(*) FROM removed_spans").fetchone()[0]
        assert removed_before > 0
    finally:
        store.close()

    resumed = subprocess.run([sys.executable, "-m", "newsweave", "ingest", str(folder), "--db", str(db)],
                             env=_env(), capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{N - committed} ingested" in resumed.stdout + resumed.stderr

    store = Store(db)
    try:
        _assert_intact(store)
        assert store.count_articles() == corpus.distinct
        ids = store.article_ids()
        assert len(ids) == len(set(ids))
        sources = [r[0] for r in store.conn.execute("SELECT source FROM sightings")]
        assert sorted(Path(s).name for s in sources) == sorted(p.name for p in corpus.paths)  # each file once
        removed = store.conn.execute("SELECT COUNT(*) FROM removed_spans").fetchone()[0]
        assert removed == corpus.boilerplate_lines + corpus.distinct  # every inserted line, and each date header
    finally:
        store.close()
