"""Ingest: sources -> RawDoc | Rejected -> cleaned, dated `Article`s in the store.

`_sources` reads each source through the readers (`_readers`: files, folders, stdin, feeds,
JSONL, HTML) or the fetcher (`_fetch`: URLs), into
`RawDoc`s; `_clean` splits paragraphs and sets boilerplate aside; `_meta` reads the dateline,
agency, date and language (`infer_year` gives a year-less dateline its year from evidence;
the reuse stage revises it once families are known); `_stage` stores each article in its
own transaction.
"""

from ._sources import read_source
from ._readers import (
    decode, decode_with_evidence, discover, published_problem, read_bytes, source_name,
)
from ._meta import dated, infer_year, load_language_model, parse_dateline
from ._stage import BATCH_YEAR, EXPLICIT, IngestReport, ingest, ingest_docs

__all__ = [
    "BATCH_YEAR", "EXPLICIT", "IngestReport", "dated", "decode", "decode_with_evidence", "discover",
    "infer_year", "ingest", "ingest_docs", "load_language_model", "parse_dateline", "published_problem", "read_bytes", "read_source",
    "source_name",
]  # fmt: skip
