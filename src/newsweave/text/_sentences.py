"""The project's one sentence splitter: spaCy's sentences of the cached parse, repaired.

    split_doc(doc) -> [(start, end)]                 character spans in the doc's text
    article_sentences(article_doc) -> [(start, end)] spans in the article's clean text

spaCy's small model splits after abbreviations it does not know ("Dr.", "Gen.", "U.S.",
an initial "J."), inside a quotation, and at a line break that is only wrapping. Each
repair here joins two of spaCy's sentences back into one; nothing is ever split anew, so a
sentence is always a run of whole spaCy tokens and its span is exact.
"""

from __future__ import annotations

import re

# Titles and ranks written before a name: a sentence never ends on one.
TITLES = frozenset(
    "mr mrs ms dr gen lt col sgt capt cpt maj adm cmdr brig prof rev sen rep gov pres supt insp det "
    "st mt ft hon fr sr messrs atty gen. esq".split()
)
# Abbreviations that may end a sentence but usually do not: joined when the next piece does
# not look like a sentence start (lower case, a digit, or a closing bracket).
ABBREVIATIONS = frozenset(
    "no nos vs etc inc co corp ltd jr bros dept est approx ave blvd jan feb mar apr jun jul aug sep sept oct nov dec "
    "a.m p.m u.s u.n u.k e.u d.c l.a n.y u.s.a".split()
)
INITIAL = re.compile(r"^(?:[A-Z]\.)+$")  # "J.", "H.R."
TERMINAL = re.compile(r"[.!?][\"'”’)\]]*$")


def _bare(token_text: str) -> str:
    return token_text.rstrip(".").lower()


def _ends_on_title(sent) -> bool:
    """The piece ends with a title or an initial ("Dr.", "Gen.", "J."), or with an
    abbreviation split off as its own token ("Dr" + ".")."""
    last = sent[-1]
    text = last.text
    if text == "." and len(sent) > 1 and sent[-2].whitespace_ == "":
        text = sent[-2].text + "."
    if not text.endswith("."):
        return False
    return _bare(text) in TITLES or bool(INITIAL.match(text))


def _ends_on_abbreviation(sent) -> bool:
    text = sent[-1].text
    if text == "." and len(sent) > 1 and sent[-2].whitespace_ == "":
        text = sent[-2].text + "."
    return text.endswith(".") and _bare(text) in ABBREVIATIONS


def _starts_like_continuation(sent) -> bool:
    """What follows does not start a sentence: lower case, a digit or closing punctuation."""
    first = next((t for t in sent if not t.is_space), None)
    if first is None:
        return True
    ch = first.text[0]
    return ch.islower() or ch.isdigit() or ch in ",;:)]%"


def _wrapped_line(prev, nxt) -> bool:
    """A line break inside a sentence: the piece before it ends without terminal punctuation
    on a break and the next piece starts in lower case."""
    gap = prev.doc.text[prev.end_char : nxt.start_char]
    return "\n" in (gap or prev[-1].text_with_ws) and not TERMINAL.search(prev.text.rstrip()) and _starts_like_continuation(nxt)


def _join(prev, nxt) -> bool:
    if _ends_on_title(prev):
        return True
    if _starts_like_continuation(nxt):
        return True
    if _ends_on_abbreviation(prev) and not nxt[0].is_sent_start:
        return True
    return _wrapped_line(prev, nxt)


def split_doc(doc) -> list[tuple[int, int]]:
    """Sentence spans (characters of `doc.text`, surrounding space trimmed) after repair."""
    spans: list[list[int]] = []
    prev = None
    for sent in doc.sents:
        if not sent.text.strip():
            continue
        if prev is not None and _join(prev, sent):
            spans[-1][1] = sent.end_char
        else:
            spans.append([sent.start_char, sent.end_char])
        prev = sent
    text = doc.text
    out = []
    for start, end in spans:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            out.append((start, end))
    return out


def article_sentences(article_doc) -> list[tuple[int, int]]:
    """Every sentence of an article (nlp.ArticleDoc) as a span of its clean text."""
    return [(p.start + s, p.start + e) for p in article_doc.paragraphs for s, e in split_doc(p.doc)]
