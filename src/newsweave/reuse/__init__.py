"""Reuse: near-duplicates (MinHash + LSH), aligned passages and syndication families.

`independent_sources(store, ids)` — the number of distinct families — is the count every
later stage uses, so ten copies of one wire story count once.
"""

from ._stage import ReuseStage, families, family, family_of, independent_sources, pairs, passages, passages_within
from ._years import DATE_READERS, revise_years

__all__ = [
    "DATE_READERS", "ReuseStage", "families", "family", "family_of", "independent_sources", "pairs", "passages",
    "passages_within", "revise_years",
]  # fmt: skip
