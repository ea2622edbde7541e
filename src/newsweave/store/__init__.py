"""The store: one SQLite file (WAL, foreign keys), its numbered migrations and FTS5 search,
and the inbox beside it (uploads accepted, not yet moved in; `_inbox.py`).

Every stage reads and writes through `Store`; `search` is the full-text index the web uses.
"""

from ._inbox import Inbox
from ._search import count, matching_ids, search
from ._store import MEMORY, Store, chunks, utcnow

__all__ = ["MEMORY", "Inbox", "Store", "chunks", "count", "matching_ids", "search", "utcnow"]
