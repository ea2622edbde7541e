"""What the routes share (`Site`): a read connection per worker thread (WAL lets them read
while an upload writes), one writing workspace behind a lock, caches of the story list and
of briefs keyed by the analysis' version, uploads, and the analysis worker (`_jobs`)."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path, PurePath
from typing import Any

from ..errors import NewsweaveError, NotFoundError
from ..ingest import IngestReport, decode, ingest_docs, load_language_model, read_bytes
from ..records import Article, Entity, Rejected, Story, quoted_name
from ..settings import Settings
from .. import store as fts
from ..store import MEMORY, Inbox, Store
from ..store._search import Hit
from ..workspace import Workspace
from .. import entities, reuse
from ..stories import load_stories
from ..brief import build_brief
from ..corroborate import load_facts
from .. import pipeline
from . import views
from ._jobs import Analyser, Job, child_started


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


STALE_MARK = b"<!--newsweave:brief-stale-->"  # where story.html takes the note below
STALE_NOTE = (b'<p class="hint" id="brief-stale">The analysis has changed this story since this brief was built; '
              b"the newer brief is being built (reload in a moment).</p>")


class Parsed:
    """An entry's brief as a dict, parsed from its JSON at the first read that needs it: a
    brief composed in the child process arrives as JSON (a large story's is tens of MB), and
    most reads serve the JSON or a kept page. Shared by an entry's stale copies."""

    def __init__(self, brief: dict[str, Any] | None, raw: bytes | None) -> None:
        self._brief, self._raw, self._lock = brief, raw, threading.Lock()

    def get(self) -> dict[str, Any] | None:
        if self._brief is None and self._raw is not None:
            with self._lock:
                if self._brief is None:
                    self._brief = json.loads(self._raw)
        return self._brief


@dataclass(frozen=True)
class BriefEntry:
    version: tuple  # the analysis version it was built at (`Site.version`)
    parsed: Parsed
    raw: bytes | None  # the brief as JSON
    stale: bool = False  # the analysis has changed the store since; a newer one is being built
    page: bytes | None = None  # its story page (page 1), when the composer process rendered it

    @property
    def brief(self) -> dict[str, Any] | None:
        return self.parsed.get()


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
        self._index_lock = threading.Lock()  # one build of the story index at a time
        self._stories: tuple[tuple, StoryIndex] | None = None
        self._entities: tuple[tuple, list[Entity]] | None = None
        self._briefs: OrderedDict[tuple, BriefEntry] = OrderedDict()
        self._building: dict[tuple, threading.Lock] = {}
        self._rebuilding: set[tuple] = set()
        self._pages: OrderedDict[tuple, bytes] = OrderedDict()
        self.templates: Any = None  # the app's Jinja2 templates (set by create_app)
        # (site, store, story id, words, brief entry) -> (page bytes, keep): pages.story_html
        self.render_story: Callable[..., tuple[bytes, bool]] | None = None
        self._brief_pool: ThreadPoolExecutor | None = None
        # briefs are composed in a child process too (a large story's brief is a minute of
        # CPU-bound Python, which in this process held the GIL against every request)
        self._composer: ProcessPoolExecutor | None = None
        # the runs and the briefs go to child processes for a file store (the in-memory
        # store has one connection, which a child cannot share)
        self._compose_elsewhere = self.settings.web.analysis_process and not self.memory
        self.background = self.settings.web.background_analysis
        child = self.path if self._compose_elsewhere else None
        self.analyser = Analyser(self._worker_store, self.settings, self.settings.web.jobs_kept,
                                 guard=(lambda: self.write_lock) if self.memory else nullcontext, path=child)

    @contextmanager
    def _worker_store(self) -> Iterator[Store]:
        """The analysis worker's own connection (the one in-memory store, under the lock)."""
        if self.memory:
            yield self.workspace.store
            return
        store = Store(self.path, lock_wait=self.settings.store.lock_wait_s)
        try:
            yield store
        finally:
            store.close()

    def start(self) -> None:
        """The app's startup: the worker, and a run for whatever an earlier server left pending."""
        # the upload path's one slow first call, loaded before the first upload needs it
        threading.Thread(target=load_language_model, name="newsweave-langid", daemon=True).start()
        if not self.background:
            return
        self.analyser.start()
        with self.reading() as store:
            left = self.analysing(store, 0)[0]
        if left:
            self.analyser.submit([])

    def stop(self) -> None:
        self.analyser.stop()
        if self._brief_pool is not None:
            self._brief_pool.shutdown(wait=False, cancel_futures=True)
        if self._composer is not None:
            self._composer.shutdown(wait=False, cancel_futures=True)

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

    def inbox(self, store: Store) -> Inbox | None:
        """This thread's connection to the store's inbox (uploads accepted, not yet moved in:
        `store.Inbox`); None for the in-memory store, which uploads write directly."""
        if self.memory:
            return None
        inbox = getattr(self._local, "inbox", None)
        if inbox is None:
            inbox = self._local.inbox = Inbox.beside(store)
        return inbox

    def version(self, store: Store) -> tuple:
        """Changes whenever a stage commits work (stories, entities and briefs change only
        then; an article that arrives joins no story before the analysis takes it):
        `Store.analysis_version`, one row (every request asks, up to three times; counting
        `stage_done` was 70,000 rows on a 10,000-article store)."""
        return (store.analysis_version(),)

    def analysing(self, store: Store, limit: int = 20) -> tuple[int, list[str]]:
        """(how many, the newest `limit` ids) of the accepted articles the analysis has not yet
        finished: those waiting in the inbox, then the stored ones pending for the last stage
        (neither done nor failed there)."""
        inbox = self.inbox(store)
        waiting, ids = inbox.waiting(store, limit) if inbox is not None else (0, [])
        last = pipeline.analysis_stages()[-1].name
        total = store.count_all_pending(last)  # every view of the stories list asks
        if total and len(ids) < limit:
            ids += store.newest_pending(last, limit - len(ids), total)
        return waiting + total, ids

    def accepted(self, store: Store, ids: list[str]) -> list[Article]:
        """These articles (`analysing`'s ids), in that order: from the inbox or the store."""
        inbox = self.inbox(store)
        found = {a.id: a for a in store.articles(ids)}
        if inbox is not None and len(found) < len(ids):
            found.update((a.id, a) for a in inbox.articles([i for i in ids if i not in found]))
        return [found[i] for i in ids if i in found]

    def article(self, store: Store, article_id: str) -> Article:
        """One article by id (or unique prefix) from the store, else from the inbox: an
        upload's article is readable at once, before the worker moves it in."""
        try:
            return store.article(article_id)
        except NotFoundError:
            inbox = self.inbox(store)
            found = inbox.articles([article_id]) if inbox is not None else []
            if not found:
                raise
            return found[0]

    def search(self, store: Store, query: str, limit: int, offset: int = 0) -> tuple[list[Hit], int, set[str]]:
        """(the page of hits, how many match, the ids of those still waiting in the inbox):
        the waiting articles' matches first (an upload is searchable at once, before the
        worker moves it in), then the store's, each best first."""
        inbox = self.inbox(store)
        waiting = inbox.search(store, query) if inbox is not None else []
        hits = waiting[offset : offset + limit]
        if len(hits) < limit:
            hits += fts.search(store, query, limit - len(hits), max(0, offset - len(waiting)))
        return hits, len(waiting) + fts.count(store, query), {h.article for h in waiting}

    def count_accepted(self, store: Store) -> int:
        """Articles stored, and waiting in the inbox."""
        inbox = self.inbox(store)
        return store.count_articles() + (inbox.waiting(store, 0)[0] if inbox is not None else 0)

    # -- cached views ---------------------------------------------------------------

    def index_version(self, store: Store) -> tuple:
        """What the story index is built from changes only when a stage up to the stories
        stage commits (reuse's families, entities, the stories): `Store.stage_versions` of
        those. The later stages commit far more often (the corroborate stage's chunks of a
        large story), and at 10,000 articles each rebuild took 0.1 s of the GIL idle."""
        stages = [s.name for s in pipeline.analysis_stages()]
        upto = stages.index("stories") + 1 if "stories" in stages else len(stages)  # (tests that stub the stages)
        return store.stage_versions(stages[:upto])

    def story_index(self, store: Store) -> StoryIndex:
        """The stories, built once per `index_version`: one thread builds while the others
        wait for it (every reader that met a new version built its own, side by side, and the
        builds held the GIL against each other)."""
        version = self.index_version(store)
        cached = self._stories
        if cached and cached[0] == version:
            return cached[1]
        with self._index_lock:
            version = self.index_version(store)  # this thread's newest snapshot
            cached = self._stories
            if cached and cached[0] == version:
                return cached[1]
            return self._build_index(store, version)

    def _build_index(self, store: Store, version: tuple) -> StoryIndex:
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

    def _check_story(self, store: Store, story_id: str) -> None:
        """NotFoundError unless the story exists, asked first of the story index as last
        built: a brief is served stale while the analysis changes the store, and so may the
        check that its story exists, while every commit of the analysis makes the index
        stale and a rebuild (load_stories, its families) made every brief reader wait for
        it. A story the last index does not have is looked up in a current one."""
        cached = self._stories
        if cached is None or views.check_id("story", story_id) not in cached[1].by_id:
            self.story(store, story_id)

    def brief(self, store: Store, story_id: str, words: int | None = None) -> dict[str, Any] | None:
        """The story's brief from the stored records (`brief_entry`); None while the analysis
        has not yet corroborated the story (`waiting`)."""
        return self.brief_entry(store, story_id, words).brief

    def brief_json(self, store: Store, story_id: str, words: int | None = None) -> bytes | None:
        """The brief serialised once (a large story's brief is megabytes of JSON)."""
        return self.brief_entry(store, story_id, words).raw

    def waiting(self, store: Store, story_id: str) -> int:
        """How many of the story's articles the corroborate stage has yet to take, when the
        story has no stored facts: then `build_brief` would corroborate in the request, which
        the web never does (a page is served from stored records; the worker is on it)."""
        story = self.story(store, story_id)
        if load_facts(store, story.id):
            return 0
        return store.count_pending("corroborate", story.articles)

    def brief_entry(self, store: Store, story_id: str, words: int | None = None) -> BriefEntry:
        """The story's brief, built once per analysis version. A brief the analysis has
        changed since it was built is still served (`stale`) while one background build
        makes the new one: a large story's brief takes seconds to compose, and the worker
        changes the store every few seconds under a stream of uploads, so rebuilding in the
        request would make every reader wait for it. Only a brief never built yet is built
        in the request (once: concurrent requests for it wait for that one build)."""
        self._check_story(store, story_id)
        key, version = (story_id, words), self.version(store)
        with self._cache_lock:
            entry = self._briefs.get(key)
            if entry is not None:
                self._briefs.move_to_end(key)
                if entry.version == version:
                    return entry
                if key not in self._rebuilding:
                    self._rebuilding.add(key)
                    self._builder().submit(self._rebuild, key)
                return replace(entry, stale=True)
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._cache_lock:
                if key in self._briefs:
                    return self._briefs[key]
            return self._build_brief(store, key, version)

    def _build_brief(self, store: Store, key: tuple[str, int | None], version: tuple) -> BriefEntry:
        entry = self._compose(store, key, version)
        if entry.page is not None:
            self._keep_first_page(store, key, entry)
        return self._publish(key, entry)

    def _compose(self, store: Store, key: tuple[str, int | None], version: tuple) -> BriefEntry:
        """The brief from the stored records (none while the story waits for corroboration),
        composed in the child process (`_composer`) for a file store, else here."""
        story_id, words = key
        if self._compose_elsewhere:
            raw, page = self._composer_pool().submit(composed, self.path, story_id, self.settings, words).result()
            return BriefEntry(version, Parsed(None, raw), raw, page=page)
        brief = None if self.waiting(store, story_id) else build_brief(store, story_id, self.settings.corroborate, words, self.settings.nlp)
        raw = json.dumps(brief, ensure_ascii=False, default=str).encode("utf-8") if brief is not None else None
        return BriefEntry(version, Parsed(brief, raw), raw)

    def _keep_first_page(self, store: Store, key: tuple[str, int | None], entry: BriefEntry) -> None:
        """Keep the entry's story page (page 1; rendered by the composer process, or here)
        under the entry's version, before the entry is published, so no reader waits for it."""
        story_id, words = key
        if words is not None or (entry.page is None and self.render_story is None):
            return
        page, keep = (entry.page, True) if entry.page is not None else self.render_story(self, store, story_id, words, entry)
        if keep:
            self.keep_page(("story", story_id, words, 1, entry.version), page)

    def _composer_pool(self) -> ProcessPoolExecutor:
        with self._cache_lock:
            if self._composer is None:
                self._composer = ProcessPoolExecutor(
                    1, mp_context=multiprocessing.get_context("spawn"), initializer=child_started,
                    initargs=(self.settings.web.composer_nice,))
            return self._composer

    def _publish(self, key: tuple[str, int | None], entry: BriefEntry) -> BriefEntry:
        entry = replace(entry, page=None)  # the page cache holds it
        with self._cache_lock:
            self._briefs[key] = entry
            self._building.pop(key, None)
            while len(self._briefs) > self.settings.web.brief_cache:
                self._briefs.popitem(last=False)
        return entry

    def page(self, key: tuple) -> bytes | None:
        """A rendered page kept under `key` (which names every version it depends on)."""
        with self._cache_lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def keep_page(self, key: tuple, page: bytes) -> None:
        with self._cache_lock:
            self._pages[key] = page
            while len(self._pages) > self.settings.web.page_cache:
                self._pages.popitem(last=False)

    def story_page(self, store: Store, story_id: str, words: int | None = None, page: int = 1) -> bytes:
        """The story page (its `page` of articles), rendered once per brief entry (a large
        story's page is seconds to render; concurrent readers wait for the one render)."""
        entry = self.brief_entry(store, story_id, words)
        key = ("story", story_id, words, page, entry.version)
        html = self.page(key)
        if html is None:
            with self._cache_lock:
                building = self._building.setdefault(key, threading.Lock())
            with building:
                html = self.page(key)
                if html is None:
                    html, keep = self.render_story(self, store, story_id, words, entry, page)
                    if keep:
                        self.keep_page(key, html)
                with self._cache_lock:
                    self._building.pop(key, None)
        # a stale brief's page is its page as built, with a note (no second render)
        return html.replace(STALE_MARK, STALE_NOTE, 1) if entry.stale else html

    def _rebuild(self, key: tuple[str, int | None]) -> None:
        """The background build of a stale brief, on the builder thread's own connection;
        its page is rendered before the new brief is published, so no reader waits for it."""
        story_id, words = key
        try:
            with self.reading() as store:
                if story_id not in self.story_index(store).by_id:  # a story merged away meanwhile is dropped
                    return
                entry = self._compose(store, key, self.version(store))
                self._keep_first_page(store, key, entry)
                self._publish(key, entry)
        finally:
            with self._cache_lock:
                self._rebuilding.discard(key)

    def _builder(self) -> ThreadPoolExecutor:
        if self._brief_pool is None:
            self._brief_pool = ThreadPoolExecutor(1, thread_name_prefix="newsweave-briefs")
        return self._brief_pool

    def entity(self, store: Store, entity_id: str) -> Entity:
        entity = entities.get(store, views.check_id("entity", entity_id))
        if entity is None:
            raise NotFoundError("entity", entity_id)
        return entity

    # -- writing --------------------------------------------------------------------

    def ingest(self, uploads: list[Upload]) -> dict[str, Any]:
        """Check the uploads, store them (the ingest steps: read, clean, describe, store;
        `ingest.ingest_docs` over `ingest.read_bytes`) and hand them to the analysis worker:
        the answer names the stored articles and the job analysing them (`GET /api/jobs/{id}`).
        With `background_analysis` off the analysis runs here, in the request, and the job
        is done when this returns. Uploads are read from memory and never written to disk;
        their source is `upload/<base name>`, so no name (`../../etc/x`) can reach a file.
        A refused file (or JSONL line) is listed in "rejected" and the rest is stored; when
        nothing is left to store the upload is refused with every reason (`UploadError`).
        An article already in the store is not stored again: it is listed in "duplicates"
        with its id (and gains this sighting)."""
        docs, report = self._read(uploads)
        with self.reading() as store:  # a file store's uploads go to its inbox: the store is only read here
            ingest_docs(store, docs, self.settings, report, self.inbox(store))
            count = self.count_accepted(store)
        ids = list(dict.fromkeys([*report.ingested, *(aid for _, aid in report.duplicates)]))
        if self.background:
            job = self.analyser.submit(ids)
        else:
            with self.write_lock:
                self.workspace.analyse()
                job = self.analyser.finished(self.workspace.store, ids, len(pipeline.analysis_stages()))
        return {
            "added": report.ingested,
            "duplicates": [{"source": src, "article": aid} for src, aid in report.duplicates],
            "rejected": [{"source": r.source, "reason": r.reason} for r in report.rejected],
            "articles": count,
            "job": self.job_view(job),
        }

    def job_view(self, job: Job) -> dict[str, Any]:
        return {**job.view(), "url": f"/api/jobs/{job.id}"}

    def _read(self, uploads: list[Upload]) -> tuple[list, IngestReport]:
        """The uploads read into documents, and the report listing what was refused."""
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
        return docs, report

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


_COMPOSER: dict[str, "Site"] = {}  # the composer process's site (its own connection), per store path


def composed(path: str, story_id: str, settings: Settings, words: int | None) -> tuple[bytes | None, bytes | None]:
    """In the composer process: a story's brief as JSON from the stored records (None while
    the story waits for corroboration, `Site.waiting`) and, for the default length, its story
    page rendered (None when it is not to be kept), so the server only stores bytes."""
    site = _COMPOSER.get(path)
    if site is None:
        from . import pages
        from .app import templates

        here = replace(settings, web=replace(settings.web, analysis_process=False))  # composes here
        site = _COMPOSER[path] = Site(path, here)
        site.templates, site.render_story = templates(), pages.story_html
    with site.reading() as store:
        entry = site._compose(store, (story_id, words), site.version(store))
        if words is not None:
            return entry.raw, None
        page, keep = site.render_story(site, store, story_id, words, entry)
    return entry.raw, page if keep else None


def safe_name(name: str, i: int) -> str:
    """The last part of a client's file name, with anything but letters, digits and `._-`
    replaced (so it can name a source but never a path)."""
    base = PurePath(name.replace("\\", "/")).name.strip()
    cleaned = "".join(c if c.isalnum() or c in "._-" else "_" for c in base).lstrip(".")[:120]
    return cleaned or f"upload-{i}.txt"


# -- the application -------------------------------------------------------------------
