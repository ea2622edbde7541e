"""Names: the comparison key of a mention, honorifics kept apart, countries and demonyms,
acronyms learned from the text.

    key("Dato' Seri Mohamed Khaled Nordin")   -> "dato seri mohamed khaled nordin"
    split_honorifics(...)                     -> (["Dato'", "Seri"], "Mohamed Khaled Nordin")
    key("B.N. Reddy") == key("B N Reddy")     -> "bn reddy"
    key("ASEAN Defence Ministers’ Meeting-Plus") == key("ASEAN Defence Ministers Meeting Plus")
    country("Malaysian") -> "Malaysia";  country("U.S.") -> "United States"
    find_acronyms(text) -> [Acronym("ADMM-Plus", "ASEAN Defence Ministers’ Meeting-Plus", ...)]

Everything here is a pure function of strings; resolve.py decides what to link.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

# Honorifics and ranks that precede a person's name. Multi-word ones first: "Tan" alone is a
# surname, "Sri" alone is a given name ("Sri Mulyani"), only "Tan Sri" / "Datuk Sri" are titles.
HONORIFICS: tuple[tuple[str, ...], ...] = tuple(
    sorted(
        (
            tuple(h.split())
            for h in """
            mr|mrs|ms|miss|mx|dr|prof|professor|sir|dame|lord|lady|madam|madame|monsieur|herr
            dato|datuk|datin|datuk seri|dato seri|dato sri|datuk sri|tan sri|toh puan|puan sri|tun|tunku|tengku
            seri|haji|hajjah|encik|puan|shri|smt|sheikh|sheikha|sayyid|mullah|ayatollah|imam|rabbi
            rev|reverend|father|pastor|bishop|cardinal|pope|saint|st
            admiral|adm|vice admiral|rear admiral|general|gen|lt gen|maj gen|brig gen|lieutenant general
            major general|brigadier general|brigadier|brig|lieutenant|lt|colonel|col|lt col|major|maj
            captain|capt|commander|cdr|commodore|marshal|air marshal|field marshal|sergeant|sgt|corporal|cpl
            private|pte|chief|justice|judge|senator|sen|rep|congressman|congresswoman|gov|governor|mayor
            president|vice president|premier|chancellor|king|queen|prince|princess|emperor|empress|crown prince
            """.replace("\n", "|").split("|")
            if h.strip()
        ),
        key=len,
        reverse=True,
    )
)

# Words that end an organisation's name without changing which organisation it is.
CORPORATE_SUFFIXES = frozenset(
    "inc incorporated corp corporation co company ltd limited plc llc llp ag sa spa nv bv gmbh group holdings".split()
)

_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "–": "-", "—": "-", "‑": "-"})
_PUNCT = re.compile(r"[^\w&' ]+")
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Accents dropped, quotes and dashes straightened, case folded."""
    text = text.translate(_QUOTES)
    if text.isascii():  # NFKD leaves ASCII as it is, and it has no combining marks
        return text.casefold()
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=1 << 16)  # a name recurs in every article of its story: entities keys each ~160 times per article
def key(text: str) -> str:
    """The comparison key of a name: folded, punctuation and possessives dropped, "the" off."""
    text = fold(text).replace(".", " ").replace("-", " ")
    text = re.sub(r"'s\b", "", text)
    text = _PUNCT.sub(" ", text).replace("'", "")
    text = _SPACES.sub(" ", text).strip()
    if text.startswith("the "):
        text = text[4:]
    # runs of initials become one word: "u s" -> "us", so "U.S." = "US", "B.N." = "BN"
    return _INITIALS.sub(lambda m: m.group(0).replace(" ", ""), text)


_INITIALS = re.compile(r"\b\w(?: \w)+\b")


def reporter_keys(*sources: str | None) -> set[str]:
    """Keys an outlet or agency is called by in its own text: its whole name and its trailing
    words ("The Riverside Gazette": "riverside gazette", "gazette")."""
    keys: set[str] = set()
    for name in sources:
        words = key(name).split() if name else []
        keys.update(" ".join(words[i:]) for i in range(len(words)))
    return keys


def split_honorifics(text: str) -> tuple[list[str], str]:
    """Leading honorifics/ranks of a person's name, as written, and the rest.
    Never strips the whole name: "General" alone stays a name."""
    words = text.split()
    titles: list[str] = []
    while len(words) > 1:
        folded = [key(w) for w in words]
        for h in HONORIFICS:
            n = len(h)
            if n < len(words) and tuple(folded[:n]) == h:
                titles.append(" ".join(words[:n]))
                words = words[n:]
                break
        else:
            break
    return titles, " ".join(words)


def is_honorific(word_key: str) -> bool:
    return (word_key,) in _HONORIFIC_SET


_HONORIFIC_SET = frozenset(HONORIFICS)


def strip_corporate(name_key: str) -> str:
    """"general motors corporation" -> "general motors"; never to nothing."""
    words = name_key.split()
    while len(words) > 1 and words[-1] in CORPORATE_SUFFIXES:
        words.pop()
    return " ".join(words)


def is_short_form(short: list[str], full: list[str]) -> bool:
    """Can the person-name tokens `short` stand for `full`? Its tokens appear in order in
    `full` and it keeps the surname (last token): "khaled nordin" / "nordin" for
    "mohamed khaled nordin", not "mohamed khaled"."""
    if not short or len(short) >= len(full) or short[-1] != full[-1]:
        return False
    i = 0
    for token in full:
        if i < len(short) and token == short[i]:
            i += 1
    return i == len(short)


# -- the same person ------------------------------------------------------------------
#
# Two questions, one word list each (`name_words`):
#   same_name(a, b)      the words of one are a subset of the other's, in any order: the
#                        events stage's rule for "is this mention that participant"
#                        ("Singh" ~ "Rajnath Singh");
#   is_short_form(s, f)  (above) in order and keeping the surname: the entities stage
#                        ("Khaled Nordin" ~ "Mohamed Khaled Nordin", not "Mohamed Khaled").

# Words `canonical` drops from the front of a name as written. Narrower than HONORIFICS
# (a participant's "King"/"Father"/"Chief" stays part of the name shown), wider in
# possessive titles ("his/her excellency") and office words ("minister", "secretary").
LEADING_TITLES = frozenset({
    "dato'", "dato’", "dato", "datuk", "seri", "sri", "tan", "tun", "shri", "smt", "mr", "mrs", "ms", "dr",
    "prof", "sir", "dame", "admiral", "adm", "gen", "general", "lt", "col", "colonel", "maj", "major",
    "capt", "captain", "president", "minister", "secretary", "sheikh", "his", "her", "excellency",
})  # fmt: skip


# canonical, name_words and same_name are pure functions of the name, asked about the same
# few names of an article over and over (each mention against each name the article knows):
# ~10% of the events stage's time for 1k articles, so they are memoised like `key`
@lru_cache(maxsize=1 << 16)
def canonical(name: str, titles: bool = True) -> str:
    """A name as written, without leading titles, a leading "the", possessives or quotes.
    `titles=False` keeps a leading title word: an organisation's name may begin with one
    ("General Motors", "General Electric")."""
    name = re.sub(r"[’']s$", "", name.strip(" \t\n,.;:‘’“”\"'()"))
    name = re.sub(r"^(?:the|The)\s+", "", name)
    words = [w for w in re.split(r"\s+", name) if w]
    while titles and len(words) > 1 and words[0].lower().strip(".") in LEADING_TITLES:
        words.pop(0)
    return " ".join(words)


def name_words(name: str) -> list[str]:
    """The words that identify a name as written, for comparison: `canonical`, dashes and
    dots dropped, spaced initials joined ("B.N. Reddy" and "B N Reddy" -> ["bn", "reddy"])."""
    return list(_name_words(name))


@lru_cache(maxsize=1 << 16)
def _name_words(name: str) -> tuple[str, ...]:
    out: list[str] = []
    for w in re.sub(r"[–—‐-]", " ", canonical(name)).replace(".", " ").replace("’", "'").split():
        if out and len(w) == 1 and w.isalpha() and len(out[-1]) <= 3 and out[-1].isalpha() and out[-1].isupper():
            out[-1] += w
        else:
            out.append(w)
    return tuple(w.lower() for w in out)


@lru_cache(maxsize=1 << 16)
def _word_set(name: str) -> frozenset[str]:
    return frozenset(_name_words(name))


def same_name(a: str, b: str) -> bool:
    """One name's words are a subset of the other's ("Singh" ~ "Rajnath Singh")."""
    wa, wb = _word_set(a), _word_set(b)
    return bool(wa and wb) and (wa <= wb or wb <= wa)


def plain_words(text: str) -> str:
    """Lower-case word characters only: corroborate's grouping key for an event's
    participants, which are entity ids ("ent_7b81f275c075") or, unresolved, names."""
    return " ".join(re.findall(r"\w+", text.lower()))


# -- countries and demonyms ---------------------------------------------------------------


# Display names where pycountry's name is not the one news uses.
DISPLAY = {"RU": "Russia", "BN": "Brunei", "PS": "Palestine", "CD": "DR Congo", "FM": "Micronesia", "VA": "Vatican City"}


@dataclass(frozen=True)
class Country:
    alpha2: str
    name: str


@lru_cache(maxsize=1)
def _country_table() -> tuple[dict[str, Country], dict[str, Country]]:
    """(name key -> Country, demonym key -> Country), from pycountry and data/countries.tsv."""
    import pycountry

    names: dict[str, Country] = {}
    demonyms: dict[str, Country] = {}
    by_code: dict[str, Country] = {}
    for c in pycountry.countries:
        country = Country(c.alpha_2, DISPLAY.get(c.alpha_2) or getattr(c, "common_name", None) or c.name)
        by_code[c.alpha_2] = country
        for value in (c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)):
            if value and "," not in value:
                names.setdefault(key(value), country)
    text = resources.files("newsweave").joinpath("data/countries.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, extra, dems = (line.split("\t") + ["", ""])[:3]
        country = by_code[code]
        for value in extra.split("|"):
            if value:
                names[key(value)] = country
        for value in dems.split("|"):
            if value:
                demonyms.setdefault(key(value), country)
    return names, demonyms


def country(text: str) -> Country | None:
    """The country a name or demonym stands for: "Malaysian" -> Malaysia, "U.S." -> United States."""
    names, demonyms = _country_table()
    k = key(text)
    return names.get(k) or demonyms.get(k)


def is_demonym(text: str) -> bool:
    return key(text) in _country_table()[1]


@lru_cache(maxsize=1)
def country_words() -> frozenset[str]:
    """Every country's name, common name and ISO codes as lower-case words as written
    ("united states", "malaysia", "us", "usa"): what marks a word as a country's."""
    import pycountry

    words: set[str] = set()
    for c in pycountry.countries:
        for name in (c.name, getattr(c, "common_name", ""), c.alpha_2, c.alpha_3):
            if name:
                words.add(name.lower())
    return frozenset(words)


# -- acronyms (Schwartz & Hearst 2003) ----------------------------------------------------


@dataclass(frozen=True)
class Acronym:
    short: str
    long: str
    short_start: int  # offsets in the text given to find_acronyms
    long_start: int

    @property
    def short_end(self) -> int:
        return self.short_start + len(self.short)

    @property
    def long_end(self) -> int:
        return self.long_start + len(self.long)


_PAREN = re.compile(r"\(([^()]{1,120})\)")
_WORD = re.compile(r"[\w'’.&-]+")


def find_acronyms(text: str) -> list[Acronym]:
    """Definitions "long form (SHORT)" and "SHORT (long form)" in `text`, by the
    Schwartz-Hearst rule: every letter of SHORT appears in order in the long form, the first
    one at the start of a word, and the long form has at most min(|SHORT|+5, 2|SHORT|) words."""
    found: list[Acronym] = []
    for m in _PAREN.finditer(text):
        inner = m.group(1).strip()
        inner_start = m.start(1) + m.group(1).index(inner)
        before = text[: m.start()].rstrip()
        if _looks_short(inner):
            words = list(_WORD.finditer(before))
            limit = min(len(inner) + 5, 2 * len(inner))
            candidates = words[-limit:]
            long_start = _match_long(inner, before, candidates)
            if long_start is not None:
                long = before[long_start:]
                found.append(Acronym(inner, long, inner_start, long_start))
        else:
            prev = list(_WORD.finditer(before))
            if not prev:
                continue
            short_m = prev[-1]
            if not _looks_short(short_m.group()) or short_m.end() != len(before):
                continue
            words = list(_WORD.finditer(inner))
            if _match_long(short_m.group(), inner, words) == 0:
                found.append(Acronym(short_m.group(), inner, short_m.start(), inner_start))
    return found


def _looks_short(text: str) -> bool:
    """An acronym candidate: one or two words, 2-12 characters, starts with a letter, has a
    capital, and is not just a capitalised word ("Reuters")."""
    words = text.split()
    if not 1 <= len(words) <= 2 or not 2 <= len(text) <= 12 or not text[0].isalnum():
        return False
    capitals = sum(c.isupper() for c in text)
    return capitals >= 2 and any(c.isalpha() for c in text)


def _match_long(short: str, text: str, words: list[re.Match]) -> int | None:
    """Start offset (in `text`) of the shortest run of trailing `words` that the letters of
    `short` match, Schwartz-Hearst style; None when they do not."""
    letters = [c.lower() for c in short if c.isalnum()]
    if not words:
        return None
    span_start = words[0].start()
    s = text[span_start : words[-1].end()].lower()
    si, li = len(letters) - 1, len(s) - 1
    while si >= 0:
        c = letters[si]
        while li >= 0 and (s[li] != c or (si == 0 and li > 0 and s[li - 1].isalnum())):
            li -= 1
        if li < 0:
            return None
        si -= 1
        li -= 1
    start = span_start + li + 1
    # extend back to the start of the word the first letter sits in
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    long = text[start:]
    if len(long.split()) < 2 and len(long) <= len(short) + 1:
        return None
    return start
