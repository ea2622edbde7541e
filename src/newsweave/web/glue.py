"""The one place where the web layer calls the analysis stages.

Every other web module asks here for stories, briefs, families, passages and entities, so
the names the stages export are bound once. A stage whose module is not installed (an
older store, a partial checkout) reads as "nothing yet": the pages say so instead of
failing.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from ..records import Entity, Family, Passage, Story
from ..store import Store


def _module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"newsweave.{name}")
    except ModuleNotFoundError as exc:
        if exc.name in (f"newsweave.{name}", "newsweave"):
            return None
        raise


def available(name: str) -> bool:
    return _module(name) is not None


# -- stories (cluster) ---------------------------------------------------------------


def load_stories(store: Store) -> list[Story]:
    cluster = _module("cluster")
    if cluster is None:
        return []
    return [s for s in cluster.load_stories(store) if not getattr(s, "merged_into", None)]


# -- briefs (brief) --------------------------------------------------------------------


def build_brief(store: Store, story_id: str) -> dict[str, Any] | None:
    brief = _module("brief")
    if brief is None:
        return None
    return brief.build_brief(store, story_id)


# -- reuse -----------------------------------------------------------------------------


def family_of(store: Store, article_id: str) -> Family | None:
    """The reuse family an article belongs to, with its members in arrival order."""
    reuse = _module("reuse")
    if reuse is None:
        return None
    fid = reuse.family_of(store, [article_id])[article_id]
    members = [
        r[0]
        for r in store.conn.execute(
            "SELECT f.article_id FROM reuse_families f JOIN articles a ON a.id = f.article_id "
            "WHERE f.family = ? ORDER BY a.seq",
            (fid,),
        )
    ] or [article_id]
    info = store.conn.execute("SELECT origin, agency FROM reuse_family_info WHERE family = ?", (fid,)).fetchone()
    return Family(fid, members, info[0] if info else article_id, info[1] if info else None)


def independent_sources(store: Store, article_ids: list[str]) -> int | None:
    """How many independent sources the articles are (families, not copies)."""
    reuse = _module("reuse")
    if reuse is None:
        return None
    return reuse.independent_sources(store, article_ids)


def passages(store: Store, a: str, b: str | None = None) -> list[Passage]:
    """Passages of article `a` (with `b`, or with any article), `a` on the Passage's a side."""
    reuse = _module("reuse")
    if reuse is None:
        return []
    return list(reuse.passages(store, a, b))


# -- entities (resolve) ----------------------------------------------------------------


def get_entity(store: Store, entity_id: str) -> Entity | None:
    resolve = _module("resolve")
    if resolve is None:
        return None
    return resolve.get(store, entity_id)


def load_entities(store: Store) -> list[Entity]:
    resolve = _module("resolve")
    if resolve is None:
        return []
    return list(resolve.load_entities(store))


def find_entities(store: Store, name: str) -> list[Entity]:
    """Entities whose name or alias is `name` (resolve.find), best first."""
    resolve = _module("resolve")
    if resolve is None:
        return []
    found = resolve.find(store, name)
    if found is None:
        return []
    if isinstance(found, Entity):
        return [found]
    return list(found)
