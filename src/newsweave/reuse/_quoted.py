"""Where a text is inside double quotation marks (straight " or curly “ ” „ « »).

Shared quoted text is not reuse: two outlets that print the same post of a minister copied
the minister, not each other. This module only finds the quoted stretches; `align` uses
them to tell quotes from narrative.

Rules, per paragraph: an opening mark (“ „ «) opens, a closing mark (” ») closes, a straight
" toggles. A closing mark with nothing open closes a quote that began in an earlier
paragraph (the press convention of re-opening every paragraph of a long quote), so the
paragraph is quoted from its start. A quote still open at the end of a paragraph runs to the
paragraph's end. Single quotes (‘ ’ ') are ignored: they are apostrophes or title marks
("the 'Framework for ...'") far more often than speech.
"""

from __future__ import annotations

import re

import numpy as np

from ..records import paragraph_spans

OPEN = "“„«"
CLOSE = "”»"
TOGGLE = '"'
MARKS = re.compile(f"[{OPEN}{CLOSE}{TOGGLE}]")


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every quoted stretch, quotation marks included."""
    spans: list[tuple[int, int]] = []
    for p_start, p_end in paragraph_spans(text):
        opened: int | None = None
        for mark in MARKS.finditer(text, p_start, p_end):
            i, ch = mark.start(), mark.group()
            if ch in OPEN or (ch == TOGGLE and opened is None):
                if opened is None:
                    opened = i
            elif ch in CLOSE or ch == TOGGLE:
                start = p_start if opened is None else opened
                spans.append((start, i + 1))
                opened = None
        if opened is not None:
            spans.append((opened, p_end))
    return spans


def quoted_mask(text: str, starts: np.ndarray) -> np.ndarray:
    """For token start offsets, True where the token lies inside a quoted stretch."""
    mask = np.zeros(len(starts), dtype=bool)
    for start, end in quoted_spans(text):
        lo, hi = np.searchsorted(starts, [start, end])
        mask[lo:hi] = True
    return mask
