"""Events: who did what with whom, where, when — and whether it happened or is only planned.

    extract_mentions(adoc, anchor, quotes=...) -> [EventMention]   one parsed article
    corefer(mentions, story_id)                -> [Event]          one story: one event per happening

1. Triggers come from `LEXICON`, a table of `EventType`s (verbs, nouns, the light verbs that
   carry those nouns): "met", "held a bilateral meeting with", "the meeting between X and Y",
   "signed", "arrived", "received", "is scheduled to be held". Add a type with
   `register(EventType(...))`.
2. Roles from the dependency parse: actors = subject (the agent when passive; the subject of
   the planning verb for "is scheduled to meet"; the speaker for "I"/"we" inside a quote;
   the last group for "the two leaders"); counterparts = "with"/"between" objects, or the
   direct object for meet/receive/call; object = the direct object for sign/announce/...
   (a quoted title when there is one); place = an "in"/"at" place, or "where"'s antecedent.
   A meeting with several named counterparts is one meeting per counterpart.
3. Status: negation -> negated; "reportedly"/"allegedly" -> reported; will / is scheduled
   to / is expected to / slated for / set to / plans to / upcoming -> planned; otherwise
   occurred. Bare infinitives of purpose ("arrived ... to attend") are no event.
4. Date: the time expressions of the sentence belong to the nearest trigger above them in
   the parse; each is normalised with `timex.normalise` against the anchor, with the tense
   the status implies. An occurred event without a date of its own takes the date of the
   event it follows from ("the two leaders signed", the next sentence of the same paragraph
   with a shared participant) — never the article's date by default, so background
   ("the first ADMM-Plus was held in Hanoi in 2010") keeps its own date or none.
5. Coreference in a story: mentions of one type with compatible participants (one set within
   the other, by name), objects and dates become one event with all the evidence; a planned
   event and the occurred event it announced are linked both ways.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field

from . import _timex as timex
from ..grouping import first_fit
from ..nlp import entity_at, text_of
from ._assertion import SAYING, assertion
from ._participants import AGENT_LABELS, FIRST_PLURAL, FIRST_SINGULAR, PLURAL_ANAPHORS, SINGULAR_PRONOUNS, ArticlePeople, Participant, Salience, canonical, name_span, same_name, same_participant
from ..records import Event, Span, TimeValue
from ..settings import ExtractSettings
from ..text import is_agency, name_words

# -- the lexicon ----------------------------------------------------------------------


@dataclass(frozen=True)
class EventType:
    """One kind of news event: the words that announce it, how its roles are read, and how
    the brief writes and ranks it. `name` is also the verb the brief writes ("was scheduled
    to meet", "did not sign"). Every per-type fact lives here: the brief keeps no table."""

    name: str
    verbs: frozenset[str] = frozenset()  # lemmas: "meet"
    nouns: frozenset[str] = frozenset()  # lemmas: "meeting", "talk"
    light_verbs: frozenset[str] = frozenset()  # verbs that carry the noun: "hold" a meeting
    counterpart_dobj: bool = False  # "met X": the direct object is a counterpart, not an object
    needs_counterpart: bool = False  # a meeting with nobody named is not worth an event
    place_dobj: bool = False  # "visited Malaysia": the direct object is the place (and the brief writes it so)
    symmetric: bool = False  # "X met Y" == "Y met X"
    needs_object: bool = False  # "Kessia agreed." says nothing: an object (or a counterpart) is the content
    people_only: bool = False  # the direct object is a counterpart only when a person or a country ("received the award" is none)
    clause_object: bool = False  # "announced that Estmark would send 40 engineers": the that-clause is the object
    noun_object: bool = False  # "the signing of the pact": the noun's "of"/"on" phrase is the object
    one_per_counterpart: bool = False  # a meeting with several named counterparts is one meeting per counterpart
    # -- how the brief writes it (brief/_compose.describe) and ranks it
    past: str = ""  # the past tense when irregular ("met"); else `past_tense` adds -d/-ed
    weight: float = 1.0  # how much a happening of the type weighs in the summary order (ties on support)
    joint_subject: bool = False  # "X and Y signed the pact": counterparts are written among the actors
    needs_complement: bool = False  # "X announced." says nothing: a sentence needs a counterpart or an object
    actors_suffice: bool = False  # ... or, for this type, two actors ("X and Y met")
    needs_place: bool = False  # "X arrived." says nothing: a sentence needs where
    gathering: bool = False  # its subject is a gathering ("the 12th ADMM-Plus convened"); only a gathering is
    object_preposition: str = ""  # "agreed on the deal", never "agreed the deal"

    @property
    def past_tense(self) -> str:
        return self.past or self.name + ("d" if self.name.endswith("e") else "ed")


LEXICON: dict[str, EventType] = {}  # read it with event_type()/event_types(); change it with register()
_VERBS: dict[str, str] = {}
_NOUNS: dict[str, str] = {}


def register(event_type: EventType) -> None:
    """Add (or replace) an event type; its verbs and nouns become triggers. A verb or noun
    that two types list triggers the one registered last. `restore_lexicon()` undoes every
    registration."""
    LEXICON.pop(event_type.name, None)  # a replaced type counts as registered last
    LEXICON[event_type.name] = event_type
    _VERBS.clear()
    _NOUNS.clear()
    for t in LEXICON.values():  # rebuilt, so that a replaced type leaves no stale trigger
        _VERBS.update(dict.fromkeys(t.verbs, t.name))
        _NOUNS.update(dict.fromkeys(t.nouns, t.name))


def restore_lexicon() -> None:
    """Back to the built-in types (`BUILT_IN`), whatever was registered since."""
    LEXICON.clear()
    for t in BUILT_IN:
        register(t)


def event_type(name: str) -> EventType:
    """The type called `name`; a type the lexicon does not know (an event stored by another
    version) reads with the defaults: weight 1, regular past, nothing required."""
    return LEXICON.get(name) or EventType(name)


def event_types() -> tuple[EventType, ...]:
    """The registered types, in registration order."""
    return tuple(LEXICON.values())


def trigger_type(lemma: str, pos: str) -> str | None:
    """The type a verb (pos VERB/AUX) or a noun (NOUN) lemma triggers, before the reader's
    checks ("called for" is no call)."""
    table = _VERBS if pos in ("VERB", "AUX") else _NOUNS if pos == "NOUN" else {}
    return table.get(lemma)


def _fs(*words: str) -> frozenset[str]:
    return frozenset(words)


# weights, not tuned: the order a reader expects between happenings of equal support (a
# signing or an agreement before the meeting that produced it, the meeting before the arrival)
BUILT_IN = (
    EventType("meet", _fs("meet"), _fs("meeting", "talk", "talks", "conversation", "summit"),
              _fs("hold", "have", "conduct"), counterpart_dobj=True, needs_counterpart=True, symmetric=True,
              one_per_counterpart=True, past="met", weight=2.0, needs_complement=True, actors_suffice=True),
    EventType("sign", _fs("sign", "ink"), _fs("signing"), _fs("witness"), needs_object=True, noun_object=True,
              weight=3.0, joint_subject=True, needs_complement=True),
    EventType("arrive", _fs("arrive", "land"), _fs("arrival"), weight=1.5, needs_place=True),
    EventType("visit", _fs("visit", "tour"), _fs("visit", "tour"), _fs("pay", "make", "undertake", "begin", "start"),
              place_dobj=True, weight=1.6, needs_complement=True),
    EventType("receive", _fs("receive", "welcome", "greet"), counterpart_dobj=True, needs_counterpart=True,
              people_only=True, needs_complement=True),
    EventType("address", _fs("address"), _fs("address", "speech"), _fs("deliver", "give", "make"), noun_object=True,
              needs_complement=True),
    EventType("call", _fs("call", "phone", "dial"), _fs("call", "videoconference", "phone-call"),
              _fs("hold", "have", "make", "join"), counterpart_dobj=True, needs_counterpart=True, symmetric=True,
              one_per_counterpart=True, weight=1.8, needs_complement=True),
    EventType("announce", _fs("announce", "unveil"), _fs("announcement"), _fs("make"), needs_object=True,
              clause_object=True, noun_object=True, weight=2.5, needs_complement=True),
    EventType("attend", _fs("attend"), _fs(), _fs(), noun_object=True, needs_complement=True),
    EventType("agree", _fs("agree"), _fs(), _fs(), symmetric=True, needs_object=True, clause_object=True,
              weight=2.5, joint_subject=True, needs_complement=True, object_preposition="on"),
    EventType("discuss", _fs("discuss"), _fs("discussion", "discussions"), _fs("hold", "have"), symmetric=True,
              needs_object=True, noun_object=True, joint_subject=True, needs_complement=True),
    EventType("convene", _fs(), _fs(), _fs(), gathering=True),  # a gathering is held / begins / takes place
)  # fmt: skip
restore_lexicon()

PLAN_WORDS = {"schedule", "scheduled", "expect", "expected", "set", "slate", "slated", "slat", "due", "plan",
              "planned", "likely", "poise", "poised", "intend", "aim", "prepare", "go", "hope", "want", "seek",
              "propose", "proposed", "upcoming", "to-be"}  # fmt: skip
FUTURE_AUX = {"will", "shall", "'ll", "would", "wo"}
NEG_GOVERNORS = {"fail", "refuse", "decline", "cancel", "postpone", "scrap", "deny", "skip", "call off"}
HEDGES = {"reportedly", "allegedly", "purportedly", "apparently"}
HABITUAL = {"annually", "regularly", "every", "yearly", "often", "usually", "routinely", "regular", "frequent",
            "occasional", "weekly", "monthly", "daily"}  # fmt: skip
GATHERING = re.compile(
    r"\b(meeting|summit|forum|conference|congress|dialogue|plus|games|exercise|session|assembly|"
    r"convention|festival|ceremony|expo|olympics|cup|championship|council)\b|(?-i:^[A-Z]{3,})",
    re.I,
)
def is_gathering(name: str) -> bool:
    """Whether a name is a gathering's ("the 12th ADMM-Plus", "the G20 summit"): only a
    gathering convenes."""
    return bool(GATHERING.search(name or ""))


EDITION_WORDS = {"next", "first", "second", "third", "inaugural", "upcoming", "last", "latest", "annual"}
CONVENE_VERBS = {"hold", "convene", "begin", "open", "start", "take", "kick", "commence", "conclude", "end"}
PLACE_LABELS = {"GPE", "LOC", "FAC"}
FACILITY = ("Airbase", "Air Base", "Airport", "Hotel", "Centre", "Center", "Palace", "House", "Hall", "Ministry")


def place_preposition(place: str) -> str:
    """"at" a building ("at Subang Airbase"), "in" a city or country ("in Kuala Lumpur")."""
    return "at" if any(w in place for w in FACILITY) else "in"


# whom a speech is addressed to, when not a name
AUDIENCE = {"crowd", "nation", "audience", "parliament", "congress", "assembly", "conference", "rally", "meeting",
            "summit", "gathering", "supporter", "reporter", "journalist", "student", "graduate", "troop", "delegate",
            "lawmaker", "forum", "convention", "session", "house", "senate", "people", "country", "fan", "worker",
            "member", "media", "press", "leader", "minister", "party", "union", "council", "board", "shareholder",
            "investor", "employee", "staff", "meeting", "dinner", "ceremony", "event"}  # fmt: skip
# a time expression inside one of these names is part of the name, not a date of an event
NAME_NOT_DATE = {"ORG", "EVENT", "WORK_OF_ART", "PRODUCT", "FAC", "LAW"}
STATUS_TENSE = {"planned": timex.FUTURE, "occurred": timex.PAST, "negated": timex.PAST, "reported": timex.PAST}


@dataclass
class EventMention:
    """One event as one sentence of one article tells it."""

    article: str
    type: str
    actors: list[Participant]
    counterparts: list[Participant] = field(default_factory=list)
    object: str | None = None
    place: str | None = None
    date: TimeValue | None = None
    status: str = "occurred"
    evidence: Span | None = None  # the sentence
    trigger: Span | None = None  # the trigger word(s)
    details: dict[str, str] = field(default_factory=dict)
    date_from: str | None = None  # own | antecedent | paragraph

    def names(self) -> list[str]:
        return [p.name for p in self.actors + self.counterparts]


# -- reading one article --------------------------------------------------------------


def _children(tok, *deps: str):
    return [c for c in tok.children if c.dep_ in deps]


def _with_conj(tok) -> list:
    out = [tok]
    for c in tok.children:
        if c.dep_ == "conj":
            out += _with_conj(c)
        elif c.dep_ == "prep" and c.lower_ == "of" and tok.ent_type_ == "PERSON":
            # "President Maren Solberg of Estmark and Oren Castell": the parser hangs the second
            # person on the country; a person conjoined to a non-person belongs to the list above
            for p in _children(c, "pobj"):
                if p.ent_type_ != "PERSON":
                    out += [x for x in _with_conj(p)[1:] if x.ent_type_ == "PERSON"]
    return out


def _pp_chain(tok, depth: int = 0) -> list:
    """The objects of the prepositional phrases hanging from a token, and from theirs ("met
    … on the sidelines of the ADMM-Plus in Kuala Lumpur"), never inside another clause, an
    apposition or an object ("a clinic in Bayou La Batre" of the nominee is not the
    announcement's place)."""
    out = []
    if depth > 3:
        return out
    for prep in _children(tok, "prep"):
        for pobj in _children(prep, "pobj"):
            out.append(pobj)
            out += _pp_chain(pobj, depth + 1)
    return out


def _names_someone(tok, people_only: bool = False) -> bool:
    """A direct object that is a person, organisation or place by name, or a pronoun, not a
    thing that merely mentions one ("received a distress call from MV Gibe"). `people_only`:
    one receives people and delegations, not an award ("received the Nelson Mandela Award")."""
    if people_only:
        return tok.ent_type_ in ("PERSON", "GPE", "NORP") or tok.lower_ in ("him", "her", "them")
    return tok.ent_type_ in ("PERSON", "ORG", "GPE", "NORP") or tok.pos_ in ("PROPN", "PRON")


# bodies named by a country, place or leader ("the Greek government", "Cumbria police")
INSTITUTIONS = {"government", "administration", "police", "ministry", "department", "army", "military", "navy",
                "parliament", "cabinet", "court", "authorities", "authority", "council", "senate", "congress",
                "legislature", "regime", "embassy", "agency", "commission", "treasury"}  # fmt: skip


def _that_clause(verb) -> list:
    """A "that"-clause the parser hung on a noun of the verb's phrase as if it were a relative
    clause ("announced Monday in an internal memo that he would be on leave"): a relative
    clause opens with a relative pronoun, a complement with the conjunction "that"."""
    for t in verb.subtree:
        if t.dep_ == "relcl" and t.head.i > verb.i and any(c.dep_ == "mark" and c.lower_ == "that" and c.pos_ == "SCONJ" for c in t.children):
            return [t]
    return []


def _inverted_report(verb) -> bool:
    """"X will be host of the Oscars, the Academy announced on Friday": a verb of saying that
    the parser joined to the clause before it with no conjunction reports that clause."""
    return (
        verb.dep_ == "conj"
        and verb.head.i < verb.i
        and not any(c.dep_ == "cc" and verb.head.i < c.i < verb.i for c in verb.head.children)
        and verb.lemma_.lower() in SAYING
    )


TIME_MARKS = {"when", "as", "before", "after", "until", "till", "once", "while", "whenever"}


def _time_clause(verb) -> bool:
    """A verb heading an adverbial clause of time ("when he arrived", "before officers arrived")."""
    return verb is not None and verb.dep_ == "advcl" and any(
        c.dep_ in ("mark", "advmod") and c.lower_ in TIME_MARKS and c.i < verb.i for c in verb.children
    )


def _habitual_present(verb) -> bool:
    """A simple present ("attends", "meets on a daily basis") in running text tells a habit or
    a state; news happenings are told in the past, the perfect or the future. A headline
    ("Apple unveils iPod nano") and a dated caption ("Obama announces … Monday") tell a
    happening in the present: a sentence without final punctuation, or a time on the verb."""
    if verb.morph.get("Tense") != ["Pres"] or verb.morph.get("VerbForm") != ["Fin"]:
        return False
    if any(c.dep_ in ("aux", "auxpass") for c in verb.children):
        return False
    if verb.sent.text.rstrip(" \"'”’)")[-1:] not in (".", "!", "?", ";"):
        return False  # a headline
    dated = any(t.ent_type_ in ("DATE", "TIME") for c in verb.children for t in c.subtree)
    return not dated


def _is_plan(tok) -> bool:
    return tok.lemma_.lower() in PLAN_WORDS or tok.text.lower() in PLAN_WORDS


def _offset(base: int, tok) -> int:
    return base + tok.idx


class _Reader:
    """Reads one article's sentences in order, keeping what pronouns may point to."""

    def __init__(self, adoc, anchor: dt.date | None, anchor_from: str | None, quotes, people: ArticlePeople):
        self.adoc = adoc
        self.article = adoc.article
        self.text = adoc.article.clean_text
        self.anchor = anchor
        self.anchor_from = anchor_from
        self.last_time: str | None = None  # the time the article last named: "that day" refers to it
        self.quotes = quotes
        self.people = people
        self.salience = Salience()
        self.mentions: list[EventMention] = []

    # participants ---------------------------------------------------------------

    def _quote_at(self, offset: int):
        return next((q for q in self.quotes if q.holds(offset)), None)

    def _speaker(self, offset: int) -> Participant | None:
        q = self._quote_at(offset)
        return q.speaker if q is not None else None

    def participants(self, tok, base: int, sent_subject=None) -> list[Participant]:
        """The named participants a token stands for (itself and its conjuncts)."""
        out: list[Participant] = []
        for t in _with_conj(tok):
            out += self._one(t, base, sent_subject)
        seen, unique = set(), []
        for p in out:
            if p.name not in seen:
                seen.add(p.name)
                unique.append(p)
        return unique

    def _one(self, t, base: int, sent_subject) -> list[Participant]:
        low = t.text.lower()
        phrase = " ".join(x.text for x in t.subtree).lower() if t.dep_ != "poss" else low
        at = _offset(base, t)
        if low in FIRST_SINGULAR | FIRST_PLURAL:
            sp = self._speaker(at)
            return [Participant(sp.name, sp.start, sp.end, sp.label, "speaker")] if sp else []
        if PLURAL_ANAPHORS.match(phrase) or PLURAL_ANAPHORS.match(low):
            return [Participant(p.name, p.start, p.end, p.label, "group") for p in self.salience.last_group]
        if low in SINGULAR_PRONOUNS:
            reporter = self._reporter_of(t, base) if t.dep_ in ("nsubj", "nsubjpass") else None
            main = self._main_subject_of(t, base) if reporter is None and t.dep_ in ("nsubj", "nsubjpass") else None
            if reporter is not None:
                p = reporter  # "Stefanski said he met with Cheeks": he is Stefanski
            elif main is not None:
                p = main  # "McNutt saw flames when he arrived": he is McNutt
            elif t.dep_ == "poss" and sent_subject is not None and sent_subject.label == "PERSON":
                p = sent_subject  # "Sharing details of his talks ..., Hegseth posted"
            else:
                p = self.salience.last_person
            return [Participant(p.name, p.start, p.end, p.label, "pronoun")] if p else []
        found = name_span(t)
        if found is None:
            return []
        s, e, surface, label = found
        if base + s < self.article.body_start:
            # the dateline ("Kuala Lumpur, Oct 31 (IANS)") is nobody; the parser may hang
            # the real subject on it as an apposition
            return [p for c in _children(t, "appos") if base + c.idx >= self.article.body_start for p in self._one(c, base, sent_subject)]
        name, known = self.people.expand(surface, label)
        label = known or label
        if label not in AGENT_LABELS or not any(w[:1].isupper() for w in name.split()):
            return []  # a name is capitalised: "colonists" tagged as a person is nobody
        if is_agency(name):
            return []  # a wire agency is a source, never an actor ("Antara", "JANA")
        return [Participant(name, base + s, base + e, label)]

    def _main_subject_of(self, pronoun, base: int) -> Participant | None:
        """The named person subject of the clause an adverbial clause hangs from ("X saw
        flames when he arrived")."""
        clause = pronoun.head
        if clause.dep_ != "advcl":
            return None
        return self._named_person_subject(clause.head, ("nsubj", "nsubjpass"), base)

    def _reporter_of(self, pronoun, base: int) -> Participant | None:
        """The named person who says the clause a subject pronoun stands in ("X said he …")."""
        clause = pronoun.head
        while clause.dep_ in ("conj", "xcomp") and clause.head is not clause:
            clause = clause.head
        if clause.dep_ != "ccomp" or clause.head.lemma_.lower() not in SAYING:
            return None
        return self._named_person_subject(clause.head, ("nsubj",), base)

    def _named_person_subject(self, verb, deps: tuple[str, ...], base: int) -> Participant | None:
        """The first subject of `verb` (by `deps`) that is a named person, not a pronoun."""
        for s in _children(verb, *deps):
            if s.lower_ not in SINGULAR_PRONOUNS:
                found = self._one(s, base, None)
                if found and found[0].label == "PERSON":
                    return found[0]
        return None

    def subject_person(self, sent, base: int) -> Participant | None:
        root = sent.root
        for c in root.children:
            if c.dep_ in ("nsubj", "nsubjpass"):
                found = self._one(c, base, None) if c.text.lower() not in SINGULAR_PRONOUNS else []
                if found:
                    return found[0]
        return None

    # triggers -------------------------------------------------------------------

    def triggers(self, sent):
        """(type, verb token or None, noun token or None) for every trigger of a sentence."""
        out = []
        for tok in sent:
            lemma = tok.lemma_.lower()
            if tok.pos_ in ("VERB", "AUX"):
                kind = _VERBS.get(lemma)
                if kind == "call" and any(
                    c.dep_ == "prep"
                    and (c.text.lower() == "for" or (c.text.lower() == "on" and not any(p.ent_type_ == "DATE" for p in c.children)))
                    for c in tok.children
                ):
                    kind = None  # "called for", "called on X to" are not calls; "called X on Tuesday" is
                if kind == "call" and _children(tok, "oprd", "xcomp", "ccomp"):
                    kind = None  # "called it a ..."
                if kind == "call" and any(c.lower_ in ("in", "off", "out", "up", "back") for c in _children(tok, "prt")):
                    kind = None  # "called in to help", "called off": no call between two parties
                if kind == "meet" and any(c.text.lower() in ("target", "targets", "demand", "demands", "needs",
                                                               "expectations", "deadline") for c in _children(tok, "dobj")):
                    kind = None
                if kind == "meet" and self._meeting_body(tok) is not None:
                    kind = "convene"  # "The Federal Reserve met this week": a body meets, with nobody
                if kind is None and lemma in CONVENE_VERBS and self._gathering_subject(tok) is not None:
                    kind = "convene"
                if kind is None and lemma == "take" and any(c.text.lower() == "part" for c in _children(tok, "dobj")):
                    kind = "attend"
                if (
                    kind is None
                    and _is_plan(tok)
                    and tok.tag_ == "VBN"
                    and any(c.text.lower() in ("for", "in") and c.dep_ == "prep" for c in tok.children)
                    and self._plan_subject(tok) is not None
                ):
                    kind = "convene"  # "the ADMM-Plus, ..., slated for 1 November"; "the Exercise is scheduled for 2026"
                if kind:
                    out.append((kind, tok, None))
            elif tok.pos_ == "NOUN" and lemma in _NOUNS:
                kind = _NOUNS[lemma]
                head = tok.head
                if tok.dep_ in ("dobj", "attr") and head.lemma_.lower() in LEXICON[kind].light_verbs and head.pos_ in ("VERB", "AUX"):
                    out.append((kind, head, tok))
                else:
                    out.append((kind, None, tok))
        return out

    def _gathering_of(self, tok):
        """The name of the gathering a noun names, or None ("ADMM-Plus", "the 12th ADMM-Plus";
        "the ADMM-Plus, the premier forum of ASEAN, slated for ..." names it by apposition)."""
        if tok.dep_ == "appos" and tok.head.pos_ in ("PROPN", "NOUN"):
            tok = tok.head if self._gathering_of_plain(tok.head) else tok
        found = self._gathering_of_plain(tok)
        left = tok.left_edge.i
        if found is None and tok.pos_ in ("NOUN", "PROPN") and tok.text.islower() and GATHERING.search(tok.text) and left >= 2 and tok.doc[left - 1].text == ",":
            before = tok.doc[left - 2]
            if before.text == ")" and left >= 3:
                before = tok.doc[before.i - 1]
            found = self._gathering_of(before) if before.pos_ == "PROPN" else None
        return found

    def _gathering_of_plain(self, tok):
        doc = tok.doc
        ent = entity_at(tok)
        ent = ent if ent is not None and ent.label_ in ("EVENT", "ORG") else None
        lo, hi = (ent.start, ent.end) if ent is not None else (tok.left_edge.i, tok.right_edge.i + 1)
        # the name, not its modifiers: stop at a comma or a clause after the head (also where
        # the tagger's entity runs on: "[first ADMM-Plus convened in 2010 in Hanoi]")
        stops = ("in", "at", "on", "since", "during") if ent is None else ()
        hi = next((t.i for t in doc[tok.i + 1 : hi] if t.text == "," or t.pos_ in ("VERB", "AUX") or t.lower_ in stops), hi)
        while lo >= 2 and doc[lo - 1].text in ("-", "–") and doc[lo - 2].pos_ == "PROPN":
            lo -= 2  # "ASEAN–India Maritime Exercise" split by the tagger at the dash
        toks = [t for t in doc[lo:hi] if not (t.is_punct and t.text in "(),")]
        if not toks or tok.pos_ not in ("PROPN", "NOUN"):
            return None
        while toks and (toks[0].pos_ == "DET" or toks[0].ent_type_ == "ORDINAL" or toks[0].lower_ in EDITION_WORDS):
            toks = toks[1:]  # "the next", "the 12th", "the inaugural"
        if not toks:
            return None
        text = doc[toks[0].i : toks[-1].i + 1].text
        acr = re.search(r"\(([A-Z][\w-]+)\)", text) or re.fullmatch(r"([A-Z]{3,}(?:-[A-Z][a-z]+)?)", text)
        if not tok.text[:1].isupper() and ent is None:
            return None
        if not GATHERING.search(text):
            return None
        name = acr.group(1) if acr else text
        ordinal = next((t.text for t in doc[lo:hi] if t.ent_type_ == "ORDINAL" or re.fullmatch(r"\d+(st|nd|rd|th)", t.text)), None)
        return name.strip(" ’'"), ordinal

    def _plan_subject(self, verb):
        """The gathering a planning participle is about: its head (acl) or passive subject."""
        if verb.dep_ == "acl":
            return self._gathering_of(verb.head)
        for s in sorted(_children(verb, "nsubjpass"), key=lambda t: not GATHERING.search(t.text) or t.text.isupper()):
            g = self._gathering_of(_edition_of(s))
            if g is not None:
                return g
        return None

    def _meeting_body(self, verb):
        """(name, None) when "met" has one organisation for subject and nobody to meet
        ("The Federal Reserve met this week"): the body sat, a gathering of its own."""
        if _children(verb, "dobj", "nsubjpass") or any(p.lower_ in ("with", "between", "alongside") for p in _children(verb, "prep")):
            return None
        subj = _children(verb, "nsubj")
        if len(subj) != 1 or subj[0].ent_type_ != "ORG" or _children(subj[0], "conj"):
            return None
        found = name_span(subj[0])
        return (found[2], None) if found else None

    def _gathering_subject(self, verb):
        lemma = verb.lemma_.lower()
        passive = any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children)
        if lemma == "hold" and not passive:
            return None
        if lemma == "take" and not any(c.text.lower() == "place" for c in _children(verb, "dobj")):
            return None
        if lemma != "take" and _children(verb, "xcomp", "dobj"):
            return None  # "The Hunger Games set to begin filming": something else begins
        subj = _children(verb, "nsubj", "nsubjpass")
        if not subj and verb.dep_ in ("xcomp",) and _is_plan(verb.head):
            subj = _children(verb.head, "nsubj", "nsubjpass")
            if not subj and verb.head.dep_ == "acl":
                subj = [verb.head.head]
        if not subj and verb.dep_ == "acl":
            subj = [verb.head]
        for s in sorted(subj, key=lambda t: not t.text.isupper()):
            g = self._gathering_of(_edition_of(s))
            if g is not None:
                return g
        return None

    # status ---------------------------------------------------------------------

    def status(self, verb, noun) -> str | None:
        """occurred | planned | negated | reported; None when the trigger is no event
        (an infinitive of purpose, a habit, a participle modifier)."""
        governor = verb if verb is not None else None
        if verb is None:
            # a nominal trigger: its own modifiers, then the clause that holds it
            mods = {c.text.lower() for c in noun.children if c.dep_ in ("amod", "compound", "advmod")}
            if mods & PLAN_WORDS:
                return "planned"
            if mods & HABITUAL:
                return None  # "they made regular visits": a habit, not a happening
            h = noun.head
            while h.pos_ not in ("VERB", "AUX") and h.dep_ != "ROOT" and h.head is not h:
                h = h.head
            if h.lemma_.lower() in NEG_GOVERNORS:
                return "negated"
            while h.tag_ in ("VBG", "VBN") and h.dep_ in ("advcl", "acl", "pcomp") and h.head is not h:
                h = h.head  # "Sharing details of his talks ..., Hegseth posted": the clause decides
            governor = h if h.pos_ in ("VERB", "AUX") else None
            if governor is None:
                return "occurred"
        v = governor
        if v.dep_ == "conj" and v.head.pos_ in ("VERB", "AUX") and not _children(v, "nsubj", "nsubjpass", "aux"):
            return self.status(v.head, None)  # "met X and signed Y": the first verb's status
        if v.dep_ == "conj" and v.head.pos_ in ("VERB", "AUX") and v.tag_ == "VB" and v.head.tag_ == "VB":
            return self.status(v.head, None)  # "to attend ... and to sign": one purpose
        words = {c.text.lower() for c in v.children}
        if words & HABITUAL:
            return None
        if any(c.dep_ == "neg" for c in v.children):
            return "negated"
        if words & HEDGES:
            return "reported"
        if words & FUTURE_AUX or any(c.lemma_ == "go" and c.dep_ == "aux" for c in v.children):
            return "planned"
        if v.dep_ == "advcl" and v.tag_ in ("VBZ", "VBP") and {c.lower_ for c in v.head.children if c.dep_ == "aux"} & FUTURE_AUX:
            return "planned"  # "... will wear the livery when it arrives on November 11"
        if verb is not None and _habitual_present(v):
            return None  # "the church Sarah Palin attends": a habit or a state, not a happening
        # climb through "is scheduled to", "is expected to", "plans to", "failed to"
        if v.dep_ in ("xcomp", "ccomp", "advcl", "acl") and v.tag_ in ("VB", "VBN") and any(c.dep_ == "aux" and c.text.lower() == "to" for c in v.children):
            head = v.head
            if head.lemma_.lower() in NEG_GOVERNORS:
                return "negated"
            if any(c.dep_ == "neg" for c in head.children):
                return "negated"
            if _is_plan(head):
                return "planned"
            if verb is not None and noun is None:
                return None  # "arrived ... to attend": a purpose, not a report
        if _is_plan(v) and verb is not None and v.tag_ == "VBN":
            return "planned"  # "slated for 1 November"
        if v.dep_ == "acl" and v.tag_ in ("VBG", "VBN") and verb is not None:
            # "the ADMM-Plus, being held in Kuala Lumpur, will feature": the clause decides
            main = v.head
            while main.dep_ not in ("ROOT",) and main.pos_ not in ("VERB", "AUX"):
                main = main.head
            if main is not v and main.pos_ in ("VERB", "AUX"):
                return self.status(main, None) if main.lemma_.lower() not in PLAN_WORDS else "planned"
        if v.tag_ == "VBG" and not any(c.dep_ == "aux" for c in v.children) and v.dep_ in ("advcl", "acl", "pcomp"):
            return None  # "marking a key engagement", "heralding a new era"
        if v.tag_ == "VBN" and v.dep_ == "advcl" and not _children(v, "aux", "auxpass", "nsubj", "nsubjpass"):
            return None  # "a conference in Bahrain attended by representatives …": a participle modifier
        if v.tag_ == "VB" and not any(c.dep_ == "aux" for c in v.children) and v.dep_ != "ROOT":
            return None
        return "occurred"

    # roles ----------------------------------------------------------------------

    def frame(self, kind: str, verb, noun, base: int, sent) -> list[EventMention]:
        etype = LEXICON[kind]
        sent_subject = self.subject_person(sent, base)
        status = self.status(verb, noun)
        if status is None:
            return []
        claim = assertion(verb, noun)
        if not claim.asserted:
            return []  # a relative, conditional or purpose clause, a demand, a question ...
        if not self._fits_sense(kind, verb, noun):
            return []
        actors: list[Participant] = []
        counterparts: list[Participant] = []
        obj: str | None = None
        place: str | None = None
        details: dict[str, str] = {}
        anchors = [t for t in (verb, noun) if t is not None]

        if kind == "convene":
            lemma = verb.lemma_.lower()
            g = self._meeting_body(verb) if lemma == "meet" else self._gathering_subject(verb) if lemma in CONVENE_VERBS else self._plan_subject(verb)
            if g is None:
                return []
            name, ordinal = g
            actors = [Participant(name, _offset(base, verb), _offset(base, verb) + len(verb.text), "EVENT")]
            if ordinal:
                details["edition"] = ordinal
        else:
            if verb is not None:
                subj = _children(verb, "nsubj")
                passive_subj = _children(verb, "nsubjpass")
                agents = [p for c in _children(verb, "agent") for p in _children(c, "pobj")]
                if agents:
                    for a in agents:
                        actors += self.participants(a, base, sent_subject)
                    for s in passive_subj:
                        counterparts += self.participants(s, base, sent_subject)
                else:
                    for s in subj + passive_subj:
                        actors += self.participants(s, base, sent_subject)
                # a subject of its own that names nobody; an unresolved pronoun ("where he signed",
                # "that it had agreed") is the governing clause's subject, found by climbing
                own_subject = [t for t in (agents or subj or passive_subj) if t.pos_ != "PRON"]
                if not actors and own_subject:
                    # "the leaders of Lorvania, Estmark and Kessia signed": nobody named, a collective
                    actors = [p for t in own_subject[:1] for p in self._collective(t, base)]
                if not actors and verb.dep_ == "relcl" and any(t.tag_ in ("WP", "WDT") for t in subj):
                    ante = verb.head
                    while ante.dep_ == "conj" and ante.head.i != ante.i:
                        ante = ante.head  # "Bank of America and JPMorgan, who announced": both
                    actors = self.participants(ante, base, sent_subject)
                climb = verb
                while not actors and not own_subject and climb.dep_ in ("xcomp", "conj", "ccomp", "advcl", "acomp") and climb.head is not climb:
                    climb = climb.head
                    for s in _children(climb, "nsubj", "nsubjpass"):
                        actors += self.participants(s, base, sent_subject)
                    if climb.dep_ == "acl":
                        break
            if noun is not None and not actors:
                for c in _children(noun, "poss"):
                    actors += self.participants(c, base, sent_subject)
            if noun is not None and not actors and noun.dep_ == "pobj" and noun.head.head.lemma_ == "be":
                # "LaRue was (present) at a 1972 meeting with Mitchell": the one who was there
                for c in _children(noun.head.head, "nsubj"):
                    actors += self.participants(c, base, sent_subject)
            if not actors and verb is not None and not _children(verb, "nsubj", "nsubjpass", "agent") and self._quote_at(_offset(base, verb)) is not None:
                sp = self._speaker(_offset(base, verb))  # "Had a fruitful meeting with ..." (a post)
                if sp is not None:
                    actors = [Participant(sp.name, sp.start, sp.end, sp.label, "speaker")]
            # counterparts: with / between objects; direct objects for meet, receive, call
            for t in anchors:
                for prep in _children(t, "prep"):
                    word = prep.text.lower()
                    if word in ("with", "between", "alongside"):
                        for pobj in _children(prep, "pobj"):
                            found = self.participants(pobj, base, sent_subject)
                            if word == "between" and not actors and found:
                                actors, found = found[:1], found[1:]
                            counterparts += found
            if verb is not None and (etype.counterpart_dobj or etype.place_dobj):
                for d in _children(verb, "dobj") if noun is None else []:
                    if etype.place_dobj and (d.ent_type_ in PLACE_LABELS):
                        place = name_span(d)[2] if name_span(d) else d.text
                    elif etype.counterpart_dobj and _names_someone(d, people_only=etype.people_only):
                        counterparts += self.participants(d, base, sent_subject)
            if verb is not None and not etype.counterpart_dobj and noun is None:
                dobj = _children(verb, "dobj")
                if kind == "attend" and dobj and dobj[0].text.lower() == "part":
                    dobj = [p for prep in _children(verb, "prep") if prep.text.lower() == "in" for p in _children(prep, "pobj")]
                if kind == "agree" and not dobj:
                    dobj = [p for prep in _children(verb, "prep") if prep.text.lower() in ("on", "to") for p in _children(prep, "pobj")
                            if p.ent_type_ not in ("DATE", "TIME")]  # "agreed on Thursday" is a date
                    dobj += _children(verb, "xcomp")
                if etype.clause_object and not dobj:
                    dobj = _children(verb, "ccomp")  # "announced that Estmark would send 40 engineers"
                if etype.clause_object and not dobj:
                    dobj = _that_clause(verb)  # "announced Monday in an internal memo that he would …"
                if dobj:
                    obj, duration = _object_text(dobj[0])
                    if duration:
                        details["duration"] = duration
                    for prep in _children(dobj[0], "prep"):
                        if _np_cut(prep, False) and prep.dep_ == "prep":  # "signed a wage agreement with the port authority"
                            for pobj in _children(prep, "pobj"):
                                counterparts += self.participants(pobj, base, sent_subject)
            if noun is not None and etype.noun_object and obj is None:
                for prep in _children(noun, "prep"):
                    if prep.text.lower() in ("of", "on"):
                        for p in _children(prep, "pobj"):
                            obj, _ = _object_text(p)
        # place: an "in"/"at" place near the trigger, or the antecedent of "where"
        if place is None:
            place = self._place(anchors, counterparts, base)
        if not actors:
            return []
        if etype.needs_place and place is None and _time_clause(verb):
            return []  # "McNutt saw flames when he arrived": the arrival times the clause above, it is no news
        if claim.reporter is not None and status == "occurred":
            # "a spokesman said Singh met Hegseth", "Kader claimed that he had visited Albania": the
            # source's claim, kept with its source; a participant's own plain account ("Hegseth
            # posted: 'I met with …'") is testimony and stays as it is
            source = self.participants(claim.reporter, base, sent_subject) if claim.reporter.pos_ != "VERB" else []
            own = source and any(same_name(source[0].name, p.name) for p in actors + counterparts)
            if claim.claimed or not own:
                status = "reported"
                if source and source[0].via in ("name", "speaker"):
                    details["source"] = source[0].name
        said = verb is not None and noun is None and (bool(_children(verb, "ccomp")) or _inverted_report(verb))
        if etype.needs_object and obj is None and not counterparts and not said:
            return []  # "Kessia agreed.", "Solberg announced.": nothing is said (a long that-clause is content)
        if verb is None and not counterparts:
            return []  # "during his visit", "Singh's meetings": no one met, nothing to report
        if verb is None and not any(p.via in ("name", "speaker") for p in actors + counterparts):
            return []  # "details of their talks were awaited": nothing new is said
        actor_names = {p.name for p in actors}
        counterparts = [p for p in counterparts if p.name not in actor_names and not any(same_name(p.name, a) for a in actor_names)]
        if etype.needs_counterpart and not counterparts and (len(actors) < 2 or not etype.symmetric):
            return []  # "GM and Chrysler receive loans": two actors meet each other only in a symmetric type
        if len(actors) >= 2 and etype.symmetric and not counterparts:
            actors, counterparts = actors[:1], actors[1:]
        # the dateline ("Kuala Lumpur, Oct 31 (IANS)") is metadata, not part of the sentence shown
        s0 = max(base + sent.start_char, self.article.body_start if base + sent.end_char > self.article.body_start else 0)
        while s0 < base + sent.end_char and self.text[s0] in " :,-—–":
            s0 += 1
        sent_span = Span(self.article.id, s0, base + sent.end_char, self.text[s0 : base + sent.end_char])
        t0 = min(t.idx for t in anchors) + base
        t1 = max(t.idx + len(t.text) for t in anchors) + base
        trigger = Span(self.article.id, t0, t1, self.text[t0:t1])
        proto = EventMention(self.article.id, kind, actors, counterparts, obj, place, None, status, sent_span, trigger, details)
        # a meeting (or call) with several named counterparts: one per counterpart
        if etype.one_per_counterpart and len(counterparts) > 1:
            return [
                EventMention(self.article.id, kind, actors, [c], obj, place, None, status, sent_span, trigger, dict(details))
                for c in counterparts
            ]
        return [proto]

    def _fits_sense(self, kind: str, verb, noun) -> bool:
        """The trigger word in the lexicon's sense: "landed blows" is no arrival, "addressed a
        vulnerability" no speech, "received a call" no reception."""
        if verb is None or noun is not None:
            return True
        dobj = _children(verb, "dobj")
        if kind == "arrive":
            return not dobj  # arriving takes no object
        if LEXICON[kind].people_only and any(d.pos_ == "NOUN" and not d.ent_type_ for d in dobj):
            return False  # "received a distress call (from … the MV Gibe)": a thing received, nobody received
        if kind == "address":
            passive = bool(_children(verb, "nsubjpass", "auxpass"))
            return not passive and any(
                d.ent_type_ in ("PERSON", "ORG", "GPE", "NORP") or d.lower_ in ("him", "her", "us") or d.lemma_.lower() in AUDIENCE
                for d in dobj
            )  # a speech has an audience: "addressed parliament", not "address it"
        return True

    def _collective(self, tok, base: int) -> list[Participant]:
        """A subject that names nobody but a body of people ("the leaders of Lorvania, Estmark
        and Kessia", "the three governments"): one participant with via "collective". It never
        makes an event of its own; in a story it may join the named event it tells (`corefer`)."""
        if tok.pos_ != "NOUN" or tok.ent_type_ or tok.lower_ in SINGULAR_PRONOUNS:
            return []
        words = _noun_phrase(tok, deep=False, lists=True)
        if not words:
            return []
        s, e = _offset(base, words[0]), _offset(base, words[-1]) + len(words[-1].text)
        if tok.lemma_.lower() in INSTITUTIONS and any(
            c.dep_ in ("amod", "compound") and c.ent_type_ in ("NORP", "GPE", "ORG", "PERSON") for c in tok.children
        ):
            # "the Greek government", "Cumbria police", "the Obama administration": one body, named
            # by its country, place or leader — an organisation, not a crowd
            while words and words[0].pos_ == "DET":
                words = words[1:]
            s = _offset(base, words[0])
            return [Participant(self.text[s:e], s, e, "ORG", "name")]
        return [Participant(self.text[s:e], s, e, "GROUP", "collective")]

    def _place(self, anchors, counterparts, base) -> str | None:
        cands = []
        for t in anchors:
            for prep in _children(t, "prep"):
                if prep.text.lower() in ("in", "at"):
                    cands += _children(prep, "pobj")
            if t.dep_ == "relcl" and any(c.text.lower() == "where" for c in t.children):
                cands.append(t.head)
        for a in anchors:
            # the trigger's phrases, and its object's ("signed the Framework … in Kuala Lumpur")
            heads = [a] + (_children(a, "dobj") if a.pos_ in ("VERB", "AUX") else [])
            cands += [t for h in heads for t in _pp_chain(h) if t.head.lower_ in ("in", "at")]
        for c in cands:
            if any(ch.dep_ == "nummod" and ch.i < c.i for ch in c.children):
                continue  # "at 0800 UTC": a time, not where (a name may end in a number: "Conference 2010")
            if c.ent_type_ in PLACE_LABELS or (c.head.text.lower() == "at" and c.pos_ == "PROPN"):
                found = name_span(c)
                if found:
                    return canonical(found[2])
        return None

    # dates ----------------------------------------------------------------------

    def assign_dates(self, sent, base: int, mentions: list[tuple[EventMention, list]]) -> None:
        """Give each time expression of the sentence to the nearest trigger above it in the
        parse; one hanging from a root that is no trigger goes to the root's own event.
        A vague reference ("recently") counts only where nothing better is found."""
        reference = self.last_time  # "that day", "the following day": the time named before
        named = [
            t
            for t in timex.find(sent, self.anchor, None, self.anchor_from, reference)
            if base + sent.start_char + t.start >= self.article.body_start  # the dateline's date is the article's
        ]
        points = [t.value.value for t in named if t.type in (timex.DATE, timex.TIME) and t.value.value[:4].isdigit()]
        self.last_time = points[-1] if points else reference
        if not mentions:
            return
        # an event's date is a point (DATE, TIME): "a two-day visit" and "every year" are not
        # dates; nor an unresolved "that day", which leaves the event to take the date of the
        # event it refers to (the previous one of its paragraph, below)
        found = [t for t in named if t.type in (timex.DATE, timex.TIME) and not (t.rule == timex.ANAPHORIC and "X" in t.value.value)]
        trig_tokens: dict[int, list[EventMention]] = {}
        for m, toks in mentions:
            for t in toks:
                trig_tokens.setdefault(t.i, []).append(m)
        offers: dict[int, list[tuple[int, timex.Timex]]] = {}  # id(mention) -> [(rank, timex)]
        for tx in found:  # (the dateline's date, before body_start, is the article's, not an event's)
            tok = next((t for t in sent if t.idx - sent.start_char >= tx.start), None)
            if tok is None or tok.ent_type_ in NAME_NOT_DATE:
                continue  # "Worldwide Developers Conference 2010": a year inside a name dates nothing
            owner, h, clause = None, tok, None
            for _ in range(60):
                if h.i in trig_tokens:
                    owner = trig_tokens[h.i]
                    break
                if (h.pos_ == "VERB" or (h.pos_ == "AUX" and h.dep_ not in ("aux", "auxpass"))) and not _is_plan(h):
                    clause = h  # "clearing the way for dockworkers to return on Wednesday": return's date
                    break
                if h.head is h:
                    break
                h = h.head
            rank = 0
            if owner is None:
                owner = [m for m, toks in mentions if any(t.dep_ == "ROOT" for t in toks)] if clause is None or clause.dep_ == "ROOT" else []
                # "came to an end on Tuesday when the HWF signed ...": the when-clause happened then
                whens = {c.i for c in clause.children if c.dep_ == "advcl" and any(w.lower_ == "when" for w in c.children)} if clause is not None else set()
                owner += [m for i in whens for m in trig_tokens.get(i, [])]
                rank = 1
            for m in owner:
                vague = tx.value.value.endswith("_REF")
                offers.setdefault(id(m), []).append((rank + 2 * vague, tx))
        by_tense: dict[str | None, list] = {}  # the sentence's times read once per tense
        for m, _toks in mentions:
            if id(m) not in offers:
                continue
            _, tx = min(offers[id(m)], key=lambda rt: (rt[0], rt[1].start))
            # normalise again with the event's tense, in the sentence (context decides "in May")
            tense = STATUS_TENSE.get(m.status)
            if tense not in by_tense:
                by_tense[tense] = timex.find(text_of(sent), self.anchor, tense, self.anchor_from, reference)
            m.date = next((t.value for t in by_tense[tense] if t.start == tx.start), tx.value)
            m.date_from = "own"

    # the article ---------------------------------------------------------------

    def read(self) -> list[EventMention]:
        prev_para = -1
        for base, sent in self.adoc.sents():
            found: list[tuple[EventMention, list]] = []
            for kind, verb, noun in self.triggers(sent):
                for m in self.frame(kind, verb, noun, base, sent):
                    toks = [t for t in (verb, noun) if t is not None]
                    head = noun.head if noun is not None else None
                    if verb is None and head is not None and head.pos_ == "VERB" and (
                        (noun.dep_ in ("nsubj", "nsubjpass") and head.lemma_.lower() in CONVENE_VERBS | {"happen", "occur"})
                        or (noun.dep_ == "dobj" and head.lemma_.lower() in NEG_GOVERNORS)
                    ):
                        toks.append(head)  # "the meeting ... took place on Wednesday", "cancelled his meeting on Tuesday"
                    found.append((m, toks))
                    if m.type != "convene":  # "..., where the two leaders signed"
                        self.salience.note_group([p for p in m.actors + m.counterparts if p.via != "collective"], m)
            self.assign_dates(sent, base, found)
            found = _drop_nested_duplicates(found)
            for m, _toks in found:
                self._inherit_date(m, base, prev_para)
                self.mentions.append(m)
            subj = self.subject_person(sent, base)
            if subj is not None:
                self.salience.note_subject(subj)
            prev_para = base
        return self.mentions

    def _inherit_date(self, m: EventMention, base: int, prev_para: int) -> None:
        if m.date is not None or m.status != "occurred":
            return
        source = self.salience.group_source
        if any(p.via == "group" for p in m.actors + m.counterparts) and source is not None and source is not m:
            if source.date is not None and source.status == "occurred":
                m.date, m.date_from = source.date, "antecedent"
                return
        # the previous event of the same paragraph, sharing a participant ("He was received ...")
        for prev in reversed(self.mentions):
            if prev.evidence is None or prev.article != m.article:
                continue
            same_para = self.text.find("\n\n", prev.evidence.end, m.evidence.start) == -1
            if not same_para:
                break
            if prev.date is not None and prev.status == "occurred" and set(prev.names()) & set(m.names()):
                m.date, m.date_from = prev.date, "paragraph"
                return


def _edition_of(tok):
    """ "the second edition of the X Meeting" -> the X Meeting's token."""
    if tok.lemma_.lower() in ("edition", "session", "round", "meeting") and tok.text.islower():
        for prep in _children(tok, "prep"):
            if prep.text.lower() == "of":
                for p in _children(prep, "pobj"):
                    return p
    return tok


def _depth(tok) -> int:
    d = 0
    while tok.head is not tok and d < 50:
        tok, d = tok.head, d + 1
    return d


def _drop_nested_duplicates(found):
    """Two frames of one type with the same participants in one sentence (a light-verb frame
    and its noun, "his talks with X ... 'I met with X'"): keep one, dated and verbal first."""
    out, seen = [], set()
    for m, toks in sorted(found, key=lambda mt: (mt[0].date is None, mt[0].trigger.text.lower() in _NOUNS, -len(mt[1]))):
        key = (m.type, tuple(sorted(m.names())))
        if key in seen:
            continue
        seen.add(key)
        out.append((m, toks))
    out.sort(key=lambda mt: mt[0].trigger.start)
    return out


_QUOTED = re.compile(r"[‘'“\"]([^‘’'“”\"]{3,}?)[’'”\"]")


def _object_text(tok) -> tuple[str | None, str | None]:
    """The object a trigger acts on: a quoted title inside it, else its phrase without
    determiners; and a duration modifier ("10-year", "10 years") if any."""
    doc = tok.doc
    phrase = doc[tok.left_edge.i : tok.right_edge.i + 1].text
    opened = re.search(r"[‘“]", phrase)
    if opened and not re.search(r"[’”]", phrase[opened.end() :]):
        # the parse cut a quoted title short: extend the phrase to the closing mark
        rest = doc[tok.left_edge.i : tok.sent.end].text
        close = re.search(r"[’”]", rest[rest.find(opened.group(0)) + 1 :])
        if close:
            phrase = rest[: rest.find(opened.group(0)) + 1 + close.end()]
    duration = None
    m = re.search(r"\b(\d+)[-\s](?:year|years)\b", phrase)
    if m:
        duration = f"P{m.group(1)}Y"
    q = _QUOTED.search(phrase)
    if q:
        return q.group(1).strip(), duration
    words = _noun_phrase(tok, deep=True)
    if words is None:
        return None, duration
    text = doc[words[0].i : words[-1].i + 1].text
    if tok.dep_ == "ccomp" and words[0].lower_ not in ("that", "to", "whether", "if"):
        text = "that " + text  # "announced [that] Estmark would send ..."
    return text, duration


# what a noun phrase leaves out: a list or apposition after it, a relative clause, "according to"
_NP_CUT = {"conj", "cc", "appos", "relcl", "punct", "advcl", "parataxis"}


def _np_cut(c, lists: bool) -> bool:
    if c.dep_ == "punct":
        return c.text not in ("-", "‐", "–", "%")  # "early-warning" stays whole
    if c.dep_ in ("conj", "cc"):
        return not lists
    if c.dep_ == "relcl":
        return not any(x.text == "to" for x in c.children)
    if c.dep_ == "prep" and c.lower_ in ("with", "between"):
        # "a wage agreement with the Aldmere Port Authority": the party is a counterpart
        return any(p.ent_type_ in ("PERSON", "ORG", "GPE", "NORP") for p in _children(c, "pobj"))
    return c.dep_ in _NP_CUT


def _np_tokens(tok, deep: bool, lists: bool = False) -> set[int]:
    keep = {tok.i}
    for c in tok.children:
        if c.i > tok.i and _np_cut(c, lists):
            continue
        keep |= _np_tokens(c, deep, lists) if deep else {t.i for t in c.subtree}
    return keep


def _noun_phrase(tok, deep: bool = True, lists: bool = False, max_tokens: int = ExtractSettings.object_max_tokens):
    """The whole noun phrase a token heads, with its numbers ("a 7.5% pay rise over two
    years") and without a list or apposition after it (", a cap of ..."), a relative clause
    or a leading determiner (`deep`: nor inside it, "a deal giving workers a 7.5% pay rise
    over two years [and a cap on night shifts]"); None when even that is longer than
    `max_tokens` (settings.extract.object_max_tokens) (an object is whole or omitted, never cut mid-phrase)."""
    keep = _np_tokens(tok, deep, lists)
    lo = min(keep)
    hi = lo
    while hi + 1 in keep:
        hi += 1  # one contiguous phrase
    if hi < tok.i:
        return None
    words = [t for t in tok.doc[lo : hi + 1]]
    if len(words) > max_tokens:  # drop the trailing modifiers (prepositions, participles), then give up
        keep = {tok.i} | {t.i for c in tok.children if c.i < tok.i for t in c.subtree}
        for c in tok.children:
            if c.i > tok.i and c.dep_ in ("dobj", "dative", "prt", "attr", "oprd", "compound", "nummod"):
                keep |= _np_tokens(c, deep, lists)  # "to build a shared flood early-warning system [on the upper Sorrel by 2028]"
        words = [t for t in tok.doc[min(keep) : max(keep) + 1]]
        if len(words) > max_tokens or len(words) != len(keep):
            return None
    while words and tok.pos_ not in ("VERB", "AUX") and (words[0].pos_ in ("DET", "PUNCT") or words[0].lower_ in ("a", "an", "the")):
        words.pop(0)  # a clause keeps its "that" / "to"
    while words and words[-1].pos_ == "PUNCT":
        words.pop()
    return words or None


def extract_mentions(
    adoc,
    anchor: dt.date | None,
    anchor_from: str | None = "published",
    quotes=(),
    people: ArticlePeople | None = None,
) -> list[EventMention]:
    """Every event mention of one parsed article (nlp.ArticleDoc), in reading order.

    `quotes`: the article's QuoteMentions (speakers stand for "I"/"we" inside them)."""
    people = people or ArticlePeople.from_doc(adoc)
    return _Reader(adoc, anchor, anchor_from, list(quotes), people).read()


# -- coreference within a story ---------------------------------------------------------


# words reports use for the same signed document: "signed a deal" = "signed the agreement"
_SAME_DOCUMENT = {"deal": "agreement", "accord": "agreement", "pact": "agreement", "deals": "agreement", "agreements": "agreement"}


@functools.lru_cache(maxsize=65536)
def _object_words(obj: str | None) -> frozenset[str]:
    # cached: a story's few distinct objects are compared with each other thousands of times
    stop = {"the", "a", "an", "of", "for", "and", "in", "on", "to", "with"}
    words = re.findall(r"[a-z0-9]+", (obj or "").lower())
    return frozenset(_SAME_DOCUMENT.get(w, w) for w in words if w not in stop)


def objects_compatible(a: str | None, b: str | None, share: float = ExtractSettings.object_overlap) -> bool:
    """Two objects of one happening: either is missing, or `share` of the shorter's content
    words are the other's (settings.extract.object_overlap)."""
    if not a or not b:
        return True
    wa, wb = _object_words(a), _object_words(b)
    if not wa or not wb:
        return True
    return len(wa & wb) / min(len(wa), len(wb)) >= share


def _within(small: list[Participant], big: list[Participant]) -> bool:
    return bool(small) and all(any(same_participant(s, b) for b in big) for s in small)


def participants_compatible(a: list[Participant], b: list[Participant]) -> bool:
    """One side's participants all stand among the other's (by entity, else by name)."""
    return _within(a, b) or _within(b, a)


def _people(m: EventMention) -> list[Participant]:
    return [p for p in m.actors + m.counterparts if p.via != "collective"]


def collective_only(m: EventMention) -> bool:
    """A mention whose actors are all unnamed bodies ("the three governments agreed",
    "officials met Singh"): no event of its own."""
    return not [p for p in m.actors if p.via != "collective"]


def compatible(a: EventMention, b: EventMention, dates: bool = True) -> bool:
    return (
        a.type == b.type
        and participants_compatible(_people(a), _people(b))
        and objects_compatible(a.object, b.object)
        and (not dates or timex.compatible(a.date.value if a.date else None, b.date.value if b.date else None))
    )


_STATUS_GROUP = {"occurred": "happened", "reported": "happened", "planned": "planned", "negated": "negated"}


def _coref_keys(m: EventMention) -> list[tuple]:
    """Blocking keys of a mention for coreference (`grouping.first_fit`): its type and status
    group with each of its people's entity ids and name words. Two mentions are compatible
    only when one's people stand among the other's (`participants_compatible`), so they
    share a person: the same entity, or names one of whose words are the other's
    (`same_name`); a story's mentions are then compared with the few events of their kind
    and people, not with every event of the story."""
    head = (m.type, _STATUS_GROUP[m.status])
    out = []
    for p in _people(m):
        if p.entity:
            out.append((*head, "e", p.entity))
        out.extend((*head, "w", w) for w in name_words(p.name))
    return out


def arrival_order(mentions: list[EventMention]) -> list[EventMention]:
    """The order first-fit meets a story's mentions in: article by article as the articles
    arrived (the order given), and within an article its dated mentions first (a dated
    report founds the event its undated retellings join), then text order. A later article's
    mentions all come after an earlier one's, so the groups of a story's first articles are
    never changed by its later ones: they are kept and continued (`group_mentions`)."""
    arrived: dict[str, int] = {}
    for m in mentions:
        arrived.setdefault(m.article, len(arrived))
    return sorted(mentions, key=lambda m: (arrived[m.article], m.date is None, m.evidence.start if m.evidence else 0))


def named_in_order(mentions: list[EventMention]) -> list[EventMention]:
    """A story's mentions that can found an event (not `collective_only`), in `arrival_order`."""
    return [m for m in arrival_order(mentions) if not collective_only(m)]


def _joins(group: list[EventMention], m: EventMention) -> bool:
    return _STATUS_GROUP[group[0].status] == _STATUS_GROUP[m.status] and all(compatible(o, m) for o in group)


def group_mentions(named: list[EventMention], groups: list[list[EventMention]] | None = None) -> list[list[EventMention]]:
    """The happenings of a story's named mentions (`arrival_order`, no `collective_only`
    one): `groups` (those its earlier articles' mentions formed, in order, as lists of their
    mentions) continued with `named`, or formed from `named` alone. Continuing equals
    grouping all the mentions at once when `named` all come after the groups' mentions."""
    return first_fit(named, _joins, keys=_coref_keys, groups=groups)


def corefer(
    mentions: list[EventMention],
    story_id: str,
    published: dict[str, dt.date] | None = None,
    plan_report_days: int = ExtractSettings.plan_report_days,
) -> list[Event]:
    """One Event per happening of a story (`mentions`: article by article in arrival order),
    with all its evidence; planned and occurred versions of one happening linked both ways.
    With the articles' `published` dates, an occurred event its reports leave undated takes
    the day its plan named (`dated_by_plan`)."""
    return events_of(group_mentions(named_in_order(mentions)), mentions, story_id, published, plan_report_days)


def events_of(
    named_groups: list[list[EventMention]],
    mentions: list[EventMention],
    story_id: str,
    published: dict[str, dt.date] | None = None,
    plan_report_days: int = ExtractSettings.plan_report_days,
) -> list[Event]:
    """The events of a story's groups of named mentions (`group_mentions`), joined by its
    collective mentions (of all `mentions`, in their order), linked and dated by plan. The
    groups themselves are left as they are (they are the story's kept state)."""
    groups = [list(g) for g in named_groups]
    # "Leaders of Lorvania, Estmark and Kessia on Thursday signed the Sorrel Basin Relief
    # Compact": nobody named, but the same named document signed by named people elsewhere in
    # the story is the same happening; the collective mention adds its evidence, date, place
    by_type: dict[str, list[list[EventMention]]] = {}  # groups of one type, in their order
    for g in groups:
        by_type.setdefault(g[0].type, []).append(g)
    for m in mentions:
        if not collective_only(m) or not m.object:
            continue
        for g in by_type.get(m.type, ()):
            if (
                g[0].type == m.type
                and _STATUS_GROUP[g[0].status] == _STATUS_GROUP[m.status]
                and (not _people(m) or _within(_people(m), [p for o in g for p in _people(o)]))
                and all(o.object and objects_compatible(o.object, m.object) for o in g)
                and all(timex.compatible(o.date.value if o.date else None, m.date.value if m.date else None) for o in g)
            ):
                g.append(m)
                break
    events = [_event_of(g, story_id) for g in groups]
    happened: dict[str, list[tuple[list[EventMention], Event]]] = {}  # occurred groups of one type, in order
    for go, eo in zip(groups, events):
        if eo.status in ("occurred", "reported"):
            happened.setdefault(go[0].type, []).append((go, eo))
    for gp, ep in zip(groups, events):
        if ep.status != "planned":
            continue
        for go, eo in happened.get(gp[0].type, ()):
            joint = participants_compatible(
                [p for m in gp for p in _people(m)], [p for m in go for p in _people(m)]
            )
            if joint and all(objects_compatible(a.object, b.object) for a in gp for b in go):
                if timex.compatible(ep.date.value if ep.date else None, eo.date.value if eo.date else None):
                    ep.linked.append(eo.id)
                    eo.linked.append(ep.id)
    if published:
        dated_by_plan(events, published, plan_report_days)
    return sorted(events, key=lambda e: ((e.date.value or "9") if e.date else "9", e.type, e.id))


def dated_by_plan(events: list[Event], published: dict[str, dt.date], report_days: int = ExtractSettings.plan_report_days) -> None:
    """"Voight is scheduled to meet Solberg on Thursday" (a preview) and "Voight met Solberg"
    (Thursday's report, no date in its paragraph): the meeting was on Thursday. An occurred
    event with no date of its own takes the one day its linked plans name, when every report
    of it appeared on that day or up to `report_days` after (a later report may be of
    another meeting). The date is marked `anchor_from="plan"`; the event id keeps no date."""
    by_id = {e.id: e for e in events}
    for e in events:
        if e.status not in ("occurred", "reported") or e.date is not None:
            continue
        plans = [by_id[i].date for i in e.linked if i in by_id and by_id[i].date]
        days = {timex.day_of(p) for p in plans}
        if len(days) != 1 or None in days:
            continue
        (day,) = days
        reports = [published.get(a) for a in e.articles]
        if reports and all(r is not None and 0 <= (r - day).days <= report_days for r in reports):
            plan = plans[0]  # every plan names that day
            e.date = TimeValue(day.isoformat(), plan.text, plan.anchor, "plan")


def _fullest(names: list[str]) -> list[str]:
    """Distinct names, each by its fullest form."""
    out: list[str] = []
    for n in sorted(names, key=lambda n: -len(n)):
        if not any(same_name(n, o) for o in out):
            out.append(n)
    return out


def _distinct(people: list[Participant]) -> list[Participant]:
    """Distinct participants (by entity, else name), each by its fullest name, keeping the
    entity id any of its mentions was resolved to."""
    out: list[Participant] = []
    for p in sorted(people, key=lambda p: (p.entity is None, -len(p.name))):
        same = next((i for i, o in enumerate(out) if same_participant(p, o)), None)
        if same is None:
            out.append(p)
        elif len(p.name) > len(out[same].name) and (p.entity is None or p.entity == out[same].entity):
            out[same] = Participant(p.name, p.start, p.end, p.label, p.via, out[same].entity or p.entity)
    return out


def _value(p: Participant) -> str:
    return p.entity or p.name


def _event_of(group: list[EventMention], story_id: str) -> Event:
    actors = _distinct([p for m in group for p in m.actors if p.via != "collective"])
    counterparts = [c for c in _distinct([p for m in group for p in m.counterparts if p.via != "collective"])
                    if not any(same_participant(c, a) for a in actors)]
    if LEXICON[group[0].type].symmetric:
        # "Singh met Hegseth" and "Hegseth met Singh": who leads most mentions is the actor
        leads = [m.actors[0] for m in group if m.actors]
        everyone = _distinct(actors + counterparts)
        everyone.sort(key=lambda p: -sum(same_participant(p, q) for q in leads))
        actors, counterparts = everyone[:1], everyone[1:]
    own = [m.date for m in group if m.date is not None and m.date_from == "own"] or [m.date for m in group if m.date]
    date = None
    if own:
        days = Counter(d.value for d in own if timex.day_of(d))
        best = days.most_common(1)[0][0] if days else Counter(d.value for d in own).most_common(1)[0][0]
        date = next(d for d in own if d.value == best)
    places = Counter(m.place for m in group if m.place)
    place = _fullest_place(places)
    objects = Counter(m.object for m in group if m.object)
    obj = max(objects, key=lambda o: (objects[o], len(o))) if objects else None
    statuses = Counter(m.status for m in group)
    status = "occurred" if statuses.get("occurred") else statuses.most_common(1)[0][0]
    details: dict[str, str] = {}
    for m in group:
        for k, v in m.details.items():
            details.setdefault(k, v)
    actors_v, counterparts_v = [_value(p) for p in actors], [_value(p) for p in counterparts]
    key = "|".join(
        [story_id, group[0].type, *sorted(actors_v + counterparts_v), obj or "", status, date.value if date and date.value else ""]
    )
    eid = "ev_" + hashlib.sha1(key.encode()).hexdigest()[:12]
    ev = Event(
        id=eid,
        type=group[0].type,
        actors=actors_v,
        counterparts=counterparts_v,
        object=obj,
        place=place,
        date=date,
        status=status,
        evidence=[m.evidence for m in group if m.evidence],
        details=details,
    )
    return ev


def _fullest_place(places: Counter) -> str | None:
    if not places:
        return None
    # the most named place; a city beats its country only by count
    return max(places, key=lambda p: (places[p], len(p)))
