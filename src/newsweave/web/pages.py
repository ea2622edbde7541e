"""Server-rendered pages (Jinja2, autoescaped): stories, a story's brief, an article, a
source comparison, an entity, search, and the upload form. They render the same data as
the JSON API (`api.py`, `views.py`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from ..settings import WebSettings
from . import api, views
from ._site import Site, UploadError

router = APIRouter(include_in_schema=False)
Text = Annotated[str | None, Query(max_length=500)]


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _site(request: Request) -> Site:
    return request.app.state.site


@router.get("/", response_class=HTMLResponse)
def stories_page(
    request: Request, q: Text = None, entity: Text = None, since: Text = None, until: Text = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
):
    site = _site(request)
    size = site.settings.web.page_size
    with site.reading() as store:
        listing = api.list_stories(site, store, q, entity, _date(since), _date(until), size, (page - 1) * size)
        hits = site.search(store, q, 10)[0] if q and q.strip() else []
        recent = []
        if not listing["total"] and not listing["analysing"]["total"] and not (q or entity or since or until):
            ids = [r[0] for r in store.conn.execute("SELECT id FROM articles ORDER BY seq DESC LIMIT 20")]
            recent = [views.article_row(a) for a in store.articles(ids)]
        articles = store.count_articles()
        story_of = site.story_index(store).story_of
    job = _job(site, request.query_params.get("job"))
    return render(
        request, "stories.html", listing=listing, hits=hits, recent=recent, articles=articles, story_of=story_of,
        q=q or "", entity=entity or "", since=since or "", until=until or "", page=page, size=size, job=job,
    )


def _job(site: Site, job_id: str | None) -> dict[str, Any] | None:
    """The job named in the address (after an upload), for the page's job panel."""
    found = site.analyser.get(job_id) if job_id else None
    return site.job_view(found) if found else None


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(
    request: Request, story_id: str, words: Annotated[int | None, Query(ge=20, le=1000)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
):
    site = _site(request)
    with site.reading() as store:
        return HTMLResponse(site.story_page(store, story_id, words, page))


def story_html(site: Site, store, story_id: str, words: int | None, entry, page: int = 1) -> tuple[bytes, bool]:
    """The story page over a brief entry (`Site.brief_entry`), and whether it may be kept
    (a page saying "being analysed" is cheap, and the worker changes it soon). The
    template reads no request, so the brief builder can render it ahead of readers. The
    page is bounded whatever the story's size (`views.bounded`: the first
    `web.story_items` entries of each section, `web.story_citations` citations each; the
    articles `web.page_size` to a page, `page`); the JSON brief holds everything."""
    web = site.settings.web
    detail = api.story_detail(site, store, story_id)
    brief = entry.brief
    waiting = site.waiting(store, story_id) if brief is None else 0
    anum = {a["id"]: i for i, a in enumerate(detail["article_list"], start=1)}
    summary = views.citation_targets(brief) if brief else []
    for sentence in summary:
        sentence["links"].sort(key=lambda c: anum.get(c["article"], len(anum) + c["n"]))
        sentence["more"] = max(0, len(sentence["links"]) - web.story_citations)
        del sentence["links"][web.story_citations :]
    shown, hidden = views.bounded(brief, web.story_items, web.story_citations) if brief else (None, {})
    sub_events = [views.cited(e, web.story_citations) for e in detail["sub_events"]]
    first = (page - 1) * web.page_size
    listed = detail["article_list"][first : first + web.page_size]
    html = site.templates.env.get_template("story.html").render(
        story={**detail, "sub_events": sub_events}, brief=shown, summary=summary, waiting=waiting, hidden=hidden,
        listed=listed, first=first, page=page, size=web.page_size,
        evlinks=views.event_links(brief) if brief else {}, anum=anum,
        titles={a["id"]: a["title"] or a["outlet"] or a["id"][:8] for a in detail["article_list"]})
    return html.encode("utf-8"), not waiting


@router.get("/stories/{story_id}/compare", response_class=HTMLResponse)
def compare_page(request: Request, story_id: str):
    site = _site(request)
    with site.reading() as store:
        story = site.story(store, story_id)
        columns = views.comparison(store, story.articles, site.brief(store, story_id))
    return render(request, "compare.html", story=story, columns=columns)


@router.get("/articles", response_class=HTMLResponse)
def articles_page(request: Request, page: Annotated[int, Query(ge=1, le=100_000)] = 1):
    site = _site(request)
    size = site.settings.web.page_size
    data = api.articles(request, limit=size, offset=(page - 1) * size)
    return render(request, "articles.html", data=data, page=page, size=size)


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, article_id: str, hl: Annotated[str | None, Query(max_length=40)] = None):
    site = _site(request)
    with site.reading() as store:
        view = api.article_view(site, store, article_id, hl)
    return render(request, "article.html", view=view)


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity_page(request: Request, entity_id: str):
    view = api.entity(request, entity_id)
    return render(request, "entity.html", entity=view)


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: Text = None, page: Annotated[int, Query(ge=1, le=100_000)] = 1):
    site = _site(request)
    size = site.settings.web.page_size
    with site.reading() as store:
        hits, total, waiting = site.search(store, q or "", size, (page - 1) * size)
        story_of = site.story_index(store).story_of
    return render(request, "search.html", q=q or "", hits=hits, total=total, page=page, size=size, story_of=story_of,
                  waiting=waiting)


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request):
    s = _site(request).settings.web
    return render(request, "upload.html", suffixes=s.upload_suffixes, cap=s.max_upload_bytes, max_chars=s.max_pasted_chars, result=None, error=None)


@router.post("/upload", response_class=HTMLResponse)
async def upload_submit(
    request: Request,
    files: Annotated[list[UploadFile] | None, File()] = None,
    text: Annotated[str | None, Form(max_length=WebSettings.max_pasted_chars)] = None,
):
    site = _site(request)
    s = site.settings.web
    try:
        uploads = await api.read_uploads(files, text)
        result = await run_in_threadpool(site.ingest, uploads)
    except UploadError as exc:
        return render(request, "upload.html", status=exc.status, suffixes=s.upload_suffixes, cap=s.max_upload_bytes, max_chars=s.max_pasted_chars,
                      result=None, error=str(exc))
    if not result["rejected"]:
        return RedirectResponse(f"/?added={len(result['added'])}&job={result['job']['id']}", status_code=303)
    return render(request, "upload.html", status=202 if site.background else 201, suffixes=s.upload_suffixes, cap=s.max_upload_bytes, max_chars=s.max_pasted_chars,
                  result=result, error=None)
