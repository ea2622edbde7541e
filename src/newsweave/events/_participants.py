"""Who takes part: names from the parse, their canonical form, and what pronouns point to.

Shared by events (actors, counterparts) and quotes (speakers):

- names are compared by the text toolkit: `text.canonical(name)` drops honorifics ("Dato'
  Seri Mohamed Khaled Nordin" -> "Mohamed Khaled Nordin"); `text.same_name(a, b)` holds when
  the words of one are a subset of the other's, initials compared without dots ("Singh" ~
  "Rajnath Singh", "B N Reddy" ~ "B.N. Reddy").
- `ArticlePeople` knows the names an article mentions and expands a short mention to the
  longest compatible one of the same article ("Hegseth" -> "Pete Hegseth"), even when the
  tagger called the short one a place (spaCy often labels a lone "Singh" GPE).
- `participant(token)` turns a token of the parse into a `Participant` (name + offsets),
  looking through titles ("India's High Commissioner to Malaysia, B.N. Reddy").
- `Salience` tracks the last person named as a subject, for "he"/"his", and the last group
  of participants, for "the two leaders"/"both"/"they".

Resolution to entities goes through `resolver`, a function (store, article_id, start, end,
surface) -> entity id or None; `default_resolver` asks the entities stage.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .. import entities
from ..nlp import doc_ents, doc_memo, entity_at
from ..text import LEADING_TITLES as HONORIFICS
from ..text import canonical, name_words, same_name

TITLE_WORDS = {
    "minister", "secretary", "commissioner", "president", "premier", "chancellor", "ambassador",
    "defence", "defense", "foreign", "prime", "deputy", "chief", "general", "admiral", "high",
    "us", "u.s.", "war", "state", "counterpart", "leader", "head", "director", "spokesperson",
    "spokesman", "governor", "senator", "king", "queen", "prince", "crown", "vice", "union",
    "national", "of", "the", "external", "affairs", "home", "finance", "army", "navy", "staff",
}  # fmt: skip
NAME_LABELS = {"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC", "EVENT", "WORK_OF_ART", "LAW", "PRODUCT"}
AGENT_LABELS = {"PERSON", "ORG", "GPE"}
SINGULAR_PRONOUNS = {"he", "him", "his", "she", "her", "hers"}
FIRST_SINGULAR = {"i", "me", "my", "mine"}
FIRST_PLURAL = {"we", "us", "our", "ours"}
PLURAL_ANAPHORS = re.compile(
    r"^(?:they|them|their|both|both leaders|both sides|both ministers|the two|the two (?:leaders|ministers|sides|"
    r"men|officials|countries|nations)|the leaders|the ministers|the two defence ministers)$",
    re.I,
)


@dataclass(frozen=True)
class Participant:
    name: str  # canonical surface name
    start: int  # clean-text offsets of the mention
    end: int
    label: str = "PERSON"
    via: str = "name"  # name | pronoun | group | speaker
    entity: str | None = None  # the resolved entity's id, when entity resolution knows it


def same_participant(a: Participant, b: Participant) -> bool:
    """Resolved entities decide when both are resolved; names otherwise."""
    if a.entity and b.entity:
        return a.entity == b.entity
    return same_name(a.name, b.name)


CLAUSE_DEPS = ("relcl", "acl", "advcl", "ccomp")  # a clause on a name says something about it, it is not part of it
ORG_LABELS = ("ORG",)  # names that keep a leading "General" ("General Motors Corporation")


def _words(name: str) -> set[str]:
    return set(name_words(name))


class ArticlePeople:
    """The names one article mentions, to expand short mentions to the fullest form."""

    def __init__(self, names: list[tuple[str, str]]) -> None:
        # (canonical name, label); longest first so expansion picks the fullest
        seen: dict[str, str] = {}
        for name, label in names:
            c = canonical(name, titles=label not in ORG_LABELS)
            if c and c not in seen:
                seen[c] = label
        self.names = sorted(seen.items(), key=lambda kv: -len(kv[0]))

    @classmethod
    def from_doc(cls, adoc) -> "ArticlePeople":
        names = []
        for para in adoc.paragraphs:
            for ent in doc_ents(para.doc):
                if ent.label_ in ("PERSON", "ORG"):
                    names.append((ent.text, ent.label_))
        return cls(names)

    def expand(self, name: str, label: str | None = None) -> tuple[str, str | None]:
        """The fullest compatible name known in the article (and its label), else `name`
        (`label`: the mention's entity label; an organisation keeps a leading title word)."""
        c = canonical(name, titles=label not in ORG_LABELS)
        for known, label in self.names:
            if same_name(c, known) and len(_words(known)) >= len(_words(c)):
                return known, label
        return c, None


def _entity_of(token):
    """The named-entity span that holds `token`, if any."""
    return entity_at(token)


def _strip_titles(tokens) -> list:
    words = [t for t in tokens if t.pos_ in ("PROPN",) or (t.text[:1].isupper() and t.pos_ != "DET")]
    while words and words[0].text.lower().strip("’'s") in TITLE_WORDS | HONORIFICS:
        words.pop(0)
    return words


def name_span(token):
    """(start_char, end_char, text, label) of the name `token` heads, or None when it is no name.

    Looks through titles: the token's own entity; a PERSON inside its subtree ("Minister of
    National Defence Admiral Dong Jun"); a PERSON in apposition right after it ("High
    Commissioner to Malaysia, B.N. Reddy"); else its proper-noun chain without title words.
    Found once per token (kept with the Doc): the quotes' speakers and the event frames ask
    for the same subjects (24k calls for 15k tokens on 1k articles)."""
    found = doc_memo(token.doc, "name_span")
    if token.i not in found:
        found[token.i] = _name_span(token)
    return found[token.i]


def _name_span(token):
    ent = _entity_of(token)
    if ent is not None and ent.label_ in NAME_LABELS and ent.label_ not in ("NORP",):
        text = ent.text
        if text.lower().startswith("the "):
            return ent.start_char + 4, ent.end_char, text[4:], ent.label_
        return ent.start_char, ent.end_char, text, ent.label_
    doc = token.doc
    clauses = [c for c in token.children if c.dep_ in CLAUSE_DEPS]  # "Yeager, who met Page": Page is not Yeager
    inside = {t.i for c in clauses for t in c.subtree}
    sub = [t for t in token.subtree if t.i not in inside]
    for t in sub:
        e = _entity_of(t)
        if e is None or e.end > sub[-1].i + 1:
            continue
        if e.end <= token.i and token.pos_ == "NOUN" and token.lower_ not in TITLE_WORDS | HONORIFICS:
            continue  # "Oscar organizers", "the Obama administration": the name only modifies another head
        if e.label_ == "PERSON" or (e.label_ in ("ORG", "GPE") and doc[e.end - 1].dep_ == "appos"):
            return e.start_char, e.end_char, e.text, "PERSON"
    # apposition after the phrase: "High Commissioner to Malaysia, B.N. Reddy" (the parser
    # may hang the name elsewhere): skip a short prepositional tail, then ", NAME"
    # or right after its title words ("Minister of National Defence Admiral Dong Jun")
    starts = {e.start: e for e in doc_ents(doc) if e.label_ in ("PERSON", "ORG")}
    j = sub[-1].i + 1
    limit = min(len(doc), j + 6)
    while j < limit and doc[j].text != "," and doc[j].pos_ in ("ADP", "PROPN", "DET", "PART"):
        if j in starts and starts[j].label_ == "PERSON":
            e = starts[j]
            return e.start_char, e.end_char, e.text.rstrip("."), "PERSON"
        j += 1
    if j < len(doc) and doc[j].text == "," and j + 1 in starts:
        e = starts[j + 1]
        return e.start_char, e.end_char, e.text, "PERSON"
    if token.pos_ == "PROPN":
        chain = [t for t in sub if t.pos_ == "PROPN" and t.i <= token.i and token.i - t.i <= 4]
        chain = [t for t in chain if all(doc[k].pos_ == "PROPN" for k in range(t.i, token.i + 1))]
        words = _strip_titles(chain)
        if words:
            return words[0].idx, words[-1].idx + len(words[-1].text), doc[words[0].i : words[-1].i + 1].text, "PERSON"
    return None


Resolver = Callable[[object, str, int, int, str], "str | None"]


def default_resolver() -> Resolver:
    """`entities.entity_at` (-> the entity's id), kept when the entity covers the name.
    Each entity's names are read once per resolver (one stage run), and only its names
    (`entities.name_forms`): an entity carries every mention in the store, so loading it
    whole made each new article cost more as the store grew.

    The one place that knows about entity resolution."""
    loaded: dict[str, tuple[str, list[str]] | None] = {}

    def resolver(store, article_id, start, end, surface):
        eid = entities.entity_id_at(store, article_id, start, end)
        if eid is None:
            return None
        if eid not in loaded:
            loaded[eid] = entities.name_forms(store, eid)
        found = loaded[eid]
        return found[0] if found is not None and names_cover(found[1], surface) else None

    return resolver


def entity_covers(entity, surface: str) -> bool:
    """Whether a resolved entity can stand for a participant's name (`names_cover`)."""
    return names_cover([entity.name, *getattr(entity, "aliases", [])], surface)


def names_cover(forms: list[str], surface: str) -> bool:
    """Whether an entity of these names can stand for a participant's name: one of its names
    holds all the name's words ("Singh" -> Rajnath Singh, "HWF" -> an alias). An entity that
    has only part of the name ("Vesna" for "Vesna Darrow") or another name altogether
    ("Estmark's Port of Aldmere" for "Maren Solberg") is a tagger's or an offset's mistake:
    the name stays."""
    words = _words(surface)
    if not words:
        return True
    return any(words <= _words(n) for n in forms)


def display_name(store, value: str) -> str:
    """An entity id's name (a plain name is returned as it is)."""
    found = entities.get(store, value)
    return found.name if found is not None else value


@dataclass
class Salience:
    """What pronouns can point to, as an article is read in order."""

    last_person: Participant | None = None
    last_group: list[Participant] = field(default_factory=list)
    group_source: object = None  # the event mention that named the group

    def note_subject(self, p: Participant) -> None:
        if p.label == "PERSON":
            self.last_person = p

    def note_group(self, people: list[Participant], source=None) -> None:
        if len({p.name for p in people}) >= 2:
            self.last_group = people
            self.group_source = source
