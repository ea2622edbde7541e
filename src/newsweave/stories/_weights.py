"""Term weights that do not depend on the store: a background idf from general English.

An article's vector used to be TF-IDF over every document the store had seen, so each batch
changed every stored vector, centroid and member score, and a stream had to rebuild them all
(docs/stories.md, "Term weights"). Here a key's idf comes from `wordfreq`'s frequency tables
(its wheel carries them: nothing downloads), so an article's vector is a function of its own
features: the same in a stream and in one pass, computed once.

A word's frequency `f` among running tokens becomes the share of documents of about
`idf_doc_tokens` tokens that hold it, p = 1 - exp(-f * tokens) (the chance of at least one
occurrence), floored at `idf_min_share`; idf = ln(1 / p) + 1, the scale of the smoothed store
idf it replaces (ln(N / df) + 1). A key the tables lack (most entity names are rare) gets the
floor: the highest weight.
"""

from __future__ import annotations

import math
from functools import lru_cache

from ..errors import NewsweaveError


@lru_cache(maxsize=1 << 18)
def background_idf(key: str, doc_tokens: float, min_share: float) -> float:
    """idf of a "t:lemma" / "e:entity key" from the background frequencies."""
    try:
        from wordfreq import word_frequency  # its tables load on first use (about a second)
    except ImportError as exc:  # an opt-in: not a pipeline dependency
        raise NewsweaveError('stories.idf_source = "background" needs wordfreq: pip install "wordfreq>=3.0"') from exc

    share = max(1.0 - math.exp(-word_frequency(key[2:], "en") * doc_tokens), min_share)
    return math.log(1.0 / share) + 1.0
