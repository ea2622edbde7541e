"""The JSON API under /api/ (schema at /openapi.json). Errors are JSON:
`{"error": "<one line naming the value and the fix>", "status": 4xx}`."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, Response, UploadFile
from pydantic import BaseModel, Field, field_validator
from starlette.concurrency import run_in_threadpool

from .. import store as fts
from ..stories import sub_events as story_sub_events
from ..errors import NotFoundError
from ..ingest import published_problem
from ..settings import WebSettings
from ._site import Site, Upload, UploadError
from ..entities import find as find_entity
from . import views

router = APIRouter(prefix="/api", tags=["api"])


class ErrorOut(BaseModel):
    """Every error of the API: one line naming the value and the fix, and the status."""

    error: str
    status: int
    detail: Any = None


class Source(BaseModel):
    source: str
    article: str


class Refused(BaseModel):
    source: str
    reason: str


class StageFailure(BaseModel):
    stage: str
    article: str
    reason: str


class JobOut(BaseModel):
    """The analysis of one upload, by the server's analysis worker (docs/web.md)."""

    id: str
    url: str = Field(description="Where to ask for its progress (GET).")
    status: Literal["queued", "running", "done", "failed"] = Field(
        description="queued: waiting for the worker; running: a run that took it is under way; done: every stage "
        "ran (see failed for articles a stage refused); failed: the run failed (see error), the articles stay stored.")
    stage: str | None = Field(description="The stage running now.")
    stages_done: int
    stages_total: int
    articles: list[str] = Field(description="The articles it analyses: those added and those already stored.")
    error: str | None = Field(description="One line: why the run failed.")
    failed: list[StageFailure] = Field(description="Articles a stage failed on (stored, shown, not analysed by it).")
    submitted: float = Field(description="Unix time.")
    started: float | None
    finished: float | None


class UploadOut(BaseModel):
    """An upload stored: what was added, what was there already, what was refused, and the
    job analysing it (202: analysis runs in the background; 201: it ran in the request)."""

    added: list[str] = Field(description="Ids of the articles stored now.")
    duplicates: list[Source] = Field(description="Inputs already in the store, with the existing article's id (stored once).")
    rejected: list[Refused] = Field(description="Inputs refused, each with the reason.")
    articles: int = Field(description="Articles in the store.")
    job: JobOut


class BriefPending(BaseModel):
    """A story whose facts the analysis has not yet corroborated: ask again later."""

    story: str
    status: Literal["analysing"]
    waiting: int = Field(description="Articles of the story the corroborate stage has yet to take.")


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` of a route that answers these error statuses."""
    said = {400: "Refused: the request or its input cannot be used", 404: "No such id in the store",
            413: "Over a size cap", 415: "Not a supported file type", 422: "Invalid request, or nothing in it could be ingested"}
    return {code: {"model": ErrorOut, "description": said[code]} for code in statuses}


ANALYSED_IN_REQUEST = {201: {"model": UploadOut, "description": "Stored and analysed in the request "
                             "(a server started with `serve --sync-analysis`): the job is done."}}

Limit = Annotated[int, Query(ge=1, le=200, description="How many items to return.")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="How many items to skip.")]


def site_of(request: Request) -> Site:
    return request.app.state.site


# -- shared with the pages -------------------------------------------------------------


def list_stories(
    site: Site, store, q: str | None, entity: str | None, since: dt.date | None, until: dt.date | None,
    limit: int, offset: int,
) -> dict[str, Any]:
    """Stories newest first, filtered by text (any article matching), entity and dates."""
    index = site.story_index(store)
    stories = index.stories
    note = None
    if q and q.strip():
        wanted = {index.story_of.get(a) for a in fts.matching_ids(store, q)}
        stories = [s for s in stories if s.id in wanted]
    if entity and entity.strip():
        found = [e for e in site.entities(store) if e.id == entity] or [e for e in [find_entity(store, entity)] if e is not None]
        articles = {a for e in found for a in e.articles}
        stories = [s for s in stories if articles.intersection(s.articles) or entity in s.top_entities]
        if not found:
            note = f"no entity named {entity!r}"
    stories = [s for s in stories if views.in_dates(s, since, until)]
    rows = []
    for s in stories[offset : offset + limit]:
        row = views.story_row(s, index.names)
        row["independent_sources"] = index.sources.get(s.id)
        rows.append(row)
    return {"total": len(stories), "offset": offset, "limit": limit, "note": note, "stories": rows,
            "analysing": being_analysed(site, store)}


def being_analysed(site: Site, store) -> dict[str, Any]:
    """The stored articles the analysis has not finished (in no story yet, or not yet in its brief)."""
    total, ids = site.analysing(store)
    return {"total": total, "articles": [views.article_row(a) for a in site.accepted(store, ids)],
            "jobs": [j.id for j in site.analyser.active()]}


def story_detail(site: Site, store, story_id: str) -> dict[str, Any]:
    story = site.story(store, story_id)
    articles = store.articles(story.articles)
    return {
        **views.story_row(story, site.story_index(store).names),
        "article_list": [views.article_row(a) for a in articles],
        "sub_events": [views.sub_event_row(e) for e in story_sub_events(store, story.id)],
    }


# -- stories ---------------------------------------------------------------------------


@router.get("/health", summary="Liveness and store counts")
def health(request: Request) -> dict[str, Any]:
    site = site_of(request)
    with site.reading() as store:
        # the accepted articles, as an upload's answer and the articles list count them (stored and waiting)
        return {"ok": True, "articles": site.count_accepted(store), "stories": len(site.story_index(store).stories)}


@router.get("/stories", summary="Stories, newest first, with text, entity and date filters")
def stories(
    request: Request,
    q: Annotated[str | None, Query(max_length=500, description="Words any article of the story contains.")] = None,
    entity: Annotated[str | None, Query(max_length=200, description="An entity id or name.")] = None,
    since: Annotated[dt.date | None, Query(description="Stories still running on or after this day.")] = None,
    until: Annotated[dt.date | None, Query(description="Stories begun on or before this day.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    site = site_of(request)
    with site.reading() as store:
        return list_stories(site, store, q, entity, since, until, limit, offset)


@router.get("/stories/{story_id}", summary="One story and its articles", responses=errors(404))
def story(request: Request, story_id: str) -> dict[str, Any]:
    site = site_of(request)
    with site.reading() as store:
        return story_detail(site, store, story_id)


@router.get("/stories/{story_id}/brief", summary="The story's brief (newsweave.brief/1), from the stored records",
            response_class=Response, responses={
                200: {"content": {"application/json": {}}},
                202: {"model": BriefPending, "description": "The analysis has not yet corroborated the story: ask again"},
                **errors(404)})
def brief(request: Request, story_id: str, words: Annotated[int | None, Query(ge=20, le=1000, description="The summary's length in words (default 100)")] = None) -> Response:
    site = site_of(request)
    with site.reading() as store:
        entry = site.brief_entry(store, story_id, words)
        raw = entry.raw
        waiting = site.waiting(store, story_id) if raw is None else 0
    if raw is None and waiting:
        body = BriefPending(story=story_id, status="analysing", waiting=waiting)
        return Response(body.model_dump_json(), status_code=202, media_type="application/json", headers={"retry-after": "5"})
    if raw is None:
        raise NotFoundError("brief", story_id)
    # stale: built before the analysis' latest change; the newer one is being built
    return Response(raw, media_type="application/json", headers={"x-brief-stale": "1"} if entry.stale else None)


@router.get("/stories/{story_id}/compare", summary="The story's articles side by side: what each shares and adds",
            responses=errors(404))
def compare(request: Request, story_id: str) -> dict[str, Any]:
    site = site_of(request)
    with site.reading() as store:
        story = site.story(store, story_id)
        columns = views.comparison(store, story.articles, site.brief(store, story_id))
    for c in columns:
        c.pop("segments")
    return {"story": story.id, "label": story.label, "articles": columns}


# -- articles --------------------------------------------------------------------------


@router.get("/articles", summary="Articles in arrival order")
def articles(request: Request, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    site = site_of(request)
    with site.reading() as store:
        # newest first: the uploads still waiting in the inbox arrived after every stored article
        inbox = site.inbox(store)
        waiting, newest = inbox.waiting(store, offset + limit) if inbox is not None else (0, [])
        accepted = [{**views.article_row(a), "failed": {}, "waiting": True} for a in site.accepted(store, newest[offset:])]
        skip, take = max(0, offset - waiting), limit - len(accepted)
        ids = [r[0] for r in store.conn.execute("SELECT id FROM articles ORDER BY seq DESC LIMIT ? OFFSET ?", (take, skip))]
        failures = store.failures(ids)
        rows = [{**views.article_row(a), "failed": failures.get(a.id, {})} for a in store.articles(ids)]
        return {"total": store.count_articles() + waiting, "offset": offset, "limit": limit, "articles": accepted + rows[::-1]}


@router.get("/articles/{article_id}", summary="One article: clean text, evidence, reuse, removed boilerplate",
            responses=errors(400, 404))
def article(
    request: Request,
    article_id: str,
    hl: Annotated[str | None, Query(max_length=40, description="A span START-END to highlight.")] = None,
) -> dict[str, Any]:
    site = site_of(request)
    with site.reading() as store:
        view = article_view(site, store, article_id, hl)
    view.pop("segments")
    view.pop("raw_segments")
    return view


def article_view(site: Site, store, article_id: str, hl: str | None) -> dict[str, Any]:
    a = site.article(store, views.check_id("article", article_id))
    index = site.story_index(store)
    story_id = index.story_of.get(a.id)
    brief = site.brief(store, story_id) if story_id else None
    story = index.by_id.get(story_id) if story_id else None
    view = views.article_view(store, a, brief, story, views.parse_span(hl))
    # the stages that failed on it (with the reason) and the limits a stage applied
    view["article"]["failed"], view["article"]["notes"] = store.failures([a.id]).get(a.id, {}), store.notes(a.id)
    return view


class ArticleIn(BaseModel):
    text: str = Field(min_length=1, max_length=2_000_000, description="The article's text (plain text or HTML).")
    title: str | None = Field(None, max_length=1000)
    url: str | None = Field(None, max_length=2000)
    published: str | None = Field(None, max_length=40, description="An ISO date YYYY-MM-DD (a time may follow), 1800 to a year from today")
    outlet: str | None = Field(None, max_length=300)
    byline: str | None = Field(None, max_length=300)

    @field_validator("published")
    @classmethod
    def _iso_date(cls, value: str | None) -> str | None:
        """A date in a sane range, written as a date: not 0 (1970), a Unix time, 0001-01-01 or 9999-12-31."""
        problem = published_problem(value) if value is not None else None
        if problem:
            raise ValueError(problem)
        return value


class IngestIn(BaseModel):
    articles: list[ArticleIn] = Field(min_length=1, max_length=500)


def stored(site: Site, response: Response, uploads: list[Upload]) -> dict[str, Any]:
    """Store the uploads (in the request) and answer 202 with the job analysing them."""
    result = site.ingest(uploads)
    response.status_code = 202 if site.background else 201
    return result


@router.post("/articles", summary="Add articles: stored now, analysed in the background (202 with the job)",
             status_code=202, response_model=UploadOut, responses={**ANALYSED_IN_REQUEST, **errors(400, 413, 422)})
def add_articles(request: Request, response: Response, body: IngestIn) -> dict[str, Any]:
    # ASCII JSON: a lone surrogate in a text stays an escape, which the reader refuses by name
    lines = [json.dumps(a.model_dump(mode="json", exclude_none=True)) for a in body.articles]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    return stored(site_of(request), response, [Upload("api.jsonl", data)])


@router.post("/upload", summary="Add files (txt, HTML, RSS/Atom, JSONL) or pasted text: stored now, analysed "
             "in the background (202 with the job)", status_code=202, response_model=UploadOut,
             responses={**ANALYSED_IN_REQUEST, **errors(400, 413, 415, 422)})
async def upload(
    request: Request,
    response: Response,
    files: Annotated[list[UploadFile] | None, File(description="Article files.")] = None,
    text: Annotated[str | None, Form(max_length=WebSettings.max_pasted_chars, description="Pasted article text.")] = None,
) -> dict[str, Any]:
    uploads = await read_uploads(files, text)
    return await run_in_threadpool(stored, site_of(request), response, uploads)


@router.get("/jobs/{job_id}", summary="An upload's analysis: status, current stage, progress, errors",
            response_model=JobOut, responses=errors(404))
def job(request: Request, job_id: str) -> dict[str, Any]:
    site = site_of(request)
    found = site.analyser.get(job_id)
    if found is None:
        raise HTTPException(404, f"no job {job_id!r} on this server (jobs live in its memory: the last "
                                 f"{site.settings.web.jobs_kept} finished ones, and every unfinished one)")
    return site.job_view(found)


async def read_uploads(files: list[UploadFile] | None, text: str | None) -> list[Upload]:
    uploads = []
    for f in files or []:
        if not f.filename and not f.size:
            continue  # the browser's empty file input
        uploads.append(Upload(f.filename or "upload.txt", await f.read()))
    if text and text.strip():
        uploads.append(Upload("pasted.txt", text.encode("utf-8")))
    if not uploads:
        raise UploadError("nothing to ingest: choose a file or paste some text")
    return uploads


# -- entities, search ------------------------------------------------------------------


@router.get("/entities", summary="Resolved entities, by name")
def entities(
    request: Request,
    q: Annotated[str | None, Query(max_length=200, description="Part of a name or alias.")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    site = site_of(request)
    with site.reading() as store:
        found = site.entities(store)
    if q and q.strip():
        needle = q.strip().lower()
        found = [e for e in found if needle in e.name.lower() or any(needle in a.lower() for a in e.aliases)]
    found = sorted(found, key=lambda e: (-len(e.mentions), e.name))
    return {"total": len(found), "offset": offset, "limit": limit,
            "entities": [views.entity_row(e) for e in found[offset : offset + limit]]}


@router.get("/entities/{entity_id}", summary="One entity: roles with evidence, aliases, stories", responses=errors(404))
def entity(request: Request, entity_id: str) -> dict[str, Any]:
    site = site_of(request)
    with site.reading() as store:
        e = site.entity(store, entity_id)
        index = site.story_index(store)
        headings = {a.id: views.article_row(a)["heading"] for a in store.articles(e.articles)}
        return views.entity_view(e, index.story_of, {s.id: s.label for s in index.stories}, headings)


@router.get("/search", summary="Full-text search over articles (FTS5)", responses=errors(400))
def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=500, description="Words; \"quoted phrases\" kept.")],
    limit: Limit = 20,
    offset: Offset = 0,
) -> dict[str, Any]:
    site = site_of(request)
    with site.reading() as store:
        hits, total, waiting = site.search(store, q, limit, offset)
        index = site.story_index(store)
        return {
            "query": q,
            "total": total,
            "hits": [
                {"article": h.article, "title": h.title, "outlet": h.outlet, "published": h.published,
                 "story": index.story_of.get(h.article), "snippet": h.snippet_text(),
                 "matches": [t for t, m in h.snippet if m], "analysing": h.article in waiting}
                for h in hits
            ],
        }
