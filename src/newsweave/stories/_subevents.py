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
vectors carry the store's idf when the stage last saved the story).
"""

from __future__ import annotations

from ._index import ArticleVectors, StoryIndex, StoryState


def sub_events(index: StoryIndex, story: StoryState) -> list[StoryState]:
    """The story's sub-events as scratch stories, in the order of their first article
    (date order; undated-only sub-events last)."""
    members = sorted(story.members.values(), key=_date_order)
    groups: list[StoryState] = []
    placed: dict[str, StoryState] = {}  # family id -> its sub-event
    for vec in members:
        fam = index.family.get(vec.article)
        group = placed.get(fam) if fam is not None else None
        if group is None:
            group = _best_open(index, vec, groups)
        if group is None:
            group = StoryState(f"sub{len(groups) + 1}", len(groups) + 1)
            groups.append(group)
        group.add(vec)
        if fam is not None:
            placed.setdefault(fam, group)
    return groups


def _best_open(index: StoryIndex, vec: ArticleVectors, groups: list[StoryState]) -> StoryState | None:
    """The sub-event still open to the article (by date) that it scores best against, at
    or above the sub-event threshold."""
    cfg = index.cfg
    best, best_score = None, cfg.subevent_threshold
    for group in groups:
        if vec.published and group.last and (vec.published - group.last).days > cfg.subevent_gap_days:
            continue
        s = index.score(vec, group)
        if s >= best_score:
            best, best_score = group, s
    return best


def _date_order(vec: ArticleVectors):
    return (vec.published is None, vec.published or 0, vec.article)
