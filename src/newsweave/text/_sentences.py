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

from ..nlp import doc_text

# Titles and ranks written before a name: a sentence never ends on one ("St." and "Sr." may:
# "Main St.", "John Smith Sr.").
TITLES = frozenset(
    "mr mrs ms dr gen lt col sgt capt cpt maj adm cmdr brig prof rev sen rep gov pres supt insp det "
    "mt ft hon fr messrs atty".split()
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


def _starts_like_continuation(sent) -> bool:
    """What follows does not start a sentence: lower case, a digit or closing punctuation."""
    first = next((t for t in sent if not t.is_space), None)
    if first is None:
        return True
    ch = first.text[0]
    return ch.islower() or ch.isdigit() or ch in ",;:)]%"


def _wrapped_line(prev, nxt) -> bool:
    """A line break inside a sentence: spaCy cut at a single line break (paragraphs are
    separated by blank lines, so inside one a break is wrapping) after a piece without end
    punctuation."""
    gap = doc_text(prev.doc)[prev.start_char : nxt.start_char][len(prev.text.rstrip()) :]
    return "\n" in gap and "\n\n" not in gap and not TERMINAL.search(prev.text.rstrip())


def _join(prev, nxt) -> bool:
    if _ends_on_title(prev):
        return True
    if _starts_like_continuation(nxt):  # "Rancho Mirage, Calif. | where she ..."
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
    text = doc_text(doc)
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


def shorten(text: str, limit: int) -> str:
    """`text` when it fits in `limit` characters, else cut at the last space before the limit
    (a word is never cut in half) with an ellipsis, `limit` characters at most."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    return (head[:space] if space > 0 else head).rstrip() + "…"
