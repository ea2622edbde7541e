"""Ingest: sources -> RawDoc | Rejected -> cleaned, dated `Article`s in the store.

Readers (`_readers`, `_fetch`) turn files, folders, stdin, feeds, JSONL, HTML and URLs into
`RawDoc`s; `_clean` splits paragraphs and sets boilerplate aside; `_meta` reads the dateline,
agency, date and language; `_stage` stores each article in its own transaction;
`_years` revises the year of year-less datelines once reuse is known (a stage of its own).
"""

from ._readers import decode, discover, read_bytes, read_source
from ._stage import CHUNK, IngestReport, ingest, ingest_docs
from ._years import DatelineYearStage, revise_years

__all__ = [
    "CHUNK", "DatelineYearStage", "IngestReport", "decode", "discover", "ingest", "ingest_docs", "read_bytes",
    "read_source", "revise_years",
]  # fmt: skip
