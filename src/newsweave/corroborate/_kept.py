"""A large story's quote-variant states and pairs, kept in the process between runs (issue 19).

Every batch that adds to a story read back all its variant states (JSON holding every span
of evidence: ~420k spans, 1.3 s of a batch on a story of 10,000 generated articles) and all
its variant pairs, only to merge in the batch's few, and sorted every old sentence of each
replaced range a new sentence takes part in into its groups again (`observe_variants`:
another 1.2 s, and 0.3 s reading those sentences). After writing a story's update the stage
now keeps the states, the pairs and the ranges' groups in the process, and the next update
of that story starts from them: a batch visits its own sentences.

Safe by construction, as the stories stage's kept index (`stories/_kept.py`):

- the store names what a story's states and pairs are with a token (migration 0340,
  `variant_state.token`): `write_update` ends by writing a fresh random one, in its
  transaction; every write to the story's `variant_conflicts` or `variant_pairs` clears it
  (triggers), whoever makes it; a rolled-back transaction leaves the token it found. What is
  kept carries the token its write wrote and is used only while the store holds that token;
- it is taken out when an update uses it (`take`) and put back only by a write, so an update
  that is computed and then dropped (the runner's plan not used, its transaction aborted)
  leaves nothing behind: the next update reads the store;
- only stories of `CorroborateSettings.keep_from` articles or more are kept, and at most
  `LIMIT` of them (the most recently written): reading a small story's states costs little,
  and a kept state holds all of its story's spans.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..records import Article
from ..store import Store


@dataclass
class KeptVariants:
    """A story's variant states and pairs as its last write left them in the store."""

    token: str
    states: dict  # VariantKey -> VariantState: every state of the story
    pairs: dict  # (quoted form, said form) -> token ranges: every pair, in the order `_pairs` reads them
    groups: dict  # replaced range -> its groups of sentences, as `observe_variants` left them
    articles: frozenset  # the articles whose sentences the groups hold
    spans: dict = field(default_factory=dict)  # (article, start, end) -> its Span, as `variant_conflicts` made them


_KEPT: OrderedDict[str, KeptVariants] = OrderedDict()


def stored_token(store: Store, story: str) -> str | None:
    row = store.conn.execute("SELECT token FROM variant_state WHERE story_id = ?", (story,)).fetchone()
    return row[0] if row else None


def take(store: Store, story: str) -> KeptVariants | None:
    """What is kept of the story when it is what the store holds now, else None; taken out
    either way (the update changes it in place; only its write may put it back)."""
    kept = _KEPT.pop(story, None)
    if kept is None or kept.token != stored_token(store, story):
        return None
    return kept


def keep(story: str, kept: KeptVariants, limit: int) -> None:
    """Keep what a story's write left, beside the `limit` - 1 stories written last."""
    _KEPT[story] = kept
    _KEPT.move_to_end(story)
    while len(_KEPT) > limit:
        _KEPT.popitem(last=False)


def forget() -> None:
    """Drop everything kept (tests; a store changed behind the process's back is caught by
    its token anyway)."""
    _KEPT.clear()
    _ARTICLES.clear()


# A large story's articles, per store and story, with the arrival number and publication date
# each was read with: an article's text never changes once stored (its id hashes it; nothing
# updates it), its date may (reuse/_years.py), so a kept article is used only while the store
# gives it the same seq and date, and read again otherwise.
_ARTICLES: weakref.WeakKeyDictionary[Store, OrderedDict[str, dict[str, tuple]]] = weakref.WeakKeyDictionary()


def story_articles(store: Store, story: str, ids: Iterable[str], limit: int) -> list[Article]:
    """`store.articles(ids)` (arrival order), the articles read for the story's last call
    taken from the process when the store still dates and numbers them alike: a batch on a
    story of thousands of articles reads its new ones, not every text (0.5 s at 10,000).
    At most `limit` stories are kept per store (the most recently read)."""
    by_story = _ARTICLES.setdefault(store, OrderedDict())
    had = by_story.pop(story, {})
    rows = list(store.select_in("SELECT id, seq, published FROM articles WHERE id IN ({marks})", dict.fromkeys(ids)))
    now = {r[0]: (r[1], r[2]) for r in rows}
    missing = [i for i, at in now.items() if i not in had or had[i][:2] != at]
    kept = {i: had[i] for i in now if i in had and had[i][:2] == now[i]}
    for a in store.articles(missing):
        kept[a.id] = (*now[a.id], a)
    by_story[story] = kept
    while len(by_story) > limit:
        by_story.popitem(last=False)
    return [kept[i][2] for i in sorted(now, key=lambda i: now[i][0])]
