"""`newsweave serve` with every request timed inside the server, for bench_web's `--inside`:
where a page's time goes, beside what its client measured.

    python bench/support/timed_server.py --db STORE --port PORT --out TIMES.json [--sync-analysis]

Per request, from when the app is called to its last byte sent (`in app`): the wait before
its handler ran in the thread pool (`queued`: the first `Site.reading()`), the story index
(`index`: `Site.story_index`, its wait for a rebuild included), the brief entry (`brief`:
`Site.brief_entry`), and the rest. The server's own process: its CPU seconds, and its
threads'. On SIGTERM it writes them all to `--out` (JSON: a list of
[kind, in app, queued, index, brief] in ms).
"""

from __future__ import annotations

import argparse
import contextvars
import functools
import json
import resource
import signal
import sys
import time
from pathlib import Path

MARKS: contextvars.ContextVar[dict | None] = contextvars.ContextVar("marks", default=None)


def kind_of(method: str, path: str) -> str:
    if method == "POST":
        return "upload"
    if path == "/":
        return "stories list"
    if path.startswith("/stories/"):
        return "brief page"
    return "other"


def timed(app, rows: list):
    async def timed_app(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        marks = {"start": time.perf_counter(), "index": 0.0, "brief": 0.0}
        MARKS.set(marks)  # the handler's thread runs in a copy of this context: it sees the same dict

        async def sent(message):
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                end = time.perf_counter()
                queued = marks.get("handler", end) - marks["start"]
                rows.append([kind_of(scope["method"], scope["path"]), (end - marks["start"]) * 1000, queued * 1000,
                             marks["index"] * 1000, marks["brief"] * 1000])

        return await app(scope, receive, sent)

    return timed_app


def measure(cls, name: str, into: str) -> None:
    real = getattr(cls, name)

    @functools.wraps(real)
    def wrapper(*args, **kwargs):
        marks = MARKS.get()
        began = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            if marks is not None:
                marks[into] += time.perf_counter() - began

    setattr(cls, name, wrapper)


def first_touch(cls) -> None:
    """The handler's start: its first `Site.reading()` (every read route opens with it)."""
    real = cls.reading

    @functools.wraps(real)
    def reading(self):
        marks = MARKS.get()
        if marks is not None:
            marks.setdefault("handler", time.perf_counter())
        return real(self)

    cls.reading = reading


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--sync-analysis", action="store_true")
    args = ap.parse_args()

    import uvicorn

    import newsweave
    from newsweave.web._site import Site
    from newsweave.web.app import create_app

    first_touch(Site)
    measure(Site, "story_index", "index")
    measure(Site, "brief_entry", "brief")
    ws = newsweave.open(args.db)
    if args.sync_analysis:
        ws.settings.web.background_analysis = False
    rows: list = []
    began = resource.getrusage(resource.RUSAGE_SELF)
    # uvicorn stops on SIGTERM, then raises it again under the handler it found: this one, so
    # the timings are written below instead of the process ending there
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        uvicorn.run(timed(create_app(ws), rows), host="127.0.0.1", port=args.port, log_level="warning")
    finally:
        ended = resource.getrusage(resource.RUSAGE_SELF)
        cpu = ended.ru_utime + ended.ru_stime - began.ru_utime - began.ru_stime
        args.out.write_text(json.dumps({"rows": rows, "server_cpu_s": cpu}))


if __name__ == "__main__":
    main()
