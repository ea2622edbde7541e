"""The Python API: a workspace over one store.

    ws = newsweave.open("newsweave.db")     # or ":memory:"
    report = ws.ingest(["examples/"])       # read, clean, describe, store
    ws.analyse()                            # run the analysis stages on what is new
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from . import pipeline, reuse, scale
from .brief import brief_articles, build_brief
from .entities import load_entities
from .events import load_events, load_quotes
from .ingest import ingest
from .records import Article
from .settings import Settings
from .store import Store
from .stories import load_stories


class Workspace:
    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def ingest(self, sources: Iterable[str | Path], fetch: bool = False, progress=None, mapper=None):
        """Read, clean, describe, store; with a `mapper` (`scale.dask_mapper`) the reading runs there."""
        if mapper is not None:
            return scale.ingest_distributed(self.store, sources, self.settings, fetch=fetch, mapper=mapper)
        return ingest(self.store, sources, self.settings, fetch=fetch, progress=progress)

    def analyse(self, progress=None, until: str | None = None, mapper=None):
        """The analysis stages on what is new; with a `mapper` their per-article map runs there."""
        return pipeline.analyse(self.store, self.settings, progress=progress, until=until, mapper=mapper)

    def families(self):
        """Syndication families (reuse.families): each is ONE independent source."""
        return reuse.families(self.store)

    def independent_sources(self, article_ids: Iterable[str]) -> int:
        return reuse.independent_sources(self.store, article_ids)

    def entities(self, article_ids=None):
        """Entities resolved across the store (or those of the given articles)."""
        return load_entities(self.store, article_ids)

    def stories(self):
        """The live stories, in the order they opened (stories.load_stories)."""
        return load_stories(self.store)

    def events(self, story: str | None = None):
        """The events of a story (or of all): events.load_events."""
        return load_events(self.store, story)

    def quotes(self, story: str | None = None):
        """The direct quotes of a story (or of all): events.load_quotes."""
        return load_quotes(self.store, story)

    def articles(self) -> list[Article]:
        return self.store.articles()

    def article(self, article_id: str) -> Article:
        return self.store.article(article_id)

    def brief(self, story_id: str, words: int | None = None) -> dict:
        """The story's brief as `newsweave.brief/1` (render it with `newsweave.brief.render.render`);
        `words`: the summary's length (default settings.corroborate.summary_words)."""
        return build_brief(self.store, story_id, self.settings.corroborate, words, self.settings.nlp)

    def brief_articles(self, article_ids: Iterable[str], words: int | None = None) -> dict:
        """The brief of exactly these articles, told as one story whatever stories hold them."""
        return brief_articles(self.store, list(article_ids), self.settings.corroborate, words, self.settings.nlp)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open(path: str | Path | None = None, settings: Settings | None = None) -> Workspace:  # noqa: A001
    """Open (creating if needed) the store at `path` (default: ./newsweave.db or $NEWSWEAVE_DB)."""
    settings = settings or Settings()
    if path is not None:
        settings.db = str(path)
    return Workspace(Store(settings.db, lock_wait=settings.store.lock_wait_s), settings)
