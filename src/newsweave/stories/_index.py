"""Online story clustering in memory: the algorithm, free of SQL and spaCy.

    index = StoryIndex(settings)            # ClusterSettings
    index.observe(features_batch)           # document frequencies of a new batch
    story_id, score = index.assign(f)       # join the best story above the threshold, or open one
    changes = index.consolidate(story_ids)  # merge near-duplicate stories, move misplaced articles

How one article finds its story (no all-pairs step anywhere):

1. Vectors. Lemma TF-IDF (sublinear tf, smoothed idf from the document frequencies seen so
   far) and an entity vector (people weigh most, then organisations and places, ...; each
   entity weighted by its own idf), both L2-normalised.
2. Blocking. An inverted index maps the article's rarest terms and its entities to the
   stories that hold them; only the stories sharing the most keys are scored.
3. Score. `text_weight * cos(text) + entity_weight * cos(entities)` against each candidate
   story's centroid (the sum of its articles' vectors), plus a small bonus for the same
   dateline place, times a time factor: published dates decay with the gap to the story's
   span, and mentioned years that never meet the story's years lower the score; so does a
   title / first sentence naming people that fewer than half of the story's ledes name
   (the protagonist: the actress in rehab, the player arrested).
4. Decision. The best story at or above `threshold` takes the article; else a new story
   opens. Story ids are never renumbered: an id is made from the first article's id.

Consolidation revisits stories: two stories whose centroids score above `merge_threshold`
merge (the smaller into the larger; the old id points to the new), and an article whose
best other story beats its own (scored without itself) by `move_margin` moves there; a
story whose articles state event years two or more apart is cut in two when its halves
score against each other well below their own cohesion (one happening recalling an old
year stays whole). Consolidation is what makes the result nearly independent of arrival
order. The story level is looser than the article's join: merges score without the time
decay (`merge_time_floor`), and a one-article story that only one story claims on words,
names, place and dates joins it (`_adopt_strays`); the sub-events (_subevents.py) keep
the happenings inside a story apart.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import math
from collections import Counter, defaultdict
from sys import intern
from collections.abc import Iterable
from dataclasses import dataclass, field

from ._features import ArticleFeatures
from ._weights import background_idf
from ..text import key as name_key
from ..settings import ClusterSettings

Vector = dict[str, float]


def _unit(vec: Vector) -> Vector:
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {k: v / norm for k, v in vec.items()} if norm else {}


def _dot(small: Vector, big: Vector) -> float:
    if len(small) > len(big):
        small, big = big, small
    return sum(v * big.get(k, 0.0) for k, v in small.items())


@dataclass
class ArticleVectors:
    article: str
    text: Vector
    entities: Vector
    keys: list[str]  # blocking keys: rarest terms and weightiest entities
    lead: str | None  # the main participant: the entity named most (people first)
    year: int | None  # the latest year the article mentions: its best guess of when the event was
    published: dt.date | None
    place: str | None
    lede_people: frozenset[str] = frozenset()  # people the title or first sentence names
    year_guessed: bool = False  # the year is only the latest one the text mentions (no date, no month)


@dataclass
class Change:
    kind: str  # "merge" | "move" | "split"
    story: str  # the story that lost the article(s)
    target: str  # the story that took them
    article: str | None = None
    score: float = 0.0


@dataclass
class StoryState:
    id: str
    seq: int
    members: dict[str, ArticleVectors] = field(default_factory=dict)
    text: Vector = field(default_factory=dict)  # sum of the members' unit vectors
    entities: Vector = field(default_factory=dict)
    years: Counter = field(default_factory=Counter)
    places: Counter = field(default_factory=Counter)
    leads: Counter = field(default_factory=Counter)
    lede_people: Counter = field(default_factory=Counter)  # person key -> members whose lede names it
    lede_members: int = 0  # members whose lede names anyone
    # The members' blocking keys and published dates, counted as they join and leave: a
    # story's centroid (its keys, its median date) and its span read them instead of every
    # member (issue 19 round 10: the giant story's centroid gathered 9,900 members' keys at
    # every consolidation, ~0.47 s a batch). Counts are whole numbers: exact in any order.
    key_counts: Counter = field(default_factory=Counter)
    dates: Counter = field(default_factory=Counter)
    # The sum of the members beside the reuse family that is most of the story, with those
    # members (`_continued_sum`): reconsidering the generated stream's giant family summed
    # the ~11% of its story beside it (1,132 of 9,971 articles) at every batch; a batch mostly adds to
    # them, so the sum is continued. A scratch for `StoryIndex._parts`, not the story's sums.
    beside_family: tuple[list[ArticleVectors], StoryState] | None = field(default=None, repr=False, compare=False)
    merged_into: str | None = None
    stored_size: int = 0  # its articles when the store last saved it (0: not saved yet)
    stored_label: str = ""  # its label then
    # The date span is computed when read, not on every add (a leave scanned every member:
    # the square of the story per batch). The norms come from sums of squares kept by `add`
    # once first read: recomputing them from the whole vector after each join made every
    # article joining a story of thousands cost that story's vocabulary (issue 19; 20 x 500
    # generated, the last batch's assignment ~3.8 s of the stage's profiled 33 s). The kept
    # sums differ from a fresh sum only by rounding (relative ~1e-15).
    _squares: list[float] | None = field(default=None, repr=False)
    _span: tuple[dt.date | None, dt.date | None] | None = field(default=None, repr=False)

    @property
    def text_norm(self) -> float:
        return self._norm()[0]

    @property
    def entity_norm(self) -> float:
        return self._norm()[1]

    def _norm(self) -> tuple[float, float]:
        if self._squares is None:
            self._squares = [sum(v * v for v in self.text.values()), sum(v * v for v in self.entities.values())]
        return math.sqrt(max(self._squares[0], 0.0)), math.sqrt(max(self._squares[1], 0.0))

    @property
    def first(self) -> dt.date | None:
        return self._dates()[0]

    @property
    def last(self) -> dt.date | None:
        return self._dates()[1]

    def _dates(self) -> tuple[dt.date | None, dt.date | None]:
        if self._span is None:  # from the distinct dates: a few hundred days, not every member
            self._span = (min(self.dates), max(self.dates)) if self.dates else (None, None)
        return self._span

    def median_date(self) -> dt.date | None:
        """The members' published dates' median (the upper one of an even count), as
        `sorted(dates)[len // 2]` over every member, walked over the counted dates."""
        rank = sum(self.dates.values()) // 2
        for day in sorted(self.dates):
            rank -= self.dates[day]
            if rank < 0:
                return day
        return None

    def add(self, vec: ArticleVectors, sign: int = 1) -> None:
        if sign > 0:
            self.members[vec.article] = vec
        else:
            self.members.pop(vec.article, None)
        squares = self._squares
        for i, (src, dst) in enumerate(((vec.text, self.text), (vec.entities, self.entities))):
            for k, v in src.items():
                old = dst.get(k, 0.0)
                value = old + sign * v
                if value > 1e-9:
                    dst[k] = value
                else:
                    dst.pop(k, None)
                    value = 0.0
                if squares is not None:
                    squares[i] += value * value - old * old
        for key in vec.keys:
            _count(self.key_counts, key, sign)
        _count(self.dates, vec.published, sign)
        _count(self.years, vec.year, sign)
        _count(self.leads, vec.lead, sign)
        _count(self.places, vec.place, sign)
        if vec.lede_people:
            self.lede_members += sign
            for key in vec.lede_people:
                _count(self.lede_people, key, sign)
        if sign > 0 and vec.published and self._span is not None:
            first, last = self._span
            self._span = (min(first, vec.published) if first else vec.published,
                          max(last, vec.published) if last else vec.published)  # fmt: skip
        elif sign < 0:
            self._span = None


    def take_sums(self, other: StoryState) -> None:
        """Take over another state's sums of the same members (an index built from a kept
        one, `_kept.py`): the norms and the date span are read afresh, as after a load."""
        self.text, self.entities = other.text, other.entities
        self.years, self.places, self.leads = other.years, other.places, other.leads
        self.lede_people, self.lede_members = other.lede_people, other.lede_members
        self.key_counts, self.dates = other.key_counts, other.dates
        self.beside_family = other.beside_family
        self._squares = self._span = None


def _count(counter: Counter, key, sign: int) -> None:
    """Add `sign` to a key's count (no key: nothing), dropping the key at zero."""
    if not key:
        return
    counter[key] += sign
    if counter[key] <= 0:
        del counter[key]


class StoryIndex:
    """Stories in memory with an inverted index over their blocking keys."""

    def __init__(self, settings: ClusterSettings | None = None) -> None:
        self.cfg = settings or ClusterSettings()
        self.df: Counter[str] = Counter()  # "t:lemma" / "e:key" -> documents seen with it
        self.n_docs = 0
        self._idf: dict[str, float] = {}  # idf per key until the next `observe`
        self.stories: dict[str, StoryState] = {}
        self.article_story: dict[str, str] = {}
        self.stored_story: dict[str, str] = {}  # article -> its story as the store held it when loaded
        self.postings: dict[str, set[str]] = defaultdict(set)
        self._merged_from: dict[str, set[str]] = defaultdict(set)  # live story -> ids merged into it
        self.newest: dt.date | None = None  # the latest published date seen
        self._next_seq = 1
        # reuse families of two or more articles: copies of one report are one story, always
        self.family: dict[str, str] = {}  # article -> family id
        self.family_members: dict[str, set[str]] = defaultdict(set)  # family id -> its articles
        # family id -> {story: its placed members there}, kept as articles join and leave: a
        # copy asking for its family's story, or whether it is bound to its own, used to count
        # the family's members one by one (a family of thousands, every new copy of a batch)
        self._family_placed: dict[str, Counter] = defaultdict(Counter)
        # story -> its sub-events' sums by their articles, for a settled story's continued
        # sub-events (_subevents.py); the stage keeps them between runs under one set of weights
        self.sub_event_states: dict[str, dict[frozenset[str], StoryState]] = {}

    def set_families(self, families: dict[str, str]) -> None:
        """Record the reuse family of articles (article -> family id; `reuse.family_of`).
        Families change as copies arrive (a new article can join two), so the latest call
        wins for the articles it names."""
        for article, fam in families.items():
            old = self.family.get(article)
            sid = self.article_story.get(article)
            if old is not None:
                self.family_members[old].discard(article)
                if sid is not None:
                    _count(self._family_placed[old], sid, -1)
            self.family[article] = fam
            self.family_members[fam].add(article)
            if sid is not None:
                _count(self._family_placed[fam], sid, 1)

    def _place(self, article: str, sid: str | None) -> None:
        """Record the article in story `sid` (None: in none), keeping the family counts."""
        fam = self.family.get(article)
        old = self.article_story.pop(article, None)
        if fam is not None and old is not None:
            _count(self._family_placed[fam], old, -1)
        if sid is not None:
            self.article_story[article] = sid
            if fam is not None:
                _count(self._family_placed[fam], sid, 1)

    def _family_held(self, article: str) -> Counter:
        """{story: the article's placed family members there, itself aside}."""
        held = Counter(self._family_placed[self.family[article]])
        own = self.article_story.get(article)
        if own is not None:
            _count(held, own, -1)
        return held

    def _family_story(self, article: str) -> str | None:
        """The live story holding most of the article's placed family members (the oldest
        story on a tie), or None when none of them is placed."""
        fam = self.family.get(article)
        if fam is None:
            return None
        held = self._family_held(article)
        if not held:
            return None
        return max(held, key=lambda sid: (held[sid], -self.stories[sid].seq))

    def _family_bound(self, article: str) -> bool:
        """Whether the article has family members in its own story (it moves only with them)."""
        sid = self.article_story.get(article)
        fam = self.family.get(article)
        if fam is None:
            return False
        if sid is None:  # unplaced: bound to the unplaced members, as the test was written
            return any(m != article and m not in self.article_story for m in self.family_members[fam])
        return self._family_held(article)[sid] > 0

    def unite_families(self, story_ids: Iterable[str] | None = None) -> list[Change]:
        """The invariant: every reuse family in one story. A family whose members lie in
        several stories moves to the story holding most of them (the oldest on a tie)."""
        sids = set(story_ids) if story_ids is not None else set(self.live())
        fams = sorted({self.family[a] for sid in sids if sid in self.stories
                       for a in self.stories[sid].members if a in self.family})
        changes = []
        for fam in fams:
            held = Counter(self._family_placed[fam])
            if len(held) < 2:
                continue
            placed = sorted(m for m in self.family_members[fam] if m in self.article_story)
            target = max(held, key=lambda sid: (held[sid], -self.stories[sid].seq))
            for article in placed:
                own_id = self.article_story[article]
                if own_id == target:
                    continue
                vec = self.stories[own_id].members[article]
                self.leave(vec)
                self.join(vec, target)
                if not self.stories[own_id].members:
                    self._redirect(own_id, target)
                changes.append(Change("move", own_id, target, article, self.score(vec, self.stories[target], without_self=True)))
        return changes

    # -- vectors ------------------------------------------------------------------------

    def observe(self, batch: Iterable[ArticleFeatures]) -> None:
        """Count document frequencies of a batch before its articles are assigned (nothing to
        count with background weights: the store's frequencies are not read)."""
        if self.cfg.idf_source == "background":
            return
        for f in batch:
            self._idf.clear()
            self.n_docs += 1
            self.df.update("t:" + t for t in f.terms)
            self.df.update("e:" + k for k in f.entities)

    def idf(self, key: str) -> float:
        """Smoothed idf over the documents seen plus `idf_background_docs` that name nothing
        seen: in a fresh store of one happening every article shares its words, and without
        the background those words would weigh least (its articles then scored as strangers)."""
        if self.cfg.idf_source == "background":
            return background_idf(key, self.cfg.idf_doc_tokens, self.cfg.idf_min_share)
        value = self._idf.get(key)
        if value is None:  # remembered: the same keys come back for every article of a story
            n = self.n_docs + self.cfg.idf_background_docs
            value = self._idf[key] = math.log((n + 1) / (self.df.get(key, 0) + 1)) + 1.0
        return value

    def vectors(self, f: ArticleFeatures) -> ArticleVectors:
        cfg = self.cfg
        text = {t: (1.0 + math.log(c)) * self.idf("t:" + t) for t, c in f.terms.items()}
        ents: Vector = {}
        for key, (etype, count, *_) in f.entities.items():
            weight = cfg.entity_type_weights.get(etype, 0.0)
            if weight:
                ents[key] = weight * (1.0 + math.log(count)) * self.idf("e:" + key)
        rare = heapq.nlargest(cfg.block_terms, text.items(), key=lambda kv: (kv[1], kv[0]))
        top_ents = heapq.nlargest(cfg.block_entities, ents.items(), key=lambda kv: (kv[1], kv[0]))
        keys = [intern("t:" + t) for t, _ in rare] + [intern("e:" + k) for k, _ in top_ents]  # one string per key
        prominence = {
            key: cfg.entity_type_weights.get(etype, 0.0) * count * self.idf("e:" + key)
            for key, (etype, count, *_) in f.entities.items()
        }
        lead = max(prominence, key=lambda k: (prominence[k], k)) if prominence else None
        return ArticleVectors(
            article=f.article,
            text=_unit(text),
            entities=_unit(ents),
            keys=keys,
            lead=lead if lead and prominence[lead] > 0 else None,
            year=_event_year(f),
            year_guessed=not (f.published or f.dated_years),
            published=f.published,
            place=f.place,
            lede_people=_lede_people(f, cfg.lede_min_mentions),
        )

    # -- scoring ------------------------------------------------------------------------

    def score(
        self, vec: ArticleVectors, story: StoryState, without_self: bool = False, participants: bool = True,
        time_floor: float | None = None,
    ) -> float:
        """Similarity of an article to a story (optionally as if the article were not in it);
        `participants=False` leaves out the year, lead and lede tests (the tests that keep two
        same-kind happenings apart), keeping the similarity, the place and the time factor."""
        cfg = self.cfg
        text, ents, tnorm, enorm = story.text, story.entities, story.text_norm, story.entity_norm
        years, places, leads = story.years, story.places, story.leads
        if without_self and vec.article in story.members:
            if len(story.members) == 1:
                return 0.0
            tdot = _dot(vec.text, text) - 1.0 if vec.text else 0.0
            edot = _dot(vec.entities, ents) - 1.0 if vec.entities else 0.0
            tnorm = math.sqrt(max(tnorm**2 - 2 * (tdot + 1.0) + 1.0, 0.0)) if vec.text else tnorm
            enorm = math.sqrt(max(enorm**2 - 2 * (edot + 1.0) + 1.0, 0.0)) if vec.entities else enorm
            years = years - Counter([vec.year] if vec.year else [])
            places = places - Counter([vec.place] if vec.place else [])
            leads = leads - Counter([vec.lead] if vec.lead else [])
        else:
            tdot = _dot(vec.text, text)
            edot = _dot(vec.entities, ents)
        s = cfg.text_weight * (tdot / tnorm if tnorm > 1e-9 else 0.0)
        s += cfg.entity_weight * (edot / enorm if enorm > 1e-9 else 0.0)
        if vec.place and places.get(vec.place, 0) > 0:
            s += cfg.place_bonus
        if not participants:
            return s * self._time_factor(vec, story, time_floor)
        if vec.year and years:
            s *= self._year_factor(vec.year, years, vec.year_guessed)
        if vec.lead and leads:
            story_lead = max(leads, key=lambda k: (leads[k], k))
            # A name counts as named when it is an entity or a word of the other side: the
            # small model misses names in headline case ("Lindsay Lohan Checks Out Of Rehab").
            if not (vec.lead in ents or vec.lead in text or story_lead in vec.entities or story_lead in vec.text):
                s *= cfg.lead_mismatch_factor
        if vec.lede_people and cfg.lede_mismatch_factor < 1.0:
            people, members = story.lede_people, story.lede_members
            if without_self and vec.article in story.members:
                people, members = people - Counter(vec.lede_people), members - 1
            if members > 0 and max(people.get(k, 0) for k in vec.lede_people) < cfg.lede_agree_share * members:
                s *= cfg.lede_mismatch_factor
        return s * self._time_factor(vec, story, time_floor)

    def _year_factor(self, year: int, years: Counter, guessed: bool = False) -> float:
        """How well the article's event year agrees with the years of the story's articles:
        1 when all agree, `year_mismatch_factor` when none does (a year apart counts half);
        `guessed_year_mismatch_factor` when the article's year is only the latest it mentions
        (an undated report recalling a career, "here's something we all knew would happen")."""
        total = sum(years.values())
        agree = years.get(year, 0) + 0.5 * (years.get(year - 1, 0) + years.get(year + 1, 0))
        low = self.cfg.guessed_year_mismatch_factor if guessed else self.cfg.year_mismatch_factor
        return low + (1.0 - low) * min(agree / total, 1.0)

    def _time_factor(self, vec: ArticleVectors, story: StoryState, floor: float | None = None) -> float:
        if not (vec.published and story.first and story.last):
            return 1.0
        if story.first <= vec.published <= story.last:
            return 1.0
        gap = min(abs((vec.published - story.first).days), abs((vec.published - story.last).days))
        excess = gap - self.cfg.time_grace_days
        if excess <= 0:
            return 1.0
        low = self.cfg.time_floor if floor is None else floor
        return low + (1.0 - low) * 0.5 ** (excess / self.cfg.time_half_life_days)

    def candidates(self, vec: ArticleVectors, exclude: str | None = None) -> list[str]:
        """The stories sharing the most blocking keys with the article."""
        # a plain dict counted by hand: a story's centroid blocks with every key its members
        # hold (15,505 in the generated stream's story of 9,971), and Counter.update's type checks per
        # posting were most of the lookup (issue 19 round 10); the counts are the same
        shared: dict[str, int] = {}
        for key in vec.keys:
            posting = self.postings.get(key)
            if posting and self.newest and len(posting) > self.cfg.prune_at:
                self._prune(posting)
            if posting and len(posting) <= self.cfg.max_posting:
                for sid in posting:
                    shared[sid] = shared.get(sid, 0) + 1
        if exclude:
            shared.pop(exclude, None)
        if vec.published:  # a story too far away in time cannot reach the threshold: skip it
            for sid in [sid for sid in shared if self._out_of_time(vec.published, self.stories[sid])]:
                del shared[sid]
            # beyond the grace a story already scores less: one shared rare key is chance there
            for sid in [sid for sid, n in shared.items() if n < self.cfg.late_min_shared_keys
                        and self._beyond_grace(vec.published, self.stories[sid])]:
                del shared[sid]
        return [sid for sid, _ in heapq.nlargest(self.cfg.max_candidates, shared.items(), key=lambda kv: (kv[1], kv[0]))]

    def _prune(self, posting: set[str]) -> None:
        """Drop from a posting list the stories closed to the stream: merged away, or last
        seen more than the horizon before the newest article (late articles older than
        that cannot join them; the stories themselves stay in the store)."""
        limit = self.newest - dt.timedelta(days=self.horizon_days)
        for sid in [sid for sid in posting if self._closed(self.stories[sid], limit)]:
            posting.discard(sid)

    @staticmethod
    def _closed(story: StoryState, limit: dt.date) -> bool:
        return bool(story.merged_into) or not story.members or (story.last is not None and story.last < limit)

    def _out_of_time(self, day: dt.date, story: StoryState) -> bool:
        if not (story.first and story.last):
            return False
        gap = max((day - story.last).days, (story.first - day).days)
        return gap > self.horizon_days

    def _beyond_grace(self, day: dt.date, story: StoryState) -> bool:
        if not (story.first and story.last):
            return False
        return max((day - story.last).days, (story.first - day).days) > self.cfg.time_grace_days

    @property
    def horizon_days(self) -> float:
        """The gap beyond which even a perfect score (at most 1 + place bonus) decays below
        the threshold: such stories are closed to the article."""
        cfg = self.cfg
        best = 1.0 + cfg.place_bonus
        if cfg.time_floor * best >= cfg.threshold:
            return cfg.time_horizon_days
        reach = (cfg.threshold / best - cfg.time_floor) / (1.0 - cfg.time_floor)
        decayed = cfg.time_grace_days + cfg.time_half_life_days * math.log2(1.0 / max(reach, 1e-6))
        return min(decayed, cfg.time_horizon_days)

    def best(self, vec: ArticleVectors, exclude: str | None = None) -> tuple[str | None, float]:
        best_id, best_score = None, 0.0
        for sid in self.candidates(vec, exclude):
            s = self.score(vec, self.stories[sid])
            if s > best_score or (s == best_score and best_id is not None and sid < best_id):
                best_id, best_score = sid, s
        return best_id, best_score

    # -- assignment ---------------------------------------------------------------------

    def assign(self, f: ArticleFeatures) -> tuple[str, float]:
        """Put one article into the best story at or above the threshold, or open a new one."""
        vec = self.vectors(f)
        family_sid = self._family_story(f.article)
        if family_sid is not None:  # a copy joins its family's story, whatever it scores
            self.join(vec, family_sid)
            return family_sid, self.score(vec, self.stories[family_sid], without_self=True)
        sid, score = self.best(vec)
        if sid is None or score < self.cfg.threshold:
            sid, score = self.open_story(vec.article), 1.0
        self.join(vec, sid)
        return sid, score

    def open_story(self, first_article: str, seq: int | None = None) -> str:
        sid = base = story_id_for(first_article)
        n = 1
        while sid in self.stories:  # the article once opened a story that has since merged away
            n += 1  # a numbered id: prefixing "s" again reached a fixed point ("sssssssssssss") and never ended
            sid = f"{base}-{n}"
        self.stories[sid] = StoryState(sid, seq or self._next_seq)
        self._next_seq = max(self._next_seq, self.stories[sid].seq) + 1
        return sid

    def join(self, vec: ArticleVectors, sid: str) -> None:
        if vec.published and (self.newest is None or vec.published > self.newest):
            self.newest = vec.published
        story = self.stories[sid]
        story.add(vec)
        self._place(vec.article, sid)
        for key in vec.keys:
            self.postings[key].add(sid)

    def attach(self, vec: ArticleVectors, sid: str) -> None:
        """`join` without the sums: the story's state already counts the article (it took
        over a kept state's sums, `StoryState.take_sums`)."""
        if vec.published and (self.newest is None or vec.published > self.newest):
            self.newest = vec.published
        self.stories[sid].members[vec.article] = vec
        self._place(vec.article, sid)
        for key in vec.keys:
            self.postings[key].add(sid)

    def leave(self, vec: ArticleVectors) -> None:
        """Take an article out of its story (its keys stay posted: the story may hold others)."""
        sid = self.article_story[vec.article]
        self._place(vec.article, None)
        self.stories[sid].add(vec, sign=-1)

    # -- consolidation ------------------------------------------------------------------

    def consolidate(self, story_ids: Iterable[str] | None = None, fresh: set[str] | None = None) -> list[Change]:
        """Merge near-duplicate stories and move misplaced articles, among `story_ids`
        (default: every live story) and the stories they block with. `fresh`: the articles
        this run placed; a large story that has not grown by an epoch since it was saved
        (`settled`) has only those (and the ones moved meanwhile) reconsidered."""
        changes: list[Change] = []
        todo = set(story_ids if story_ids is not None else self.live())
        touched = set(todo)
        settled = {sid for sid in todo if fresh is not None and self.settled(sid)}
        recheck = set(fresh or ())  # what a settled story reconsiders: the fresh articles and the ones moved since
        for _ in range(self.cfg.consolidate_rounds):
            changed: set[str] = set()
            seen_families: set[str] = set()
            for sid in sorted(todo):
                story = self.stories.get(sid)
                if story is None or story.merged_into or not story.members:
                    continue
                for vec in self._to_reconsider(story, recheck if sid in settled else None):
                    if vec.article not in story.members:  # left with its family
                        continue
                    if self._family_bound(vec.article):
                        fam = self.family[vec.article]
                        found = [] if fam in seen_families else self._reconsider_family(fam)
                        seen_families.add(fam)
                    else:
                        found = [c for c in [self._reconsider(vec)] if c]
                    for change in found:
                        changes.append(change)
                        changed.update((change.story, change.target))
                        recheck.add(change.article)
            for change in self._merge_pass(todo | changed):
                changes.append(change)
                changed.update((change.story, change.target))
            for sid in sorted(todo | changed):
                for change in self._split_by_year(sid):
                    changes.append(change)
                    changed.update((change.story, change.target))
            for change in self.unite_families(todo | changed):
                changes.append(change)
                changed.update((change.story, change.target))
            touched |= changed
            if not changed:
                break
            todo = changed
        changes += self._adopt_strays(touched, expand=story_ids is not None)
        return changes

    def settled(self, sid: str) -> bool:
        """Whether a story is large and has not grown by an epoch (`settle_epoch_ratio`)
        since the store saved it: the centroid of a story of thousands barely moves with a
        batch, so its old articles keep their place and its label stays (reconsidering all
        of them at every batch made each new article of a growing story cost more than the
        last; issue 19). A story up to `settle_exact_until` articles is never settled."""
        story = self.stories[sid]
        return settled_size(story.stored_size, len(story.members), self.cfg)

    @staticmethod
    def _to_reconsider(story: StoryState, only: set[str] | None) -> list[ArticleVectors]:
        """The story's articles to reconsider, by id: all, or those in `only`."""
        if only is None:
            return sorted(story.members.values(), key=lambda v: v.article)
        return [story.members[a] for a in sorted(only) if a in story.members]

    def _adopt_strays(self, story_ids: set[str], expand: bool = True) -> list[Change]:
        """The story level's looser test: a small story (at most `adopt_max_articles`) whose
        articles score at least `adopt_threshold` against exactly one other story on their
        words, names, place and dates alone joins it. The year, lead and lede tests keep
        same-kind happenings apart when two of them compete for an article; a stray that
        only one story can claim (a column on the event naming other people, a blog post
        weeks on) is that story's follow-up. Where a second story also scores within
        `adopt_unique_ratio` of the best, the stray stays apart. `expand`: also consider the
        small stories the given ones block with (a batch's stories; not needed over all)."""
        cfg = self.cfg
        if cfg.adopt_max_articles <= 0:
            return []
        pool = {sid for sid in story_ids if sid in self.stories}
        for sid in sorted(pool) if expand else []:  # the small stories the touched ones block with
            story = self.stories[sid]
            if story.merged_into or not story.members or len(story.members) <= cfg.adopt_max_articles:
                continue
            pool.update(self.candidates(self._centroid(story), exclude=sid))
        changes = []
        for sid in sorted(pool, key=lambda s: self.stories[s].seq):
            story = self.stories[sid]
            if story.merged_into or not story.members or len(story.members) > cfg.adopt_max_articles:
                continue
            centroid = self._centroid(story)
            scored = sorted(
                ((self.score(centroid, self.stories[o], participants=False), o)
                 for o in self.candidates(centroid, exclude=sid)
                 if len(self.stories[o].members) > len(story.members)),
                key=lambda x: (-x[0], x[1]),
            )
            if not scored or scored[0][0] < cfg.adopt_threshold:
                continue
            if len(scored) > 1 and scored[1][0] >= cfg.adopt_unique_ratio * scored[0][0]:
                continue
            score, target = scored[0]
            self.merge(sid, target)
            changes.append(Change("merge", sid, target, None, score))
        return changes

    def _reconsider(self, vec: ArticleVectors) -> Change | None:
        cfg = self.cfg
        own_id = self.article_story[vec.article]
        own = self.stories[own_id]
        if self._family_bound(vec.article):  # copies move together (the merge and split passes move them)
            return None
        own_score = self.score(vec, own, without_self=True)
        other_id, other_score = self.best(vec, exclude=own_id)
        if other_id and other_score >= cfg.threshold and other_score > own_score + cfg.move_margin:
            self.leave(vec)
            self.join(vec, other_id)
            if not own.members:  # its last article left: the old id points to where it went
                self._redirect(own_id, other_id)
            return Change("move", own_id, other_id, vec.article, other_score)
        if len(own.members) > 1 and own_score < cfg.threshold - cfg.move_margin and other_score < cfg.threshold:
            new_id = self._split_off([vec])
            return Change("split", own_id, new_id, vec.article, own_score)
        return None

    def _reconsider_family(self, fam: str) -> list[Change]:
        """`_reconsider` for the members of one reuse family in one story, as one unit: their
        centroid against their story without them and against the best other story. Both
        sides are scratch stories, built from the smaller side (the larger is the story less
        it): a giant family used to leave its story and join it again, member by member, at
        every batch, to be scored against the few others."""
        cfg = self.cfg
        own_id = self.article_story[min(a for a in self.family_members[fam] if a in self.article_story)]
        own = self.stories[own_id]
        vecs = [own.members[a] for a in sorted(self.family_members[fam]) if a in own.members]
        if len(vecs) == len(own.members):  # the family is the whole story: the merge pass decides
            return []
        unit, without = self._parts(own, {v.article for v in vecs})
        centroid = self._centroid(unit)
        own_score = self.score(centroid, without)
        other_id, other_score = self.best(centroid, exclude=own_id)
        if other_id and other_score >= cfg.threshold and other_score > own_score + cfg.move_margin:
            target, kind, score = other_id, "move", other_score
        elif own_score < cfg.threshold - cfg.move_margin and other_score < cfg.threshold:
            if len(vecs) > len(without.members):
                # the family is most of the story: the story keeps its id and the few others
                # leave (a giant family used to leave instead, its story's id changing each batch)
                rest = sorted(without.members.values(), key=lambda v: v.article)
                new_id = self._split_off(rest)
                return [Change("split", own_id, new_id, vec.article, own_score) for vec in rest]
            for vec in vecs:
                self.leave(vec)
            target, kind, score = self.open_story(vecs[0].article), "split", own_score
        else:
            return []
        for vec in vecs:
            if vec.article in own.members:
                self.leave(vec)
            self.join(vec, target)
        return [Change(kind, own_id, target, vec.article, score) for vec in vecs]

    @staticmethod
    def _parts(story: StoryState, articles: set[str]) -> tuple[StoryState, StoryState]:
        """Two scratch stories: the story's `articles`, and the story without them. The smaller
        side is summed from its members, the larger is the story less that side."""
        inside = [v for a, v in story.members.items() if a in articles]
        outside = [v for a, v in story.members.items() if a not in articles]
        if len(inside) <= len(outside):
            summed = _continued_sum(None, inside)[1]
            return summed, _less(story, summed)
        story.beside_family = _continued_sum(story.beside_family, outside)
        summed = story.beside_family[1]
        return _less(story, summed), summed

    def _split_off(self, vecs: list[ArticleVectors]) -> str:
        """Take the articles out of their story into a new one, opened by the first."""
        for vec in vecs:
            self.leave(vec)
        new_id = self.open_story(vecs[0].article)
        for vec in vecs:
            self.join(vec, new_id)
        return new_id

    def _merge_pass(self, story_ids: set[str]) -> list[Change]:
        changes = []
        for sid in sorted(story_ids):
            story = self.stories.get(sid)
            if story is None or story.merged_into or not story.members:
                continue
            centroid = self._centroid(story)
            for other_id in self.candidates(centroid, exclude=sid):
                other = self.stories[other_id]
                if other.merged_into or not other.members:
                    continue
                s = self.score(centroid, other, time_floor=self.cfg.merge_time_floor)
                if s >= self.cfg.merge_threshold:
                    big, small = (other, story) if len(other.members) >= len(story.members) else (story, other)
                    self.merge(small.id, big.id)
                    changes.append(Change("merge", small.id, big.id, None, s))
                    break
        return changes

    def _split_by_year(self, sid: str) -> list[Change]:
        """Split a story whose articles state event years two or more apart, when its two
        year groups are too unlike to be one happening (two Athens riots two years apart,
        two elections in Turkmenistan). Articles stating no year, or another one, go to the
        half they score best against. The halves part when they score against each other
        below `split_ratio` of the weaker half's cohesion (and below the merge threshold, or
        the merge pass would join them again). One happening whose reports recall an old
        year (an obituary recalling a career) stays whole: its halves score as alike as
        their own articles do."""
        story = self.stories.get(sid)
        if story is None or story.merged_into or not story.members:
            return []
        groups = _year_groups(story.years, self.cfg.split_min_articles)
        if len(groups) < 2:
            return []
        halves = self._bisect(story, groups[0], groups[1])
        if not all(h.members for h in halves):
            return []
        cross = max(self.score(self._centroid(a), b) for a, b in (halves, halves[::-1]))
        cohesion = min(self._cohesion(h) for h in halves)
        if cross >= self.cfg.merge_threshold or cross >= self.cfg.split_ratio * cohesion:
            return []
        smaller = min(halves, key=lambda h: (len(h.members), min(h.members)))
        leaving = sorted(smaller.members.values(), key=lambda v: v.article)
        new_id = self._split_off(leaving)
        return [Change("split", sid, new_id, vec.article, cross) for vec in leaving]

    def _cohesion(self, story: StoryState) -> float:
        """How well a story's articles fit it: their mean score against it without themselves."""
        return sum(self.score(v, story, without_self=True) for v in story.members.values()) / len(story.members)

    def _bisect(self, story: StoryState, years_a: set[int], years_b: set[int]) -> list[StoryState]:
        """Two halves of a story: the articles of each year group, and every other article
        on the side it scores best against (re-scored as the halves settle)."""
        fixed = [[v for v in story.members.values() if v.year in years] for years in (years_a, years_b)]
        free = sorted((v for v in story.members.values() if v.year not in years_a | years_b), key=lambda v: v.article)
        side: dict[str, int] = {}
        for _ in range(self.cfg.split_rounds):
            halves = _halves(fixed, free, side)
            new_side = {
                v.article: int(self.score(v, halves[1], without_self=True) > self.score(v, halves[0], without_self=True))
                for v in free
            }
            if new_side == side:
                return halves
            side = new_side
        return _halves(fixed, free, side)

    def _centroid(self, story: StoryState) -> ArticleVectors:
        text, ents = _unit(story.text), _unit(story.entities)
        return ArticleVectors(
            article="",
            text=text,
            entities=ents,
            keys=sorted(story.key_counts),
            lead=max(story.leads, key=lambda k: (story.leads[k], k)) if story.leads else None,
            year=story.years.most_common(1)[0][0] if story.years else None,
            published=story.median_date(),
            place=story.places.most_common(1)[0][0] if story.places else None,
            lede_people=frozenset(
                k for k, n in story.lede_people.items() if n >= self.cfg.lede_agree_share * story.lede_members
            ),
        )

    def merge(self, source_id: str, target_id: str) -> None:
        source = self.stories[source_id]
        for vec in list(source.members.values()):
            source.add(vec, sign=-1)
            self.join(vec, target_id)
        self._redirect(source_id, target_id)

    def _redirect(self, source_id: str, target_id: str) -> None:
        """The emptied story `source_id` now answers for `target_id`, and so do the ids that
        pointed to it: every pointer stays one hop from a live story."""
        moved = self._merged_from.pop(source_id, set()) | {source_id}
        for sid in moved:
            self.stories[sid].merged_into = target_id
        self._merged_from[target_id].update(moved)

    def live(self) -> list[str]:
        return [sid for sid, s in self.stories.items() if not s.merged_into and s.members]


def epoch(n: int, exact_until: int, ratio: float) -> int:
    """The epoch of a count `n`: `n` itself up to `exact_until`, then the largest of
    exact_until, exact_until * ratio, ... (each rounded down) that is at most `n`. Work
    redone only when a count changes epoch is redone a bounded number of times per article
    (about 1 / (1 - 1 / ratio)) however large the count grows."""
    if n <= exact_until:
        return n
    value = exact_until
    while int(value * ratio) <= n:
        value = int(value * ratio)
    return value


def settled_size(stored: int, now: int, cfg: ClusterSettings) -> bool:
    """Whether a group saved at `stored` articles (0: never saved) and holding `now` is in the
    same settle epoch (`settle_exact_until`, `settle_epoch_ratio`): a story's, or a sub-event's
    of a settled story, whose label then stays (`StoryIndex.settled`)."""
    return stored > 0 and epoch(stored, cfg.settle_exact_until, cfg.settle_epoch_ratio) == epoch(
        now, cfg.settle_exact_until, cfg.settle_epoch_ratio
    )


def _continued_sum(
    done: tuple[list[ArticleVectors], StoryState] | None, vecs: list[ArticleVectors]
) -> tuple[list[ArticleVectors], StoryState]:
    """A scratch story summed from `vecs` in their order, with the vectors it holds. When
    `done` summed the first of them (the very vectors: the same weights) it is continued,
    the same additions in the same order, so the sums are those of summing them all anew to
    the bit; its sums of squares are read afresh, as a new sum's are. Else summed anew."""
    if done is None or len(done[0]) > len(vecs) or any(a is not b for a, b in zip(done[0], vecs)):
        done = ([], StoryState("part", 0))
    summed = done[1]
    summed._squares = None
    for vec in vecs[len(done[0]):]:
        summed.add(vec)
    return list(vecs), summed


def _less(story: StoryState, part: StoryState) -> StoryState:
    """A scratch story: `story` without the members of `part` (one of its subsets), its sums
    taken as the story's less the part's. Each is copied whole (in C) and only the part's
    entries are taken out: the story's key counts hold ~15,000 keys in the generated stream,
    and a Counter difference walked them all in Python for every family reconsidered (the
    copies keep the story's order, as the difference did: `most_common` breaks ties by it)."""
    rest = StoryState("rest", 0)
    rest.members = dict(story.members)
    for a in part.members:
        del rest.members[a]
    for name in ("text", "entities"):
        left = dict(getattr(story, name))
        for k, v in getattr(part, name).items():
            value = left.get(k, 0.0) - v
            if value > 1e-9:
                left[k] = value
            else:
                left.pop(k, None)
        setattr(rest, name, left)
    for name in ("years", "places", "leads", "lede_people", "key_counts", "dates"):
        left = Counter(getattr(story, name))
        for key, n in getattr(part, name).items():
            _count(left, key, -n)
        setattr(rest, name, left)
    rest.lede_members = story.lede_members - part.lede_members
    return rest


def _event_year(f: ArticleFeatures) -> int | None:
    """The year of the article's event: its publication year when known; else the latest
    year it writes with a month ("Sept. 18, 2013": datelines, event dates); else the latest
    year it mentions at all (reports name the year of their event more than any later one)."""
    if f.published:
        return f.published.year
    if f.dated_years:
        return max(f.dated_years)
    return max(f.years) if f.years else None


def _year_groups(years: Counter, min_articles: int) -> list[set[int]]:
    """The story's event years in runs of consecutive years ({2012, 2013}, {2008}), those
    stated by at least `min_articles` articles, most articles first."""
    runs: list[list[int]] = []
    for year in sorted(years):
        if runs and year - runs[-1][-1] <= 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    counted = [(sum(years[y] for y in run), run) for run in runs]
    return [set(run) for n, run in sorted(counted, key=lambda c: (-c[0], c[1])) if n >= min_articles]


def _halves(fixed: list[list[ArticleVectors]], free: list[ArticleVectors], side: dict[str, int]) -> list[StoryState]:
    """Two scratch stories: each holds its fixed articles and the free ones `side` gives it."""
    halves = [StoryState(f"half{i}", 0) for i in range(2)]
    for i, half in enumerate(halves):
        for vec in fixed[i] + [v for v in free if side.get(v.article) == i]:
            half.add(vec)
    return halves


def _lede_people(f: ArticleFeatures, min_mentions: int) -> frozenset[str]:
    """The people the title or first sentence names: the protagonist of the report. A
    protagonist is named again in the body; a "person" named once is, more often than not,
    a headline word the small model took for a name ("Arson", "Rehab", "Die")."""
    head = _head_key(f.title, f.lede)
    return frozenset(
        k
        for k, (etype, count, *_) in f.entities.items()
        if etype == "PERSON" and count >= min_mentions and f" {k} " in head
    )


@functools.lru_cache(maxsize=1 << 18)
def _head_key(title: str | None, lede: str | None) -> str:
    """The name key of an article's title and lede, spaced for a whole-key search. Every
    batch vectorises every stored article again (the idf changed) but its head did not:
    keying it was ~7% of the stage's profile on a 10k-article stream (issue 19). The
    cache holds 262k heads (~100 bytes each) so that a store of 100k is read through it
    whole: an LRU smaller than the store scanned in order would never hit."""
    return " " + name_key(" ".join(x for x in (title, lede) if x)) + " "


def story_id_for(article_id: str) -> str:
    """A story's id: made from the id of the article that opened it; never renumbered."""
    return "s" + article_id[:12]
