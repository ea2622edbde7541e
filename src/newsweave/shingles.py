"""Words, word n-gram shingles and their fingerprints, as numpy arrays with clean-text offsets.

Text reuse works on a normalised token stream: lower-cased runs of letters and digits
(`\\w+`), so "B.N. Reddy" and "B N Reddy", "Meeting-Plus" and "Meeting - Plus" give the
same tokens. Each token keeps the character offsets of its surface form in the clean text,
so anything found on tokens maps back to exact spans.

Hashes are stable 64-bit integers (blake2b of the token, then an n-gram mix), so they can be
persisted and compared across runs and processes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np

WORD = re.compile(r"\w+")
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_MUL = np.uint64(0x9E3779B97F4A7C15)
_token_cache: dict[str, int] = {}


@dataclass(frozen=True)
class Tokens:
    """The normalised tokens of one text: `hashes[i]` is token i; `starts/ends` its offsets."""

    hashes: np.ndarray  # uint64
    starts: np.ndarray  # int64, offsets in the text
    ends: np.ndarray  # int64
    paragraph: np.ndarray  # int64, the paragraph (blank-line separated block) of each token

    def __len__(self) -> int:
        return len(self.hashes)


def token_hash(token: str) -> int:
    value = _token_cache.get(token)
    if value is None:
        value = int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "little")
        if len(_token_cache) < 2_000_000:
            _token_cache[token] = value
    return value


def tokenize(text: str) -> Tokens:
    matches = list(WORD.finditer(text))
    hashes = np.fromiter((token_hash(m.group().lower()) for m in matches), dtype=np.uint64, count=len(matches))
    starts = np.fromiter((m.start() for m in matches), dtype=np.int64, count=len(matches))
    ends = np.fromiter((m.end() for m in matches), dtype=np.int64, count=len(matches))
    breaks = np.fromiter((m.start() for m in PARAGRAPH_BREAK.finditer(text)), dtype=np.int64)
    return Tokens(hashes, starts, ends, np.searchsorted(breaks, starts))


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads n-gram hashes so that minima are unbiased."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def shingles(hashes: np.ndarray, n: int) -> np.ndarray:
    """Hash of every word n-gram (position i covers tokens i..i+n-1); a text shorter than
    n tokens gives one shingle of all its tokens (or none when empty)."""
    m = len(hashes)
    if m == 0:
        return np.zeros(0, dtype=np.uint64)
    k = min(n, m)
    out = np.zeros(m - k + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            out = out * _MUL + hashes[j : m - k + 1 + j]
        return _mix(out)


def winnow(hashes: np.ndarray, window: int) -> np.ndarray:
    """Positions chosen by winnowing (Schleimer et al. 2003): the rightmost minimum of every
    window of `window` consecutive hashes. Any shared run of at least `window` shingles
    shares at least one chosen hash, whatever surrounds it."""
    m = len(hashes)
    if m == 0:
        return np.zeros(0, dtype=np.int64)
    if m <= window:
        return np.array([m - 1 - int(np.argmin(hashes[::-1]))], dtype=np.int64)
    view = np.lib.stride_tricks.sliding_window_view(hashes, window)
    rightmost = window - 1 - np.argmin(view[:, ::-1], axis=1)
    return np.unique(rightmost + np.arange(len(view)))


def as_signed(hashes: np.ndarray) -> np.ndarray:
    """uint64 hashes as int64, the integer type SQLite stores."""
    return hashes.view(np.int64)
