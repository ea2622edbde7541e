"""Schema migrations: one numbered `.sql` file each, applied in order, each in a transaction.

The applied ones are recorded in `schema_migrations`. Numbers are reserved per stage so
that stages can grow their tables independently:

    0001 articles (ingest, clean, meta)   0005 entities (resolve)
    0002 nlp cache (nlp)                  0006 events, quotes (extract)
    0003 reuse (reuse)                    0007 facts (corroborate)
    0004 stories (cluster)                0008 search (web, FTS5)

A shipped migration is never edited: change the schema with a new file.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class Migration:
    name: str  # file stem, e.g. "0001_articles"
    sql: str


def all_migrations() -> list[Migration]:
    files = sorted(
        (f for f in resources.files(__package__).iterdir() if f.name.endswith(".sql")),
        key=lambda f: f.name,
    )
    return [Migration(f.name.removesuffix(".sql"), f.read_text(encoding="utf-8")) for f in files]
