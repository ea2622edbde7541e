"""The web application: `create_app(store or path, settings) -> FastAPI`.

    app = create_app("newsweave.db")       # pages at /, JSON under /api/, schema at /openapi.json

One `Site` object holds what the routes share: a read connection per worker thread (WAL
lets them read while an upload writes), one writing workspace behind a lock, and caches of
the story list and of briefs keyed by the store's version, so a page view never rebuilds a
brief that nothing has changed since.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePath
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import NewsweaveError, NotFoundError
from ..ingest import IngestReport, decode, ingest_docs, read_bytes
from ..records import Entity, Rejected, Story, one_line, quoted_name
from ..settings import Settings
from ..store import MEMORY, Store
from ..workspace import Workspace
from .. import entities, reuse
from ..stories import load_stories
from ..brief import build_brief
from . import views

PACKAGE = resources.files(__package__)


class UploadError(NewsweaveError):
    """An upload refused (too big, wrong type, no text, nothing readable); carries the status
    and, when files were read, each refusal (`detail`)."""

    def __init__(self, message: str, status: int = 400, detail: list[dict[str, str]] | None = None) -> None:
        self.status = status
        self.detail = detail
        super().__init__(message)


@dataclass(frozen=True)
class Upload:
    name: str  # the client's file name (only its last part is kept)
    data: bytes


@dataclass
class StoryIndex:
    stories: list[Story]  # newest first
    by_id: dict[str, Story]
    story_of: dict[str, str]  # article id -> story id
    names: dict[str, str]  # entity key -> display name (top entities are names already)
    sources: dict[str, int | None]  # story id -> independent sources (families)


class Site:
    """What every route shares: stores, the write lock, caches."""

    def __init__(self, db: str | Path | Store | Workspace, settings: Settings | None = None) -> None:
        if isinstance(db, Workspace):
            self.workspace = db
        else:
            settings = settings or Settings()
            store = db if isinstance(db, Store) else Store(str(db), lock_wait=settings.store.lock_wait_s)
            settings.db = store.path
            self.workspace = Workspace(store, settings)
        self.settings = settings or self.workspace.settings
        self.path = self.workspace.store.path
        self.memory = self.path == MEMORY
        self.write_lock = threading.RLock()
        self._local = threading.local()
        self._cache_lock = threading.Lock()
        self._stories: tuple[tuple, StoryIndex] | None = None
        self._entities: tuple[tuple, list[Entity]] | None = None
        self._briefs: OrderedDict[tuple, tuple[dict[str, Any] | None, bytes | None]] = OrderedDict()
        self._building: dict[tuple, threading.Lock] = {}

    # -- stores ---------------------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator[Store]:
        """A store to read from: this thread's own connection (file stores), or the one
        in-memory store under the lock."""
        if self.memory:
            with self.write_lock:
                yield self.workspace.store
            return
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = Store(self.path, lock_wait=self.settings.store.lock_wait_s)
        yield store

    def version(self, store: Store) -> tuple:
        """Changes whenever an article arrives or a stage finishes a batch."""
        row = store.conn.execute(
            "SELECT (SELECT COALESCE(MAX(seq), 0) FROM articles), (SELECT COUNT(*) FROM stage_done)"
        ).fetchone()
        return tuple(row)

    # -- cached views ---------------------------------------------------------------

    def story_index(self, store: Store) -> StoryIndex:
        version = self.version(store)
        cached = self._stories
        if cached and cached[0] == version:
            return cached[1]
        stories = views.newest_first([s for s in load_stories(store) if not s.merged_into])
        story_of = {a: s.id for s in stories for a in s.articles}
        sources = {s.id: reuse.independent_sources(store, s.articles) for s in stories}
        index = StoryIndex(stories, {s.id: s for s in stories}, story_of, {}, sources)
        self._stories = (version, index)
        return index

    def entities(self, store: Store) -> list[Entity]:
        version = self.version(store)
        cached = self._entities
        if cached and cached[0] == version:
            return cached[1]
        found = entities.load_entities(store)
        self._entities = (version, found)
        return found

    def story(self, store: Store, story_id: str) -> Story:
        story = self.story_index(store).by_id.get(views.check_id("story", story_id))
        if story is None:
            raise NotFoundError("story", story_id)
        return story

    def brief(self, store: Store, story_id: str, words: int | None = None) -> dict[str, Any] | None:
        """The story's brief, built once per store version. Concurrent requests for the same
        brief wait for one build instead of each building it."""
        return self._brief_entry(store, story_id, words)[0]

    def brief_json(self, store: Store, story_id: str, words: int | None = None) -> bytes | None:
        """The brief serialised once (a large story's brief is megabytes of JSON)."""
        return self._brief_entry(store, story_id, words)[1]

    def _brief_entry(self, store: Store, story_id: str, words: int | None = None) -> tuple[dict[str, Any] | None, bytes | None]:
        self.story(store, story_id)
        key = (story_id, words, self.version(store))
        with self._cache_lock:
            if key in self._briefs:
                self._briefs.move_to_end(key)
                return self._briefs[key]
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._cache_lock:
                if key in self._briefs:
                    return self._briefs[key]
            brief = build_brief(store, story_id, self.settings.corroborate, words)
            raw = json.dumps(brief, ensure_ascii=False, default=str).encode("utf-8") if brief is not None else None
            with self._cache_lock:
                self._briefs[key] = (brief, raw)
                self._building.pop(key, None)
                while len(self._briefs) > self.settings.web.brief_cache:
                    self._briefs.popitem(last=False)
        return brief, raw

    def entity(self, store: Store, entity_id: str) -> Entity:
        entity = entities.get(store, views.check_id("entity", entity_id))
        if entity is None:
            raise NotFoundError("entity", entity_id)
        return entity

    # -- writing --------------------------------------------------------------------

    def ingest(self, uploads: list[Upload]) -> dict[str, Any]:
        """Check the uploads, then run the CLI's pipeline on them: the ingest steps (read,
        clean, describe, store; `ingest.ingest_docs` over `ingest.read_bytes`) and
        `ws.analyse()`. Uploads are read from memory and never written to disk; their
        source is `upload/<base name>`, so no name (`../../etc/x`) can reach a file.
        A refused file (or JSONL line) is listed in "rejected" and the rest is stored; when
        nothing is left to store the upload is refused with every reason (`UploadError`)."""
        web = self.settings.web
        if not uploads:
            raise UploadError("nothing to ingest: send at least one file or some text")
        if len(uploads) > web.max_files:
            raise UploadError(f"{len(uploads)} files in one upload; the limit is {web.max_files}", 413)
        total = sum(len(u.data) for u in uploads)
        if total > web.max_upload_bytes:
            raise UploadError(f"upload is {total:,} bytes, over the {web.max_upload_bytes:,}-byte cap", 413)
        docs, report = [], IngestReport()
        refused: list[UploadError] = []  # files refused before reading, each with its status
        for i, upload in enumerate(uploads):
            name = safe_name(upload.name, i)
            problem = self._upload_problem(upload, name)
            if problem is not None:
                refused.append(problem)
                report.rejected.append(Rejected(f"upload/{name}", str(problem)))
                continue
            for item in read_bytes(f"upload/{name}", upload.data, self.settings.ingest):
                (report.rejected if isinstance(item, Rejected) else docs).append(item)
        if not docs:  # nothing to store: the upload as a whole is refused, with every reason
            status = refused[0].status if refused and len(refused) == len(report.rejected) else 422
            lines = [str(r) for r in report.rejected]
            raise UploadError("nothing could be ingested: " + "; ".join(lines[:5]) + (" …" if len(lines) > 5 else ""), status,
                              [{"source": r.source, "reason": r.reason} for r in report.rejected])
        with self.write_lock:
            ingest_docs(self.workspace.store, docs, self.settings, report)
            analysed = self.workspace.analyse()
            count = self.workspace.store.count_articles()
        return {
            "added": report.ingested,
            "duplicates": [{"source": src, "article": aid} for src, aid in report.duplicates],
            "rejected": [{"source": r.source, "reason": r.reason} for r in report.rejected],
            "failed": [{"stage": s.stage, "article": a, "reason": why} for s in analysed for a, why in s.failed.items()],
            "articles": count,
        }

    def _upload_problem(self, upload: Upload, name: str) -> UploadError | None:
        """Why one uploaded file is refused before it is read (type, emptiness, binary), or None."""
        web = self.settings.web
        if PurePath(name).suffix.lower() not in web.upload_suffixes:
            return UploadError(f"{quoted_name(upload.name)}: unsupported file type; send one of {', '.join(web.upload_suffixes)}", 415)
        if not upload.data.strip():
            return UploadError(f"{quoted_name(upload.name)}: empty file")
        if decode(upload.data) is None:
            return UploadError(f"{quoted_name(upload.name)}: binary content, not text (send txt, HTML, RSS/Atom or JSONL)", 415)
        return None


def safe_name(name: str, i: int) -> str:
    """The last part of a client's file name, with anything but letters, digits and `._-`
    replaced (so it can name a source but never a path)."""
    base = PurePath(name.replace("\\", "/")).name.strip()
    cleaned = "".join(c if c.isalnum() or c in "._-" else "_" for c in base).lstrip(".")[:120]
    return cleaned or f"upload-{i}.txt"


# -- the application -------------------------------------------------------------------


def create_app(db: str | Path | Store | Workspace, settings: Settings | None = None) -> FastAPI:
    """The web application over one store (a path, a Store, or a Workspace)."""
    from . import api, pages

    site = Site(db, settings)
    app = FastAPI(
        title="newsweave",
        version="1",
        description="Stories, briefs, articles, entities and search over one newsweave store.",
        docs_url=None,  # the Swagger/ReDoc pages load scripts from a CDN: none here
        redoc_url=None,
        openapi_url="/openapi.json",
        # a pasted text may be as long as the form allows: only the body cap bounds its bytes
        # (Starlette's own 1 MB cap per form field refused it with its framework message)
        form_limits={"max_part_size": site.settings.web.max_upload_bytes},
    )
    app.state.site = site
    env = Environment(loader=FileSystemLoader(str(PACKAGE / "templates")), autoescape=True)
    app.state.templates = Jinja2Templates(env=env)
    app.add_middleware(BodyLimit, max_bytes=site.settings.web.max_upload_bytes + 64 * 1024)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=str(PACKAGE / "static")), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    _error_handlers(app)
    return app


def wants_json(request: Request) -> bool:
    """The API answers in JSON; a page in HTML, unless the client asks for JSON only."""
    path = request.url.path
    if path in ("/api", "/openapi.json") or path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_response(request: Request, status: int, message: str, detail: Any = None) -> Any:
    message = one_line(message)
    if wants_json(request):
        body = {"error": message, "status": status}
        if detail is not None:
            body["detail"] = detail
        return JSONResponse(body, status_code=status)
    templates = request.app.state.templates
    return templates.TemplateResponse(request, "error.html", {"status": status, "message": message}, status_code=status)


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError):
        return error_response(request, 404, str(exc))

    @app.exception_handler(UploadError)
    async def upload_error(request: Request, exc: UploadError):
        return error_response(request, exc.status, str(exc), exc.detail)

    @app.exception_handler(NewsweaveError)
    async def newsweave_error(request: Request, exc: NewsweaveError):
        return error_response(request, 400, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else "request refused"
        if exc.status_code == 404 and message == "Not Found":
            message = f"no page or endpoint at {request.url.path}"
        if exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
        return error_response(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return error_response(request, 400, "malformed JSON body: " + "; ".join(_ctx(e) for e in errors))
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in errors)
        detail = [{"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")} for e in errors]
        return error_response(request, 422, f"invalid request: {problems}", detail)

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception):  # still an answer in the route's own format, never text/plain
        return error_response(request, 500, f"internal error ({type(exc).__name__}: {exc})")


def _ctx(error: dict) -> str:
    ctx = error.get("ctx") or {}
    return str(ctx.get("error") or error.get("msg"))


class BodyLimit:
    """Refuse request bodies over `max_bytes` with 413, by Content-Length or while reading."""

    def __init__(self, app, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.max_bytes
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            response = error_response(Request(scope), 413, f"request body over the {limit:,}-byte cap")
            return await response(scope, receive, send)
        seen = 0

        async def limited():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise HTTPException(413, f"request body over the {limit:,}-byte cap")
            return message

        await self.app(scope, limited, send)


class SecurityHeaders:
    """A strict Content-Security-Policy (scripts and styles from this server only) and
    nosniff on every response: even text that escaped escaping could not run."""

    HEADERS = [
        (b"content-security-policy",
         b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
         b"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
    ]

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + self.HEADERS
            await send(message)

        await self.app(scope, receive, with_headers)
