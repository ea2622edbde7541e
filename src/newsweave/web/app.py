"""The web application: `create_app(store or path, settings) -> FastAPI`.

    app = create_app("newsweave.db")       # pages at /, JSON under /api/, schema at /openapi.json

One `Site` object holds what the routes share: a read connection per worker thread (WAL
lets them read while an upload writes), one writing workspace behind a lock, caches of
the story list and of briefs keyed by the analysis' version, so a page view never rebuilds a
brief that nothing has changed since, and the analysis worker: an upload is accepted in the
request (into the store's inbox, `store.Inbox`) and analysed in the background (202 with a job; `web/_jobs.py`, docs/web.md). The
app's lifespan starts the worker and stops it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import NewsweaveError, NotFoundError
from ..records import one_line
from ..settings import Settings
from ..store import Store
from ..workspace import Workspace
from . import api, pages
from ._site import Site, UploadError

PACKAGE = resources.files(__package__)


def create_app(db: str | Path | Store | Workspace, settings: Settings | None = None) -> FastAPI:
    """The web application over one store (a path, a Store, or a Workspace)."""
    site = Site(db, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        site.start()
        try:
            yield
        finally:
            site.stop()

    app = FastAPI(
        lifespan=lifespan,
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
    app.state.templates = site.templates = templates()
    site.render_story = pages.story_html
    app.add_middleware(BodyLimit, max_bytes=site.settings.web.max_upload_bytes + 64 * 1024)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=str(PACKAGE / "static")), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    _error_handlers(app)
    return app


def templates() -> Jinja2Templates:
    """The pages' templates, autoescaped (the app's, and the brief composer process's)."""
    return Jinja2Templates(env=Environment(loader=FileSystemLoader(str(PACKAGE / "templates")), autoescape=True))


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
