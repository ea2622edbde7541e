"""Uploads answer at once (issue 19): the web stores an upload in the request, answers 202
with a job, and one background worker analyses everything pending. Proved with an analysis
held at a gate (the response comes while the analysis has not finished, reads go on,
uploads meanwhile coalesce into one run), with a failing analysis (the job fails with one
line, the server goes on), with real stages (two concurrent uploads, each article stored
once and all analysed; a brief is never corroborated inside a request), and with a stop in
the middle of a run (nothing lost: the next start analyses what was left)."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient

from _jobs import analysed, threaded, wait_for_job
from newsweave import pipeline
from newsweave.errors import NewsweaveError
from newsweave.settings import Settings
from newsweave.web.app import create_app
from support.synth import write_corpus

HTML = {"accept": "text/html"}
TEXT = "Velmora, Nov 3: The council said on Monday the river rose again overnight and {} were moved to shelters."


def article(n: int) -> dict:
    return {"articles": [{"text": TEXT.format(f"{n} families"), "title": f"Velmora flood {n}"}]}


class Stage:
    name = "gated"

    def __init__(self, name: str) -> None:
        self.name = name

    def run(self, store, ids, settings) -> None:  # never called: GatedAnalysis runs the stages
        raise AssertionError("not a real stage")


class GatedAnalysis:
    """Stands in for `pipeline.analyse` over stages that only mark their articles done; the
    first stage of each run waits at a gate. The gate is outside any transaction (a real
    stage holds the write lock while it runs, which would hold the test's uploads too)."""

    def __init__(self, names=("gated", "last")) -> None:
        self.names = names
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.runs: list[list[str]] = []

    def stages(self):
        return [Stage(n) for n in self.names]

    def __call__(self, store, settings, progress=None, until=None):
        for i, name in enumerate(self.names):
            progress(name, i, len(self.names))
            pending = store.pending(name)
            if i == 0:
                self.runs.append(pending)
                self.entered.set()
                assert self.gate.wait(120), "the test never opened the gate"
            with store.transaction():
                store.mark_done(name, pending)
        progress("done", len(self.names), len(self.names))
        return []


@pytest.fixture
def gated(monkeypatch):
    analysis = GatedAnalysis()
    monkeypatch.setattr(pipeline, "analyse", analysis)
    monkeypatch.setattr(pipeline, "analysis_stages", analysis.stages)
    yield analysis
    analysis.gate.set()  # never leave the worker waiting


def test_an_upload_answers_202_while_its_analysis_is_still_pending(tmp_path, gated):
    with TestClient(create_app(tmp_path / "w.db", threaded())) as client:
        r = client.post("/api/articles", json=article(1))
        assert r.status_code == 202, r.text
        (aid,) = r.json()["added"]
        assert gated.entered.wait(60)
        job = client.get(r.json()["job"]["url"]).json()
        assert job["status"] == "running" and job["stage"] == "gated" and job["stages_total"] == 2
        # reads go on while the analysis runs: the article is stored, and listed as being analysed
        assert client.get(f"/api/articles/{aid}").json()["clean_text"].startswith("Velmora")
        listing = client.get("/api/stories").json()["analysing"]
        assert listing["total"] == 1 and [a["id"] for a in listing["articles"]] == [aid] and job["id"] in listing["jobs"]
        page = client.get("/", headers=HTML).text
        assert 'id="analysing"' in page and "being analysed" in page and "Velmora flood 1" in page
        assert not gated.gate.is_set()  # all of the above came while the analysis was held
        gated.gate.set()
        done = wait_for_job(client, r.json())
        assert done["status"] == "done" and done["stages_done"] == 2 and done["error"] is None
        assert gated.runs == [[aid]]
        assert client.get("/api/stories").json()["analysing"]["total"] == 0


def test_uploads_during_a_run_coalesce_into_the_next_run(tmp_path, gated):
    with TestClient(create_app(tmp_path / "w.db", threaded())) as client:
        first = client.post("/api/articles", json=article(1)).json()
        assert gated.entered.wait(60)
        later = [client.post("/api/articles", json=article(n)) for n in (2, 3, 4)]
        assert [r.status_code for r in later] == [202] * 3
        assert [client.get(r.json()["job"]["url"]).json()["status"] for r in later] == ["queued"] * 3
        gated.gate.set()
        for r in [first, *(r.json() for r in later)]:
            analysed(client, r)
        # one run for the first upload, ONE more for the three that came while it ran
        assert gated.runs == [first["added"], [r.json()["added"][0] for r in later]]


def test_a_failing_analysis_fails_its_job_in_one_line_and_the_server_goes_on(tmp_path, monkeypatch):
    class Explodes:
        name = "explodes"

        def run(self, store, ids, settings):
            raise NewsweaveError("the model is missing\n(second line of the reason)")

    class Fine:
        name = "fine"

        def run(self, store, ids, settings):
            pass

    monkeypatch.setattr(pipeline, "analysis_stages", lambda: [Explodes()])
    with TestClient(create_app(tmp_path / "w.db", threaded())) as client:
        r = client.post("/api/articles", json=article(1))
        assert r.status_code == 202
        job = wait_for_job(client, r.json())
        assert job["status"] == "failed" and job["stage"] is None
        # one line: the break is shown as an escape (records.one_line)
        assert job["error"] == "analysis failed: NewsweaveError: the model is missing\\n(second line of the reason)"
        assert "\n" not in job["error"]
        assert client.get("/api/health").json()["articles"] == 1  # the article stays stored, the server serves
        assert client.get("/", headers=HTML).status_code == 200
        monkeypatch.setattr(pipeline, "analysis_stages", lambda: [Fine()])
        again = client.post("/api/articles", json=article(2))
        assert analysed(client, again.json())["failed"] == []
        assert client.get("/api/stories").json()["analysing"]["total"] == 0  # both analysed by the next run


def test_a_stop_mid_run_loses_nothing_and_the_next_start_analyses_what_was_left(tmp_path, gated):
    db = tmp_path / "w.db"
    app = create_app(db, threaded())
    site = app.state.site
    client = TestClient(app)
    client.__enter__()
    r = client.post("/api/articles", json=article(1)).json()
    assert gated.entered.wait(60)
    stopping = threading.Thread(target=client.__exit__, args=(None, None, None))
    stopping.start()
    deadline = time.monotonic() + 60
    while not site.analyser._stop and time.monotonic() < deadline:
        time.sleep(0.01)
    gated.gate.set()  # the stage under way finishes; the worker stops before the next
    stopping.join(60)
    assert not stopping.is_alive() and not site.analyser.running
    job = site.analyser.get(r["job"]["id"])
    assert job.status == "failed" and "stopped" in job.error and job.stages_done == 1
    gated.runs.clear()
    with TestClient(create_app(db, threaded())) as again:  # its startup takes what the stop left pending
        deadline = time.monotonic() + 60
        while again.get("/api/stories").json()["analysing"]["total"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert again.get("/api/stories").json()["analysing"]["total"] == 0
    assert gated.runs == [[]]  # its first stage had finished before the stop: only "last" was left


def test_two_concurrent_uploads_store_each_article_once_and_analyse_all(tmp_path):
    corpus = write_corpus(tmp_path / "in", 5, seed=3)
    files = [(p.name, p.read_bytes()) for p in corpus.paths]
    mine = [files[:3] + [files[3]], files[:3] + [files[4]]]  # three in common, one each
    answers: list = [None, None]
    start = threading.Barrier(2)
    with TestClient(create_app(tmp_path / "w.db")) as client:

        def upload(k: int) -> None:
            start.wait()
            answers[k] = client.post("/api/upload", files=[("files", (n, d, "text/plain")) for n, d in mine[k]])

        threads = [threading.Thread(target=upload, args=(k,)) for k in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(600)
        assert [a.status_code for a in answers] == [202, 202], [a.text for a in answers]
        added = [a for r in answers for a in r.json()["added"]]
        again = [d["article"] for r in answers for d in r.json()["duplicates"]]
        assert len(added) == len(set(added)) == 5 and len(again) == 3 and set(again) <= set(added)
        jobs = [analysed(client, r.json()) for r in answers]
        assert all(j["failed"] == [] for j in jobs)
        store = app_store(client)
        assert store.count_articles() == 5
        done = dict(store.conn.execute("SELECT stage, COUNT(*) FROM stage_done GROUP BY stage").fetchall())
        assert done == {s.name: 5 for s in pipeline.analysis_stages()}
        members = [a for s in client.get("/api/stories").json()["stories"]
                   for a in (x["id"] for x in client.get(f"/api/stories/{s['id']}").json()["article_list"])]
        assert sorted(members) == sorted(added)  # every article in exactly one story


def app_store(client):
    return client.app.state.site.workspace.store


def test_a_brief_is_never_corroborated_inside_a_request(tmp_path, monkeypatch, seeds_dir):
    """The stories exist once the stories stage has committed, before corroboration: the
    brief then answers 202 "analysing" (the page says so) instead of corroborating in the
    request, as `build_brief` would for a story without stored facts."""
    from newsweave import corroborate
    from newsweave.brief import _compose

    real = pipeline.analysis_stages
    monkeypatch.setattr(pipeline, "analysis_stages", lambda: real()[:4])  # nlp .. stories, no corroborate

    def inline(*args, **kwargs):
        raise AssertionError("a request corroborated a story")

    monkeypatch.setattr(corroborate, "corroborate_story", inline)
    monkeypatch.setattr(_compose.corroborate, "corroborate_story", inline)
    with TestClient(create_app(tmp_path / "w.db", threaded())) as client:
        files = [("files", (p.name, p.read_bytes(), "text/plain")) for p in sorted(seeds_dir.glob("*.txt"))]
        analysed(client, client.post("/api/upload", files=files).json())
        (story,) = client.get("/api/stories").json()["stories"]
        r = client.get(f"/api/stories/{story['id']}/brief")
        assert r.status_code == 202 and r.json() == {"story": story["id"], "status": "analysing", "waiting": 5}
        assert r.headers["retry-after"]
        assert 'id="brief-pending"' in client.get(f"/stories/{story['id']}", headers=HTML).text


def test_the_schema_says_202_with_the_job(tmp_path):
    with TestClient(create_app(tmp_path / "w.db")) as client:
        paths = client.get("/openapi.json").json()["paths"]
    for route in ("/api/upload", "/api/articles"):
        answers = paths[route]["post"]["responses"]
        assert {"202", "201"} <= answers.keys()
        assert answers["202"]["content"]["application/json"]["schema"]["$ref"].endswith("/UploadOut")
    assert paths["/api/jobs/{job_id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/JobOut")
    assert "202" in paths["/api/stories/{story_id}/brief"]["get"]["responses"]


def test_an_unknown_job_is_a_404_naming_it(tmp_path):
    with TestClient(create_app(tmp_path / "w.db")) as client:
        r = client.get("/api/jobs/nope-1")
    assert r.status_code == 404 and "nope-1" in r.json()["error"]


def test_a_changed_brief_is_served_stale_while_one_background_build_makes_the_new_one(tmp_path, monkeypatch, seeds_dir):
    from newsweave.web import _site

    with TestClient(create_app(tmp_path / "w.db", threaded())) as client:
        files = [("files", (p.name, p.read_bytes(), "text/plain")) for p in sorted(seeds_dir.glob("*.txt"))]
        analysed(client, client.post("/api/upload", files=files).json())
        (story,) = client.get("/api/stories").json()["stories"]
        url = f"/api/stories/{story['id']}/brief"
        first = client.get(url)
        assert first.status_code == 200 and "x-brief-stale" not in first.headers
        gate, builds, real = threading.Event(), [], _site.build_brief

        def held(*args, **kwargs):
            builds.append(args[1])
            assert gate.wait(120), "the test never opened the gate"
            return real(*args, **kwargs)

        monkeypatch.setattr(_site, "build_brief", held)
        analysed(client, client.post("/api/articles", json=article(1)).json())  # the analysis changed the store
        answers = [client.get(url) for _ in range(3)]
        assert [(r.status_code, r.headers.get("x-brief-stale")) for r in answers] == [(200, "1")] * 3
        assert all(r.content == first.content for r in answers)  # the brief built before, as it was
        assert 'id="brief-stale"' in client.get(f"/stories/{story['id']}", headers=HTML).text
        started = time.monotonic() + 120  # the background build's thread may not have reached build_brief yet
        while not builds and time.monotonic() < started:
            time.sleep(0.05)
        answers = [client.get(url) for _ in range(3)]
        assert [(r.status_code, r.headers.get("x-brief-stale")) for r in answers] == [(200, "1")] * 3
        assert not gate.is_set() and builds == [story["id"]]  # served while ONE background build waits
        gate.set()
        deadline = time.monotonic() + 120
        while client.get(url).headers.get("x-brief-stale") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "x-brief-stale" not in client.get(url).headers and builds == [story["id"]]
        site = client.app.state.site  # the builder rendered the new brief's page before publishing it
        fresh = site._briefs[(story["id"], None)]
        assert not fresh.stale and site.page(("story", story["id"], None, 1, fresh.version)) is not None
        assert 'id="brief-stale"' not in client.get(f"/stories/{story['id']}", headers=HTML).text


def test_the_analysis_runs_in_a_child_process_and_one_that_dies_fails_its_job_only(tmp_path):
    """A file store's analysis runs in a child process (spaCy would hold the GIL against the
    request threads); a child killed mid-run fails its job with one line, the server goes on,
    and the next upload starts a new child that analyses both."""
    import os
    import signal

    with TestClient(create_app(tmp_path / "w.db")) as client:
        site = client.app.state.site
        first = client.post("/api/articles", json=article(1))
        assert first.status_code == 202
        analysed(client, first.json())
        child = site.analyser._child._proc
        assert child.pid != os.getpid() and child.is_alive()
        store = app_store(client)
        assert {r[0] for r in store.conn.execute("SELECT stage FROM stage_done")} == {s.name for s in pipeline.analysis_stages()}
        second = client.post("/api/articles", json=article(2)).json()
        deadline = time.monotonic() + 120
        while client.get(second["job"]["url"]).json()["status"] == "queued" and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(child.pid, signal.SIGKILL)
        job = wait_for_job(client, second)
        if job["status"] == "failed":  # killed before the run ended (it may have been quicker)
            assert job["error"].startswith("analysis failed: WorkerDied: the analysis process ended") and "\n" not in job["error"]
        third = analysed(client, client.post("/api/articles", json=article(3)).json())
        assert third["failed"] == [] and site.analyser._child._proc.pid != child.pid
        assert client.get("/api/stories").json()["analysing"]["total"] == 0  # all three analysed


def test_a_killed_server_leaves_no_child_process_behind(tmp_path):
    """`newsweave serve` runs the analysis and the brief composer in child processes; when
    the server is killed (no shutdown of its own), they end too instead of keeping the store
    open (`_jobs.exit_with_parent`)."""
    import os
    import socket
    import subprocess
    import sys

    import httpx
    import psutil

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    server = subprocess.Popen([sys.executable, "-m", "newsweave", "serve", "--db", str(tmp_path / "k.db"), "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(f"{base}/api/health", timeout=2).raise_for_status()
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        with httpx.Client(base_url=base, timeout=600) as client:
            analysed(client, client.post("/api/articles", json=article(1)).json())  # the analysis process
            (story,) = client.get("/api/stories").json()["stories"]
            assert client.get(f"/stories/{story['id']}", headers=HTML).status_code == 200  # the composer process
        children = psutil.Process(server.pid).children(recursive=True)
        assert len(children) >= 2, children
    finally:
        server.kill()
        server.wait(30)
    gone, alive = psutil.wait_procs(children, timeout=60)
    assert not alive, alive


def test_the_analysis_process_yields_the_cores_to_the_request_threads(tmp_path):
    """The analysis process runs at a lower priority than the server (`web.analysis_nice`):
    what it makes is served stale meanwhile, and on a loaded machine it took the cores from
    the request threads; the brief composer runs at `web.composer_nice` (a cold brief's
    reader waits for it)."""
    import os

    import psutil

    settings = Settings()
    settings.web.analysis_nice, settings.web.composer_nice = 7, 3  # each child takes its own setting
    with TestClient(create_app(tmp_path / "w.db", settings)) as client:
        site = client.app.state.site
        analysed(client, client.post("/api/articles", json=article(1)).json())  # the analysis process
        (story,) = client.get("/api/stories").json()["stories"]
        assert client.get(f"/stories/{story['id']}", headers=HTML).status_code == 200  # the composer process
        analysis = psutil.Process(site.analyser._child._proc.pid)
        (composer,) = [psutil.Process(pid) for pid in site._composer._processes]
        mine = os.getpriority(os.PRIO_PROCESS, 0)
        assert analysis.nice() == min(19, mine + settings.web.analysis_nice)
        assert composer.nice() == min(19, mine + 3)


def test_a_brief_page_does_not_wait_for_the_story_index_rebuild(tmp_path, monkeypatch, seeds_dir):
    """Every commit of the analysis makes the story index stale; a brief page is served from
    the brief (and the story index) as last built while one rebuild runs, never waiting for
    it (at 10,000 articles a rebuild under load took longer than the page's budget, and every
    brief reader waited for it)."""
    from newsweave.web._site import Site

    with TestClient(create_app(tmp_path / "w.db", threaded())) as client:
        files = [("files", (p.name, p.read_bytes(), "text/plain")) for p in sorted(seeds_dir.glob("*.txt"))]
        analysed(client, client.post("/api/upload", files=files).json())
        (story,) = client.get("/api/stories").json()["stories"]
        page = f"/stories/{story['id']}"
        assert client.get(page, headers=HTML).status_code == 200
        gate, real = threading.Event(), Site._build_index

        def held(self, store, version):
            assert gate.wait(120), "the test never opened the gate"
            return real(self, store, version)

        monkeypatch.setattr(Site, "_build_index", held)
        store = app_store(client)
        with store.transaction():  # the stories stage commits again: the index (and the brief) are stale now
            redo(store, "stories")
        answers: list = []
        reader = threading.Thread(target=lambda: answers.append(client.get(page, headers=HTML)))
        reader.start()
        reader.join(60)
        try:
            assert not reader.is_alive(), "the brief page waited for the story index rebuild"
            assert answers[0].status_code == 200 and 'id="brief-stale"' in answers[0].text  # the brief as built
        finally:
            gate.set()
            reader.join(60)


def redo(store, stage: str) -> None:
    """One article's `stage` record written again: that stage committed (its version grows)."""
    first = store.article_ids()[:1]
    store.forget_done([stage], first)
    store.mark_done(stage, first)


def test_the_story_index_is_rebuilt_when_the_stages_it_reads_commit_not_the_later_ones(tmp_path, monkeypatch, seeds_dir):
    """The story index (stories, their families) is built from what the stages up to the
    stories stage recorded; a commit of a later stage (events, corroborate, claims: most of
    an analysis run's commits, a large story's corroborate chunks) leaves it as built, a
    commit of the stories stage (or reuse, entities) builds it again."""
    from newsweave.web._site import Site

    with TestClient(create_app(tmp_path / "w.db", threaded())) as client:
        files = [("files", (p.name, p.read_bytes(), "text/plain")) for p in sorted(seeds_dir.glob("*.txt"))]
        analysed(client, client.post("/api/upload", files=files).json())
        builds, real = [], Site._build_index
        monkeypatch.setattr(Site, "_build_index", lambda self, store, version: builds.append(version) or real(self, store, version))
        listed = client.get("/api/stories").json()["stories"]
        assert len(builds) <= 1
        store = app_store(client)
        before = len(builds)
        for stage in ("events", "corroborate", "claims"):
            with store.transaction():
                redo(store, stage)
            assert client.get("/api/stories").json()["stories"] == listed
        assert len(builds) == before, "a later stage's commit rebuilt the story index"
        for stage in ("reuse", "entities", "stories"):
            with store.transaction():
                redo(store, stage)
            assert client.get("/api/stories").json()["stories"] == listed
        assert len(builds) == before + 3
