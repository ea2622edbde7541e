"""The stories stage's index kept between runs in one process (issue 19).

Every run used to rebuild the whole `StoryIndex` from the store: every stored article's
story, features and arrival row read, its vector fetched and summed into its story's sums
(~38% of a warm batch of a 10,000-article stream). After its save the stage now keeps what
such a rebuild would read (`StoreRows`: the stories' rows and the articles' rows as the
store holds them, in its order), the articles' features and every story's sums, and the
next run builds its index from those: no SQL, no JSON and no vector sums; the members in
arrival order, the postings and the families are laid out again as a load lays them out
(linear in the articles, but a few dict operations each).

Safe by construction:

- the store names its state with a token (migration 0300, `story_generation`): the stage's
  `save` ends by writing a fresh random one in its transaction, and every write to a table
  the index is read from clears it (triggers), whoever makes it; a rolled-back transaction
  leaves the token it found. The kept state carries the token its save wrote, and is used
  only when the store holds that token now;
- the stage keeps only when the store held, right before its save, the token it loaded
  under (an index planned outside the write transaction, `ClusterStage.prepare`, while
  another process wrote, is saved but not kept);
- the kept state is taken out when a run uses it (`take`) and put back only by a save, so a
  plan that is discarded (its transaction aborted, or recomputed because another process
  committed meanwhile) leaves nothing behind, and the next run loads from the store;
- its sums are used only under the same weights (the vector cache's key: settings and the
  idf epoch, `_vectors_under_idf`), and only for the same settings; an article assigned
  anew makes the run load from the store.

The sums so kept are the ones the last run ended with (articles joined, left, moved) where
a load sums the members again in arrival order: they differ by rounding only (relative
~1e-15), as the kept sums of squares do (`StoryState._norm`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from ..settings import ClusterSettings
from ..store import Store
from ._features import ArticleFeatures
from ._index import StoryState

StoryRowKey = tuple[int, str | None, int, str]  # (seq, merged_into, size, label) as `stories` holds them
ArticleRow = tuple[int, str, str]  # (seq, story, stored features) of an assigned article


@dataclass
class StoreRows:
    """The rows an index is built from, as the store held them under `token`."""

    token: str | None  # the store's story_generation token when read (None: unnamed)
    stories: dict[str, StoryRowKey]  # every story, in opening order (seq)
    articles: dict[str, ArticleRow]  # every assigned article with features, in arrival order (seq)


@dataclass
class Kept:
    """What a save left: the rows it wrote over the ones the run read, the articles'
    features, and the stories' states whose sums count exactly those rows' members."""

    rows: StoreRows
    key: str  # the vector cache's key: the weights the sums were made under
    cfg: ClusterSettings
    features: dict[str, ArticleFeatures]
    states: dict[str, StoryState]


_KEPT: dict[str, Kept] = {}  # one slot: a process analyses one store at a time


def generation(store: Store) -> str | None:
    """The store's token (None: written since the stage last saved, or never saved)."""
    row = store.conn.execute("SELECT token FROM story_generation WHERE id = 1").fetchone()
    return row[0] if row else None


def new_generation(store: Store) -> str:
    """Name the state the stage's save leaves with a fresh token (inside its transaction)."""
    token = secrets.token_hex(16)
    store.conn.execute("UPDATE story_generation SET token = ? WHERE id = 1", (token,))
    return token


def keep(kept: Kept) -> None:
    _KEPT["index"] = kept


def take(token: str | None, cfg: ClusterSettings, exclude: set[str]) -> Kept | None:
    """The kept state when it describes the store now (`token`), under these settings, and
    no article it holds is to be assigned anew; else None. Taken out either way: the run
    changes it in place, and only its save may put it back."""
    kept = _KEPT.pop("index", None)
    if kept is None or token is None or kept.rows.token != token or kept.cfg != cfg:
        return None
    if any(a in kept.rows.articles for a in exclude):
        return None
    return kept


def forget() -> None:
    """Drop the kept state (tests; a store replaced behind the process's back is caught by
    its token anyway)."""
    _KEPT.clear()


def saved_rows(rows: StoreRows, stories, new_rows: dict[str, tuple[int, str]], token: str) -> StoreRows | None:
    """The rows after a save over `rows`: the saved stories' (`StoryRow`s) and their placed
    articles' (the new ones with `new_rows`, article -> (seq, stored features)), named by
    the save's `token`; None when a placed article is neither stored nor new (kept nothing)."""
    for story in stories:
        old = rows.stories.get(story.id)
        merged_into = story.merged_into or (old[1] if old else None)  # `save` writes only a set pointer
        rows.stories[story.id] = (old[0] if old else story.seq, merged_into, len(story.members), story.label)
        for a in story.placed:
            seq, text = rows.articles[a][::2] if a in rows.articles else new_rows.get(a, (None, None))
            if seq is None:
                return None
            rows.articles[a] = (seq, story.id, text)
    return StoreRows(token, _in_order(rows.stories, 0), _in_order(rows.articles, 0))


def _in_order(rows: dict, field: int) -> dict:
    """The rows sorted by one field (seq), as the store reads them; the same dict when
    they already are (new stories and articles come last, by seq, nearly always)."""
    values = [r[field] for r in rows.values()]
    if all(a < b for a, b in zip(values, values[1:])):
        return rows
    return dict(sorted(rows.items(), key=lambda kv: kv[1][field]))
