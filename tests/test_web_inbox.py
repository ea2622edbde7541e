"""The web's inbox (issue 19): an upload is accepted into a SQLite file beside the store,
which the analysis never locks, and the analysis moves it into the store in its own short
transaction. Proved with the store's write lock held by another connection (as an analysis
transaction holds it: the upload answers 202 with its ids meanwhile, the stories list shows
it, a re-upload is a duplicate), with a process killed between the store's commit and the
inbox's delete, and killed inside the store's transaction (nothing lost, nothing stored
twice), and with two servers uploading and moving the same articles at once."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from _jobs import analysed, threaded
from newsweave import pipeline
from newsweave.ingest import IngestReport, ingest_docs, read_bytes
from newsweave.settings import Settings
from newsweave.store import Inbox, Store
from newsweave.web._site import Site, Upload
from newsweave.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
TEXT = ("Velmora, Nov 3: The council said on Monday the river rose again overnight and {} families were moved to "
        "shelters near the old harbour, where volunteers handed out blankets and hot food.")


class MarkDone:
    """A stage that only records its articles done (the test is about storing, not analysing)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def run(self, store, ids, settings) -> None:
        pass


@pytest.fixture
def marking(monkeypatch):
    monkeypatch.setattr(pipeline, "analysis_stages", lambda: [MarkDone("first"), MarkDone("last")])


def body(*ns: int) -> dict:
    return {"articles": [{"text": TEXT.format(n), "title": f"Velmora flood {n}"} for n in ns]}


def test_an_upload_is_searchable_before_it_is_moved_into_the_store(tmp_path, marking):
    """A waiting upload matches a search (API, search page, the stories list's hits) at
    once, marked as being analysed; once moved it is found once, from the store."""
    db = tmp_path / "w.db"
    with TestClient(create_app(db, threaded())) as client:
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # the worker cannot move it while the lock is held
        try:
            answer = client.post("/api/articles", json=body(7, 8))
            added = answer.json()["added"]
            found = client.get("/api/search", params={"q": "harbour volunteers"}).json()
            assert found["total"] == 2 and {h["article"] for h in found["hits"]} == set(added)
            assert all(h["analysing"] for h in found["hits"]) and all("<" not in h["snippet"] for h in found["hits"])
            assert "harbour" in found["hits"][0]["matches"]
            page = client.get("/api/search", params={"q": "harbour", "limit": 1, "offset": 1}).json()
            assert page["total"] == 2 and len(page["hits"]) == 1 and page["hits"][0]["article"] in added
            html = client.get("/search", params={"q": "blankets"}, headers={"accept": "text/html"}).text
            assert "Velmora flood 7" in html and "being analysed" in html and "2 article(s) match" in html
            assert "Velmora flood 8" in client.get("/", params={"q": "blankets"}, headers={"accept": "text/html"}).text
            assert client.get("/api/search", params={"q": "typhoon"}).json()["total"] == 0
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        analysed(client, answer.json())
        found = client.get("/api/search", params={"q": "harbour volunteers"}).json()
        assert found["total"] == 2 and sorted(h["article"] for h in found["hits"]) == sorted(added)
        assert not any(h["analysing"] for h in found["hits"])


def test_an_upload_is_accepted_while_the_store_write_lock_is_held(tmp_path, marking):
    db = tmp_path / "w.db"
    with TestClient(create_app(db, threaded())) as client:
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # what an analysis transaction holds
        answers: list = []
        upload = threading.Thread(target=lambda: answers.extend(
            [client.post("/api/articles", json=body(1, 2)), client.post("/api/articles", json=body(2))]))
        upload.start()
        upload.join(120)  # on a store-writing upload this waits for the lock: still alive here
        try:
            assert not upload.is_alive(), "the upload waited for the store's write lock"
            first, again = answers
            assert first.status_code == again.status_code == 202
            added = first.json()["added"]
            assert len(added) == 2 and first.json()["articles"] == 2
            # the re-upload: the same id, a duplicate, nothing added
            assert again.json()["added"] == [] and [d["article"] for d in again.json()["duplicates"]] == [added[1]]
            listing = client.get("/api/stories").json()["analysing"]
            assert listing["total"] == 2 and [a["id"] for a in listing["articles"]] == added[::-1]
            assert "Velmora flood 2" in client.get("/", headers={"accept": "text/html"}).text
            # readable at once, from the inbox (the worker cannot move it while the lock is held)
            assert client.get(f"/api/articles/{added[0]}").json()["clean_text"].startswith("Velmora")
            assert "Velmora flood 1" in client.get(f"/articles/{added[0]}", headers={"accept": "text/html"}).text
            # and listed, newest first, marked as being analysed
            listed = client.get("/api/articles").json()
            assert listed["total"] == 2 and [a["id"] for a in listed["articles"]] == added[::-1]
            assert all(a["waiting"] for a in listed["articles"])
            assert [a["id"] for a in client.get("/api/articles?limit=1&offset=1").json()["articles"]] == added[:1]
            page = client.get("/articles", headers={"accept": "text/html"}).text
            assert "Velmora flood 2" in page and "being analysed" in page
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        for answer in (first, again):
            assert analysed(client, answer.json())["failed"] == []
        assert client.get("/api/stories").json()["analysing"]["total"] == 0
    store = Store(db)
    assert store.count_articles() == 2
    sightings = store.conn.execute("SELECT article_id, COUNT(*) FROM sightings GROUP BY article_id").fetchall()
    assert dict(sightings) == {added[0]: 1, added[1]: 2}  # the second: line 2, then line 1 of the re-upload
    assert Inbox.beside(store).waiting(store, 10) == (0, [])


def accept(db: Path, n: int) -> list[str]:
    """`n` articles accepted into the store's inbox, as the web's upload does; their ids."""
    settings = Settings()
    store = Store(db)
    data = "".join(json.dumps({"text": TEXT.format(k), "url": f"https://velmora.example/{k}"}) + "\n" for k in range(n))
    report = IngestReport()
    ingest_docs(store, list(read_bytes("upload/api.jsonl", data.encode(), settings.ingest)), settings, report, Inbox.beside(store))
    store.close()
    assert len(report.ingested) == n
    return report.ingested


MOVE_AND_DIE = """
import os, sys
from newsweave import pipeline
from newsweave.settings import Settings
from newsweave.store import Inbox, Store

where = sys.argv[2]
if where == "after-commit":  # the store committed, the inbox not yet emptied
    Inbox._forget_rows = lambda self, rows, sightings: os._exit(3)
else:  # inside the store's transaction, after the first article
    put = Store.put_article
    calls = []
    def dying(self, article):
        calls.append(article.id)
        if len(calls) == 2:
            os._exit(3)
        return put(self, article)
    Store.put_article = dying
pipeline.take_inbox(Store(sys.argv[1]), Settings())
"""


@pytest.mark.parametrize("where", ["after-commit", "inside-the-transaction"])
def test_a_move_killed_midway_loses_nothing_and_stores_nothing_twice(tmp_path, where):
    db = tmp_path / "w.db"
    ids = accept(db, 3)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    died = subprocess.run([sys.executable, "-c", MOVE_AND_DIE, str(db), where], env=env, capture_output=True, text=True)
    assert died.returncode == 3, died.stderr
    store = Store(db)
    inbox = Inbox.beside(store)
    assert store.count_articles() == (3 if where == "after-commit" else 0)
    assert inbox.conn.execute("SELECT COUNT(*) FROM inbox").fetchone()[0] == 3  # nothing left the inbox
    moved = pipeline.take_inbox(store, Settings())
    assert moved == ([] if where == "after-commit" else ids)
    assert sorted(store.article_ids()) == sorted(ids)
    assert store.conn.execute("SELECT COUNT(*) FROM sightings").fetchone()[0] == 3
    assert store.conn.execute("SELECT COUNT(*) FROM articles_fts").fetchone()[0] == 3
    assert inbox.conn.execute("SELECT COUNT(*) FROM inbox").fetchone()[0] == 0
    assert inbox.conn.execute("SELECT COUNT(*) FROM inbox_sightings").fetchone()[0] == 0


def test_two_servers_upload_and_move_the_same_articles_at_once(tmp_path, marking):
    db = tmp_path / "w.db"
    sites = [Site(db, threaded()), Site(db, threaded())]
    for site in sites:
        site.analyser.submit = lambda ids, site=site: site.analyser.finished(site.workspace.store, ids, 0)
    shared = [n for n in range(6)]
    start = threading.Barrier(2)
    answers: list = [None, None]
    errors: list = []

    def serve(k: int) -> None:
        try:
            start.wait()
            mine = [*shared, 100 + k]
            answers[k] = [sites[k].ingest([Upload(f"feed-{k}.jsonl", (json.dumps({"text": TEXT.format(n)}) + "\n").encode())])
                          for n in mine]
            start.wait()
            with sites[k].reading() as store:
                pipeline.take_inbox(store, sites[k].settings)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=serve, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not errors, errors
    added = [a for k in (0, 1) for r in answers[k] for a in r["added"]]
    assert len(added) == len(set(added)) == 8  # 6 shared (each added by one server) + 1 each
    store = Store(db)
    assert store.count_articles() == 8
    per_article = dict(store.conn.execute("SELECT article_id, COUNT(*) FROM sightings GROUP BY article_id").fetchall())
    assert sorted(per_article.values()) == [1, 1] + [2] * 6  # a shared one was seen in both feeds
    assert Inbox.beside(store).waiting(store, 10) == (0, [])
