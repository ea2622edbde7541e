"""The web's one analysis worker: uploads are stored in the request and analysed here, in
the background, so that a request never waits for the analysis stages.

    analyser = Analyser(connect, settings)      # connect() -> a context giving the worker's own Store
    analyser.start()                            # the app's lifespan starts and stops it
    job = analyser.submit(article_ids)          # -> Job (queued); GET /api/jobs/{id} shows it
    analyser.stop()

One thread runs `pipeline.analyse` over whatever is pending in the store; every job queued
while it runs is picked up together by the next run (uploads coalesce, they never queue one
analysis each). Between two stages the worker lets writers that are waiting (uploads
storing their articles) go first, so an upload waits for at most the stage under way, never
for a whole analysis. Jobs live in this process's memory; the articles are in the store, so
a restart analyses what was left pending (a `startup` job) and nothing is lost.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
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


class Analyser:
    """The analysis worker (one thread) and the jobs it has been given."""

    def __init__(
        self, connect: Callable[[], AbstractContextManager[Store]], settings: Settings, kept: int = 200,
        guard: Callable[[], AbstractContextManager] = nullcontext,
    ) -> None:
        self._connect = connect
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
        # writers (uploads) waiting to store: the worker starts no stage while there are any
        self._writers = 0
        self._writers_gone = threading.Condition(threading.Lock())

    # -- the lifespan --------------------------------------------------------------------

    def start(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop = False
            self._thread = threading.Thread(target=self._loop, name="newsweave-analyser", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the stage under way (its work is committed; the rest stays pending)."""
        with self._lock:
            self._stop = True
            self._wake.notify_all()
            thread = self._thread
        with self._writers_gone:
            self._writers_gone.notify_all()
        if thread is not None:
            thread.join(timeout)
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

    # -- writers first -------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Around a request's store writes: the worker starts no new stage meanwhile (SQLite
        has one writer; without this a busy worker could take the lock stage after stage
        while the upload sleeps in its busy wait)."""
        with self._writers_gone:
            self._writers += 1
        try:
            yield
        finally:
            with self._writers_gone:
                self._writers -= 1
                self._writers_gone.notify_all()

    def _writers_first(self) -> None:
        """Wait while uploads are storing, for at most `writers_wait_s` (never starve)."""
        deadline = time.monotonic() + self.settings.web.writers_wait_s
        with self._writers_gone:
            while self._writers and not self._stop and time.monotonic() < deadline:
                self._writers_gone.wait(max(0.0, deadline - time.monotonic()))

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
            if stage == "done":
                return
            self._writers_first()
            if self._stop:
                raise Stopped

        try:
            pipeline.analyse(store, self.settings, progress=progress)
        except Stopped:
            self._end(jobs, FAILED, STOPPED)
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


def failures(store: Store, article_ids: Sequence[str]) -> list[dict[str, str]]:
    """The stage failures recorded on these articles (whichever run met them)."""
    found = store.failures(article_ids)
    return [{"stage": stage, "article": a, "reason": why} for a in article_ids for stage, why in found.get(a, {}).items()]
