"""The web's one analysis worker: uploads are accepted in the request (the inbox) and analysed here, in
the background, so that a request never waits for the analysis stages.

    analyser = Analyser(connect, settings)      # connect() -> a context giving the worker's own Store
    analyser.start()                            # the app's lifespan starts and stops it
    job = analyser.submit(article_ids)          # -> Job (queued); GET /api/jobs/{id} shows it
    analyser.stop()

One thread runs `pipeline.analyse` over whatever is pending in the store; every job queued
while it runs is picked up together by the next run (uploads coalesce, they never queue one
analysis each). With `settings.web.analysis_process` (a file store) that thread only hands
the run to a child process (`_Child`) and follows its progress: spaCy and the stages are
CPU-bound Python and would hold the GIL against the request threads. An upload never waits
for the analysis: it writes the store's inbox (`store.Inbox`), which the analysis never
locks; the run moves the inbox into the store before each stage (`pipeline.take_inbox`), in
its own short transaction. Jobs live in this process's memory; the articles are in the
inbox or the store, so a restart analyses what was left (a `startup` job) and nothing is lost.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from .. import pipeline
from ..records import one_line
from ..settings import Settings
from ..store import Store

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STOPPED = "the server stopped before the analysis finished; the articles are stored and are analysed when it starts again"


@dataclass
class Job:
    """One upload's analysis: its articles, where the run that took it is, and how it ended."""

    id: str
    articles: list[str]
    status: str = QUEUED
    stage: str | None = None  # the stage running now (while running)
    stages_done: int = 0
    stages_total: int = 0
    error: str | None = None  # one line, when the analysis run failed
    failed: list[dict[str, str]] = field(default_factory=list)  # per article: {stage, article, reason}
    submitted: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None

    def view(self) -> dict[str, Any]:
        return {
            "id": self.id, "status": self.status, "stage": self.stage, "stages_done": self.stages_done,
            "stages_total": self.stages_total, "articles": list(self.articles), "error": self.error,
            "failed": list(self.failed), "submitted": self.submitted, "started": self.started,
            "finished": self.finished,
        }


class Stopped(Exception):
    """The worker was told to stop: raised between two stages, never inside one."""


class WorkerDied(Exception):
    """The analysis process ended in the middle of a run (killed, out of memory)."""


class Analyser:
    """The analysis worker (one thread) and the jobs it has been given."""

    def __init__(
        self, connect: Callable[[], AbstractContextManager[Store]], settings: Settings, kept: int = 200,
        guard: Callable[[], AbstractContextManager] = nullcontext, path: str | None = None,
    ) -> None:
        self._connect = connect
        # the store's file when the runs go to a child process (`web.analysis_process`), else None
        self._child = _Child(path, settings) if path is not None else None
        self._guard = guard  # held around each run (the in-memory store's one connection)
        self.settings = settings
        self.kept = kept
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._queue: list[Job] = []
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._stop = False
        self._thread: threading.Thread | None = None
        self._seq = itertools.count(1)

    # -- the lifespan --------------------------------------------------------------------

    def start(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop = False
            if self._child is not None:
                self._child.stopping.clear()
            self._thread = threading.Thread(target=self._loop, name="newsweave-analyser", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the stage under way (its work is committed; the rest stays pending)."""
        with self._lock:
            self._stop = True
            self._wake.notify_all()
            thread = self._thread
        if self._child is not None:
            self._child.stopping.set()  # the child stops at its next stage boundary
        if thread is not None:
            thread.join(timeout)
        if self._child is not None:
            self._child.close(timeout)
        with self._lock:
            left, self._queue = self._queue, []
        self._end(left, FAILED, STOPPED)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # -- jobs ----------------------------------------------------------------------------

    def submit(self, article_ids: Sequence[str]) -> Job:
        """Queue the analysis of these (stored) articles; the worker's next run takes it."""
        job = Job(f"{next(self._seq)}-{secrets.token_hex(4)}", list(article_ids))
        with self._lock:
            self._remember(job)
            self._queue.append(job)
            self._wake.notify_all()
        self.start()  # an app used without its lifespan (a bare TestClient) still analyses
        return job

    def finished(self, store: Store, article_ids: Sequence[str], total: int) -> Job:
        """A job for an analysis that already ran in the request (the synchronous mode)."""
        job = Job(f"{next(self._seq)}-{secrets.token_hex(4)}", list(article_ids), status=DONE,
                  stages_done=total, stages_total=total, started=time.time(), finished=time.time())
        job.failed = failures(store, job.articles)
        with self._lock:
            self._remember(job)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def active(self) -> list[Job]:
        with self._lock:
            return [j for j in self._jobs.values() if j.status in (QUEUED, RUNNING)]

    def _remember(self, job: Job) -> None:
        self._jobs[job.id] = job
        finished = [k for k, j in self._jobs.items() if j.status in (DONE, FAILED)]
        for key in finished[: max(0, len(self._jobs) - self.kept)]:
            del self._jobs[key]

    # -- the worker ----------------------------------------------------------------------

    def _loop(self) -> None:
        with self._connect() as store:  # the worker's own connection
            while True:
                with self._lock:
                    while not self._queue and not self._stop:
                        self._wake.wait()
                    if self._stop:
                        return
                    jobs, self._queue = self._queue, []  # everything queued: one run for all
                with self._guard():
                    self._run(store, jobs)

    def _run(self, store: Store, jobs: list[Job]) -> None:
        now = time.time()
        for job in jobs:
            job.status, job.started = RUNNING, now

        def progress(stage: str, done: int, total: int) -> None:
            for job in jobs:
                job.stage, job.stages_done, job.stages_total = (None if stage == "done" else stage), done, total
            if stage != "done" and self._child is None and self._stop:  # the child stops itself
                raise Stopped

        try:
            if self._child is not None:
                self._child.analyse(progress)
            else:
                pipeline.take_inbox(store, self.settings)  # also before each stage (pipeline.analyse)
                pipeline.analyse(store, self.settings, progress=progress)
        except Stopped:
            self._end(jobs, FAILED, STOPPED)
            return
        except _Failed as exc:  # the child's account of its exception
            self._end(jobs, FAILED, f"analysis failed: {exc}")
            return
        except Exception as exc:  # noqa: BLE001 - the run's failure is its jobs' answer; the server goes on
            self._end(jobs, FAILED, f"analysis failed: {type(exc).__name__}: {exc}")
            return
        for job in jobs:
            job.failed = failures(store, job.articles)
        self._end(jobs, DONE, None)

    def _end(self, jobs: list[Job], status: str, error: str | None) -> None:
        now = time.time()
        with self._lock:
            for job in jobs:
                job.status, job.stage, job.finished = status, None, now
                job.error = one_line(error) if error else None


class _Child:
    """The analysis process: started at the first run (a server that is only read never pays
    for it) and kept, with its spaCy model loaded, for every run after; started again if it
    died. `spawn`, not `fork`: the server has threads (a fork copies their locks held)."""

    POLL_S = 0.5  # how often the worker thread checks that the child is alive while it waits

    def __init__(self, path: str, settings: Settings) -> None:
        self.path, self.settings = path, settings
        ctx = multiprocessing.get_context("spawn")
        self._ctx = ctx
        self.stopping = ctx.Event()
        self._proc = None
        self._conn = None

    def _ensure(self) -> None:
        if self._proc is not None and self._proc.is_alive():
            return
        parent, child = self._ctx.Pipe()
        self._proc = self._ctx.Process(
            target=_child_main, args=(self.path, self.settings, child, self.stopping),
            name="newsweave-analysis", daemon=True,
        )
        self._proc.start()
        child.close()
        self._conn = parent

    def analyse(self, progress: Callable[[str, int, int], None]) -> None:
        """One `pipeline.analyse` in the child; its progress reported here, its failure raised here."""
        self._ensure()
        self._conn.send("run")
        while True:
            while not self._conn.poll(self.POLL_S):
                if not self._proc.is_alive():
                    raise WorkerDied(f"the analysis process ended (exit code {self._proc.exitcode})")
            try:
                kind, *rest = self._conn.recv()
            except (EOFError, OSError):  # a killed child's pipe ends, or is reset
                raise WorkerDied("the analysis process ended") from None
            if kind == "progress":
                progress(*rest)
            elif kind == "done":
                return
            elif kind == "stopped":
                raise Stopped
            else:
                raise _Failed(rest[0])

    def close(self, timeout: float) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            self._conn.send(None)
        except (OSError, ValueError):
            pass
        proc.join(timeout)
        if proc.is_alive():  # a stage that does not end: the store rolls back its chunk
            proc.terminate()
            proc.join(5)
        self._conn.close()


class _Failed(Exception):
    """The child's run failed; the message is the child's one-line account of it."""

    def __str__(self) -> str:
        return str(self.args[0])


def child_started(nice: int) -> None:
    """The start of a child process of the server (the analysis, the brief composer): it
    yields the cores to the server's request threads by `nice` (`web.analysis_nice`,
    `web.composer_nice`) and ends with the server."""
    if nice:
        os.nice(nice)
    exit_with_parent()


def exit_with_parent() -> None:
    """In a child process of the server: end when the server ends, however it ended (a
    server stopped while its composer worked, or killed, left the child running with the
    store open)."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()  # returns when the parent process has ended
        os._exit(0)

    threading.Thread(target=watch, name="newsweave-parent-watch", daemon=True).start()


def _child_main(path: str, settings: Settings, conn, stopping) -> None:
    """The analysis process: a run per "run" message, on its own connection; progress, then
    "done", "stopped" or ("failed", the exception) go back. It stops at a stage boundary
    when told to (`stopping`)."""
    child_started(settings.web.analysis_nice)

    def progress(stage: str, done: int, total: int) -> None:
        conn.send(("progress", stage, done, total))
        if stage != "done" and stopping.is_set():
            raise Stopped

    store = Store(path, lock_wait=settings.store.lock_wait_s)
    try:
        while conn.recv() == "run":
            try:
                pipeline.analyse(store, settings, progress=progress)
                conn.send(("done",))
            except Stopped:
                conn.send(("stopped",))
            except Exception as exc:  # noqa: BLE001 - the run's failure is its jobs' answer
                conn.send(("failed", f"{type(exc).__name__}: {exc}"))
    except EOFError:  # the server went away
        pass
    finally:
        store.close()


def failures(store: Store, article_ids: Sequence[str]) -> list[dict[str, str]]:
    """The stage failures recorded on these articles (whichever run met them)."""
    found = store.failures(article_ids)
    return [{"stage": stage, "article": a, "reason": why} for a in article_ids for stage, why in found.get(a, {}).items()]
