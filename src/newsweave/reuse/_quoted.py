"""Where a text is inside double quotation marks (straight " or curly “ ” „ « »).

Shared quoted text is not reuse: two outlets that print the same post of a minister copied
the minister, not each other. This module only finds the quoted stretches; `align` uses
them to tell quotes from narrative.

The marks are found and paired by the text toolkit's one scanner (`text.scan_quotes`, the
straight " toggling). Reuse's policy: every span it returns is quoted text, so a closing
mark with nothing open quotes its paragraph from the start and a quote still open at the
end of a paragraph runs to the paragraph's end.
"""

from __future__ import annotations

import numpy as np

from ..text import scan_quotes


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every quoted stretch, quotation marks included."""
    return [(q.start, q.end) for q in scan_quotes(text, straight="toggle")]


def quoted_mask(text: str, starts: np.ndarray) -> np.ndarray:
    """For token start offsets, True where the token lies inside a quoted stretch."""
    mask = np.zeros(len(starts), dtype=bool)
    for start, end in quoted_spans(text):
        lo, hi = np.searchsorted(starts, [start, end])
        mask[lo:hi] = True
    return mask
