"""The extract stage: events, quotes and times of every article, then of every story.

    ExtractStage().run(store, article_ids, settings)     (registered in pipeline.py)
    load_events(store, story_id=None) -> [Event]
    load_quotes(store, story_id=None) -> [Quote]

Steps, for the articles the runner hands over:
1. parse them (nlp.parse_articles) and pick each one's anchor date: its published date, or,
   for an undated article, the most common published date of its story (`anchor_from` =
   "story", a weaker anchor that every date resolved from it carries);
2. find its quotes (quotes.py) and its event mentions (events.py), resolve the people in
   them (participants.default_resolver: resolve.entity_at once entity resolution lands,
   the surface name until then), and replace the article's rows in event_mentions and
   quote_mentions;
3. for every story those articles belong to, continue its kept event groups and quote
   groups with the new articles' mentions (or, when it lost, moved or re-analysed articles,
   group all its mentions again, recorded in events_recomputes), and write the events and
   quotes that changed.

Stories come from the cluster stage (`stories.story_of` / `stories.story_articles`);
"all" names every article as one story.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from dataclasses import replace
from collections.abc import Sequence
from typing import NamedTuple

from .. import entities, nlp, stories
from ..errors import NotFoundError
from ..records import Article, Event, Quote, Span, TimeValue
from ..settings import ExtractSettings, Settings
from ..store import Store, utcnow
from . import _frames as ev
from ._participants import ArticlePeople, Participant, default_resolver, display_name
from ._quotes import QuoteGroup, QuoteMention, find_quotes, group_quotes
from ._timex import parse_anchor

ALL = "all"  # every article, as one story (`newsweave events all`)


# -- stories (switch to the cluster stage's functions when it lands) ------------------


def story_of(store: Store, article_id: str) -> str:
    """The story an article belongs to (the article's own id before the cluster stage ran)."""
    return stories.story_of(store, article_id) or article_id


def story_articles(store: Store, story_id: str) -> list[str]:
    """The ids of a story's articles ("all": every article)."""
    if story_id == ALL:
        return store.article_ids()
    return stories.story_articles(store, story_id) or ([story_id] if store.has_article(story_id) else [])


def story_anchor(store: Store, story_id: str) -> dt.date | None:
    """The most common published date of a story's dated articles (ties: the earliest)."""
    sql = "SELECT published FROM articles WHERE id IN ({marks}) AND published IS NOT NULL AND published != ''"
    rows = store.select_in(sql, story_articles(store, story_id))  # the dates only, not the articles
    dates = Counter(dt.date.fromisoformat(r[0]) for r in rows)
    if not dates:
        return None
    return min(dates, key=lambda d: (-dates[d], d))


# -- the stage ------------------------------------------------------------------------


class Found(NamedTuple):
    """What the stage computes before writing: the articles' mentions, their stories, and
    (once `corefer_stories` ran) each story's events and quotes."""

    mentions: list[tuple[str, list, list]]
    stories: set[str]
    texts: dict[str, str]  # article id -> clean text (quote mentions are read back from it)
    coref: dict[str, StoryCoref] | None = None


class StoryCoref(NamedTuple):
    """A story's coreference, ready to write: its articles, its events, and its quote groups,
    either all recomputed (`whole`: why, recorded) or the stored ones continued with the new
    articles' mentions (`stored_qids`: the quote id each stored group was written as;
    `stored_digests`: each stored event's digest, so only changed events are rewritten)."""

    articles: list[str]
    events: list[Event]
    groups: list[QuoteGroup]
    whole: str | None
    stored_qids: list[str]
    new: list[str]  # the articles the continued groups added (the stored ones cover the others)
    event_groups: list[list[list]]  # the named event groups to keep, as [[article id, k], ...]
    stored_digests: dict[str, str]


class ExtractStage:
    name = "events"

    mapped = True  # article_mentions is its per-article map

    def prepare(self, store: Store, article_ids: Sequence[str], settings: Settings, mapper=None) -> Found:
        """The articles' mentions and quotes with their people resolved, before the chunk's
        write transaction (reads only; the pipeline runner uses them if no analysis was
        committed meanwhile): an upload does not wait for the map and the entity look-ups."""
        return corefer_stories(store, self.mentions(store, article_ids, settings, mapper), settings.extract)

    def run(self, store: Store, article_ids: Sequence[str], settings: Settings, mapper=None, plan: Found | None = None) -> None:
        found = plan if plan is not None else corefer_stories(store, self.mentions(store, article_ids, settings, mapper), settings.extract)
        with store.transaction() as conn:
            for article_id, quotes, mentions in found.mentions:
                _write_mentions(conn, article_id, quotes, mentions)
            for story in sorted(found.stories):
                _write_story(conn, story, found.coref[story])

    def mentions(self, store: Store, article_ids: Sequence[str], settings: Settings, mapper=None) -> Found:
        """Each article's (id, quote mentions, event mentions), people resolved to entities,
        and the stories they are in (whose events the run then rebuilds)."""
        cfg = settings.extract
        articles = store.articles(article_ids)
        resolver = default_resolver()
        stories = {a.id: story_of(store, a.id) for a in articles}
        anchors = {}
        story_anchors: dict[str, dt.date | None] = {}  # one look-up per story, not per undated article
        for article in articles:
            anchor, anchor_from = article.published, "published"
            if anchor is None and cfg.story_anchor:
                sid = stories[article.id]
                if sid not in story_anchors:
                    story_anchors[sid] = story_anchor(store, sid)
                anchor, anchor_from = story_anchors[sid], "story"
            anchors[article.id] = (anchor, anchor_from if anchor else None)
        if mapper is None:
            docs = nlp.parse_articles(articles, settings, store)
            found = article_mentions([docs[a.id] for a in articles], anchors, cfg.quote_min_words)
        else:  # on the workers, the cached parse sent along
            found = [m for part in nlp.map_parsed(store, articles, article_mentions, settings, mapper, anchors, cfg.quote_min_words) for m in part]
        for article_id, quotes, mentions in found:
            _resolve(store, article_id, quotes, mentions, resolver)
        touched = set(stories.values()) | moved_stories(store) | merged_entity_stories(store)
        return Found(found, touched, {a.id: a.clean_text for a in articles})


def merged_entity_stories(store: Store) -> set[str]:
    """The stories whose stored events or quotes name an entity merged into another since
    ("USAF" into "United States Air Force", shown one by a later article): computed again,
    with the survivor, though they got no new article (one pass names the survivor)."""
    merged = "SELECT id FROM entities WHERE merged_into IS NOT NULL"
    rows = store.conn.execute(
        f"SELECT story_id FROM quotes WHERE speaker IN ({merged}) "
        f"UNION SELECT e.story_id FROM events e, json_each(e.actors) j WHERE j.value IN ({merged}) "
        f"UNION SELECT e.story_id FROM events e, json_each(e.counterparts) j WHERE j.value IN ({merged})"
    ).fetchall()
    named = [r[0] for r in rows]
    return {r[0] for r in store.select_in("SELECT DISTINCT story_id FROM story_articles WHERE story_id IN ({marks})", named)}


def moved_stories(store: Store) -> set[str]:
    """The stories an article moved into or out of (a merge, a move or a split by the stories
    stage) since their events and quotes were written: both sides are computed again, so a
    story that got no new article does not keep another's evidence or miss its own."""
    rows = store.conn.execute(
        "SELECT DISTINCT em.story_id AS was, sa.story_id AS now FROM events_members em "
        "JOIN story_articles sa ON sa.article_id = em.article_id WHERE sa.story_id != em.story_id"
    ).fetchall()
    was = {r["was"] for r in rows}
    live = {r[0] for r in store.select_in("SELECT DISTINCT story_id FROM story_articles WHERE story_id IN ({marks})", was)}
    return {r["now"] for r in rows} | live


def corefer_stories(store: Store, found: Found, cfg: ExtractSettings) -> Found:
    """`found` with the coreference of each of its stories, computed from the chunk's
    mentions in memory and the stored mentions of the stories' other articles: what the
    stage used to read back after writing the chunk's mentions, so the write transaction
    only writes (an upload does not wait for a large story's coreference). The chunk's
    mentions pass through their stored form first (`_as_stored`), so the result is the
    one computed from the store."""
    planned = {aid: _as_stored(aid, quotes, mentions, found.texts[aid]) for aid, quotes, mentions in found.mentions}
    coref = {story: corefer_story(store, story, cfg, planned) for story in sorted(found.stories)}
    return found._replace(coref=coref)


def article_mentions(adocs: Sequence, anchors: dict, quote_min_words: int) -> list[tuple[str, list, list]]:
    """(article id, quote mentions, event mentions) of each parsed article: the stage's
    per-article map, with no store (`anchors`: article id -> the date its times resolve
    against and where that came from)."""
    out = []
    for adoc in adocs:
        anchor, anchor_from = anchors[adoc.article.id]
        people = ArticlePeople.from_doc(adoc)
        quotes = find_quotes(adoc, people, quote_min_words)
        out.append((adoc.article.id, quotes, ev.extract_mentions(adoc, anchor, anchor_from, quotes, people)))
    return out


def analyse_text(
    text: str,
    published: dt.date | str | None = None,
    settings: Settings | None = None,
    anchor_from: str = "published",
    body_start: int = 0,
) -> tuple[list[ev.EventMention], list[QuoteMention]]:
    """Event and quote mentions of a bare text (paragraphs split by blank lines), without a
    store: for evaluations, tests and the Python API. `body_start`: where the news begins
    after a dateline."""
    settings = settings or Settings()
    anchor = timex_anchor(published)
    article = Article(id="text", raw_text=text, clean_text=text, published=anchor, body_start=body_start)
    adoc = nlp.parse_articles([article], settings)[article.id]
    people = ArticlePeople.from_doc(adoc)
    quotes = find_quotes(adoc, people, settings.extract.quote_min_words)
    mentions = ev.extract_mentions(adoc, anchor, anchor_from if anchor else None, quotes, people)
    for q in quotes:
        q.speaker_id = q.speaker.name if q.speaker else None
    return mentions, quotes  # no store: names only


def timex_anchor(value: dt.date | str | None) -> dt.date | None:
    return parse_anchor(value)


def _resolve(store, article_id, quotes: list[QuoteMention], mentions: list[ev.EventMention], resolver) -> None:
    """Attach resolved entity ids to the people of an article's mentions and quotes."""

    def one(p: Participant) -> Participant:
        if p.label == "EVENT":
            return p
        return replace(p, entity=resolver(store, article_id, p.start, p.end, p.name))

    for q in quotes:
        if q.speaker is not None:
            q.speaker = one(q.speaker)
        q.speaker_id = (q.speaker.entity or q.speaker.name) if q.speaker else None
    for m in mentions:
        m.actors = [one(p) for p in m.actors]
        m.counterparts = [one(p) for p in m.counterparts]


def _people_json(people: list[Participant]) -> str:
    return json.dumps(
        [{"name": p.name, "start": p.start, "end": p.end, "label": p.label, "via": p.via, "entity": p.entity} for p in people]
    )


_MENTION_COLUMNS = (
    "article_id", "type", "status", "actors", "counterparts", "object", "place", "date_value", "date_text",
    "date_anchor", "anchor_from", "date_from", "start", "end", "text", "trigger_start", "trigger_end", "details",
)  # fmt: skip
_QUOTE_COLUMNS = (
    "article_id", "text", "parts", "start", "end", "speaker", "speaker_name", "speaker_entity", "speaker_start",
    "speaker_end", "channel",
)  # fmt: skip


def _mention_values(article_id: str, m: ev.EventMention) -> tuple:
    """An event mention's event_mentions row (`_MENTION_COLUMNS`)."""
    return (
        article_id, m.type, m.status, _people_json(m.actors), _people_json(m.counterparts), m.object, m.place,
        m.date.value if m.date else None, m.date.text if m.date else None,
        m.date.anchor if m.date else None, m.date.anchor_from if m.date else None, m.date_from,
        m.evidence.start, m.evidence.end, m.evidence.text, m.trigger.start, m.trigger.end,
        json.dumps(m.details, sort_keys=True),
    )  # fmt: skip


def _quote_values(article_id: str, q: QuoteMention) -> tuple:
    """A quote mention's quote_mentions row (`_QUOTE_COLUMNS`)."""
    return (
        article_id, q.text, json.dumps([[p.start, p.end] for p in q.parts]), q.start, q.end,
        q.speaker_id or (q.speaker.name if q.speaker else None),
        q.speaker.name if q.speaker else None, q.speaker.entity if q.speaker else None,
        q.speaker.start if q.speaker else None, q.speaker.end if q.speaker else None, q.channel,
    )  # fmt: skip


def _insert(table: str, columns: tuple) -> str:
    quoted = ", ".join('"' + c + '"' for c in columns)  # "end" is an SQL keyword
    return f"INSERT INTO {table} ({quoted}) VALUES ({','.join('?' * len(columns))})"


def _write_mentions(conn, article_id: str, quotes: list[QuoteMention], mentions: list[ev.EventMention]) -> None:
    conn.execute("DELETE FROM event_mentions WHERE article_id = ?", (article_id,))
    conn.execute("DELETE FROM quote_mentions WHERE article_id = ?", (article_id,))
    conn.executemany(_insert("event_mentions", _MENTION_COLUMNS), [_mention_values(article_id, m) for m in mentions])
    conn.executemany(_insert("quote_mentions", _QUOTE_COLUMNS), [_quote_values(article_id, q) for q in quotes])


def _as_stored(article_id: str, quotes: list[QuoteMention], mentions: list[ev.EventMention], text: str) -> tuple[list, list]:
    """An article's event and quote mentions as `stored_mentions` and `stored_quote_mentions`
    would read them back once written: through their rows, in the order the store returns
    them (by start, then insertion)."""
    erows = sorted((dict(zip(_MENTION_COLUMNS, _mention_values(article_id, m))) for m in mentions), key=lambda r: r["start"])
    qrows = sorted((dict(zip(_QUOTE_COLUMNS, _quote_values(article_id, q))) for q in quotes), key=lambda r: r["start"])
    return [_mention_of(article_id, r) for r in erows], [_quote_of(article_id, r, text) for r in qrows]


def _participants(raw: str) -> list[Participant]:
    return [Participant(p["name"], p["start"], p["end"], p["label"], p["via"], p.get("entity")) for p in json.loads(raw)]


def stored_mentions(store: Store, article_ids: Sequence[str]) -> list[ev.EventMention]:
    """The stored event mentions of these articles, article by article in the order given
    (each in text order), read in a few statements rather than one per article."""
    rows: dict[str, list] = {}
    for r in store.select_in("SELECT * FROM event_mentions WHERE article_id IN ({marks}) ORDER BY start, id", article_ids):
        rows.setdefault(r["article_id"], []).append(r)
    return [_mention_of(aid, r) for aid in article_ids for r in rows.get(aid, ())]


def _mention_of(aid: str, r) -> ev.EventMention:
    """The event mention an event_mentions row holds."""
    date = TimeValue(r["date_value"], r["date_text"], r["date_anchor"], r["anchor_from"]) if r["date_text"] else None
    return ev.EventMention(
        article=aid,
        type=r["type"],
        actors=_participants(r["actors"]),
        counterparts=_participants(r["counterparts"]),
        object=r["object"],
        place=r["place"],
        date=date,
        status=r["status"],
        evidence=Span(aid, r["start"], r["end"], r["text"]),
        trigger=Span(aid, r["trigger_start"], r["trigger_end"], ""),
        details=json.loads(r["details"]),
        date_from=r["date_from"],
    )


def stored_quote_mentions(store: Store, article_ids: Sequence[str]) -> list[QuoteMention]:
    """The stored quote mentions of these articles, article by article in the order given."""
    rows: dict[str, list] = {}
    for r in store.select_in("SELECT * FROM quote_mentions WHERE article_id IN ({marks}) ORDER BY start, id", article_ids):
        rows.setdefault(r["article_id"], []).append(r)
    texts = {r[0]: r[1] for r in store.select_in("SELECT id, clean_text FROM articles WHERE id IN ({marks})", list(rows))}
    return [_quote_of(aid, r, texts.get(aid)) for aid in article_ids for r in rows.get(aid, ())]


def _quote_of(aid: str, r, text: str) -> QuoteMention:
    """The quote mention a quote_mentions row holds (`text`: the article's clean text)."""
    parts = [Span(aid, s, e, text[s:e]) for s, e in json.loads(r["parts"])]
    speaker = None
    if r["speaker"] is not None:
        name = text[r["speaker_start"] : r["speaker_end"]] if r["speaker_start"] is not None else r["speaker"]
        speaker = Participant(r["speaker_name"] or name, r["speaker_start"], r["speaker_end"], entity=r["speaker_entity"])
    return QuoteMention(aid, r["text"], parts, r["start"], r["end"], speaker, r["speaker"], r["channel"])


def rebuild_story(store: Store, story_id: str, cfg: ExtractSettings | None = None) -> None:
    """Corefer every stored mention of a story's articles into its events and quotes
    (replacing whatever the store held for those articles before)."""
    with store.transaction() as conn:
        _write_story(conn, story_id, corefer_story(store, story_id, cfg or ExtractSettings(), whole="asked"))


def corefer_story(
    store: Store, story_id: str, cfg: ExtractSettings, planned: dict[str, tuple[list, list]] | None = None, whole: str | None = None
) -> StoryCoref:
    """A story's events and quotes from the mentions of its articles: `planned` (article id
    -> its event and quote mentions, as stored) for those about to be written, the store's
    for the others.

    When the story only gained those articles since (they come last in its arrival order, so
    first-fit over all of them would have met them last), its kept event groups and quote
    groups are continued with the new articles' mentions: the groups equal one pass's.
    Otherwise (`whole`, or `_why_whole`, or a reason found here) all its mentions are
    grouped again, and the reason is recorded. The collective mentions, the planned and
    occurred links and the dates by plan are worked out over the story's groups either way
    (cheap next to grouping), so they are one pass's by construction."""
    planned = planned or {}
    ids = story_articles(store, story_id)
    stored = [a for a in ids if a not in planned]
    read = stored_mentions(store, stored)
    survived = _survivors_of(store, read)
    event_mentions = _by_article(ids, planned, survived, 0)
    published = {
        r["id"]: dt.date.fromisoformat(r["published"])
        for r in store.select_in("SELECT id, published FROM articles WHERE id IN ({marks}) AND published IS NOT NULL", ids)
    }
    whole = whole or _why_whole(store, story_id, ids, planned)
    if whole is None and survived is not read:
        whole = "entity merged"  # a kept group's mention names an entity folded into another since
    kept_events, digests = (None, {}) if whole else _kept_event_groups(store, story_id, event_mentions)
    if whole is None and kept_events is None:
        whole = "no event groups"  # written before groups were kept
    if whole is None:
        fresh = [m for aid in ids if aid in planned for m in planned[aid][0]]
        groups = ev.group_mentions(ev.named_in_order(fresh), kept_events)
    else:
        groups = ev.group_mentions(ev.named_in_order(event_mentions))
    events = ev.events_of(groups, event_mentions, story_id, published, cfg.plan_report_days)
    if whole is None and len({e.id for e in events}) != len(events):
        whole = "shared event id"  # two events written as one row: the whole write decides which
    kept_json = _groups_json(groups, event_mentions)
    if whole is None:
        kept = store.conn.execute("SELECT quote_id, state FROM quote_groups WHERE story_id = ? ORDER BY n", (story_id,)).fetchall()
        qgroups = [QuoteGroup.from_json(r[1]) for r in kept]
        named = {p.entity for g in qgroups for p in (g.head, g.resolved, g.named) if p is not None and p.entity}
        if entities.survivors(store, named):
            whole = "entity merged"  # a kept speaker's entity was folded into another since
    if whole is None:
        qgroups = group_quotes([m for aid in ids if aid in planned for m in planned[aid][1]], qgroups)
        stored_qids = [r[0] for r in kept]
        qids = stored_qids + [quote_id(story_id, g.quote()) for g in qgroups[len(kept) :]]
        qids[: len(kept)] = [quote_id(story_id, g.quote()) if g.added else q for g, q in zip(qgroups, stored_qids)]
        if len(set(qids)) == len(qids):
            return StoryCoref(ids, events, qgroups, None, stored_qids, [a for a in ids if a in planned], kept_json, digests)
        whole = "shared quote id"  # two groups written as one quotes row: the whole write decides which
    quotes = group_quotes(_by_article(ids, planned, _survivors_of(store, stored_quote_mentions(store, stored)), 1))
    return StoryCoref(ids, events, quotes, whole, [], [], kept_json, {})


def _mention_places(mentions: list[ev.EventMention]) -> list[tuple[str, int]]:
    """Where each of a story's mentions (article by article, each in its stored order) is:
    (article id, its place among the article's mentions), which names it across runs."""
    seen: Counter = Counter()
    out = []
    for m in mentions:
        out.append((m.article, seen[m.article]))
        seen[m.article] += 1
    return out


def _kept_event_groups(store: Store, story_id: str, mentions: list[ev.EventMention]) -> tuple[list[list] | None, dict[str, str]]:
    """The story's kept named event groups, as lists of its `mentions`, and the digests of
    its events as written (None, {}: none kept, or they name a mention no longer there)."""
    row = store.conn.execute("SELECT groups, digests FROM event_groups WHERE story_id = ?", (story_id,)).fetchone()
    if row is None:
        return None, {}
    at = dict(zip(_mention_places(mentions), mentions))
    try:
        groups = [[at[(aid, k)] for aid, k in g] for g in json.loads(row["groups"])]
    except KeyError:
        return None, {}
    return groups, json.loads(row["digests"])


def _groups_json(groups: list[list[ev.EventMention]], mentions: list[ev.EventMention]) -> list[list[list]]:
    """The named groups as they are kept: each member by its place (`_mention_places`)."""
    place = {id(m): p for m, p in zip(mentions, _mention_places(mentions))}
    return [[list(place[id(m)]) for m in g] for g in groups]


def _survivors_of(store: Store, mentions: list) -> list:
    """Stored event or quote mentions with each entity merged away since they were written
    replaced by the one it was folded into (`entities.survivors`), as one pass, which
    resolves them after the merge, names it. The chunk's own mentions are resolved now."""
    def people(m) -> list[Participant]:
        return [m.speaker] if isinstance(m, QuoteMention) else [*m.actors, *m.counterparts]

    into = entities.survivors(store, {p.entity for m in mentions for p in people(m) if p is not None and p.entity})
    if not into:
        return mentions

    def live(p: Participant | None) -> Participant | None:
        return replace(p, entity=into[p.entity]) if p is not None and p.entity in into else p

    out = []
    for m in mentions:
        if isinstance(m, QuoteMention):
            speaker_id = into.get(m.speaker_id, m.speaker_id)
            m = replace(m, speaker=live(m.speaker), speaker_id=speaker_id)
        else:
            m = replace(m, actors=[live(p) for p in m.actors], counterparts=[live(p) for p in m.counterparts])
        out.append(m)
    return out


def _why_whole(store: Store, story_id: str, ids: list[str], planned: dict) -> str | None:
    """Why a story's kept quote and event groups cannot be continued (None: they can): it has none,
    lost an article, gained one other than this chunk's new ones or before its covered ones,
    has an article analysed again, or a new article has evidence stored (in another story)."""
    covered = {r[0] for r in store.conn.execute("SELECT article_id FROM events_members WHERE story_id = ?", (story_id,))}
    if not covered:
        return "first"
    if not covered <= set(ids):
        return "lost articles"
    if any(a in covered for a in ids if a in planned):
        return "re-analysed"
    rest = ids[len(covered) :]
    if set(ids[: len(covered)]) != covered or any(a not in planned for a in rest):
        return "gained articles"
    sql = "SELECT 1 FROM {table} WHERE article_id IN ({{marks}}) LIMIT 1"
    if any(next(store.select_in(sql.format(table=t), rest), None) for t in ("quote_evidence", "event_evidence")):
        return "evidence elsewhere"
    return None


def quote_id(story_id: str, q: Quote) -> str:
    return "qt_" + hashlib.sha1(f"{story_id}|{q.speaker}|{q.text}".encode()).hexdigest()[:12]


def _by_article(ids: list[str], planned: dict[str, tuple[list, list]], stored: list, which: int) -> list:
    """Mentions article by article in the story's order: the planned ones (`which`: 0 event,
    1 quote mentions) in place of the store's."""
    from_store: dict[str, list] = {}
    for m in stored:
        from_store.setdefault(m.article, []).append(m)
    return [m for aid in ids for m in (planned[aid][which] if aid in planned else from_store.get(aid, ()))]


def _write_story(conn, story_id: str, coref: StoryCoref) -> None:
    """Write a story's events and quotes: all of them again (and any other story's that hold
    evidence from its articles deleted, that story's kept state dropped so it is recomputed
    next), or the events and quote groups the new articles changed; then its kept groups."""
    digests = _digests(story_id, coref.events)
    if coref.whole is not None:
        _drop_others_holding(conn, story_id, coref.articles)
        _write_all_events(conn, story_id, coref)
        _write_all_quotes(conn, story_id, coref)
    else:
        _write_changed_events(conn, story_id, coref, digests)
        _write_changed_quotes(conn, story_id, coref)
    conn.execute(
        "INSERT OR REPLACE INTO event_groups (story_id, groups, digests) VALUES (?, ?, ?)",
        (story_id, json.dumps(coref.event_groups), json.dumps(digests, sort_keys=True)),
    )


def _drop_others_holding(conn, story_id: str, ids: list[str]) -> None:
    """Other stories whose events or quotes hold evidence from these articles lose them in a
    whole write: their kept state goes, so the next run recomputes them whole ("first")."""
    if not ids:
        return
    marks = ",".join("?" * len(ids))
    others = [
        r[0]
        for r in conn.execute(
            f"SELECT story_id FROM quotes WHERE id IN (SELECT quote_id FROM quote_evidence WHERE article_id IN ({marks})) "
            f"UNION SELECT story_id FROM events WHERE id IN (SELECT event_id FROM event_evidence WHERE article_id IN ({marks}))",
            (*ids, *ids),
        )
        if r[0] != story_id
    ]
    for table in ("quote_groups", "events_members", "event_groups"):
        conn.executemany(f"DELETE FROM {table} WHERE story_id = ?", [(o,) for o in others])


def _event_row(story_id: str, e: Event) -> tuple:
    """An event's events row, as written."""
    return (
        e.id, story_id, e.type, json.dumps(e.actors), json.dumps(e.counterparts), e.object, e.place,
        e.date.value if e.date else None, e.date.text if e.date else None,
        e.date.anchor if e.date else None, e.date.anchor_from if e.date else None,
        e.status, json.dumps(e.linked), json.dumps(e.details, sort_keys=True),
    )  # fmt: skip


def _digests(story_id: str, events: list[Event]) -> dict[str, str]:
    """Event id -> a digest of its row and evidence, of the ids one event has (a shared id is
    left out: its row is whichever was written last, so it is rewritten next time)."""
    ids = Counter(e.id for e in events)
    return {
        e.id: hashlib.sha1(json.dumps([_event_row(story_id, e), [(s.article, s.start, s.end, s.text) for s in e.evidence]]).encode()).hexdigest()
        for e in events
        if ids[e.id] == 1
    }


def _insert_events(conn, story_id: str, events: list[Event]) -> None:
    for e in events:
        conn.execute(
            """INSERT OR REPLACE INTO events (id, story_id, type, actors, counterparts, object, place,
               date_value, date_text, date_anchor, anchor_from, status, linked, details)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            _event_row(story_id, e),
        )
        conn.executemany(
            'INSERT INTO event_evidence (event_id, article_id, start, "end", text) VALUES (?,?,?,?,?)',
            [(e.id, s.article, s.start, s.end, s.text) for s in e.evidence],
        )


def _write_all_events(conn, story_id: str, coref: StoryCoref) -> None:
    """Replace a story's events (and any other story's that hold evidence from its articles)."""
    ids = coref.articles
    if ids:
        marks = ",".join("?" * len(ids))
        conn.execute(
            f"DELETE FROM events WHERE story_id = ? OR id IN "
            f"(SELECT event_id FROM event_evidence WHERE article_id IN ({marks}))",
            (story_id, *ids),
        )
    _insert_events(conn, story_id, coref.events)


def _write_changed_events(conn, story_id: str, coref: StoryCoref, now: dict[str, str]) -> None:
    """Only the events whose row or evidence changed (`now`: their digests, against the
    stored ones) are written again, and those no longer there deleted (their evidence goes
    with them); the others are not touched."""
    was = coref.stored_digests
    stale = [i for i in was if now.get(i) != was[i]] + [e.id for e in coref.events if e.id not in was]
    conn.executemany("DELETE FROM events WHERE id = ?", [(i,) for i in dict.fromkeys(stale)])
    _insert_events(conn, story_id, [e for e in coref.events if now[e.id] != was.get(e.id)])  # ids are unique here


def _write_all_quotes(conn, story_id: str, coref: StoryCoref) -> None:
    """The story's quotes written again (and any other story's that hold evidence from its
    articles deleted), its groups and articles kept, and the recompute recorded."""
    ids = coref.articles
    if ids:
        marks = ",".join("?" * len(ids))
        hit = f"SELECT quote_id FROM quote_evidence WHERE article_id IN ({marks})"
        conn.execute(f"DELETE FROM quotes WHERE story_id = ? OR id IN ({hit})", (story_id, *ids))
    conn.execute("DELETE FROM quote_groups WHERE story_id = ?", (story_id,))
    conn.execute("DELETE FROM events_members WHERE story_id = ?", (story_id,))
    for n, g in enumerate(coref.groups):
        q = g.quote()
        qid = quote_id(story_id, q)
        conn.execute(
            "INSERT OR REPLACE INTO quotes (id, story_id, speaker, text, channel) VALUES (?,?,?,?,?)",
            (qid, story_id, q.speaker, q.text, q.channel),
        )
        conn.executemany(
            'INSERT INTO quote_evidence (quote_id, article_id, start, "end", text) VALUES (?,?,?,?,?)',
            [(qid, s.article, s.start, s.end, s.text) for s in q.evidence],
        )
        conn.execute("INSERT INTO quote_groups (story_id, n, quote_id, state) VALUES (?,?,?,?)", (story_id, n, qid, g.to_json()))
    conn.executemany("INSERT OR REPLACE INTO events_members (article_id, story_id) VALUES (?, ?)", [(a, story_id) for a in ids])
    conn.execute(
        "INSERT INTO events_recomputes (story_id, reason, articles, at) VALUES (?, ?, ?, ?)",
        (story_id, coref.whole, len(ids), utcnow()),
    )


def _write_changed_quotes(conn, story_id: str, coref: StoryCoref) -> None:
    """The quote groups the new articles changed or opened, written over their rows (a group
    whose speaker or longest text changed takes a new id, its evidence moved over), and the
    new articles added to the story's covered ones."""
    for n, g in enumerate(coref.groups):
        if not g.added:
            continue
        q = g.quote()
        qid = quote_id(story_id, q)
        conn.execute(
            "INSERT INTO quotes (id, story_id, speaker, text, channel) VALUES (?,?,?,?,?) "
            "ON CONFLICT(id) DO UPDATE SET channel = excluded.channel",
            (qid, story_id, q.speaker, q.text, q.channel),
        )
        if n < len(coref.stored_qids) and coref.stored_qids[n] != qid:
            conn.execute("UPDATE quote_evidence SET quote_id = ? WHERE quote_id = ?", (qid, coref.stored_qids[n]))
            conn.execute("DELETE FROM quotes WHERE id = ?", (coref.stored_qids[n],))
        conn.executemany(
            'INSERT INTO quote_evidence (quote_id, article_id, start, "end", text) VALUES (?,?,?,?,?)',
            [(qid, s.article, s.start, s.end, s.text) for s in q.evidence],
        )
        conn.execute(
            "INSERT OR REPLACE INTO quote_groups (story_id, n, quote_id, state) VALUES (?,?,?,?)", (story_id, n, qid, g.to_json())
        )
    conn.executemany("INSERT INTO events_members (article_id, story_id) VALUES (?, ?)", [(a, story_id) for a in coref.new])


# -- reading back ---------------------------------------------------------------------


def recomputes(store: Store, story_id: str | None = None) -> list[dict]:
    """The recorded whole regroupings of stories' quotes, oldest first (of `story_id` when
    given): story, reason (first | lost articles | gained articles | re-analysed | evidence
    elsewhere | entity merged | shared quote id | no event groups | shared event id | asked),
    articles (the story's size then), at. Events and quotes are recomputed together."""
    sql = "SELECT story_id AS story, reason, articles, at FROM events_recomputes"
    args: tuple = ()
    if story_id is not None:
        sql += " WHERE story_id = ?"
        args = (story_id,)
    return [dict(r) for r in store.conn.execute(sql + " ORDER BY id", args)]


def _check_story(store: Store, table: str, story_id: str | None) -> None:
    if story_id in (None, ALL):
        return
    if store.conn.execute(f"SELECT 1 FROM {table} WHERE story_id = ? LIMIT 1", (story_id,)).fetchone():
        return
    if not story_articles(store, story_id):
        raise NotFoundError("story", story_id)


def resolve_story(store: Store, story_id: str) -> str:
    """The live story an id names (a unique prefix, or an id merged into another)."""
    return stories.resolve_story_id(store, story_id)


def _rows(store: Store, table: str, story_id: str | None) -> list:
    """The rows of a story's events or quotes: one statement for a live story's own id; a
    prefix or a merged-away id is resolved first, and an unknown story is NotFound."""
    if story_id in (None, ALL):
        return store.conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
    sql = f"SELECT * FROM {table} WHERE story_id = ? ORDER BY id"
    rows = store.conn.execute(sql, (story_id,)).fetchall()
    if rows:
        return rows
    story_id = resolve_story(store, story_id)
    _check_story(store, table, story_id)
    return store.conn.execute(sql, (story_id,)).fetchall()


def load_events(store: Store, story_id: str | None = None) -> list[Event]:
    """The events of one story (or of all, for None or "all"), in date order, with evidence."""
    rows = _rows(store, "events", story_id)
    spans = store.evidence("event_evidence", "event_id", [r["id"] for r in rows])
    out = []
    for r in rows:
        evidence = spans[r["id"]]
        date = TimeValue(r["date_value"], r["date_text"], r["date_anchor"], r["anchor_from"]) if r["date_text"] else None
        out.append(
            Event(
                id=r["id"],
                type=r["type"],
                actors=json.loads(r["actors"]),
                counterparts=json.loads(r["counterparts"]),
                object=r["object"],
                place=r["place"],
                date=date,
                status=r["status"],
                evidence=evidence,
                linked=json.loads(r["linked"]),
                details=json.loads(r["details"]),
            )
        )
    return sorted(out, key=lambda e: ((e.date.value or "9") if e.date else "9", e.type, e.id))


def load_quotes(store: Store, story_id: str | None = None) -> list[Quote]:
    """The quotes of one story (or of all), each with every article that prints it."""
    rows = _rows(store, "quotes", story_id)
    spans = store.evidence("quote_evidence", "quote_id", [r["id"] for r in rows])
    out = []
    for r in rows:
        evidence = spans[r["id"]]
        out.append(Quote(speaker=r["speaker"], text=r["text"], channel=r["channel"], evidence=evidence))
    return sorted(out, key=lambda q: (q.evidence[0].article if q.evidence else "", q.evidence[0].start if q.evidence else 0))


def event_json(e: Event, store: Store | None = None) -> dict:
    """An event as the brief's JSON contract shapes it (plus linked and details)."""
    return {
        "id": e.id,
        "type": e.type,
        "actors": e.actors,
        "counterparts": e.counterparts,
        "actor_names": [display_name(store, a) for a in e.actors] if store is not None else e.actors,
        "counterpart_names": [display_name(store, c) for c in e.counterparts] if store is not None else e.counterparts,
        "object": e.object,
        "place": e.place,
        "date": e.date.value if e.date else None,
        "date_text": e.date.text if e.date else None,
        "anchor_from": e.date.anchor_from if e.date else None,
        "status": e.status,
        "articles": e.articles,
        "linked": e.linked,
        "details": e.details,
        "evidence": [{"article": s.article, "start": s.start, "end": s.end, "text": s.text} for s in e.evidence],
    }


def quote_json(q: Quote, store: Store | None = None) -> dict:
    return {
        "speaker": q.speaker,
        "speaker_name": display_name(store, q.speaker) if store is not None and q.speaker else q.speaker,
        "text": q.text,
        "channel": q.channel,
        "articles": q.articles,
        "evidence": [{"article": s.article, "start": s.start, "end": s.end, "text": s.text} for s in q.evidence],
    }
