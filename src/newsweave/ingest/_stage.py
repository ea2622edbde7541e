"""Ingest: sources -> stored articles. Read, clean, describe, store — one article per transaction.

    for each chunk of sources (bounded memory):
      1. read    every source into RawDocs, or Rejected with a reason   (readers.py)
      2. learn   lines each outlet repeats across its articles           (clean.learnable_lines)
      3. clean   rules + learned boilerplate; the id is the body's hash   (clean.py)
      4. dedupe  a known id only gains a sighting
      5. meta    date, dateline, agency, outlet, byline, language        (meta.py)
      6. date    provisional years of year-less datelines: text, batch   (meta.infer_year;
                 revised by reuse.revise_years)
      7. store   each article with its spans and sightings, atomically   (store.py)

A crash loses at most the article being written; the next run resumes, since articles
already stored are recognised by id and only gain a sighting.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from . import _clean as cleaning
from . import _meta as meta
from ._readers import discover
from ._sources import read_source
from ..errors import NewsweaveError
from ..records import Article, RawDoc, Rejected, Sighting
from ..settings import Settings
from ..store import Inbox, Store, chunks, utcnow
from ..text import shorten

EXPLICIT = ("html-meta", "feed", "jsonl", "header")
BATCH_YEAR = "_dateline_batch_year"  # extra: the year the ingest batch gave a year-less dateline

T = TypeVar("T")
IngestProgress = Callable[[int, int, str], None]  # (sources done, sources total, current source)


@dataclass
class IngestReport:
    ingested: list[str] = field(default_factory=list)  # new article ids
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (source, id it repeats)
    rejected: list[Rejected] = field(default_factory=list)
    non_english: list[tuple[str, str]] = field(default_factory=list)  # (id, language)

    @property
    def ok(self) -> bool:
        """True when every input became an article (or a known one's sighting)."""
        return not self.rejected

    def summary(self) -> str:
        parts = [f"{len(self.ingested)} ingested", f"{len(self.duplicates)} duplicates", f"{len(self.rejected)} skipped"]
        if self.non_english:
            parts.append(f"{len(self.non_english)} not in English (flagged)")
        return ", ".join(parts)


def ingest(
    store: Store,
    sources: Iterable[str | Path],
    settings: Settings,
    fetch: bool = False,
    progress: IngestProgress | None = None,
) -> IngestReport:
    report = IngestReport()
    found = list(discover(sources))
    done = 0
    for chunk in chunks(found, settings.ingest.chunk):
        docs: list[RawDoc] = []
        for source in chunk:
            for item in read_source(source, settings.ingest, fetch=fetch):
                if isinstance(item, Rejected):
                    report.rejected.append(item)
                else:
                    docs.append(item)
            done += 1
            if progress:
                progress(done, len(found), str(source))
        ingest_docs(store, docs, settings, report)
    return report


def ingest_docs(
    store: Store, docs: list[RawDoc], settings: Settings, report: IngestReport, inbox: Inbox | None = None
) -> None:
    """Steps 2–7 for one chunk of read documents. A document that fails any step is a
    `Rejected` naming it and the reason; the others go on (a failure of the store itself,
    a `StoreError`, ends the run). With an `inbox` (the web's uploads) step 7 writes there,
    not to the store: the store is only read, so its write lock is never waited for; the
    analysis moves the articles in (`Inbox.move_into`). What waits there counts as stored
    (dedupe, learned boilerplate)."""
    docs, lines = _each(docs, report, lambda doc: cleaning.learnable_lines(doc.text, settings.clean.learned_max_words))
    learned = _learned_boilerplate(store, docs, lines, settings, inbox)
    fresh: dict[str, Article] = {}
    fresh_lines: dict[str, set[str]] = {}
    for doc, doc_lines in zip(docs, lines):
        try:
            article = _prepare(store, doc, learned, settings, fresh, report, inbox)
        except NewsweaveError:
            raise
        except Exception as exc:  # noqa: BLE001 - one document's failure is its refusal
            report.rejected.append(Rejected(doc.source, f"could not be ingested ({type(exc).__name__}: {exc})"))
            continue
        if article is not None:
            fresh[article.id] = article
            fresh_lines[article.id] = doc_lines
    _infer_years(list(fresh.values()))
    for article in fresh.values():
        try:
            stored = inbox.put(article, fresh_lines[article.id]) if inbox else _store(store, article, fresh_lines[article.id])
        except (UnicodeError, ValueError, OverflowError) as exc:  # a value SQLite cannot hold: this article's refusal
            report.rejected.extend(Rejected(s.source, f"could not be stored ({type(exc).__name__}: {exc})") for s in article.sightings)
            continue
        if not stored:  # another process stored it meanwhile
            report.duplicates.extend((s.source, article.id) for s in article.sightings)
            continue
        report.ingested.append(article.id)
        if article.language and article.language != "en":
            report.non_english.append((article.id, article.language))


def _store(store: Store, article: Article, lines: set[str]) -> bool:
    """Step 7 for one article, in its own transaction; False when it was there already."""
    with store.transaction():
        if not store.put_article(article):
            return False
        store.add_outlet_lines(article, lines)
    return True


def _each(docs: list[RawDoc], report: IngestReport, step: Callable[[RawDoc], T]) -> tuple[list[RawDoc], list[T]]:
    """`step` over every document; one that raises becomes a `Rejected` and leaves the batch."""
    kept, results = [], []
    for doc in docs:
        try:
            results.append(step(doc))
        except Exception as exc:  # noqa: BLE001 - one document's failure is its refusal
            report.rejected.append(Rejected(doc.source, f"could not be ingested ({type(exc).__name__}: {exc})"))
            continue
        kept.append(doc)
    return kept, results


def _prepare(
    store: Store, doc: RawDoc, learned: dict[str, set[str]], settings: Settings, fresh: dict[str, Article],
    report: IngestReport, inbox: Inbox | None = None,
) -> Article | None:
    """Steps 3–5 for one document: its new Article, or None (refused, or a duplicate that
    gained a sighting)."""
    outlet = _declared_outlet(doc)
    cleaned = cleaning.clean(doc.text, learned.get(outlet, set()), settings.clean.learned_max_words)
    if not cleaned.clean_text.strip() and learned.get(outlet):
        # what an outlet repeats is boilerplate only beside its news: an article made of such
        # lines alone (a short item the batch holds in several copies) keeps them
        cleaned = cleaning.clean(doc.text, set(), settings.clean.learned_max_words)
    if not cleaned.clean_text.strip():
        report.rejected.append(Rejected(doc.source, "nothing left after removing boilerplate"))
        return None
    article_id = cleaned.body_hash
    if article_id in fresh:
        fresh[article_id].sightings.append(Sighting(doc.source, utcnow()))
        report.duplicates.append((doc.source, article_id))
        return None
    if store.has_article(article_id) or (inbox is not None and inbox.has(article_id)):
        if inbox is not None:  # the sighting waits there too: an upload writes nothing to the store
            inbox.add_sighting(article_id, doc.source)
        else:
            with store.transaction():
                store.add_sighting(article_id, doc.source)
        report.duplicates.append((doc.source, article_id))
        return None
    return describe(doc, article_id, cleaned, settings.ingest.max_title_chars)


def describe(doc: RawDoc, article_id: str, cleaned: cleaning.Cleaned, max_title_chars: int) -> Article:
    """Step 5: an Article with its metadata, each value with where it came from."""
    md, src = doc.metadata, doc.metadata_from
    article = Article(
        id=article_id,
        raw_text=doc.text,
        clean_text=cleaned.clean_text,
        removed=cleaned.removed,
        sightings=[Sighting(doc.source, utcnow())],
        extra=dict(md.get("extra") or {}),
    )
    provenance = article.provenance
    if doc.encoding:
        provenance["encoding"] = doc.encoding  # how the bytes were decoded, and on what evidence
    for name in ("title", "url", "byline"):
        if md.get(name):
            setattr(article, name, str(md[name]).strip())
            provenance[name] = src
    if article.title and len(article.title) > max_title_chars:
        article.extra["title_chars"] = len(article.title)  # on record: the title was cut
        article.title = shorten(article.title, max_title_chars)
    published = meta.parse_iso_date(md.get("published"))
    if published:
        article.published, provenance["published"] = published, src
    elif md.get("published"):
        article.extra["published_unparsed"] = md["published"]

    first = cleaned.clean_text.split("\n\n", 1)[0]
    dateline = meta.parse_dateline(first)
    if dateline:
        article.dateline, provenance["dateline"] = dateline.place, "dateline"
        article.body_start = dateline.end
        if dateline.agency:
            article.agency, provenance["agency"] = dateline.agency, "dateline"
        if article.published is None and dateline.month and dateline.year:
            article.published = meta.dated(dateline.year, dateline.month, dateline.day)
            provenance["published"] = "dateline"
        elif article.published is None and dateline.month:
            article.extra["_dateline_month_day"] = (dateline.month, dateline.day)
    if article.agency is None:
        article.agency, how = meta.agency_from_text(cleaned.clean_text, cleaned.removed)
        if how:
            provenance["agency"] = how

    declared = _declared_outlet(doc)
    credited = meta.outlet_from_credit(cleaned.removed)
    if declared:
        article.outlet, provenance["outlet"] = declared, ("url" if not md.get("outlet") else src)
    elif credited:
        article.outlet, provenance["outlet"] = credited, "credit-line"
    if article.byline is None:
        byline = meta.byline_from_text(cleaned.clean_text.split("\n\n"))
        if byline:
            article.byline, provenance["byline"] = byline, "byline"
    article.language = meta.detect_language(cleaned.clean_text)
    if article.language:
        provenance["language"] = "detector"
    return article


def _declared_outlet(doc: RawDoc) -> str | None:
    outlet = doc.metadata.get("outlet")
    if outlet:
        return str(outlet).strip()
    return meta.outlet_from_url(doc.metadata.get("url"))


def _learned_boilerplate(
    store: Store, docs: list[RawDoc], lines: list[set[str]], settings: Settings, inbox: Inbox | None = None
) -> dict[str, set[str]]:
    """Per outlet, line hashes seen in at least `learned_min_articles` distinct articles
    (this chunk, the store and the inbox together)."""
    by_outlet: dict[str, Counter] = defaultdict(Counter)
    seen: set[tuple[str, str]] = set()
    for doc, doc_lines in zip(docs, lines):
        outlet = _declared_outlet(doc)
        if outlet and (outlet, doc.text) not in seen:  # copies of one article count once
            seen.add((outlet, doc.text))
            by_outlet[outlet].update(doc_lines)
    learned: dict[str, set[str]] = {}
    for outlet, counts in by_outlet.items():
        stored = dict(
            store.conn.execute(
                "SELECT line_hash, COUNT(*) FROM outlet_lines WHERE outlet = ? GROUP BY line_hash", (outlet,)
            ).fetchall()
        )
        if inbox is not None:
            for h, n in inbox.outlet_lines(outlet).items():
                stored[h] = stored.get(h, 0) + n
        threshold = settings.clean.learned_min_articles
        learned[outlet] = {h for h, n in counts.items() if n + stored.get(h, 0) >= threshold}
    return learned


def _infer_years(articles: list[Article]) -> None:
    """Step 6: a provisional year for year-less datelines from the text, else the batch
    (explicit dates of the articles ingested with it; never the store's). The year is
    revised by the reuse stage from better evidence (reuse.revise_years)."""
    waiting = [a for a in articles if "_dateline_month_day" in a.extra]
    if not waiting:
        return
    explicit = [a.published for a in articles if a.published and a.provenance.get("published") in EXPLICIT]
    for article in waiting:
        month, day = article.extra.pop("_dateline_month_day")
        batch_year, _ = meta.infer_year(month, day, "", explicit)
        if batch_year:
            article.extra[BATCH_YEAR] = batch_year  # kept: the revision's last rung
        year, how = meta.infer_year(month, day, article.clean_text, explicit)
        if year:
            article.published = meta.dated(year, month, day)
            article.provenance["published"] = "dateline"
            article.provenance["published_year"] = how
