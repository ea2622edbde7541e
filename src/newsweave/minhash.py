"""MinHash signatures and LSH band keys, vectorised over a whole batch of documents.

datasketch's `MinHash` hashes every shingle with SHA-1 in Python and permutes one document
at a time; here every shingle is already a 64-bit hash (`shingles.py`), and the
permutations are multiply-shift hashes `(a*x + b) >> 32` (a odd; Dietzfelbinger et al.)
applied to all shingles of many documents at once, then reduced per document with
`np.minimum.reduceat`. bench/bench_reuse.py compares both in one run.

The probability that two signatures agree in one position is the Jaccard similarity of the
two shingle sets; LSH splits the signature into `bands` bands of `rows` rows and calls two
documents candidates when any band agrees exactly: P = 1 - (1 - J**rows)**bands.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .shingles import _mix

_CHUNK = 1 << 15  # shingles per vectorised block (x num_perm uint64: 32 MiB at 128)
EMPTY = np.uint32(0xFFFFFFFF)


@dataclass(frozen=True)
class MinHasher:
    num_perm: int = 128
    seed: int = 1

    def _params(self) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(self.seed)
        a = rng.integers(1, 2**63, size=self.num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
        b = rng.integers(0, 2**63, size=self.num_perm, dtype=np.uint64)
        return a, b

    def signatures(self, shingle_sets: Sequence[np.ndarray]) -> np.ndarray:
        """(len(shingle_sets), num_perm) uint32 signatures; an empty set gives all EMPTY."""
        a, b = self._params()
        out = np.full((len(shingle_sets), self.num_perm), EMPTY, dtype=np.uint32)
        i = 0
        while i < len(shingle_sets):
            # gather whole documents into one block of about _CHUNK shingles
            j, size = i, 0
            while j < len(shingle_sets) and (size == 0 or size + len(shingle_sets[j]) <= _CHUNK):
                size += len(shingle_sets[j])
                j += 1
            docs = [k for k in range(i, j) if len(shingle_sets[k])]
            if docs:
                values = np.concatenate([shingle_sets[k] for k in docs])
                with np.errstate(over="ignore"):
                    perm = ((values[:, None] * a[None, :] + b[None, :]) >> np.uint64(32)).astype(np.uint32)
                bounds = np.cumsum([0] + [len(shingle_sets[k]) for k in docs[:-1]])
                out[docs] = np.minimum.reduceat(perm, bounds, axis=0)
            i = j
        return out


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


def jaccard(set_a: np.ndarray, set_b: np.ndarray) -> float:
    """Exact Jaccard of two arrays of unique hashes."""
    if not len(set_a) and not len(set_b):
        return 1.0
    inter = len(np.intersect1d(set_a, set_b, assume_unique=True))
    return inter / (len(set_a) + len(set_b) - inter)


def candidate_probability(j: float, bands: int, rows: int) -> float:
    return 1.0 - (1.0 - j**rows) ** bands
