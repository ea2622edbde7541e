"""The project's one quote scanner: it finds the double quotation marks of a clean text and
pairs them, paragraph by paragraph, into spans that say whether they were opened and closed.

    scan_quotes(text, straight=..., marks=...) -> [QuoteSpan]

Pairing, per paragraph: an opening mark opens when nothing is open (a second one inside is
part of the quote), a closing mark closes what is open. A closing mark with nothing open
gives a span from the paragraph's start (`opened=False`: the press convention of re-opening
each paragraph of a long quote means it began earlier); a quote still open at the end of a
paragraph gives a span to the paragraph's end (`closed=False`). Single quotes (‘ ’ ') are
never marks: they are apostrophes or title marks ("the 'Framework for ...'") far more often
than speech.

The straight mark " has no direction of its own; two rules are in use:
- "toggle": it opens when nothing is open and closes otherwise (reuse);
- "position": it opens at a word's start (after space, a bracket or a dash) and closes
  otherwise (events' quotes).

What a caller does with unopened and unclosed spans is its policy: reuse counts every span
as quoted text; events drops them, except that an unclosed quote continues into the next
paragraph when that paragraph opens with a mark (`continued_quotes`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from ..records import paragraph_spans

OPENING = "“„«"
CLOSING = "”»"
STRAIGHT = '"'
ALL_MARKS = OPENING + CLOSING + STRAIGHT
# events' quotes read curly and low marks only: guillemets never reached its tuning data
CURLY_AND_STRAIGHT = "“„”" + STRAIGHT
_WORD_START = "([{—–-"


@dataclass(frozen=True)
class QuoteSpan:
    start: int  # the opening mark, or the paragraph's start when `opened` is False
    end: int  # just after the closing mark, or the paragraph's end when `closed` is False
    opened: bool
    closed: bool

    @property
    def inner(self) -> tuple[int, int]:
        """The quoted words: the span without its marks."""
        return self.start + self.opened, self.end - self.closed


def _opens(text: str, i: int, ch: str, is_open: bool, straight: str) -> bool:
    if ch in OPENING:
        return True
    if ch in CLOSING:
        return False
    if straight == "toggle":
        return not is_open
    before = text[i - 1] if i else "\n"
    return before.isspace() or before in _WORD_START


def scan_quotes(text: str, straight: str = "toggle", marks: str = ALL_MARKS) -> list[QuoteSpan]:
    """Every quoted stretch of `text`, in order (rules in the module docstring)."""
    if straight not in ("toggle", "position"):
        raise ValueError(f"straight must be 'toggle' or 'position', not {straight!r}")
    spans: list[QuoteSpan] = []
    found = _marks_pattern(marks) if marks else None
    if found is None or found.search(text) is None:
        return spans
    for p_start, p_end in paragraph_spans(text):
        # the marks only, found by a regex, not every character visited
        _pair(text, p_start, p_end, (m.start() for m in found.finditer(text, p_start, p_end)), straight, spans)
    return spans


def _pair(text: str, p_start: int, p_end: int, marks: Iterable[int], straight: str, spans: list[QuoteSpan]) -> None:
    """Pair the marks at these positions of one paragraph into spans (appended)."""
    opened: int | None = None
    for i in marks:
        ch = text[i]
        if _opens(text, i, ch, opened is not None, straight):
            if opened is None:
                opened = i
        elif opened is not None:
            spans.append(QuoteSpan(opened, i + 1, True, True))
            opened = None
        else:
            spans.append(QuoteSpan(p_start, i + 1, False, True))
    if opened is not None:
        spans.append(QuoteSpan(opened, p_end, True, False))


@lru_cache(maxsize=8)
def _marks_pattern(marks: str) -> re.Pattern:
    return re.compile("[" + re.escape(marks) + "]")


def continued_quotes(text: str, spans: list[QuoteSpan]) -> list[list[QuoteSpan]]:
    """Quotes that open with a mark and close with one, an unclosed one joined to the span
    that opens the very next paragraph (newspaper style: "“... [paragraph] “... ”").
    Unopened spans and unclosed quotes that do not continue are left out."""
    out: list[list[QuoteSpan]] = []
    chain: list[QuoteSpan] = []
    for s in spans:
        if not s.opened:
            chain = []
            continue
        if chain and not _opens_next_paragraph(text, chain[-1], s):
            chain = []
        chain.append(s)
        if s.closed:
            out.append(chain)
            chain = []
    return out


def _opens_next_paragraph(text: str, prev: QuoteSpan, nxt: QuoteSpan) -> bool:
    """`nxt`'s mark starts the paragraph right after the one `prev` ran to the end of."""
    return text[: nxt.start].endswith("\n\n") and "\n\n" not in text[prev.end + 2 : nxt.start]
