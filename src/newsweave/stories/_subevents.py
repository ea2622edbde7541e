"""Sub-events: the distinct happenings inside one story.

A story is a happening and its follow-ups (the escape and the capture a week later, the
shooting and the trial); the story level is looser than the happening level so that
follow-ups and strays only one story can claim join it. Inside a story, the sub-events
keep the happenings apart again, with the strict tests the story level relaxes:

- time: the story's articles are taken in date order (undated ones last); an article
  can join a sub-event only while its date is within `subevent_gap_days` of that
  sub-event's latest article (a report a week after the escape opens the capture);
- similarity: it joins the sub-event it scores best against with every test of the
  article-to-story score (words, names, year, protagonist, lede), when that reaches
  `subevent_threshold`; else it opens a sub-event of its own;
- copies: an article joins the sub-event holding a member of its reuse family.

The articles are taken in date-then-id order, not arrival order, so the same story in
the same store has the same sub-events however its articles arrived or were batched (the
vectors carry the store's idf when the stage last saved the story) -- except a settled
story's (`StoryIndex.settled`), continued from its stored sub-events between its epochs
(`continued_sub_events`: bounded by the articles to place, not by the story).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from ._index import ArticleVectors, StoryIndex, StoryState, _less, settled_size

def sub_events(index: StoryIndex, story: StoryState) -> list[StoryState]:
    """The story's sub-events as scratch stories, in the order of their first article
    (date order; undated-only sub-events last)."""
    groups: list[StoryState] = []
    _place_all(index, sorted(story.members.values(), key=_date_order), groups, {}, _AfterLatest(index.cfg.subevent_gap_days))
    return groups


def continued_sub_events(
    index: StoryIndex, story: StoryState, stored: Sequence[tuple[str, Sequence[str]]], fresh: set[str],
    states: dict[frozenset[str], StoryState],
) -> list[tuple[StoryState, str | None]]:
    """A settled story's sub-events (`StoryIndex.settled`) continued from the ones the store
    saved, `stored` [(label, members)] in order, instead of the full scan: bounded by the
    articles to place, not by the story (issue 19: the scan and the labels were ~45% of the
    stage for a story of 9,900). Each stored sub-event keeps its articles still in the story
    and not assigned anew (`fresh`); the others (new, moved in, assigned anew), in date order,
    join their reuse family's sub-event, else the sub-event they score best against at
    `subevent_threshold` among those holding an article within `subevent_gap_days` of their
    date (an undated one: any), else open one. Not the scan's result (an article placed
    late does not re-run the scan after it); the story is scanned again when it grows an
    epoch, as its label is chosen again. `states`: sub-event sums remembered by their
    articles (summed again when missing). Returns (sub-event, its label or None: choose
    again) in the order of their first article: a sub-event's label stays while it is
    unchanged, or large and settled (`settled_size`), like its story's."""
    groups: list[StoryState] = []
    stored_as: dict[int, tuple[str, int, bool]] = {}  # id(group) -> (label, stored size, unchanged so far)
    kept = [(name, len(members), [a for a in members if a in story.members and a not in fresh]) for name, members in stored]
    kept = [k for k in kept if k[2]]
    kept_ids = {a for *_, ids in kept for a in ids}
    largest = max(range(len(kept)), key=lambda i: len(kept[i][2]), default=-1)
    for i, (name, size, ids) in enumerate(kept):
        group = states.get(frozenset(ids)) or (_all_but(story, set(ids)) if i == largest else _summed(story, ids))
        groups.append(group)
        stored_as[id(group)] = (name, size, len(ids) == size)
    placed = _family_groups(index, groups)
    todo = sorted((v for a, v in story.members.items() if a not in kept_ids), key=_date_order)
    for group in _place_all(index, todo, groups, placed, _NearAnArticle(groups, index.cfg.subevent_gap_days)):
        name, size, _ = stored_as.get(id(group), ("", 0, False))
        stored_as[id(group)] = (name, size, False)
    groups.sort(key=lambda g: min(map(_date_order, g.members.values())))
    return [(g, _kept_label(stored_as.get(id(g)), len(g.members), index)) for g in groups]


def _kept_label(stored: tuple[str, int, bool] | None, size: int, index: StoryIndex) -> str | None:
    """A continued sub-event's stored label when it still holds (unchanged, or large and
    settled), else None."""
    if stored is None:
        return None
    name, stored_size, unchanged = stored
    if unchanged or (stored_size > index.cfg.settle_exact_until and settled_size(stored_size, size, index.cfg)):
        return name
    return None


def _summed(story: StoryState, articles: list[str]) -> StoryState:
    """A scratch sub-event of the story's `articles`, summed from them."""
    group = StoryState("sub", 0)
    for a in articles:
        group.add(story.members[a])
    return group


def _all_but(story: StoryState, articles: set[str]) -> StoryState:
    """A scratch sub-event of the story's `articles`, taken as the story less its other
    articles: the largest sub-event of a story of thousands is most of it, and summing it
    again was most of a continuation in a process that had not kept its sums."""
    return _less(story, _summed(story, [a for a in story.members if a not in articles]))


def _family_groups(index: StoryIndex, groups: list[StoryState]) -> dict[str, StoryState]:
    """Family id -> the sub-event holding its first member in date order (where the scan
    puts the family's later copies)."""
    first: dict[str, tuple] = {}
    placed: dict[str, StoryState] = {}
    for group in groups:
        for a, vec in group.members.items():
            fam = index.family.get(a)
            if fam is not None and (fam not in first or _date_order(vec) < first[fam]):
                first[fam], placed[fam] = _date_order(vec), group
    return placed


class _AfterLatest:
    """Which sub-events are open to an article, the articles taken in date order (the
    scan): those whose latest article is at most `gap` days before it (an undated article:
    any)."""

    def __init__(self, gap: float) -> None:
        self.gap = gap

    def open_to(self, group: StoryState, vec: ArticleVectors) -> bool:
        return not (vec.published and group.last and (vec.published - group.last).days > self.gap)

    def joined(self, group: StoryState, vec: ArticleVectors) -> None:
        pass


class _NearAnArticle(_AfterLatest):
    """Which sub-events are open to an article placed after the others (a continuation):
    those holding an article within `gap` days of its date, before or after (the stored
    sub-events hold later articles too); an undated article, or a sub-event of undated
    articles only: any. Each sub-event's dates are kept sorted as articles join."""

    def __init__(self, groups: list[StoryState], gap: float) -> None:
        super().__init__(gap)
        self.dates = {id(g): sorted(v.published for v in g.members.values() if v.published) for g in groups}

    def open_to(self, group: StoryState, vec: ArticleVectors) -> bool:
        days = self.dates.get(id(group))
        if not (vec.published and days):
            return True
        i = bisect.bisect_left(days, vec.published)
        return any(abs((days[j] - vec.published).days) <= self.gap for j in (i - 1, i) if 0 <= j < len(days))

    def joined(self, group: StoryState, vec: ArticleVectors) -> None:
        if vec.published:
            bisect.insort(self.dates.setdefault(id(group), []), vec.published)


def _place_all(
    index: StoryIndex, vecs: list[ArticleVectors], groups: list[StoryState], placed: dict[str, StoryState], window: _AfterLatest
) -> list[StoryState]:
    """Place the articles in order: each joins its reuse family's sub-event (`placed`,
    family id -> sub-event, kept), else the best one the `window` opens to it
    (`_best_open`), else opens one (appended to `groups`). Returns the sub-events that took
    an article."""
    took = []
    for vec in vecs:
        fam = index.family.get(vec.article)
        group = placed.get(fam) if fam is not None else None
        if group is None:
            group = _best_open(index, vec, groups, window)
        if group is None:
            group = StoryState(f"sub{len(groups) + 1}", len(groups) + 1)
            groups.append(group)
        group.add(vec)
        window.joined(group, vec)
        took.append(group)
        if fam is not None:
            placed.setdefault(fam, group)
    return took


def _best_open(index: StoryIndex, vec: ArticleVectors, groups: list[StoryState], window: _AfterLatest) -> StoryState | None:
    """The sub-event still open to the article (by date) that it scores best against, at
    or above the sub-event threshold."""
    best, best_score = None, index.cfg.subevent_threshold
    for group in groups:
        if not window.open_to(group, vec):
            continue
        s = index.score(vec, group)
        if s >= best_score:
            best, best_score = group, s
    return best


def _date_order(vec: ArticleVectors):
    return (vec.published is None, vec.published or 0, vec.article)
