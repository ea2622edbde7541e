"""The brief: one story's account as `newsweave.brief/1`, built only from facts.

    build_brief(store, story_id) -> dict      # loads the records, then compose_brief
    compose_brief(BriefInput) -> dict          # pure: records in, brief out
    validate_brief(brief) -> None              # raises InvalidBrief naming every problem

Rules the brief keeps (docs/brief.md):
1. Nothing without evidence: every event, role, quote and conflict value carries spans whose
   `text` is the article's clean text at its offsets.
2. Every summary sentence cites its articles, and each cited article supports it (it is
   among the articles of the fact the sentence states). Sentences are composed only from the
   fact's fields, which the events stage took from the evidence.
3. Copies count once: `independent_sources` is the number of syndication families.
4. Planned and occurred stay apart: a planned fact is written as planned ("was scheduled
   to") and never as done; that it happened is said only by an occurred fact with its own
   support, which the planned fact names in `confirmed_by`.
5. Removed boilerplate appears only under `removed`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .. import corroborate, reuse, stories
from ..events import event_type, is_gathering, place_preposition
from ..corroborate import EventFact, StoryFacts
from ._numbers import numbers_over_time
from ..errors import NewsweaveError, NotFoundError
from ..records import Article, Conflict, Entity, Event, Fact, Passage, Quote, Span, Story
from ..settings import CorroborateSettings, NlpSettings
from ..store import Store

SCHEMA = "newsweave.brief/1"

# Every per-type fact (past tense, weight, what a sentence needs, whether the subject is a
# gathering) is on the events' `EventType`: `event_type(e.type)`.


class InvalidBrief(NewsweaveError):
    """A brief that breaks `newsweave.brief/1`; the message lists the problems."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__("invalid newsweave.brief/1: " + "; ".join(problems[:5]) + more)


@dataclass
class BriefInput:
    story: str
    articles: list[Article]
    families: Mapping[str, str]
    entities: list[Entity]
    quotes: list[Quote]
    facts: StoryFacts
    passages: list[Passage] = field(default_factory=list)
    label: str | None = None
    settings: CorroborateSettings = field(default_factory=CorroborateSettings)
    sentences: list | None = None  # claims.Sentence of the articles (from their parse when None)
    words: int | None = None  # the summary's length (settings.summary_words when None)
    nlp: NlpSettings = field(default_factory=NlpSettings)  # parses the titles and composed frames as the stages parsed the articles


# -- loading --------------------------------------------------------------------------


def build_brief(
    store: Store, story_id: str, settings: CorroborateSettings | None = None, words: int | None = None, nlp: NlpSettings | None = None
) -> dict:
    """The brief of one story, from what the stages stored: the story's read model (about
    twenty statements whatever its size), its stored facts and its articles' stored
    sentences. Only when the corroborate stage has not yet run on some of the story's
    articles are the facts computed here, and the brief says so in `notes`. `words`: the
    summary's length (settings.summary_words when None); `nlp`: the model the stages parsed
    with, which the titles and composed frames are parsed with too."""
    story = stories.load_story(store, story_id)
    articles, families, entities, events, quotes = corroborate.story_records(store, story)
    facts = corroborate.load_facts(store, story.id)
    waiting = 0 if facts else store.count_pending("corroborate", story.articles)
    if waiting:
        result = corroborate.corroborate_story(story.id, articles, families, entities, events, quotes, settings)
    else:
        by_id = {e.id: e for e in events}
        efacts = [EventFact(f, by_id[f.event]) for f in facts if f.kind == "event" and f.event in by_id]
        result = StoryFacts(story.id, efacts, facts, corroborate.load_conflicts(store, story.id))
    brief = _compose_stored(store, story.id, articles, families, entities, quotes, result, story.label, settings, words, nlp)
    if waiting:
        brief["notes"] = brief.get("notes", []) + [
            f"facts corroborated when the brief was read: the corroborate stage has not yet run on "
            f"{waiting} of the story's {len(story.articles)} articles (run `newsweave analyse`)"
        ]
    return brief


def brief_articles(
    store: Store, article_ids: Sequence[str], settings: CorroborateSettings | None = None, words: int | None = None, nlp: NlpSettings | None = None
) -> dict:
    """The brief of exactly these articles, as one unit whatever stories they are in: their
    events and quotes from the stories holding them (kept where their evidence is among the
    articles), facts and conflicts corroborated over the set."""
    from .. import entities as resolve
    from .. import events as extract

    ids = list(dict.fromkeys(article_ids))
    articles = store.articles(ids)
    wanted = {a.id for a in articles}
    held = [s for s in dict.fromkeys(stories.story_of(store, a) for a in ids) if s]
    events = [e for s in held for e in extract.load_events(store, s) if {sp.article for sp in e.evidence} <= wanted]
    quotes = [q for s in held for q in extract.load_quotes(store, s) if {sp.article for sp in q.evidence} <= wanted]
    families = reuse.family_of(store, ids)
    entities = resolve.load_entities(store, ids)
    scope = "set-" + hashlib.sha1("\x1f".join(sorted(wanted)).encode()).hexdigest()[:12]  # names the set, as a story id would
    result = corroborate.corroborate_story(scope, articles, families, entities, events, quotes, settings)
    return _compose_stored(store, scope, articles, families, entities, quotes, result, None, settings, words, nlp)


def _compose_stored(store, scope, articles, families, entities, quotes, result, label, settings, words, nlp) -> dict:
    """compose_brief over stored records: the passages the reuse stage aligned between these
    articles and their sentences from the claims stage."""
    from ..corroborate import article_sentence_records

    passages = reuse.passages_within(store, [a.id for a in articles])
    sentences = article_sentence_records(store, articles)
    return compose_brief(
        BriefInput(
            scope, articles, families, entities, quotes, result, passages, label, settings or CorroborateSettings(), sentences, words, nlp or NlpSettings()
        )
    )


# -- composing ------------------------------------------------------------------------


def compose_brief(inp: BriefInput) -> dict:
    """The brief as a JSON-ready dict (pure)."""
    names = {e.id: e.name for e in inp.entities}
    articles = {a.id: a for a in inp.articles}
    first = min((a.published for a in inp.articles if a.published), default=None)
    cfg = inp.settings
    cutoff = (first, cfg.background_days) if first else None  # older events are background
    efacts = sorted(inp.facts.events, key=lambda ef: _rank(ef))
    event_items = [_event_json(ef, names, cutoff) for ef in efacts]
    summary, lede, weights = _summary(inp, efacts, names, cutoff)
    _name_speakers(summary, inp.quotes, names)
    headline = _headline(inp.articles, lede, weights, inp.settings.headline_min_words, inp.nlp) or inp.label or "(no summary)"
    brief = {
        "schema": SCHEMA,
        "story": inp.story,
        "headline": headline,
        "independent_sources": len({inp.families.get(a, a) for a in articles}),
        "summary": summary,
        "articles": [_article_json(a, inp.families) for a in inp.articles],
        "entities": _entities_json(inp.entities, inp.facts.facts, set(articles), inp.settings),
        "events": event_items,
        "timeline": _timeline(efacts, names, cutoff),
        "planned": [e for e in event_items if e["status"] == "planned"],
        "quotes": _quotes_json(inp.quotes, inp.families, names),
        "conflicts": [_conflict_json(c) for c in inp.facts.conflicts],
        "numbers": numbers_over_time(inp.facts.facts, inp.articles),
        "unique": _unique(inp.facts.facts, efacts, names, cutoff),
        "reuse": _reuse_json(inp.passages, {a.id: i for i, a in enumerate(inp.articles)}),
        "removed": [{"article": a.id, "text": r.text, "reason": r.reason} for a in inp.articles for r in a.removed],
    }
    if len(inp.articles) > cfg.summary_max_articles:
        brief["notes"] = [f"the summary's claims were chosen among the sentences of {cfg.summary_max_articles} of the "
                          f"story's {len(inp.articles)} articles (the first of each reuse family, then in arrival order)"]
    _in_article_order(brief, {a.id: i for i, a in enumerate(inp.articles)})
    return brief


def _in_article_order(node, order: Mapping[str, int]) -> None:
    """Lists of article ids ("articles", "citations") in the order of the brief's articles,
    so that [1], [2], ... read in order wherever they are printed."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "reuse":  # pairs are ordered with their offsets by _reuse_json
                continue
            if k in ("articles", "citations") and isinstance(v, list) and all(isinstance(x, str) for x in v):
                v.sort(key=lambda a: order.get(a, len(order)))
            else:
                _in_article_order(v, order)
    elif isinstance(node, list):
        for v in node:
            _in_article_order(v, order)


def _rank(ef: EventFact) -> tuple:
    sup = ef.fact.support
    return (
        ef.fact.status != "occurred",
        -sup.independent_sources,
        -len(sup.articles),  # then reach: copies do not corroborate, but they show salience
        -event_type(ef.event.type).weight,
        ef.event.date.value if ef.event.date and ef.event.date.value else "9999",
        ef.fact.id,
    )


def _is_background(ef: EventFact, cutoff: tuple[dt.date, int] | None) -> bool:
    """Dated long before the story's first article (India a dialogue partner "since 1992")."""
    value = _iso(ef.event)
    if not value or not cutoff:
        return False
    first, days = cutoff
    try:
        start = dt.date.fromisoformat((value.split("/")[0] + "-01-01")[:10]) if len(value) < 10 else dt.date.fromisoformat(value[:10])
    except ValueError:
        return False
    return (first - start).days > days


def _tellable(e: Event) -> bool:
    """Whether a sentence about the event says something: who, and with whom or what (or,
    for an arrival, where)."""
    if not (e.actors or e.object):
        return False
    t = event_type(e.type)
    if t.needs_complement:
        return bool(e.counterparts or e.object or (t.actors_suffice and len(e.actors) > 1))
    if t.needs_place:
        return bool(e.place)
    return True


def _summary(inp: BriefInput, efacts: list[EventFact], names, cutoff) -> tuple[list[dict], dict | None, dict]:
    """The summary (summary.summarize over the story's claims; corroborated, complete
    frames compete as candidates) and its lede item."""
    from .. import nlp
    from ..corroborate import concepts
    from . import _summary as summary

    from ..corroborate import article_sentence_records

    sentences = inp.sentences if inp.sentences is not None else article_sentence_records(None, inp.articles)
    drawn = summary_articles(inp.articles, inp.families, inp.settings.summary_max_articles)
    if len(drawn) < len(inp.articles):
        sentences = [s for s in sentences if s.article in drawn]
    frames = [(_summary_item(ef, names, describe(ef.event, names)), ef) for ef in efacts if _frame_tellable(ef, cutoff, inp.settings, names)]
    parsed = nlp.parse_texts([item["text"] for item, _ in frames], inp.nlp) if frames else []
    offered = [(item, frozenset(c for s in doc.sents for c in concepts(s))) for (item, _), doc in zip(frames, parsed)]
    return summary.summarize(sentences, [a.id for a in inp.articles], inp.families, inp.passages, offered, inp.settings, inp.words or inp.settings.summary_words)


def summary_articles(articles: Sequence[Article], families: Mapping[str, str], cap: int) -> set[str]:
    """The articles whose sentences the summary's claims are chosen among: all of them, or
    for a story of more than `cap`, `cap` of them: the first article of each reuse family
    (every independent source has its say), then the others, in arrival order."""
    if len(articles) <= cap:
        return {a.id for a in articles}
    seen: set[str] = set()
    firsts = [a.id for a in articles if not (families.get(a.id, a.id) in seen or seen.add(families.get(a.id, a.id)))]
    rest = [a.id for a in articles if a.id not in set(firsts)]
    return set((firsts + rest)[:cap])


def _name_speakers(summary: list[dict], quotes: Sequence[Quote], names: Mapping[str, str]) -> None:
    """A quotation is a claim of its speaker: a claim sentence holding a quote the events
    stage attributed gets `speaker` (the name), so it is never read as the sources' own."""
    for item in summary:
        if item["kind"] != "claim":
            continue
        for q in quotes:
            if q.speaker and any(
                e["article"] == s.article and e["start"] < s.end and s.start < e["end"] for e in item["evidence"] for s in q.evidence
            ):
                item["speaker"] = names.get(q.speaker, q.speaker)
                break


def _frame_tellable(ef: EventFact, cutoff, cfg: CorroborateSettings, names: Mapping[str, str]) -> bool:
    """A frame sentence is a summary candidate only when complete (its parts named in its
    evidence), not background, occurred (or planned and not yet confirmed) and told by
    enough independent sources."""
    status_ok = ef.fact.status == "occurred" or (ef.fact.status == "planned" and not ef.fact.confirmed_by)
    return (
        status_ok and _tellable(ef.event) and not _is_background(ef, cutoff)
        and ef.fact.support.independent_sources >= cfg.frame_min_sources and _parts_stated(ef, names)
    )


# A participant or object that is one of these names nobody ("visited the him").
PRONOUNS = {"he", "she", "it", "they", "him", "her", "them", "us", "me", "you", "we", "i", "that", "this", "which", "who", "what"}


def _parts_stated(ef: EventFact, names: Mapping[str, str]) -> bool:
    """One evidence span states each part of the frame: every participant (a word of its
    name: "Singh" for "Rajnath Singh"), the verb (a form of the event type), the object's
    head word and the place. "Rajnath Singh met Pete Hegseth in Kuala Lumpur" stands in
    "... Rajnath Singh on Friday met US Secretary of War Pete Hegseth in Kuala Lumpur";
    "The Reid convened" stands nowhere. No participant or object is a pronoun."""
    e = ef.event
    people = [names.get(p, p) for p in e.actors + e.counterparts]
    if any(p.lower() in PRONOUNS for p in people) or (e.object or "x").lower().split()[-1] in PRONOUNS:
        return False
    t = event_type(e.type)
    base = t.name
    verb = {base, base + "s", base + "ed", base + "d", base + "ing", t.past_tense}
    needs = [{w for w in p.lower().split() if len(w) > 2} for p in people] + [verb]
    if e.object:
        head = re.split(r"\s(?:for|of|to|on|in|with|at|from)\s", e.object.lower())[0].split()[-1]
        needs.append({head})
    if e.place:
        needs.append({w for w in names.get(e.place, e.place).lower().split() if len(w) > 2})
    for span in ef.fact.support.evidence:
        words = set(re.findall(r"[\w'’-]+", span.text.lower()))
        if all(n & words for n in needs if n):
            return True
    return False


def _summary_item(ef: EventFact, names, text: str) -> dict:
    sup = ef.fact.support
    return {
        "text": text,
        "citations": list(sup.articles),
        "kind": "event",
        "status": ef.fact.status,
        "fact": ef.fact.id,
        "event": ef.event.id,
        "independent_sources": sup.independent_sources,
        "families": list(sup.families),
        "evidence": [_span_json(s) for s in sup.evidence],
    }


def _headline(articles: Sequence[Article], lede, weights: Mapping, min_words: int, nlp_settings: NlpSettings) -> str | None:
    """The best title among the articles (naming most of what the sources say, per word:
    _summary.density), else the lede claim (corroborate.Sentence); never a dateline, never a
    composed frame."""
    from .. import nlp
    from ..corroborate import DATELINE, concepts
    from ._summary import density

    titles = list(dict.fromkeys(a.title.strip() for a in articles if a.title and len(a.title.split()) >= min_words))
    titles = [t for t in titles if not DATELINE.match(t)]
    options = []
    for doc in nlp.parse_texts(titles, nlp_settings) if titles else []:
        found = {c for s in doc.sents for c in concepts(s)}
        options.append((density(found, weights, len(doc.text.split())), doc.text))
    if options:
        return max(options, key=lambda o: o[0])[1]
    return lede.text[:1].upper() + lede.text[1:].rstrip(".") if lede else None


def describe(event: Event, names: Mapping[str, str], with_date: bool = True) -> str:
    """A sentence composed from an event's fields only: who, did what, with whom, what,
    where, when; planned events are written as planned, never as done. When the fields
    cannot make a sentence a person would write, or no evidence sentence names the actor
    and the counterpart, the source's own sentence is shown instead (`_source_sentence`)."""
    actors = [names.get(a, a) for a in event.actors]
    counterparts = [names.get(c, c) for c in event.counterparts]
    verbatim = _source_sentence(event, actors, counterparts)
    if verbatim is not None:
        return verbatim
    spans = [sp.text for sp in event.evidence or [] if sp.text]
    actors = [_as_written(a, spans) for a in actors]
    counterparts = [_as_written(c, spans) for c in counterparts]
    details = getattr(event, "details", None) or {}
    obj = event.object
    years = re.fullmatch(r"P(\d+)Y", details.get("duration", ""))
    if obj and years and not re.search(r"\d", obj):  # "the 10-year Framework ..."
        obj = f"{years.group(1)}-year {obj}"
    t = event_type(event.type)
    if t.gathering and len(actors) == 1 and not counterparts and not obj:  # "the 12th ADMM-Plus"
        name = actors[0] if not actors[0].lower().startswith("the ") else actors[0][4:]
        actors = [" ".join(filter(None, ["the", details.get("edition"), name]))]
    if t.joint_subject and counterparts:
        actors, counterparts = actors + counterparts, []
    plural = len(actors) > 1
    verb_base, past = t.name, t.past_tense
    if not actors and obj:  # "The 12th ADMM-Plus was scheduled to be held": the object is the subject
        subject, obj = _with_article(obj), None
        verb_base, past = "be " + past, "was " + past
    else:
        subject = _join(actors)
    words: list[str] = [subject] if subject else []
    if event.status == "reported" and details.get("source") and not any(details["source"] in a for a in actors):
        words.insert(0, f"According to {details['source']},")  # a claim keeps its source
    prep = t.object_preposition
    if prep and obj and not obj.lower().startswith(("to ", "that ", prep + " ")):
        obj = prep + " " + _with_article(obj)  # "agreed on the deal", never "agreed the trial"
    elif obj:
        obj = _with_article(obj)
    if event.status == "planned":
        words.append(("were" if plural else "was") + " scheduled to " + verb_base)
    elif event.status == "negated":
        words.append("did not " + verb_base if not verb_base.startswith("be ") else "was not " + verb_base[3:])
    else:
        words.append(past)
    if counterparts:
        words.append(_join(counterparts))
    if obj:
        words.append(obj)
    place = names.get(event.place, event.place) if event.place else None
    if place and place not in " ".join(words):
        if t.place_dobj and not counterparts and not obj:
            words.append(place)  # "visited Albania", not "visited in Albania"
        else:
            words.append(place_preposition(place) + " " + place)
    if with_date and _iso(event):
        words.append(_date_phrase(event.date.value))
        if event.date.anchor_from == "plan":  # the reports left it undated: the day it was planned for
            words.append("(the day it was planned for)")
    text = " ".join(w for w in words if w).strip()
    return text[:1].upper() + text[1:] + "."


# words of a capitalised title that still take "the" ("the Framework for the US-India ...")
TITLE_HEADS = re.compile(
    r"\b(framework|agreement|treaty|accord|pact|compact|act|plan|deal|memorandum|charter|declaration|protocol|"
    r"convention|partnership|summit|meeting|conference|forum|programme|program|initiative|strategy|roadmap|"
    r"statement|communiqu[eé]|resolution|bill|law|exercise|dialogue|council|committee|commission)s?\b",
    re.I,
)
FUNCTION_WORDS = {"that", "this", "it", "which", "what", "those", "these", "them", "there"}


def _source_sentence(event: Event, actors: list[str], counterparts: list[str]) -> str | None:
    """The source's own sentence, when a template would misstate the event: a "convene"
    whose subject is no gathering ("The Yankees convened"), an object that is only a
    function word ("signed the that"), or no evidence sentence naming the actor and every
    counterpart (the frame would join what no sentence says together)."""
    spans = [s for s in (event.evidence or []) if s.text]
    if not spans:
        return None
    obj = (event.object or "").strip().lower()
    odd = (event_type(event.type).gathering and not all(is_gathering(a) for a in actors)) or obj in FUNCTION_WORDS
    wanted = [n for n in actors[:1] + counterparts if n]
    named = [s for s in spans if all(_names_in(n, s.text) for n in wanted)]
    if not odd and named:
        return None
    best = min(named or spans, key=lambda s: len(s.text))
    return best.text.strip()


def _as_written(name: str, texts: Sequence[str]) -> str:
    """A name with the article its sources write it with ("the United Nations", "the
    Pentagon"), and bare where they write it bare ("Albania", "Dong Jun")."""
    if name[:1].isupper() and any(re.search(r"\b[Tt]he " + re.escape(name) + r"\b", t) for t in texts):
        return "the " + name
    return name


def _names_in(name: str, text: str) -> bool:
    """A name is in a sentence when its last word is ("Singh" for "Rajnath Singh")."""
    words = re.findall(r"[\w’'-]+", name)
    return bool(words) and re.search(r"\b" + re.escape(words[-1]) + r"\b", text) is not None


def _with_article(obj: str) -> str:
    """"the" before the thing ("the Framework for ...", "the forum"), except where the phrase
    has its own determiner or is an infinitive ("to build ..."), and never before a proper
    name ("visited Albania", "met Dong Jun"): a capitalised phrase takes "the" only when it
    is a title with a common head ("the Framework for the US-India Major Defence Partnership")."""
    low = obj.lower()
    if low.startswith(("the ", "a ", "an ", "his ", "her ", "their ", "its ", "our ", "to ", "this ", "these ", "that ", "on ")):
        return obj
    if obj[:1].isupper() and not TITLE_HEADS.search(obj):
        return obj
    return "the " + obj


def _join(items: Sequence[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _date_phrase(value: str) -> str:
    if "/" in value:
        a, b = value.split("/", 1)
        return f"from {_plain_date(a)} to {_plain_date(b)}"
    return ("on " if len(value) == 10 else "in ") + _plain_date(value)


def _plain_date(value: str) -> str:
    try:
        if len(value) == 10:
            d = dt.date.fromisoformat(value)
            return f"{d.day} {d:%B %Y}"
        if len(value) == 7:
            d = dt.date.fromisoformat(value + "-01")
            return f"{d:%B %Y}"
    except ValueError:
        pass
    return value


ISO_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?(?:/\d{4}(?:-\d{2}(?:-\d{2})?)?)?$")


def _iso(event: Event) -> str | None:
    """The event's date when it is a calendar date or range ("PAST_REF" and the like are not)."""
    value = event.date.value if event.date else None
    return value if value and ISO_DATE.match(value) else None


def _timeline(efacts: list[EventFact], names, cutoff) -> list[dict]:
    items = []
    for ef in efacts:
        if not _iso(ef.event) or not _tellable(ef.event):
            continue
        items.append(
            {
                "date": ef.event.date.value,
                "date_text": ef.event.date.text,
                "text": describe(ef.event, names, with_date=False),
                "event": ef.fact.id,
                "type": ef.event.type,
                "status": ef.fact.status,
                "background": _is_background(ef, cutoff),
                "articles": list(ef.fact.support.articles),
                "independent_sources": ef.fact.support.independent_sources,
            }
        )
    items.sort(key=lambda i: (i["date"].split("/")[0], i["status"] != "occurred", -i["independent_sources"], i["event"]))
    return items


def _event_json(ef: EventFact, names, cutoff) -> dict:
    e, f = ef.event, ef.fact
    return {
        "id": f.id,
        "events": list(f.events or [e.id]),
        "type": e.type,
        "actors": [names.get(a, a) for a in e.actors],
        "counterparts": [names.get(c, c) for c in e.counterparts],
        "object": e.object,
        "place": names.get(e.place, e.place) if e.place else None,
        "date": e.date.value if e.date else None,
        "date_text": e.date.text if e.date else None,
        "status": f.status,
        "confirmed_by": f.confirmed_by,
        "background": _is_background(ef, cutoff),
        "text": describe(e, names),
        "articles": list(f.support.articles),
        "families": list(f.support.families),
        "independent_sources": f.support.independent_sources,
        "first_reported": f.first_reported,
        "evidence": [_span_json(s) for s in f.support.evidence],
    }


def _article_json(a: Article, families) -> dict:
    source = a.sightings[0].source if a.sightings else a.url
    return {
        "id": a.id,
        "source": source,
        "title": a.title,
        "outlet": a.outlet,
        "agency": a.agency,
        "dateline": a.dateline,
        "published": a.published.isoformat() if a.published else None,
        "published_from": a.published_from,
        "family": families.get(a.id, a.id),
    }


def _entities_json(entities: list[Entity], facts: list[Fact], story_articles: set[str], settings: CorroborateSettings) -> list[dict]:
    roles = defaultdict(list)  # by entity id: two people of one name keep their own roles
    for f in facts:
        if f.attribute == "role" and f.entity:
            roles[f.entity].append(f)
    order = {"PERSON": 0, "ORG": 1, "GPE": 2, "LOC": 3, "NORP": 4, "EVENT": 5}
    out = []
    for e in entities:
        arts = [a for a in e.articles if a in story_articles]
        if not arts:
            continue
        mentions = sum(1 for m in e.mentions if m.article in story_articles)
        # a role belongs to a person: an organisation or an agency has none ("FBI — deputy")
        its_roles = [] if e.type != "PERSON" else [
            {
                "role": f.value,
                "articles": list(f.support.articles),
                "independent_sources": f.support.independent_sources,
                "evidence": [_span_json(s) for s in f.support.evidence],
            }
            for f in sorted(roles.get(e.id, []), key=lambda f: -len(f.support.articles))
        ]
        out.append(
            {
                "id": e.id,
                "name": e.name,
                "type": e.type,
                "aliases": list(e.aliases),
                "titles": list(e.titles),
                "roles": its_roles,
                "articles": arts,
                "mentions": mentions,
                # who's who: people with a role or named twice; single-mention names go to "other names"
                "whos_who": e.type == "PERSON" and (bool(its_roles) or mentions >= settings.whos_who_min_mentions),
            }
        )
    out.sort(key=lambda x: (order.get(x["type"], 9), -len(x["articles"]), x["name"]))
    return out


def _quotes_json(quotes: list[Quote], families, names) -> list[dict]:
    out = []
    for speaker, group in corroborate.group_quotes(quotes):
        spans = [s for q in group for s in q.evidence]
        sup = corroborate.support_of(spans, families)
        channels = sorted({q.channel for q in group if q.channel})
        out.append(
            {
                "speaker": names.get(speaker, speaker) if speaker else None,
                "text": group[0].text,
                "channel": channels[0] if channels else None,
                "articles": list(sup.articles),
                "independent_sources": sup.independent_sources,
                "evidence": [_span_json(s) for s in sup.evidence],
            }
        )
    out.sort(key=lambda q: (-q["independent_sources"], -len(q["articles"]), q["speaker"] or "", q["text"]))
    return out


def _conflict_json(c: Conflict) -> dict:
    return {
        "subject": c.subject,
        "attribute": c.attribute,
        "kind": c.kind,
        "values": [
            {
                "value": v.value,
                "note": v.note,
                "articles": list(v.support.articles),
                "independent_sources": v.support.independent_sources,
                "evidence": [_span_json(s) for s in v.support.evidence],
            }
            for v in c.values
        ],
    }


def _unique(facts: list[Fact], efacts: list[EventFact], names, cutoff) -> list[dict]:
    """Per article, the facts that no other article of the story supports."""
    text = {ef.fact.id: describe(ef.event, names) for ef in efacts}
    per = defaultdict(list)
    for f in facts:
        if len(f.support.articles) != 1 or f.confirmed_by:
            continue
        if f.kind == "event":
            shown = text.get(f.id, f"{f.subject} {f.attribute} {f.value}").rstrip(".")
        elif f.kind == "quote":
            shown = f"{f.subject}: “{f.value}”"
        else:
            shown = f"{f.subject} — {f.attribute}: {f.value}"
        per[f.support.articles[0]].append(
            {"fact": f.id, "kind": f.kind, "text": shown, "evidence": [_span_json(s) for s in f.support.evidence]}
        )
    return [{"article": a, "facts": items} for a, items in sorted(per.items())]


def _reuse_json(passages: list[Passage], order: Mapping[str, int]) -> list[dict]:
    """Shared passages per pair of articles, the earlier article (in `articles`) first."""
    pairs = defaultdict(list)
    for p in passages:
        if order.get(p.a, 0) > order.get(p.b, 0):
            p = Passage(p.b, p.b_start, p.b_end, p.a, p.a_start, p.a_end, p.similarity, p.kind)
        pairs[(p.a, p.b)].append(
            {"a_start": p.a_start, "a_end": p.a_end, "b_start": p.b_start, "b_end": p.b_end, "kind": p.kind, "similarity": round(p.similarity, 3)}
        )
    return [
        {"articles": [a, b], "passages": sorted(ps, key=lambda x: x["a_start"])}
        for (a, b), ps in sorted(pairs.items(), key=lambda kv: (order.get(kv[0][0], 0), order.get(kv[0][1], 0)))
    ]


def _span_json(s: Span) -> dict:
    return {"article": s.article, "start": s.start, "end": s.end, "text": s.text}


# -- checking -------------------------------------------------------------------------

_KEYS = {
    "summary": {"text": str, "citations": list, "evidence": list, "independent_sources": int},
    "articles": {"id": str, "source": (str, type(None)), "title": (str, type(None)), "outlet": (str, type(None)),
                 "agency": (str, type(None)), "dateline": (str, type(None)), "published": (str, type(None)),
                 "published_from": (str, type(None)), "family": str},
    "entities": {"id": str, "name": str, "type": str, "aliases": list, "roles": list, "articles": list},
    "events": {"id": str, "type": str, "actors": list, "counterparts": list, "object": (str, type(None)),
               "place": (str, type(None)), "date": (str, type(None)), "date_text": (str, type(None)),
               "status": str, "articles": list, "independent_sources": int, "evidence": list},
    "timeline": {"date": str, "text": str, "event": str, "articles": list},
    "quotes": {"speaker": (str, type(None)), "text": str, "channel": (str, type(None)), "articles": list},
    "conflicts": {"subject": str, "attribute": str, "values": list},
    "numbers": {"subject": str, "latest": dict, "same_day": list, "history": list, "undated": list, "conflict": bool},
    "reuse": {"articles": list, "passages": list},
    "removed": {"article": str, "text": str, "reason": str},
}
STATUSES = {"occurred", "planned", "negated", "reported"}


def validate_brief(brief: dict) -> None:
    """Check a brief against `newsweave.brief/1`; raises InvalidBrief listing every problem."""
    problems: list[str] = []
    if not isinstance(brief, dict):
        raise InvalidBrief([f"a brief is a JSON object, not {type(brief).__name__}"])
    if brief.get("schema") != SCHEMA:
        problems.append(f"schema is {brief.get('schema')!r}, expected {SCHEMA!r}")
    for key, typ in (("story", str), ("headline", str)):
        if not isinstance(brief.get(key), typ):
            problems.append(f"{key} must be a string")
    article_ids = {a.get("id") for a in brief.get("articles", []) if isinstance(a, dict)}
    for section, fields in _KEYS.items():
        items = brief.get(section)
        if not isinstance(items, list):
            problems.append(f"{section} must be a list")
            continue
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                problems.append(f"{section}[{i}] must be an object")
                continue
            for name, typ in fields.items():
                if name not in item:
                    problems.append(f"{section}[{i}] lacks {name!r}")
                elif not isinstance(item[name], typ) or (typ is int and isinstance(item[name], bool)):
                    problems.append(f"{section}[{i}].{name} has type {type(item[name]).__name__}")
    for i, s in enumerate(brief.get("summary") or []):
        if isinstance(s, dict) and not s.get("citations"):
            problems.append(f"summary[{i}] cites no article: {str(s.get('text'))[:60]!r}")
        if isinstance(s, dict) and isinstance(s.get("evidence"), list):
            missing = set(s.get("citations") or []) - {e.get("article") for e in s["evidence"] if isinstance(e, dict)}
            if missing:
                problems.append(f"summary[{i}] cites {sorted(missing)} without evidence there")
        for c in (s.get("citations") or []) if isinstance(s, dict) else []:
            if c not in article_ids:
                problems.append(f"summary[{i}] cites {c!r}, which is not among the articles")
    for i, e in enumerate(brief.get("events") or []):
        if isinstance(e, dict):
            if e.get("status") not in STATUSES:
                problems.append(f"events[{i}].status {e.get('status')!r} is not one of {sorted(STATUSES)}")
            if not e.get("evidence"):
                problems.append(f"events[{i}] has no evidence")
    for i, c in enumerate(brief.get("conflicts") or []):
        for j, v in enumerate(c.get("values", []) if isinstance(c, dict) else []):
            if not {"value", "articles", "independent_sources"} <= set(v):
                problems.append(f"conflicts[{i}].values[{j}] needs value, articles, independent_sources")
    dates = [t.get("date") for t in brief.get("timeline") or [] if isinstance(t, dict)]
    if [d.split("/")[0] for d in dates if isinstance(d, str)] != sorted(d.split("/")[0] for d in dates if isinstance(d, str)):
        problems.append("timeline is not in date order")
    for path, span in _evidence(brief):
        if not {"article", "start", "end", "text"} <= set(span):
            problems.append(f"{path} needs article, start, end, text")
        elif span["article"] not in article_ids:
            problems.append(f"{path} points to {span['article']!r}, which is not among the articles")
    if problems:
        raise InvalidBrief(problems)


def _evidence(node, path="brief"):
    """(path, span) for every evidence span anywhere in the brief."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "evidence" and isinstance(v, list):
                for i, s in enumerate(v):
                    yield f"{path}.evidence[{i}]", s
            else:
                yield from _evidence(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _evidence(v, f"{path}[{i}]")


def evidence_errors(brief: dict, clean_texts: Mapping[str, str]) -> list[str]:
    """Evidence whose `text` is not the article's clean text at its offsets."""
    out = []
    for path, s in _evidence(brief):
        text = clean_texts.get(s.get("article"))
        if text is None or text[s["start"] : s["end"]] != s["text"]:
            out.append(f"{path}: {s.get('text')!r} is not the text at {s.get('article')}[{s.get('start')}:{s.get('end')}]")
    return out
