"""Roles and titles of people, read off the words around a person's name.

Two patterns, each giving the role as written, its normalised form, and the evidence span
(role and name together):

- pre-modifier: a run of capitalised words (with "of", "to", "for", "and", "the",
  possessive "'s" and "former"/"acting"/"deputy" inside) directly before the name, holding
  a role word: "US Secretary of War Pete Hegseth", "China's Minister of National Defence
  Admiral Dong Jun" (the rank "Admiral" goes to the titles, the role is what precedes it);
- apposition: "India's High Commissioner to Malaysia, B.N. Reddy" and "B.N. Reddy, India's
  High Commissioner to Malaysia" — only when the parser attaches one to the other as
  `appos`, so "... talks with the Indian Defence Minister, Hegseth posted" gives nothing.

Normalised roles drop the country in front ("US", "China's", "Singaporean"), fold spelling
("defense" -> "defence"), expand "PM", turn "Defence Minister" into "minister of defence"
and drop "national", so "Chinese Defence Minister" and "China's Minister of National
Defence" compare equal while "Secretary of War" and "Secretary of Defence" do not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import text as names
from ..settings import EntitySettings

ROLE_WORDS = frozenset(
    """
    minister ministers secretary president vice-president premier chancellor commissioner ambassador envoy
    consul attache attaché chief director spokesperson spokesman spokeswoman chairman chairwoman chairperson chair
    ceo cfo coo cto head leader governor mayor senator congressman congresswoman representative lawmaker mp
    speaker king queen prince princess emperor monarch sultan commander officer adviser advisor
    counsellor counselor deputy undersecretary under-secretary secretary-general pm fm judge justice prosecutor
    attorney founder executive manager president-elect chief-of-staff commandant
    """.split()
)
CONNECTORS = frozenset({"of", "to", "for", "and", "the", "on", "in", "at"})
LOWER_MODIFIERS = frozenset({"former", "acting", "deputy", "then", "incoming", "outgoing", "interim"})
_SPELLING = {"defense": "defence", "pm": "prime minister", "fm": "foreign minister", "ceo": "chief executive officer"}


@dataclass(frozen=True)
class RoleHit:
    surface: str  # as written: "US Secretary of War"
    normalised: str  # "secretary of war"
    start: int  # evidence: role and name together, offsets in the paragraph Doc's text
    end: int


def normalise(surface: str) -> str:
    """The comparable form of a role: country qualifiers off, spelling folded."""
    words = names.key(surface).split()
    words = [w for word in words for w in _SPELLING.get(word, word).split()]
    # leading country / demonym qualifiers ("us", "china", "south korea", "indian", "the")
    while len(words) > 1:
        if words[0] == "the" or names.country(words[0]):
            words = words[1:]
        elif len(words) > 2 and names.country(" ".join(words[:2])):
            words = words[2:]
        else:
            break
    # trailing "of <country>": "defence minister of malaysia"
    if len(words) > 3 and words[-2] == "of" and names.country(words[-1]):
        words = words[:-2]
    words = [w for w in words if w != "national"]
    # "defence minister" -> "minister of defence" (not "prime minister", "chief minister")
    if len(words) >= 2 and words[-1] in ("minister", "secretary") and words[-2] not in ("prime", "chief", "deputy", "vice", "general"):
        i = len(words) - 1
        lead = [w for w in words[:i] if w in LOWER_MODIFIERS]
        rest = [w for w in words[:i] if w not in LOWER_MODIFIERS]
        words = lead + [words[-1], "of"] + rest
    return " ".join(words)


def _is_role_token(tok) -> bool:
    return tok.lower_ in ROLE_WORDS or tok.lower_.rstrip("s") in ROLE_WORDS


def _title_like(tok) -> bool:
    return tok.is_alpha and (tok.is_title or tok.is_upper) or bool(re.fullmatch(r"[A-Z][\w.-]*", tok.text))


def _scan_back(doc, i: int) -> int | None:
    """Start token index of a role phrase ending at token i-1, or None."""
    if i == 0 or doc[i - 1].lower_ in CONNECTORS:
        return None
    j = i
    while j > 0:
        tok = doc[j - 1]
        if tok.ent_type_ == "PERSON":  # another person's name: the phrase ends there
            break
        if _title_like(tok) or tok.lower_ in CONNECTORS or tok.text in ("'s", "’s") or tok.lower_ in LOWER_MODIFIERS:
            j -= 1
            continue
        break
    # trim leading connectors, possessive leftovers and capitalised non-nouns ("Earlier")
    while j < i and (
        doc[j].lower_ in CONNECTORS
        or doc[j].text in ("'s", "’s")
        or (doc[j].pos_ not in ("PROPN", "NOUN", "ADJ") and doc[j].lower_ not in LOWER_MODIFIERS)
    ):
        j += 1
    if j >= i or not any(_is_role_token(t) for t in doc[j:i]):
        return None
    # the phrase must end in the role (or its complement): "Minister Admiral" is handled by
    # the caller, which strips ranks first
    return j


def _scan_forward(doc, i: int) -> int | None:
    """End token index (exclusive) of a role phrase starting at token i, or None."""
    j = i
    while j < len(doc) and doc[j].lower_ in ("the", "a", "an"):
        j += 1
    k = j
    while k < len(doc):
        tok = doc[k]
        if tok.ent_type_ == "PERSON":
            break
        if _title_like(tok) or tok.lower_ in CONNECTORS or tok.text in ("'s", "’s") or tok.lower_ in LOWER_MODIFIERS:
            k += 1
            continue
        break
    while k > j and (doc[k - 1].lower_ in CONNECTORS or doc[k - 1].text in ("'s", "’s")):
        k -= 1
    if k <= j or not any(_is_role_token(t) for t in doc[j:k]):
        return None
    return k


def find_roles(
    doc, name_start: int, name_end: int, titles_start: int, max_tokens: int = EntitySettings.max_role_tokens
) -> list[RoleHit]:
    """Roles of the person whose name is doc[name_start:name_end] (token indices), with any
    honorific/rank tokens from titles_start to name_start already set apart; a lower-case
    role spans at most `max_tokens` tokens (settings.entities.max_role_tokens)."""
    hits: list[RoleHit] = []
    name = doc[name_start:name_end]
    # 1. pre-modifier, directly before the titles/name
    j = _scan_back(doc, titles_start)
    if j is None:
        j = _lowercase_role_before(doc, titles_start, name, max_tokens)
    if j is not None:
        span = doc[j:titles_start]
        hits.append(RoleHit(span.text, normalise(span.text), span.start_char, name.end_char))
    # 2. apposition: ROLE , NAME
    if j is None and titles_start >= 2 and doc[titles_start - 1].text == ",":
        k = _scan_back(doc, titles_start - 1)
        if k is not None:
            span = doc[k : titles_start - 1]
            if _appos(span, name):
                hits.append(RoleHit(span.text, normalise(span.text), span.start_char, name.end_char))
    # 3. apposition: NAME , ROLE
    if name_end < len(doc) - 1 and doc[name_end].text == ",":
        k = _scan_forward(doc, name_end + 1) or _lowercase_role_after(doc, name_end + 1, name, max_tokens)
        if k is not None:
            span = doc[name_end + 1 : k]
            while span and span[0].lower_ in ("the", "a", "an"):
                span = span[1:]
            if span and _appos(span, name):
                hits.append(RoleHit(span.text, normalise(span.text), name.start_char, span.end_char))
    return hits


def _lowercase_role_before(doc, i: int, name, max_tokens: int) -> int | None:
    """Start of a role written in lower case right before the name and hung on it by the
    parse, with its own modifiers: "HWF general secretary Tomas Rellick", "port authority
    chair Ines Marwood" (the capitalised scan above stops at "secretary")."""
    if i == 0:
        return None
    role = doc[i - 1]
    if not _is_role_token(role) or role.dep_ not in ("compound", "nmod", "appos") or not name.start <= role.head.i < name.end:
        return None
    j = role.left_edge.i
    return j if 0 < i - j <= max_tokens and not any(t.ent_type_ == "PERSON" for t in doc[j:i]) else None


def _lowercase_role_after(doc, i: int, name, max_tokens: int) -> int | None:
    """End of a role in apposition after the name, with its complement: "Ines Marwood,
    chair of the port authority, said"."""
    while i < len(doc) and doc[i].lower_ in ("the", "a", "an"):
        i += 1
    if i >= len(doc):
        return None
    role = doc[i]
    if not _is_role_token(role) or role.dep_ != "appos" or not name.start <= role.head.i < name.end:
        return None
    k = role.right_edge.i + 1
    return k if k - i <= max_tokens and not any(t.ent_type_ == "PERSON" for t in doc[i:k]) else None


def _appos(role, name) -> bool:
    """Does the parse attach the role and the name to each other as an apposition?"""
    role_tokens = {t.i for t in role}
    name_tokens = {t.i for t in name}
    for tok in name:
        if tok.dep_ == "appos" and tok.head.i in role_tokens:
            return True
    for tok in role:
        if tok.dep_ == "appos" and tok.head.i in name_tokens:
            return True
    return False
