"""Words, word n-gram shingles and their fingerprints, as numpy arrays with clean-text offsets.

Text reuse works on a normalised token stream: lower-cased runs of letters and digits
(`\\w+`), so "B.N. Reddy" and "B N Reddy", "Meeting-Plus" and "Meeting - Plus" give the
same tokens. Each token keeps the character offsets of its surface form in the clean text,
so anything found on tokens maps back to exact spans.

Hashes are stable 64-bit integers (a polynomial hash of the lower-cased code points, then an
n-gram mix), computed with numpy over the whole text at once, so they can be persisted and
compared across runs and processes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_MUL = np.uint64(0x9E3779B97F4A7C15)
_P = 0x100000001B3  # odd: invertible modulo 2**64
_P_INV = pow(_P, -1, 2**64)


@dataclass(frozen=True)
class Tokens:
    """The normalised tokens of one text: `hashes[i]` is token i; `starts/ends` its offsets."""

    hashes: np.ndarray  # uint64
    starts: np.ndarray  # int64, offsets in the text
    ends: np.ndarray  # int64
    paragraph: np.ndarray  # int64, the paragraph (blank-line separated block) of each token

    def __len__(self) -> int:
        return len(self.hashes)


@lru_cache(maxsize=1)
def _char_tables() -> tuple[np.ndarray, np.ndarray]:
    """For every code point: is it a word character (as `\\w`: alphanumeric or "_"), and
    its lower-case code point (itself when lower-casing is not one character). The word
    characters are the runs `\\w+` finds in a string of every code point (re's `\\w` is
    `str.isalnum()` or "_"): one regex pass over a string decoded at once, instead of 1.1M
    Python calls, which cost ~0.1 s of every process's first reuse chunk."""
    every = np.arange(0x110000, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")
    word = np.zeros(0x110000, dtype=bool)
    for run in re.finditer(r"\w+", every):
        word[run.start() : run.end()] = True
    lower = np.arange(0x110000, dtype=np.uint64)
    for c in np.nonzero(word)[0].tolist():
        low = every[c].lower()
        if len(low) == 1:
            lower[c] = ord(low)
    return word, lower


_powers: list[np.ndarray] = []


def _power_tables(n: int) -> tuple[np.ndarray, np.ndarray]:
    """P**k and P**-k modulo 2**64 for k < n (grown on demand)."""
    if not _powers or len(_powers[0]) < n:
        size = max(n, 1 << 16)
        up = np.empty(size, dtype=np.uint64)
        down = np.empty(size, dtype=np.uint64)
        up[0] = down[0] = 1
        with np.errstate(over="ignore"):
            up[1:] = np.uint64(_P)
            down[1:] = np.uint64(_P_INV)
            up = np.cumprod(up, dtype=np.uint64)
            down = np.cumprod(down, dtype=np.uint64)
        _powers[:] = [up, down]
    return _powers[0], _powers[1]


def tokenize(text: str) -> Tokens:
    """Tokens of a text, vectorised: word-character runs found on the code-point array, each
    hashed as a polynomial of its lower-cased code points (prefix sums times powers of P)."""
    word, lower = _char_tables()
    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    is_word = word[cp]
    edges = np.diff(is_word.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts = np.nonzero(edges == 1)[0].astype(np.int64)
    ends = np.nonzero(edges == -1)[0].astype(np.int64)
    up, down = _power_tables(len(cp) + 1)
    with np.errstate(over="ignore"):
        prefix = np.zeros(len(cp) + 1, dtype=np.uint64)
        np.cumsum((lower[cp] + np.uint64(1)) * down[: len(cp)], out=prefix[1:])
        hashes = up[np.maximum(ends - 1, 0)] * (prefix[ends] - prefix[starts])
        hashes = _mix(hashes ^ (ends - starts).astype(np.uint64) * _MUL)
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
