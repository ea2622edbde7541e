"""MinHash signatures and LSH band keys, vectorised over a whole batch of documents.

datasketch's `MinHash` hashes every shingle with SHA-1 in Python and applies `num_perm`
permutations to every shingle, one document at a time. Here every shingle is already a
64-bit hash (`shingles.py`) and the signature is a one-permutation MinHash with
densification over all shingles of a batch of documents at once (see `MinHasher`).
bench/bench_reuse.py compares both in one run.

The probability that two signatures agree in one position is the Jaccard similarity of the
two shingle sets; LSH splits the signature into `bands` bands of `rows` rows and calls two
documents candidates when any band agrees exactly: P = 1 - (1 - J**rows)**bands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._shingles import _mix

EMPTY = np.uint32(0xFFFFFFFF)


@dataclass(frozen=True)
class MinHasher:
    """One-permutation MinHash with optimal densification (Li, Owen & Zhang 2012; Shrivastava
    2017): each shingle is hashed ONCE; its top bits choose one of `num_perm` bins and the
    signature keeps the minimum of the low 32 bits per bin. A bin that no shingle fell into
    borrows the value of another bin, chosen by a probe sequence that is the same for every
    document, so that P[sig_a[i] == sig_b[i]] stays the Jaccard similarity. Cost: O(shingles)
    instead of O(shingles x num_perm) for classic MinHash (datasketch)."""

    num_perm: int = 128
    seed: int = 1

    def _probes(self, rounds: int = 64) -> np.ndarray:
        """(rounds, num_perm) bin to borrow from, per attempt and empty bin."""
        rng = np.random.default_rng(self.seed)
        return rng.integers(0, self.num_perm, size=(rounds, self.num_perm))

    def signatures(self, shingle_sets: Sequence[np.ndarray]) -> np.ndarray:
        """(len(shingle_sets), num_perm) uint32 signatures; an empty set gives all EMPTY."""
        n, p = len(shingle_sets), self.num_perm
        sizes = np.fromiter((len(s) for s in shingle_sets), dtype=np.int64, count=n)
        if not sizes.sum():
            return np.full((n, p), EMPTY, dtype=np.uint32)
        values = np.concatenate([np.asarray(s, dtype=np.uint64) for s in shingle_sets])
        doc = np.repeat(np.arange(n, dtype=np.int64), sizes)
        with np.errstate(over="ignore"):
            h = _mix(values ^ np.uint64(0x9E3779B97F4A7C15 * self.seed % 2**64))
        bins = ((h >> np.uint64(32)) % np.uint64(p)).astype(np.int64)
        low = (h & np.uint64(0xFFFFFFFE)).astype(np.uint32)  # EMPTY (all ones) never occurs
        flat = np.full(n * p, EMPTY, dtype=np.uint32)
        np.minimum.at(flat, doc * p + bins, low)
        sig = flat.reshape(n, p)
        empty = sig == EMPTY
        filled = sig.copy()
        rows_with_empty = np.nonzero(empty.any(axis=1) & (sizes > 0))[0]
        if len(rows_with_empty):
            sub, todo = sig[rows_with_empty], empty[rows_with_empty].copy()
            out = sub.copy()
            for probe in self._probes():
                if not todo.any():
                    break
                borrowed = sub[:, probe]  # value of the probed bin, per empty bin
                ok = todo & (borrowed != EMPTY)
                out[ok] = borrowed[ok]
                todo &= ~ok
            filled[rows_with_empty] = out
        return filled


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """(n, bands) int64 bucket keys: a hash of (band number, the band's rows)."""
    n = signatures.shape[0]
    if bands * rows > signatures.shape[1]:
        raise ValueError(f"bands*rows = {bands}*{rows} exceeds num_perm = {signatures.shape[1]}")
    sig = signatures[:, : bands * rows].astype(np.uint64).reshape(n, bands, rows)
    key = np.broadcast_to(np.arange(bands, dtype=np.uint64), (n, bands)).copy()
    with np.errstate(over="ignore"):
        for r in range(rows):
            key = _mix(key * np.uint64(0x100000001B3) + sig[:, :, r])
    return key.view(np.int64)


def estimate(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Estimated Jaccard: the share of signature positions that agree."""
    return float(np.mean(sig_a == sig_b))


def jaccard(set_a: np.ndarray, set_b: np.ndarray, inter: int | None = None) -> float:
    """Exact Jaccard of two arrays of unique hashes (`inter`: their `shared` count, if known)."""
    if not len(set_a) and not len(set_b):
        return 1.0
    inter = shared(set_a, set_b) if inter is None else inter
    return inter / (len(set_a) + len(set_b) - inter)


def shared(set_a: np.ndarray, set_b: np.ndarray) -> int:
    """How many hashes two arrays of unique hashes have in common."""
    return len(np.intersect1d(set_a, set_b, assume_unique=True))


def candidate_probability(j: float, bands: int, rows: int) -> float:
    return 1.0 - (1.0 - j**rows) ** bands
