"""The year of a year-less dateline ("Kuala Lumpur, Oct 31"), revised once reuse is known.

Ingest can only guess it from the article's own text and the batch it came with; the best
evidence for THAT article comes later, from the reuse stage: the explicitly dated articles
of its reuse family and those it shares passages with. This stage runs right after reuse
and gives every year-less dateline the year of the best evidence (`meta.infer_year`):

    family / passages  >  story (when it already has one)  >  its text  >  its batch

and records which in `provenance["published_year"]` (`inferred:family`, `inferred:story`,
`inferred:text`, `inferred:batch`). Only explicit dates count as evidence (source
metadata, the header, a dateline with its own year), never another inferred year, so the
result depends on what the articles say, not on the order they arrived in. An article whose
date changes is handed again to the later stages that read dates (stories, events,
corroborate). Running it twice changes nothing. (The story rung reads `story_articles`,
which exists once an article was assigned, i.e. when a later batch revises it.)
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence

from .. import ingest
from ..records import Article
from ..store import Store

# a dateline, and no date or an inferred year: the WHERE of migration 0060's partial index
_MAYBE_YEAR_LESS = "dateline IS NOT NULL AND (published IS NULL OR json_extract(provenance, '$.published_year') IS NOT NULL)"


DATE_READERS = ("stories", "events", "corroborate")  # later stages that read `published`: redo them on a change


def revise_years(store: Store, article_ids: Iterable[str]) -> list[str]:
    """Revise the year-less datelines among `article_ids` and among the articles linked to
    them (family, passages): a newcomer's explicit date is evidence for older articles too.
    Returns the ids whose date changed."""
    ids = list(article_ids)
    changed: list[str] = []
    # the partial index of migration 0060 holds exactly these: no article text is read to find them
    year_less = {
        r[0] for r in store.conn.execute(f"SELECT id FROM articles INDEXED BY articles_year_less WHERE {_MAYBE_YEAR_LESS}")
    }
    if not year_less:
        return changed
    for article in store.articles(sorted(year_less & _linked(store, ids))):
        md = _year_less_dateline(article)
        if md is None:
            continue
        month, day = md
        others = _linked(store, [article.id]) - {article.id}
        year, how = ingest.infer_year(
            month,
            day,
            article.clean_text,
            [d for d in [ingest.dated(article.extra.get(ingest.BATCH_YEAR) or 0, month, day)] if d],
            family_dates=_explicit_dates(store, others),
            story_dates=_explicit_dates(store, _story_mates(store, article.id)),
        )
        published = ingest.dated(year, month, day) if year else None
        if published == article.published and how == article.provenance.get("published_year"):
            continue
        provenance = dict(article.provenance)
        provenance.pop("published_year", None)
        provenance.pop("published", None)
        if published:
            provenance.update(published="dateline", published_year=how)
        store.conn.execute(
            "UPDATE articles SET published = ?, provenance = ? WHERE id = ?",
            (published.isoformat() if published else None, json.dumps(provenance, sort_keys=True), article.id),
        )
        if published != article.published:
            changed.append(article.id)
    _redo(store, changed)
    return changed


def _year_less_dateline(article: Article) -> tuple[int, int] | None:
    """(month, day) of the article's dateline when it has no year and the date comes from
    nowhere better (source metadata or the header win over a dateline)."""
    if article.provenance.get("published") not in (None, "dateline"):
        return None
    dateline = ingest.parse_dateline(article.clean_text.split("\n\n", 1)[0])
    if dateline is None or dateline.month is None or dateline.year is not None:
        return None
    return dateline.month, dateline.day


def _linked(store: Store, ids: Sequence[str]) -> set[str]:
    """The articles of the same reuse family as any of `ids`, and those sharing a passage."""
    out: set[str] = set(ids)
    out.update(r[0] for r in store.select_in(
        "SELECT f2.article_id FROM reuse_families f1 JOIN reuse_families f2 ON f1.family = f2.family "
        "WHERE f1.article_id IN ({marks})", ids))  # fmt: skip
    for side, other in (("a", "b"), ("b", "a")):  # one indexed probe per side (an OR would scan)
        out.update(r[0] for r in store.select_in(f"SELECT DISTINCT {other} FROM reuse_passages WHERE {side} IN ({{marks}})", ids))
    return out


def _story_mates(store: Store, article_id: str) -> set[str]:
    return {
        r[0]
        for r in store.conn.execute(
            "SELECT s2.article_id FROM story_articles s1 JOIN story_articles s2 ON s1.story_id = s2.story_id "
            "WHERE s1.article_id = ? AND s2.article_id != ?",
            (article_id, article_id),
        )
    }


def _explicit_dates(store: Store, ids: Iterable[str]) -> list[dt.date]:
    """Published dates the sources state themselves (metadata, header, a dateline with its
    own year); an inferred year is no evidence for another article."""
    dates = []
    rows = store.select_in("SELECT published, provenance FROM articles WHERE id IN ({marks}) AND published IS NOT NULL", sorted(ids))
    for published, provenance in rows:
        prov = json.loads(provenance)
        if prov.get("published") in ingest.EXPLICIT or (prov.get("published") == "dateline" and "published_year" not in prov):
            dates.append(dt.date.fromisoformat(published))
    return dates


def _redo(store: Store, article_ids: list[str]) -> None:
    """Hand the articles again to the stages that read their date."""
    store.forget_done(DATE_READERS, article_ids)
