"""Corroboration: the records of a story become facts with support, and conflicts.

A fact is an event or an attribute claim (a person's role, a number, the date of a named
happening, a quote) grouped across the articles of one story, with its evidence spans, the
articles and syndication families behind it, and `independent_sources` = the number of
families (ten copies of one wire story count once). A conflict is the same subject and
attribute with incompatible values, each value with its own support; compatible values
("Khaled Nordin" / "Mohamed Khaled Nordin", "10-year" / "10 years") are not conflicts.

Steps (each a pure function over records, so tests feed them records built from real text):

    1. event_facts      events -> one fact per happening (copies merged, planned kept apart)
    2. role_claims      entities' roles -> role facts + role conflicts (same head, other office)
    3. number_claims    "10-year" / "two-day" next to an event -> duration facts + conflicts;
       count_claims     "floods killed 14 people" -> count facts + conflicts ("at least" kept)
    4. date_conflicts   one happening reported on incompatible dates
    5. quote_facts      quotes -> facts; quote_variants: one sentence of a speaker printed
                        with different words ("rules-based" / "rules-bound"), also against
                        reported speech
The stage `corroborate` runs them per story touched by new articles and stores the result
(tables `facts`, `fact_evidence`, `conflicts`; migration 0007).
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import NamedTuple

from ..entities import load_entities, survivors
from ..events import load_events, load_quotes
from ..grouping import first_fit
from ..records import Article, Conflict, ConflictValue, Entity, Event, Fact, Quote, Span, Story, Support
from ..settings import CorroborateSettings, Settings
from ..reuse import family_of
from ..store import Store
from ..stories import story_articles
from ..text import country_words, plain_words

FamilyMap = Mapping[str, str]  # article id -> family id (an article without one is its own)


# -- support --------------------------------------------------------------------------


def support_of(spans: Iterable[Span], families: FamilyMap, ordered: bool = False) -> Support:
    """Evidence, articles, families and the independent-source count behind some spans.
    `ordered`: the spans are distinct and in (article, start, end) order already."""
    evidence = list(spans) if ordered else sorted(set(spans), key=lambda s: (s.article, s.start, s.end))
    articles = sorted({s.article for s in evidence})
    fams = sorted({families.get(a, a) for a in articles})
    return Support(evidence=evidence, articles=articles, families=fams, independent_sources=len(fams))


def first_reported(
    articles: Sequence[str], order: Sequence[str] | Mapping[str, int], published: Mapping[str, dt.date | None]
) -> str | None:
    """The earliest published article (undated ones last, ties by arrival order). `order`:
    the story's articles in arrival order, or their ranks (a story's facts share one)."""
    rank = order if isinstance(order, Mapping) else {a: i for i, a in enumerate(order)}
    if not articles:
        return None
    return min(articles, key=lambda a: (published.get(a) or dt.date.max, rank.get(a, len(rank))))


def fact_id(story: str, *parts: str) -> str:
    return hashlib.sha1("\x1f".join((story, *parts)).encode()).hexdigest()[:16]


# -- 1. events ------------------------------------------------------------------------


@dataclass
class EventFact:
    """A happening as the brief shows it: one representative event plus all its evidence."""

    fact: Fact  # fact.events: every merged event id; fact.confirmed_by for a planned fact
    event: Event  # representative (fields: type, actors, counterparts, object, place, date)


def _event_key(e: Event) -> tuple:
    people = frozenset(plain_words(x) for x in (*e.actors, *e.counterparts))
    return (e.type, people, _norm_text(e.object or ""), e.status)


def event_facts(
    events: Sequence[Event],
    families: FamilyMap,
    story: str,
    names: Mapping[str, str] | None = None,
    order: Sequence[str] = (),
    published: Mapping[str, dt.date | None] | None = None,
) -> list[EventFact]:
    """One fact per happening. The events stage already merges reports of one happening;
    here reports it left apart with the same type, participants, object, date and status are
    merged (an undated report joins the single dated group of its key). Planned and occurred
    versions stay apart: a planned fact only notes the occurred fact that confirms it."""
    names = names or {}
    published = published or {}
    groups: dict[tuple, list[Event]] = defaultdict(list)
    for e in events:
        groups[(*_event_key(e), e.date.value if e.date else None)].append(e)
    for key in [k for k in groups if k[-1] is None]:
        dated = [k for k in groups if k[:-1] == key[:-1] and k[-1] is not None]
        if len(dated) == 1:
            groups[dated[0]].extend(groups.pop(key))
    out: list[EventFact] = []
    for key, members in groups.items():
        rep = max(members, key=lambda e: (len(e.evidence), bool(e.place), bool(e.date and e.date.value)))
        spans = [s for e in members for s in e.evidence]
        sup = support_of(spans, families)
        subject = " and ".join(names.get(a, a) for a in rep.actors) or "(unknown)"
        value = "; ".join([names.get(c, c) for c in rep.counterparts] + ([rep.object] if rep.object else []))
        fid = fact_id(story, "event", rep.type, subject, value, rep.status, key[-1] or "")
        fact = Fact(
            id=fid,
            kind="event",
            subject=subject,
            attribute=rep.type,
            value=value,
            status=rep.status,
            support=sup,
            first_reported=first_reported(sup.articles, order, published),
            event=rep.id,
            events=[e.id for e in members],
        )
        out.append(EventFact(fact, rep))
    _link_planned(out)
    out.sort(key=lambda ef: (-ef.fact.support.independent_sources, -len(ef.fact.support.articles), ef.fact.id))
    return out


def _link_planned(facts: list[EventFact]) -> None:
    """A planned fact is confirmed by an occurred fact of the same happening (linked by the
    events stage, or the same type and participants and a compatible date)."""
    occurred = [f for f in facts if f.fact.status == "occurred"]
    for f in facts:
        if f.fact.status != "planned":
            continue
        linked = set(f.event.linked)
        for o in occurred:
            same_ids = linked & set(o.fact.events)
            same_kind = o.event.type == f.event.type and _people(o.event) >= _people(f.event) and _dates_compatible(o.event, f.event)
            if same_ids or same_kind:
                f.fact.confirmed_by = o.fact.id
                break


def _people(e: Event) -> frozenset[str]:
    return frozenset(plain_words(x) for x in (*e.actors, *e.counterparts))


def _dates_compatible(a: Event, b: Event) -> bool:
    va, vb = (a.date.value if a.date else None), (b.date.value if b.date else None)
    return not va or not vb or va.startswith(vb) or vb.startswith(va)


# -- 2. roles -------------------------------------------------------------------------

ROLE_PREPOSITIONS = {"of", "to", "for"}
ROLE_STOP = {"the", "a", "an", "and", "'s", "s", "his", "her", "their", "its"}
# Spelling variants that are one word (compatible values, never a conflict).
SPELLING = {"defense": "defence", "labor": "labour", "program": "programme", "center": "centre"}
# Modifiers that say where a role is held, not what it is: a country's name or code (the
# text toolkit's table) and the common abbreviations and adjectives of a polity.
PLACE_MODIFIERS = frozenset({"us", "u.s.", "usa", "uk", "u.k.", "eu", "un", "asean", "union", "federal", "national"})


_DEMONYM = re.compile(r"^[A-Z][a-z]+(?:an|ese|ian|ish|i)$")


def _strip_place_word(word: str) -> bool:
    low = word.lower().removesuffix("'s").removesuffix("’s")
    return low in PLACE_MODIFIERS or low in country_words() or bool(_DEMONYM.match(word)) and low not in {"prime"}


@lru_cache(maxsize=1 << 14)
def role_parts(role: str) -> tuple[str, frozenset[str]]:
    """(head, specifiers) of a role: "US Secretary of War" -> ("secretary", {"war"});
    "Defence Minister of Malaysia" -> ("minister", {"defence"}); places and articles dropped.
    Remembered: a story's people are named in few wordings, read again at every batch."""
    words = re.findall(r"[A-Za-z][A-Za-z.'’-]*", role)
    # where the role is held: a country or demonym anywhere, a possessive anywhere ("Kessia's")
    words = [w for w in words if not _strip_place_word(w) and not re.search(r"['’]s$", w)]
    low = [SPELLING.get(w.lower(), w.lower()) for w in words]
    low = [w for w in low if w not in ROLE_STOP]
    if not low:
        return "", frozenset()
    cut = next((i for i, w in enumerate(low) if w in ROLE_PREPOSITIONS and i > 0), len(low))
    head = low[cut - 1]
    spec = set(low[: cut - 1]) | {w for w in low[cut + 1 :] if w not in ROLE_PREPOSITIONS}
    return head, frozenset(spec)


def roles_compatible(a: str, b: str) -> bool:
    """Two roles are compatible unless they name the same kind of office (head) with
    specifiers neither of which contains the other ("of War" vs "of Defence")."""
    ha, sa = role_parts(a)
    hb, sb = role_parts(b)
    if ha != hb or not sa or not sb:
        return True
    return sa <= sb or sb <= sa


def role_display(surface: str) -> str:
    """The role as a reader expects it, without where it is held: "Secretary of War"."""
    words = surface.split()
    while words and (_strip_place_word(words[0].strip(",")) or re.search(r"['’]s$", words[0])):
        words.pop(0)
    return " ".join(words).strip(" ,") or surface


def _role_groups(roles: Sequence) -> list[list]:
    """First-fit groups of compatible roles with one head. Roles compared as written
    (capitals tell a demonym, "Kessian", from a word). A role joins the group an earlier
    role of the same wording joined (groups only grow, by members compatible with it), so
    the grouping runs over distinct wordings and each group lists its roles in their order:
    a person named thousands of times in a story costs its wordings, not its mentions."""
    by_surface: dict[str, list[int]] = {}
    for i, r in enumerate(roles):
        by_surface.setdefault(r.surface, []).append(i)
    heads = {w: role_parts(w)[0] for w in by_surface}
    groups = first_fit(
        list(by_surface), lambda g, w: heads[w] == heads[g[0]] and all(roles_compatible(w, o) for o in g)
    )
    return [[roles[i] for i in sorted(i for w in g for i in by_surface[w])] for g in groups]


def role_claims(
    entities: Sequence[Entity], families: FamilyMap, story: str, order=(), published=None
) -> tuple[list[Fact], list[Conflict]]:
    """Role facts per person (compatible roles grouped) and conflicts between groups."""
    facts: list[Fact] = []
    conflicts: list[Conflict] = []
    story_articles = set(order)
    for ent in entities:
        roles = [r for r in ent.roles if not story_articles or r.evidence.article in story_articles]
        if not roles:
            continue
        groups = _role_groups(roles)
        # merge groups whose heads differ (different offices, both true) into separate facts
        group_facts = []
        for g in groups:
            display = _most_specific(role_display(r.surface) for r in g)
            sup = support_of([r.evidence for r in g], families)
            f = Fact(
                id=fact_id(story, "role", ent.id, display.lower()),
                kind="attribute",
                subject=ent.name,
                attribute="role",
                value=display,
                status="occurred",
                support=sup,
                first_reported=first_reported(sup.articles, order, published or {}),
                entity=ent.id,  # the brief joins roles to entities by id: two people may share a name
            )
            facts.append(f)
            group_facts.append((g, f))
        clashing = [
            (g, f)
            for g, f in group_facts
            if any(
                not roles_compatible(f.value, f2.value) for _, f2 in group_facts if f2 is not f
            )
        ]
        if len(clashing) > 1:
            conflicts.append(
                Conflict(
                    subject=ent.name,
                    attribute="role",
                    values=[ConflictValue(f.value, f.support) for _, f in clashing],
                    kind="attribute",
                )
            )
    return facts, conflicts


def _most_specific(values: Iterable[str]) -> str:
    vals = list(values)
    counts = defaultdict(int)
    for v in vals:
        counts[v] += 1
    return max(counts, key=lambda v: (counts[v], -len(v)))


# -- 3. numbers -----------------------------------------------------------------------

NUMBER_WORDS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())}
UNITS = "year|month|week|day|hour"
DURATION = re.compile(rf"\b(\d+|{'|'.join(NUMBER_WORDS)})(?:-|\s)({UNITS})s?\b", re.I)


def normalise_duration(text: str) -> str | None:
    """"10-year" and "10 years" -> "10 years"; "two-day" -> "2 days"."""
    m = DURATION.search(text)
    if not m:
        return None
    n = m.group(1).lower()
    n = str(NUMBER_WORDS.get(n, n))
    unit = m.group(2).lower()
    return f"{n} {unit}{'' if n == '1' else 's'}"


DURATION_HEADS = {"visit", "trip", "tour", "stay", "framework", "plan", "deal", "agreement", "pact", "partnership", "programme", "program", "roadmap", "term", "mandate", "ceasefire", "truce"}


def _modifies(text: str, end: int, obj: str | None) -> bool:
    """Whether the duration ending at `end` modifies the object ("10-year ‘Framework") or a
    noun that takes a duration ("two-day visit"), not something else ("15 Years of ...")."""
    nxt = re.match(r"[\s‘’'\"“”]*([\w-]+)", text[end:])
    if not nxt:
        return False
    word = nxt.group(1).lower()
    first = re.findall(r"[\w-]+", obj.lower())[:1] if obj else []
    return word in DURATION_HEADS or word in first


def number_claims(efacts: Sequence[EventFact], families: FamilyMap, story: str) -> tuple[list[Fact], list[Conflict]]:
    """Durations said of an event's object or of the event ("a 10-year Framework", "a
    two-day visit"): one fact per value; different values of one subject are a conflict."""
    by_subject: dict[str, dict[str, list[Span]]] = defaultdict(lambda: defaultdict(list))
    for ef in efacts:
        subject = ef.event.object or f"{ef.fact.subject} {ef.event.type}"
        for span in ef.fact.support.evidence:
            for m in DURATION.finditer(span.text):
                if not _modifies(span.text, m.end(), ef.event.object):
                    continue
                value = normalise_duration(m.group(0))
                s = Span(span.article, span.start + m.start(), span.start + m.end(), m.group(0))
                by_subject[subject][value].append(s)
    facts, conflicts = [], []
    for subject, values in by_subject.items():
        vals = []
        for value, spans in values.items():
            sup = support_of(spans, families)
            facts.append(Fact(fact_id(story, "duration", subject, value), "attribute", subject, "duration", value, "occurred", sup))
            vals.append(ConflictValue(value, sup))
        if len(vals) > 1:
            conflicts.append(Conflict(subject, "duration", vals, kind="number"))
    return facts, conflicts


# Counts of people affected ("floods killed 14 people", "killed at least 14 people").
COUNT_VERBS = "killed|injured|wounded|displaced|evacuated|arrested|detained|rescued|stranded|missing"
COUNT_NOUNS = "people|persons|civilians|residents|soldiers|workers|children|migrants|passengers|protesters|villagers"
QUALIFIERS = {"at least": ">=", "more than": ">", "over": ">", "about": "~", "around": "~", "nearly": "<=", "almost": "<=", "some": "~", "up to": "<="}
COUNT = re.compile(
    rf"\b({COUNT_VERBS})\s+(?:({'|'.join(QUALIFIERS)})\s+)?(\d[\d,]*|{'|'.join(NUMBER_WORDS)})\s+({COUNT_NOUNS})\b",
    re.I,
)


def _count_compatible(a: tuple[str | None, int], b: tuple[str | None, int]) -> bool:
    """"at least 14" fits 17; "14" and "17" do not fit each other."""
    for (qa, na), (qb, nb) in ((a, b), (b, a)):
        if qa is None and qb is None:
            return na == nb
        rel = QUALIFIERS.get(qa or "", None)
        if rel == ">=" and nb >= na or rel == ">" and nb > na or rel == "<=" and nb <= na:
            return True
        if rel == "~" and abs(nb - na) <= max(1, na // 10):
            return True
    return False


def count_claims(articles: Sequence[Article], families: FamilyMap, story: str) -> tuple[list[Fact], list[Conflict]]:
    """How many people were killed, injured, ... : one fact per value as written, and a
    conflict when two values cannot both hold (qualifiers respected) at the same time: a
    count that grows across the articles' dates is an update (`_an_update`)."""
    published = {a.id: a.published for a in articles}
    found: dict[tuple[str, str], dict[tuple[str | None, int], list[Span]]] = defaultdict(lambda: defaultdict(list))
    for a in articles:
        for verb, qual, n, noun, start, end, text in _counts_in(a.clean_text):
            found[(verb, noun)][(qual, n)].append(Span(a.id, start, end, text))
    facts, conflicts = [], []
    for (verb, noun), values in found.items():
        attribute = f"{noun} {verb}"
        vals = []
        for (qual, n), spans in sorted(values.items(), key=lambda kv: kv[0][1]):
            value = f"{qual} {n}" if qual else str(n)
            sup = support_of(spans, families)
            facts.append(Fact(fact_id(story, "count", attribute, value), "attribute", "story", attribute, value, "occurred", sup))
            vals.append(((qual, n), ConflictValue(value, sup)))
        day = {key: _first_day(values[key], published) for key, _ in vals}
        clash = [
            cv for key, cv in vals
            if any(
                other != key and not _count_compatible(key, other) and not _an_update(key, day[key], other, day[other])
                for other, _ in vals
            )  # a value never clashes with itself ("more than 300" and "more than 300")
        ]
        if len(clash) > 1:
            conflicts.append(Conflict(f"number of {noun} {verb}", "count", [cv for _, cv in vals], kind="number"))
    return facts, conflicts


@lru_cache(maxsize=1 << 15)
def _counts_in(text: str) -> tuple[tuple[str, str | None, int, str, int, int, str], ...]:
    """(verb, qualifier, number, noun, start, end, words) of each count a text writes;
    remembered, as a growing story's articles are read again at every batch."""
    out = []
    for m in COUNT.finditer(text):
        verb, qual, num, noun = m.group(1).lower(), (m.group(2) or "").lower() or None, m.group(3).lower(), m.group(4).lower()
        n = int(NUMBER_WORDS.get(num, num.replace(",", "")) if num in NUMBER_WORDS else num.replace(",", ""))
        out.append((verb, qual, n, noun, m.start(), m.end(), m.group(0)))
    return tuple(out)


def count_of(fact: Fact) -> tuple[str | None, int] | None:
    """(qualifier, number) of a count fact made by `count_claims` ("more than 300" ->
    ("more than", 300)); None for any other fact."""
    noun_verb = fact.attribute.split(" ")
    if fact.kind != "attribute" or fact.subject != "story" or len(noun_verb) != 2:
        return None
    if not (re.fullmatch(COUNT_NOUNS, noun_verb[0]) and re.fullmatch(COUNT_VERBS, noun_verb[1])):
        return None
    m = re.fullmatch(rf"(?:({'|'.join(QUALIFIERS)}) )?(\d+)", fact.value)
    return (m.group(1), int(m.group(2))) if m else None


def _first_day(spans: Sequence[Span], published: Mapping[str, dt.date | None]) -> dt.date | None:
    days = [published.get(s.article) for s in spans]
    return min((d for d in days if d is not None), default=None)


def _an_update(a: tuple[str | None, int], day_a: dt.date | None, b: tuple[str | None, int], day_b: dt.date | None) -> bool:
    """A toll that grows with the reports' dates is an update, not a disagreement: "more than
    300" on the 1st and "6076" on the 5th. Values of the same day (or undated), or a later
    smaller one, still conflict."""
    if day_a is None or day_b is None or day_a == day_b:
        return False
    (early, _), (late, _) = sorted(((a, day_a), (b, day_b)), key=lambda kv: kv[1])
    return late[1] > early[1]


# -- 4. dates -------------------------------------------------------------------------


def date_conflicts(efacts: Sequence[EventFact]) -> list[Conflict]:
    """One happening (type, participants, object, status) on dates that cannot both hold."""
    groups: dict[tuple, list[EventFact]] = defaultdict(list)
    for ef in efacts:
        if ef.event.date and ef.event.date.value and re.match(r"^\d{4}(-\d{2}){0,2}$", ef.event.date.value):
            groups[_event_key(ef.event)].append(ef)
    out = []
    for members in groups.values():
        values = sorted({ef.event.date.value for ef in members})
        clash = [v for v in values if any(not (v.startswith(w) or w.startswith(v)) for w in values)]
        if len(clash) > 1:
            vals = [ConflictValue(ef.event.date.value, ef.fact.support) for ef in members if ef.event.date.value in clash]
            out.append(Conflict(members[0].fact.subject, f"date of {members[0].event.type}", vals, kind="date"))
    return out


# -- 5. quotes ------------------------------------------------------------------------


def group_quotes(quotes: Sequence[Quote]) -> list[tuple[str | None, list[Quote]]]:
    """Quotes of one speaker with the same words (as compared: case, spelling, number forms
    aside), in first-seen order."""
    groups: dict[tuple, list[Quote]] = {}
    for q in quotes:
        groups.setdefault((q.speaker, _norm_text(q.text)), []).append(q)
    return [(speaker, qs) for (speaker, _), qs in groups.items()]


def quote_facts(quotes: Sequence[Quote], families: FamilyMap, story: str, names=None, order=(), published=None) -> list[Fact]:
    """A quote printed by several articles is one fact (same speaker, same words)."""
    names = names or {}
    out = []
    for speaker, qs in group_quotes(quotes):
        sup = support_of([s for q in qs for s in q.evidence], families)
        who = names.get(speaker, speaker) if speaker else "(unattributed)"
        out.append(
            Fact(
                id=fact_id(story, "quote", who, _norm_text(qs[0].text)),
                kind="quote",
                subject=who,
                attribute="quote",
                value=qs[0].text,
                status="occurred",
                support=sup,
                first_reported=first_reported(sup.articles, order, published or {}),
            )
        )
    return out


# Direct speech: “curly” (may span paragraphs), "straight" within a paragraph, and a
# paragraph opening with a straight mark that continues a quote. Single marks are left out:
# they are apostrophes or titles (‘Framework for ...’) far more often than speech.
QUOTED = re.compile(r'“([^“”]{20,})”|"([^"\n]{20,})"|^"([^"\n]{20,})$', re.M)
SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+[\"”’']?|$)")
FUNCTION_WORDS = {
    "the", "a", "an", "our", "their", "its", "his", "her", "my", "we", "they", "he", "she", "i", "it",
    "this", "that", "these", "those", "of", "to", "in", "on", "for", "and", "or", "will", "would", "is",
    "was", "are", "were", "be", "as", "with", "by", "at", "from", "has", "have", "had",
}


CONTRACTIONS = {"'m": "am", "n't": "not", "'re": "are", "'ve": "have", "'ll": "will", "'d": "would"}


# the patterns of `_words`, compiled once (built and looked up in re's cache per token before)
_TOKEN = re.compile(r"[\w’']+(?:-[\w’']+)*")
_CONTRACTED = re.compile(r"(\w+)('m|n't|'re|'ve|'ll|'d)")
_NUMBER_UNIT = re.compile(rf"(\d+|{'|'.join(NUMBER_WORDS)})-({UNITS})s?")
_PLURAL_UNIT = re.compile(rf"^({UNITS})s$")
_IZE = re.compile(r"(i)z(e|ed|es|ing|ation)$")


def _words(text: str) -> list[str]:
    """Comparison tokens: lower case, number-unit split and singular, spelling unified,
    contractions expanded ("I'm" -> "i am"), stray apostrophes dropped."""
    out = []
    for w in _TOKEN.findall(text.lower().replace("’", "'")):
        w = w.strip("'")
        if not w:
            continue
        m = _CONTRACTED.fullmatch(w)
        if m:
            out += [m.group(1), CONTRACTIONS[m.group(2)]]
            continue
        m = _NUMBER_UNIT.fullmatch(w)
        if m:
            out += [str(NUMBER_WORDS.get(m.group(1), m.group(1))), m.group(2)]
            continue
        w = _PLURAL_UNIT.sub(r"\1", w)
        w = SPELLING.get(w, w)
        w = _IZE.sub(r"\1s\2", w)
        out.append(w)
    return out


def _word_spans(text: str, base: int) -> list[tuple[str, int, int]]:
    """Like `_words` but keeps each token's offsets (number-unit pairs share one span)."""
    out = []
    for m in _TOKEN.finditer(text):
        start, end = base + m.start(), base + m.end()
        out += [(w, start, end) for w in _token_words(m.group())]
    return out


@lru_cache(maxsize=1 << 16)
def _token_words(token: str) -> tuple[str, ...]:
    """`_words` of one token, remembered: a story's sentences are made of few distinct words,
    and its quoted sentences are tokenised again for every batch."""
    return tuple(_words(token))


def sentences(article: Article) -> list[tuple[int, int]]:
    """Sentence spans of an article's clean text (a light splitter: enough to align quotes)."""
    spans = []
    for pstart, pend in article.paragraphs():
        para = article.clean_text[pstart:pend]
        for m in re.finditer(r"\S.*?(?:[.!?]+[\"”’']?(?=\s+[\"“‘'A-Z(]|\s*$)|$)", para, re.S):
            spans.append((pstart + m.start(), pstart + m.end()))
    return spans


@dataclass(frozen=True)
class QuoteCandidate:
    article: str
    start: int
    end: int
    speaker: str | None


def candidates_of_quotes(quotes: Sequence[Quote], articles: set[str]) -> list[QuoteCandidate]:
    """The spans of the events stage's quotes in these articles, each with its speaker."""
    return [QuoteCandidate(s.article, s.start, s.end, q.speaker) for q in quotes for s in q.evidence if s.article in articles]


def quote_candidates(quotes: Sequence[Quote], articles: Sequence[Article]) -> list[QuoteCandidate]:
    """The quotes to align: the events stage's quotes (with their speakers) when there are
    any; otherwise (used alone, before that stage) every stretch in quotation marks of 20+
    characters."""
    if quotes:
        return candidates_of_quotes(quotes, {a.id for a in articles})
    out = []
    for a in articles:
        for m in QUOTED.finditer(a.clean_text):
            g = next(i for i in (1, 2, 3) if m.group(i) is not None)
            out.append(QuoteCandidate(a.id, m.start(g), m.end(g), None))
    return out


@dataclass(frozen=True)
class Said:
    """A sentence of an article as quote variants compare it: its comparison tokens."""

    article: str
    index: int  # position among the article's sentences
    start: int
    end: int
    form: str  # form_key(words)
    offsets: tuple[tuple[int, int], ...]  # each token's (start, end) in the clean text
    words: tuple[str, ...] = ()  # the comparison tokens (left out when read back from the store)


@dataclass(frozen=True)
class Quoted:
    """A sentence inside a quote candidate, ranked by the candidate's (article seq, start):
    a key that does not move as articles arrive."""

    rank: tuple[int, int]
    article: str
    start: int
    end: int
    words: tuple[str, ...]
    speaker: str | None
    offsets: tuple[tuple[int, int], ...] = ()

    @property
    def form(self) -> str:
        return form_key(self.words)


def form_key(words: Sequence[str]) -> str:
    """The id of a sentence's comparison tokens: sentences worded alike share it, and the
    variant test (`variant_tokens`) is a function of the tokens, so it is run once per form."""
    return hashlib.sha1("\x1f".join(words).encode()).hexdigest()[:16]


def content_words(words: Iterable[str]) -> frozenset[str]:
    """The words blocking counts (function words aside)."""
    return frozenset(words) - FUNCTION_WORDS


def said_sentences(article: Article) -> list[Said]:
    text = article.clean_text
    out = []
    for i, (s, e) in enumerate(sentences(article)):
        tokens = _word_spans(text[s:e], s)
        words = tuple(w for w, _, _ in tokens)
        out.append(Said(article.id, i, s, e, form_key(words), tuple((a, b) for _, a, b in tokens), words))
    return out


def quoted_sentences(
    cands: Sequence[QuoteCandidate], texts: Mapping[str, str], min_matched: int, seq: Mapping[str, int]
) -> list[Quoted]:
    """The sentences of every candidate long enough to match `min_matched` tokens, ranked
    by their candidate's (article seq, start): `seq` is the articles' arrival order."""
    out = []
    for c in cands:
        out += _candidate_quoted(texts[c.article], c.article, c.start, c.end, c.speaker, seq[c.article], min_matched)
    return out


@lru_cache(maxsize=1 << 16)
def _candidate_quoted(text: str, article: str, start: int, end: int, speaker: str | None, seq: int, min_matched: int) -> tuple[Quoted, ...]:
    """The sentences of the quote candidate text[start:end] of `article` (arrival number
    `seq`) long enough to match `min_matched` tokens; remembered, as a growing story's
    quotes are read again at every batch (a story of thousands of articles holds tens of
    thousands of them)."""
    out = []
    for qs, qe in _sentences_in(text, start, end):
        tokens = _word_spans(text[qs:qe], qs)
        if len(tokens) >= min_matched:
            words = tuple(t[0] for t in tokens)
            out.append(Quoted((seq, start), article, qs, qe, words, speaker, tuple((t[1], t[2]) for t in tokens)))
    return tuple(out)


Pairs = Mapping[tuple[str, str], tuple[int, int, int, int]]  # (quoted form, said form) -> token ranges replaced


def variant_pairs(qforms: Mapping[str, Sequence[str]], sforms: Mapping[str, Sequence[str]], cfg: CorroborateSettings) -> dict:
    """Every (quoted form, said form) sharing `variant_min_shared_words` content words whose
    alignment is a variant (`variant_tokens`)."""
    index: dict[str, list[str]] = defaultdict(list)
    for key, words in sforms.items():
        for w in content_words(words):
            index[w].append(key)
    out = {}
    for qkey, qwords in qforms.items():
        shared: dict[str, int] = defaultdict(int)
        for w in content_words(qwords):
            for skey in index.get(w, ()):
                shared[skey] += 1
        for skey, n in shared.items():
            if n >= cfg.variant_min_shared_words:
                v = variant_tokens(qwords, sforms[skey], cfg)
                if v is not None:
                    out[(qkey, skey)] = v
    return out


def quote_variants(
    quotes: Sequence[Quote],
    articles: Sequence[Article],
    families: FamilyMap,
    names: Mapping[str, str] | None = None,
    cfg: CorroborateSettings | None = None,
) -> list[Conflict]:
    """One sentence of a speaker printed with different words in different articles.

    Each quoted sentence is aligned (difflib, on comparison tokens) with every sentence of
    the other articles of the story, quoted or reported, that share `variant_min_shared_words`
    content words with it. A pair is the same sentence when at least `variant_min_matched`
    tokens and `variant_min_share` of the quoted sentence match; a variant is a replacement of
    1-`variant_max_change` content tokens on each side with at least `variant_min_anchor`
    matching tokens on both sides (settings.corroborate). Function-word swaps ("our" ->
    "India-US" in reported speech), spelling ("defense") and number forms ("10-year" /
    "10 years") are not variants. Sentences worded alike are aligned once (`form_key`): the
    corroborate stage keeps the pairs per story and aligns only a new article's forms."""
    cfg = cfg or CorroborateSettings()
    texts = {a.id: a.clean_text for a in articles}
    cands = quote_candidates(quotes, articles)
    seq = {a.id: i for i, a in enumerate(articles)}  # arrival order: the stage ranks by articles.seq, the same order
    quoted = quoted_sentences(cands, texts, cfg.variant_min_matched, seq)
    said = [s for a in articles for s in said_sentences(a)]
    pairs = variant_pairs({q.form: q.words for q in quoted}, {s.form: s.words for s in said}, cfg)
    return assemble_variants(pairs, quoted, said, texts, cands, families, names or {}, seq)


@dataclass
class _Value:
    first: tuple  # rank of its first appearance
    text: str  # as written there
    spans: set = field(default_factory=set)  # (article, start, end) of its sentences (their text is the article's)
    forms: dict = field(default_factory=dict)  # form -> rank of its first appearance


@dataclass
class VariantState:
    """One conflict's running minima: the rank of its first quoted observation and, per
    value (normalised wording), its first rank, its wording there, its spans and the first
    rank of each form it is seen in ("direct quote", "reported speech"). Every field is a
    minimum or a union over the observations, so the state of two sets of observations is
    the merge of their states (`merge_variant_states`): a new article adds its own."""

    first: tuple
    values: dict = field(default_factory=dict)  # norm -> _Value


VariantKey = tuple  # (frozenset of the two normalised values, speaker entity id or None)


def assemble_variants(
    pairs: Pairs,
    quoted: Sequence[Quoted],
    said: Sequence[Said],
    texts: Mapping[str, str],
    cands: Sequence[QuoteCandidate],
    families: FamilyMap,
    names: Mapping[str, str],
    seq: Mapping[str, int],
) -> list[Conflict]:
    """The conflicts of the variant pairs, from scratch (`observe_variants` over every
    sentence, then `variant_conflicts`)."""
    return variant_conflicts(observe_variants(pairs, quoted, said, texts, cands, seq), families, names, texts)


def observe_variants(
    pairs: Pairs,
    quoted: Sequence[Quoted],
    said: Sequence[Said],
    texts: Mapping[str, str],
    cands: Sequence[QuoteCandidate],
    seq: Mapping[str, int],
    old: frozenset[str] | set[str] = frozenset(),
    groups: dict | None = None,
) -> dict[VariantKey, VariantState]:
    """The conflict states of the observations of the variant pairs that involve a sentence
    of an article not in `old` (all of them when `old` is empty). An observation is a quoted
    sentence of a paired form against a said sentence of the other form in another article;
    it is ranked by a key that never changes as articles arrive: the quoted sentence's
    (article seq, candidate start, start), then the said sentence's (article seq, index) —
    earliest evidence first, in arrival order. Each state field is a minimum or a union, so
    the state over every observation is the merge of the state over those among `old`
    articles (stored) and this one (`merge_variant_states`). `said` need only hold the
    sentences of paired forms.

    `groups` (a story's, kept in the process: `_kept.py`): per replaced range, the groups
    of its sentences of `old` articles as an earlier call left them. A range found there
    takes only its sentences of the other articles from `quoted` and `said` (which need
    not hold its old said sentences), after its kept ones: their ranks come later, as the
    articles came later. Every range observed is left there with all its sentences."""
    quoted_ranges = defaultdict(list)
    for c in cands:
        quoted_ranges[c.article].append((c.start, c.end))
    q_by: dict[str, list[Quoted]] = defaultdict(list)
    for q in quoted:
        q_by[q.form].append(q)
    s_by: dict[str, list[Said]] = defaultdict(list)
    for s in said:
        s_by[s.form].append(s)
    new_q = {q.form for q in quoted if q.article not in old}
    new_s = {s.form for s in said if s.article not in old}
    norms: dict[str, str] = {}  # a replaced wording ("the budget") recurs across the story

    def norm(value: str) -> str:
        if value not in norms:
            norms[value] = _norm_text(value)
        return norms[value]

    # pairs of one quoted form replacing the same tokens are assembled together, so each
    # quoted sentence is visited once per replaced range, not once per paired form
    # (a kept range's old said sentences are in its groups, not in `said`)
    kept_ranges = groups or {}
    targets: dict[tuple[str, int, int], list[tuple[str, int, int]]] = defaultdict(list)
    for (qf, sf), (i1, i2, j1, j2) in pairs.items():
        if qf in q_by and (sf in s_by or (qf, i1, i2) in kept_ranges):
            targets[(qf, i1, i2)].append((sf, j1, j2))
    states: dict[VariantKey, VariantState] = {}
    for target, others in targets.items():
        qf, i1, i2 = target
        if qf not in new_q and not any(sf in new_s for sf, _, _ in others):
            continue  # no observation of this target involves a new sentence
        kept = kept_ranges.get(target)
        skip = old if kept is not None else frozenset()  # a kept range's old sentences are in its groups
        said_of = [(s_by.get(sf, ()), j1, j2) for sf, j1, j2 in others]
        qgroups, sgroups = _range_groups(q_by[qf], i1, i2, said_of, texts, quoted_ranges, seq, old, norm, skip)
        seen_q, seen_s = (_after(kept[0], qgroups), _after(kept[1], sgroups)) if kept is not None else (qgroups, sgroups)
        for (na, speaker), gq in seen_q.items():
            for nb, gs in seen_s.items():
                _observe(states, (frozenset({na, nb}), speaker), na, nb, gq, gs)
        if groups is not None:
            left = kept or ({}, {})
            groups[target] = (_after(left[0], _as_kept(qgroups)), _after(left[1], _as_kept(sgroups)))
    return states


def _range_groups(quoted, i1, i2, said, texts, quoted_ranges, seq, old, norm, skip) -> tuple[dict, dict]:
    """The sentences of one replaced range (quoted tokens [i1, i2); `said`: (sentences,
    j1, j2) of each paired form), in rank order: the quoted ones grouped by their
    (normalised wording, speaker), the said ones by their normalised wording; sentences of
    articles in `skip` left out."""
    qgroups: dict[tuple, list] = defaultdict(list)
    for q in sorted(quoted, key=lambda q: (q.rank, q.start)):
        if q.article in skip:
            continue
        tok = q.offsets
        va = wording(texts[q.article][tok[i1][0] : tok[i2 - 1][1]])
        qgroups[(norm(va), q.speaker)].append(_Seen(q.article, q.start, q.end, (*q.rank, q.start), va, "direct quote", q.article in old))
    sgroups: dict[str, list] = defaultdict(list)
    for sentences, j1, j2 in said:
        for s in sentences:
            if s.article in skip:
                continue
            tok = s.offsets
            b1, b2 = tok[j1][0], tok[j2 - 1][1]
            vb = texts[s.article][b1:b2]
            inside = any(x <= s.start and s.end <= y or x <= b1 < y for x, y in quoted_ranges[s.article])
            form = "direct quote" if inside else "reported speech"
            sgroups[norm(vb)].append(_Seen(s.article, s.start, s.end, (seq[s.article], s.index), wording(vb), form, s.article in old))
    for gs in sgroups.values():
        gs.sort(key=lambda x: x.rank)
    return qgroups, sgroups


def _after(kept: Mapping, fresh: Mapping) -> dict:
    """Each group's kept sentences, then its fresh ones (which rank later)."""
    return {k: kept.get(k, []) + fresh.get(k, []) for k in {**kept, **fresh}}


wording = sys.intern  # a replaced wording ("the budget") recurs in thousands of sentences of a story: one string each


def _as_kept(groups: Mapping) -> dict:
    """Groups as a range keeps them for the next call: every sentence old now."""
    return {k: [x._replace(old=True) for x in g] for k, g in groups.items()}


class _Seen(NamedTuple):
    """A sentence of one side of a replaced range (its article and span), with its wording
    there: a tuple, and no more than an observation reads, since a touched range of a story
    of thousands of articles makes tens of thousands of them, and a kept story keeps them."""

    article: str
    start: int
    end: int
    rank: tuple
    text: str  # the replaced wording in it
    form: str  # "direct quote" | "reported speech"
    old: bool  # its article's observations are in the stored state already


def _observe(states: dict, key: VariantKey, na: str, nb: str, gq: list[_Seen], gs: list[_Seen]) -> None:
    """Add to the conflict `key` the observations of quoted sentences `gq` against said
    sentences `gs` (each sorted by rank) that involve a new sentence; a pair in one article
    does not count. A sentence's observation is its pair with the first partner of another
    article, so each side needs, per sentence, only the first item of another article of the
    other side (`_first_of_another`); an old sentence already paired adds nothing but
    possibly a lower rank, found at the first old sentence a new partner answers."""
    q_new, q_old = [x for x in gq if not x.old], [x for x in gq if x.old]
    s_new, s_old = [x for x in gs if not x.old], [x for x in gs if x.old]
    if not (q_new and gs or s_new and gq):
        return
    partner_of = _first_of_another(gs, _article)
    found = [(q, p) for q in q_new if (p := partner_of(q.article)) is not None]
    found += _new_pairs_of_old(q_old, s_old, s_new, old_is_quoted=True)
    c = states.get(key)
    for q, s in found:
        at = (*q.rank, *s.rank, 0)
        if c is None:
            c = states[key] = VariantState(at)
        c.first = min(c.first, at)
        _seen_at(c.values, na, at, q)
    if c is None:
        return
    partner_of = _first_of_another(gq, _article)
    pairs = [(p, s) for s in s_new if (p := partner_of(s.article)) is not None]
    for form in sorted({s.form for s in s_old}):
        pairs += _new_pairs_of_old([s for s in s_old if s.form == form], q_old, q_new, old_is_quoted=False)
    for q, s in pairs:
        _seen_at(c.values, nb, (*q.rank, *s.rank, 1), s)


def _new_pairs_of_old(old: list[_Seen], old_other: list[_Seen], new_other: list[_Seen], old_is_quoted: bool) -> list:
    """The new observations of old sentences (each list in rank order): (quoted, said)
    pairs with the other side's new sentences. When the other side's old sentences span two
    articles, every old sentence had a partner, so its observation is stored and a new
    partner can only lower a minimum: the least (quoted rank, said rank) pair is enough;
    else an old sentence may find its first partner, and each is paired."""
    if not new_other or not old:
        return []
    if not _two_articles(old_other):
        partner_of = _first_of_another(new_other, _article)
        return [(x, p) if old_is_quoted else (p, x) for x in old if (p := partner_of(x.article)) is not None]
    primary, lookup = (old, new_other) if old_is_quoted else (new_other, old)
    partner_of = _first_of_another(lookup, _article)
    for x in primary:  # the quoted side's rank comes first in an observation's rank
        p = partner_of(x.article)
        if p is not None:
            return [(x, p)]
    return []


def _two_articles(items: Sequence[_Seen]) -> bool:
    return any(x.article != items[0].article for x in items)


def _article(x: _Seen) -> str:
    return x.article


def _seen_at(values: dict, norm: str, at: tuple, x: _Seen) -> None:
    _seen(values, norm, at, x.text, (x.article, x.start, x.end), x.form)


def merge_variant_states(into: dict[VariantKey, VariantState], more: Mapping[VariantKey, VariantState]) -> set[VariantKey]:
    """Merge the states `more` into `into` (minima and unions); the keys whose state changed."""
    changed = set()
    for key, m in more.items():
        c = into.get(key)
        if c is None:
            into[key] = _copy_state(m)
            changed.add(key)
        elif _merge_state(c, m):
            changed.add(key)
    return changed


def _merge_state(c: VariantState, m: VariantState) -> bool:
    changed = m.first < c.first
    c.first = min(c.first, m.first)
    for n, v in m.values.items():
        cv = c.values.get(n)
        if cv is None:
            c.values[n] = _Value(v.first, v.text, set(v.spans), dict(v.forms))
            changed = True
            continue
        if v.first < cv.first:
            cv.first, cv.text, changed = v.first, v.text, True
        size = len(cv.spans)
        cv.spans |= v.spans
        changed |= len(cv.spans) != size
        for form, at in v.forms.items():
            if at < cv.forms.get(form, (float("inf"),)):
                cv.forms[form], changed = at, True
    return changed


def variant_conflicts(
    states: Mapping[VariantKey, VariantState],
    families: FamilyMap,
    names: Mapping[str, str],
    texts: Mapping[str, str],
    spans: dict | None = None,
) -> list[Conflict]:
    """The conflicts of the states, in the order of their first observation. States whose
    speakers have one name are one conflict (their merge: each field is a minimum or a
    union); values in the order of their first observation, each value's notes in the order
    of their forms' first observation; each value's evidence is its sentences, their text
    read from `texts` (the articles' clean text). `spans`: (article, start, end) -> its
    Span, made by an earlier call on these texts (the stage keeps a large story's)."""
    spans = {} if spans is None else spans  # a sentence is evidence in several conflicts: one Span each

    def span_of(sp: tuple) -> Span:
        a, start, end = sp
        made = spans[sp] = Span(a, start, end, texts[a][start:end])
        return made

    by_name: dict[tuple, VariantState] = {}
    for (values, speaker), state in states.items():
        who = names.get(speaker, speaker) if speaker else None
        if (values, who) in by_name:
            _merge_state(by_name[(values, who)], state)
        else:
            by_name[(values, who)] = _copy_state(state)
    out = []
    for (_, who), c in sorted(by_name.items(), key=lambda kv: kv[1].first):
        conflict = Conflict(who or "(unattributed quote)", "quote", [], kind="quote-variant")
        for v in sorted(c.values.values(), key=lambda v: v.first):
            note = ", ".join(sorted(v.forms, key=v.forms.get))
            ordered = sorted(v.spans)
            known = spans.get
            evidence = [known(sp) or span_of(sp) for sp in ordered]
            articles = sorted({sp[0] for sp in ordered})  # support_of(evidence, families, ordered=True), from the tuples
            fams = sorted({families.get(a, a) for a in articles})
            conflict.values.append(ConflictValue(v.text, Support(evidence, articles, fams, len(fams)), note=note))
        out.append(conflict)
    return out


def _copy_state(s: VariantState) -> VariantState:
    return VariantState(s.first, {n: _Value(v.first, v.text, set(v.spans), dict(v.forms)) for n, v in s.values.items()})


def variant_state_json(s: VariantState) -> dict:
    """A conflict state as stored (variant_conflicts.state)."""
    return {
        "first": list(s.first),
        "values": {
            n: {"first": list(v.first), "text": v.text, "spans": list(v.spans),
                "forms": {f: list(at) for f, at in v.forms.items()}}
            for n, v in s.values.items()
        },
    }  # fmt: skip


def variant_state_text(s: VariantState) -> str:
    """`json.dumps(variant_state_json(s))`, to the byte, each span's JSON remembered
    (`_span3_json`): a state of a story of thousands of articles holds thousands of spans
    and is written again whenever it gains one."""
    dumps, known = json.dumps, _SPAN3_JSON.get
    if len(_SPAN3_JSON) > 1 << 21:
        _SPAN3_JSON.clear()
    values = ", ".join(
        f'{dumps(n)}: {{"first": {dumps(list(v.first))}, "text": {dumps(v.text)}, '
        f'"spans": [{", ".join([known(sp) or _span3_json(sp) for sp in v.spans])}], '
        f'"forms": {dumps({f: list(at) for f, at in v.forms.items()})}}}'
        for n, v in s.values.items()
    )
    return f'{{"first": {dumps(list(s.first))}, "values": {{{values}}}}}'


_SPAN3_JSON: dict[tuple, str] = {}  # (article, start, end) -> its JSON, as variant_state_json writes it


def _span3_json(sp: tuple) -> str:
    made = _SPAN3_JSON[sp] = json.dumps(list(sp))
    return made


def variant_state_of(data: Mapping) -> VariantState:
    """A conflict state as `variant_state_json` stored it (a span stored with its sentence's
    text, as round 4 did, is read without it: the text is the article's, from `texts` when
    the conflict is shown)."""
    values = {
        n: _Value(tuple(v["first"]), v["text"], {tuple(sp[:3]) for sp in v["spans"]}, {f: tuple(at) for f, at in v["forms"].items()})
        for n, v in data["values"].items()
    }
    return VariantState(tuple(data["first"]), values)


def _first_of_another(items: Sequence, article_of: Callable) -> Callable:
    """For a list in its order: article -> the first item of another article (None if none).
    Only the list's first item and the first item of another article than the first's can
    answer, so each answer is one comparison, not a scan (a group holds thousands of
    sentences in a story of thousands of articles)."""
    first = items[0] if items else None
    other = next((x for x in items if article_of(x) != article_of(first)), None) if items else None

    def partner(article: str):
        if first is None:
            return None
        return first if article_of(first) != article else other

    return partner


def _seen(values: dict, norm: str, at: tuple, text: str, span: tuple, form: str) -> None:
    v = values.get(norm)
    if v is None:
        v = values[norm] = _Value(at, text)
    elif at < v.first:
        v.first, v.text = at, text
    v.spans.add(span)
    if at < v.forms.get(form, (float("inf"),)):
        v.forms[form] = at


def _sentences_in(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out = []
    for m in re.finditer(r"\S.*?(?:[.!?]+(?=\s|$)|$)", text[start:end], re.S):
        out.append((start + m.start(), start + m.end()))
    return out


def variant_tokens(a: Sequence[str], b: Sequence[str], cfg: CorroborateSettings) -> tuple[int, int, int, int] | None:
    """(i1, i2, j1, j2): the tokens a[i1:i2] of a quoted sentence replaced by b[j1:j2] of
    another sentence, when the two are one sentence with a variant; else None."""
    a, b = list(a), list(b)
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    matched = sum(bl.size for bl in sm.get_matching_blocks())
    if matched < cfg.variant_min_matched or matched < cfg.variant_min_share * len(a):
        return None
    ops = sm.get_opcodes()
    for i, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag != "replace" or not (1 <= i2 - i1 <= cfg.variant_max_change and 1 <= j2 - j1 <= cfg.variant_max_change):
            continue
        if set(a[i1:i2]) <= FUNCTION_WORDS or set(b[j1:j2]) <= FUNCTION_WORDS:
            continue
        if _abbreviates(a[i1:i2], b[j1:j2]) or _abbreviates(b[j1:j2], a[i1:i2]):
            continue
        if _same_word(a[i1:i2], b[j1:j2]):
            continue
        before = ops[i - 1] if i > 0 else None
        after = ops[i + 1] if i + 1 < len(ops) else None
        if not (before and after and before[0] == "equal" and after[0] == "equal"):
            continue
        if before[2] - before[1] < cfg.variant_min_anchor or after[2] - after[1] < cfg.variant_min_anchor:
            continue
        return i1, i2, j1, j2
    return None


def _same_word(x: list[str], y: list[str]) -> bool:
    """Written apart or inflected, one word: "6:41pm" / "6:41 pm", "want" / "wanted"."""
    sx, sy = re.sub(r"\W+", "", "".join(x)), re.sub(r"\W+", "", "".join(y))
    if sx == sy:
        return True
    short, long_ = sorted((sx, sy), key=len)
    return len(short) >= 3 and long_.startswith(short) and long_[len(short):] in {"s", "es", "d", "ed", "ing"}


def _abbreviates(short: list[str], long_: list[str]) -> bool:
    """"US" for "the United States": the short side is the initials of the long side."""
    initials = "".join(w[0] for w in long_ if w not in FUNCTION_WORDS)
    return len(short) == 1 and len(initials) > 1 and short[0].replace(".", "") == initials


# -- helpers --------------------------------------------------------------------------


def _norm_text(s: str) -> str:
    return " ".join(_words(s))


# -- the stage ------------------------------------------------------------------------


@dataclass
class StoryFacts:
    story: str
    events: list[EventFact]
    facts: list[Fact]
    conflicts: list[Conflict]


def corroborate_story(
    story: str,
    articles: Sequence[Article],
    families: FamilyMap,
    entities: Sequence[Entity],
    events: Sequence[Event],
    quotes: Sequence[Quote],
    cfg: CorroborateSettings | None = None,
    variants: list[Conflict] | None = None,
) -> StoryFacts:
    """All facts and conflicts of one story, from its records (pure). `variants`: the
    story's quote variants when the caller has them (the stage keeps their pairs per story)."""
    cfg = cfg or CorroborateSettings()
    order = {a.id: i for i, a in enumerate(articles)}  # arrival ranks, made once for every fact
    published = {a.id: a.published for a in articles}
    names = {e.id: e.name for e in entities}
    efacts = event_facts(events, families, story, names, order, published)
    rfacts, rconf = role_claims(entities, families, story, order, published)
    nfacts, nconf = number_claims(efacts, families, story)
    qfacts = quote_facts(quotes, families, story, names, order, published)
    cfacts, cconf = count_claims(articles, families, story)
    if variants is None:
        variants = quote_variants(quotes, articles, families, names, cfg)
    conflicts = rconf + nconf + cconf + date_conflicts(efacts) + variants
    facts = [ef.fact for ef in efacts] + rfacts + nfacts + cfacts + qfacts
    return StoryFacts(story, efacts, facts, conflicts)


def story_records(store: Store, story: Story | str, mentions: bool = True, articles: Callable | None = None):
    """(articles, family map, entities, events, quotes) of a story, from the other stages:
    the story's read model, each kind loaded once and filtered in SQL. `mentions` False:
    the entities without their mentions (corroborating reads names and roles only).
    `articles`: reads the articles of some ids as `store.articles` does (the stage's keeps
    a large story's, `_kept.story_articles`)."""
    sid, ids = (story.id, story.articles) if isinstance(story, Story) else (story, story_articles(store, story))
    events, quotes = load_events(store, sid), load_quotes(store, sid)
    entities = load_entities(store, ids, mentions=mentions)
    return (articles or store.articles)(ids), family_of(store, ids), entities, *_survivors(store, events, quotes)


def _survivors(store: Store, events: list[Event], quotes: list[Quote]) -> tuple[list[Event], list[Quote]]:
    """Events and quotes naming the entity a merged one was folded into. A later article can
    show two entities are one ("USAF" and "United States Air Force"); the entities stage
    moves the mentions, but a story that got no new article keeps its events and quotes,
    which still name the merged id (one pass names the survivor)."""
    named = {x for e in events for x in (*e.actors, *e.counterparts)} | {q.speaker for q in quotes if q.speaker}
    into = survivors(store, named)
    if not into:
        return events, quotes
    events = [
        replace(e, actors=[into.get(a, a) for a in e.actors], counterparts=[into.get(c, c) for c in e.counterparts])
        for e in events
    ]
    return events, _speakers_into(quotes, into)


def survivor_quotes(store: Store, quotes: list[Quote]) -> list[Quote]:
    """The quotes naming the entity a merged speaker was folded into (as `story_records` has them)."""
    return _speakers_into(quotes, survivors(store, {q.speaker for q in quotes if q.speaker}))


def _speakers_into(quotes: list[Quote], into: Mapping[str, str]) -> list[Quote]:
    return [replace(q, speaker=into.get(q.speaker, q.speaker)) for q in quotes] if into else quotes


def forget(store: Store, story: str) -> None:
    with store.transaction() as conn:
        conn.execute("DELETE FROM facts WHERE story_id = ?", (story,))
        conn.execute("DELETE FROM conflicts WHERE story_id = ?", (story,))


def save(store: Store, result: StoryFacts, some_variants: bool = False) -> None:
    """Make the stored facts and conflicts of one story those of `result` (idempotent),
    writing only the rows whose content changed (`digest`): ids hash a row's content, so a
    row that stays keeps its id and is not written. `some_variants`: result.conflicts holds
    only some quote-variant conflicts, every one of their value pairs (whatever the
    speaker's name): the story's others stay."""
    story = result.story
    facts = _fact_rows(result)
    conflicts = _conflict_rows(result)
    with store.transaction() as conn:
        stored = {r[0]: r[1] for r in conn.execute("SELECT id, digest FROM facts WHERE story_id = ?", (story,))}
        gone = [i for i in stored if i not in facts]
        changed = [i for i, (sha, *_) in facts.items() if stored.get(i, "") != sha]
        _delete_facts(conn, gone)
        for i in changed:
            sha, row, evidence = facts[i]
            if i in stored:  # a fact that gained (or lost) some support: its evidence changes by a few rows
                conn.execute(f"UPDATE facts SET {_FACT_SET} WHERE id = ?", (story, *row, sha, i))
                _write_evidence_changes(conn, i, evidence)
                continue
            conn.execute(
                f"INSERT INTO facts (id, {_FACT_COLUMNS}) VALUES (?, {', '.join('?' * len(_FACT_COLUMNS.split(',')))})",
                (i, story, *row, sha),
            )
            _insert_evidence(conn, i, evidence)
        rows = conn.execute("SELECT id, digest, kind, group_key FROM conflicts WHERE story_id = ?", (story,)).fetchall()
        shown = {json.dumps(json.loads(group)[0]) for _, _, group in conflicts.values() if group}
        gone = [
            r[0] for r in rows
            if r[0] not in conflicts
            and (not some_variants or r[2] != "quote-variant" or json.dumps(json.loads(r[3])[0]) in shown)
        ]  # fmt: skip
        digests = {r[0]: r[1] for r in rows}
        changed = [i for i, (sha, *_) in conflicts.items() if digests.get(i, "") != sha]
        conn.executemany("DELETE FROM conflicts WHERE id = ?", [(i,) for i in gone])
        conn.executemany(
            'INSERT OR REPLACE INTO conflicts (id, story_id, kind, subject, attribute, "values", digest, group_key) '
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(i, story, *conflicts[i][1], conflicts[i][0], conflicts[i][2]) for i in changed],
        )


def _fact_rows(result: StoryFacts) -> dict[str, tuple]:
    """id -> (digest, row, evidence) of each fact; a fact id met twice keeps its last row
    and the evidence of both (as inserting them one after the other did)."""
    rows: dict[str, tuple] = {}
    evidence: dict[str, list] = defaultdict(list)
    for f in result.facts:
        rows[f.id] = (
            f.kind, f.subject, f.attribute, f.value, f.status, f.event, json.dumps(f.events), f.confirmed_by,
            f.first_reported, f.support.independent_sources, json.dumps(f.support.articles),
            json.dumps(f.support.families), f.entity,
        )  # fmt: skip
        evidence[f.id] += [(s.article, s.start, s.end, s.text) for s in f.support.evidence]
    return {i: (digest([row, evidence[i]]), row, evidence[i]) for i, row in rows.items()}


def _conflict_rows(result: StoryFacts) -> dict[str, tuple]:
    """id -> (digest, row, group) of each conflict (the last of one id); `group` names a
    quote variant's conflict across its wordings and its speaker's names (its normalised
    values, then the name), so the row it replaces when a value's first wording or the
    speaker's name changes (and with it the id) goes."""
    out = {}
    for c in result.conflicts:
        cid = fact_id(result.story, "conflict", c.kind, c.subject, c.attribute, *sorted(v.value for v in c.values))
        row = (c.kind, c.subject, c.attribute, _values_json(c.values))
        group = json.dumps([sorted(_norm_text(v.value) for v in c.values), c.subject]) if c.kind == "quote-variant" else None
        out[cid] = (digest(row), row, group)
    return out


def digest(content) -> str:
    """SHA-1 of some content as JSON: whether a stored row (or what a state covers) changed."""
    return hashlib.sha1(json.dumps(content).encode()).hexdigest()


_FACT_COLUMNS = (
    "story_id, kind, subject, attribute, value, status, event_id, events, confirmed_by, first_reported, "
    "independent_sources, articles, families, entity_id, digest"
)
_FACT_SET = ", ".join(f"{c.strip()} = ?" for c in _FACT_COLUMNS.split(","))


def _insert_evidence(conn, fact: str, evidence: Iterable[tuple]) -> None:
    conn.executemany('INSERT INTO fact_evidence (fact_id, article_id, start, "end", text) VALUES (?, ?, ?, ?, ?)', [(fact, *e) for e in evidence])


def _write_evidence_changes(conn, fact: str, evidence: Sequence[tuple]) -> None:
    """Make a stored fact's evidence rows `evidence` (a multiset: one span may be given
    twice) by deleting the rows of spans that left and inserting those that came: a fact
    supported by thousands of articles gains a few each batch, and its other rows stay as
    they are (evidence is read in span order, never in row order)."""
    want = Counter(evidence)
    rows: dict[tuple, list[int]] = defaultdict(list)
    cur = conn.cursor()
    cur.row_factory = None  # plain tuples: a fact of thousands of articles has thousands of rows
    for article, start, end, text, rowid in cur.execute(
        'SELECT article_id, start, "end", text, rowid FROM fact_evidence WHERE fact_id = ?', (fact,)
    ):
        rows[(article, start, end, text)].append(rowid)
    left = [rowid for span, ids in rows.items() for rowid in ids[want.get(span, 0):]]
    came = want - Counter({span: len(ids) for span, ids in rows.items()})
    conn.executemany("DELETE FROM fact_evidence WHERE rowid = ?", [(r,) for r in left])
    _insert_evidence(conn, fact, came.elements())


def _delete_facts(conn, ids: Sequence[str]) -> None:
    conn.executemany("DELETE FROM fact_evidence WHERE fact_id = ?", [(i,) for i in ids])
    conn.executemany("DELETE FROM facts WHERE id = ?", [(i,) for i in ids])


def _values_json(values: Sequence[ConflictValue]) -> str:
    """`json.dumps([_value_json(v) for v in values])`, to the byte, with each evidence
    span's JSON remembered (`_span_json`): a quote variant of a story of thousands of
    articles holds thousands of spans and is written again whenever it gains one."""
    dumps = json.dumps
    return "[" + ", ".join(
        f'{{"value": {dumps(v.value)}, "note": {dumps(v.note)}, '
        f'"evidence": [{", ".join([_span_json(s.article, s.start, s.end, s.text) for s in v.support.evidence])}], '
        f'"families": {dumps(v.support.families)}}}'
        for v in values
    ) + "]"


@lru_cache(maxsize=1 << 20)
def _span_json(article: str, start: int, end: int, text: str) -> str:
    return json.dumps([article, start, end, text])


def _value_json(v: ConflictValue) -> dict:
    return {
        "value": v.value,
        "note": v.note,
        "evidence": [[s.article, s.start, s.end, s.text] for s in v.support.evidence],
        "families": v.support.families,
    }


def load_facts(store: Store, story_id: str) -> list[Fact]:
    """The stored facts of a story, best supported first."""
    rows = store.conn.execute(
        "SELECT * FROM facts WHERE story_id = ? ORDER BY independent_sources DESC, id", (story_id,)
    ).fetchall()
    spans = store.evidence("fact_evidence", "fact_id", [r["id"] for r in rows])
    out = []
    for r in rows:
        sup = Support(spans[r["id"]], json.loads(r["articles"]), json.loads(r["families"]), r["independent_sources"])
        out.append(
            Fact(
                r["id"], r["kind"], r["subject"], r["attribute"], r["value"], r["status"], sup,
                r["first_reported"], r["event_id"], json.loads(r["events"]), r["confirmed_by"], r["entity_id"],
            )
        )
    return out


def load_conflicts(store: Store, story_id: str) -> list[Conflict]:
    out = []
    for r in store.conn.execute('SELECT * FROM conflicts WHERE story_id = ? ORDER BY kind, subject, id', (story_id,)):
        values = []
        for v in json.loads(r["values"]):
            ev = [Span(*e) for e in v["evidence"]]
            arts = sorted({s.article for s in ev})
            values.append(ConflictValue(v["value"], Support(ev, arts, v["families"], len(v["families"])), note=v.get("note")))
        out.append(Conflict(r["subject"], r["attribute"], values, kind=r["kind"]))
    return out
