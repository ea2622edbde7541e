"""Full-text search over articles with SQLite FTS5.

The index (`articles_fts`, migration 0008) is an external-content FTS5 table over the
`articles` table's title and clean text, keyed by `seq`; triggers keep it in step with
every insert, update and delete, so an article is searchable as soon as its ingest
transaction commits and no stage has to remember to index it.

A user's query is never handed to FTS5's query language raw (where a stray `"` or `-`
is a syntax error): `fts_query` keeps its words and "quoted phrases" and ANDs them, the
last word matching as a prefix so that a search box can search as one types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ._store import Store

# Markers FTS5's snippet() puts around matched terms: control characters that never
# stand in clean text, so the web layer can escape the text and then mark the matches.
MATCH_OPEN, MATCH_CLOSE = "\x02", "\x03"
_WORD = re.compile(r"\w+", re.UNICODE)
_PHRASE = re.compile(r'"([^"]*)"')


@dataclass(frozen=True)
class Hit:
    article: str
    title: str | None
    outlet: str | None
    published: str | None
    snippet: list[tuple[str, bool]]  # (text, is_match) pieces, in order
    rank: float  # bm25: lower is better

    def snippet_text(self) -> str:
        return "".join(text for text, _ in self.snippet)


def fts_query(text: str) -> str | None:
    """An FTS5 MATCH expression for a user's query, or None when it holds no word.

    Words and quoted phrases are ANDed; the last bare word (when the query does not end in
    a space) matches as a prefix."""
    phrases = [" ".join(_WORD.findall(p)) for p in _PHRASE.findall(text)]
    rest = _PHRASE.sub(" ", text)
    words = _WORD.findall(rest)
    terms = [f'"{p}"' for p in phrases if p]
    for i, word in enumerate(words):
        prefix = i == len(words) - 1 and not rest.endswith(" ") and len(word) >= 3
        terms.append(f'"{word}"' + ("*" if prefix else ""))
    return " AND ".join(terms) if terms else None


def search(store: Store, query: str, limit: int = 20, offset: int = 0) -> list[Hit]:
    """Articles matching `query`, best first (bm25, title weighted 5x the body)."""
    match = fts_query(query)
    if match is None:
        return []
    return ranked_hits(store.conn, "articles_fts", match, limit, offset,
                       "SELECT seq, id, title, outlet, published FROM articles WHERE seq IN ({marks})")


def ranked_hits(conn, table: str, match: str, limit: int, offset: int, describe: str) -> list[Hit]:
    """The page of matches of the FTS5 `table` (title, text; its rowid a row's `seq`), each
    described by the rows of `describe` (seq, id, title, outlet, published; `{marks}` the
    seqs). Two steps: rank every match by bm25 and keep the page, then cut snippets for that
    page only (snippet() is the costly part; in one query SQLite would cut one per match)."""
    ranked = conn.execute(
        f"SELECT rowid, bm25({table}, 5.0, 1.0) AS rank FROM {table} WHERE {table} MATCH ? ORDER BY rank LIMIT ? OFFSET ?",
        (match, limit, offset),
    ).fetchall()
    if not ranked:
        return []
    seqs = [r[0] for r in ranked]
    marks = ",".join("?" * len(seqs))
    snippets = {
        r[0]: r[1]
        for r in conn.execute(
            f"""SELECT rowid, snippet({table}, 1, '{MATCH_OPEN}', '{MATCH_CLOSE}', '…', 24)
                FROM {table} WHERE {table} MATCH ? AND rowid IN ({marks})""",
            (match, *seqs),
        )
    }
    rows = {r[0]: r for r in conn.execute(describe.format(marks=marks), seqs)}
    return [
        Hit(rows[seq][1], rows[seq][2], rows[seq][3], rows[seq][4], split_snippet(snippets.get(seq) or ""), rank)
        for seq, rank in ranked
        if seq in rows
    ]


def matching_ids(store: Store, query: str) -> set[str]:
    """Ids of every article matching `query`, unranked (for filtering stories)."""
    match = fts_query(query)
    if match is None:
        return set()
    rows = store.conn.execute(
        "SELECT id FROM articles WHERE seq IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)", (match,)
    )
    return {r[0] for r in rows}


def count(store: Store, query: str) -> int:
    match = fts_query(query)
    if match is None:
        return 0
    return store.conn.execute("SELECT COUNT(*) FROM articles_fts WHERE articles_fts MATCH ?", (match,)).fetchone()[0]


def rebuild(store: Store) -> None:
    """Rebuild the index from the articles table (after a bulk load that bypassed triggers)."""
    with store.transaction():
        store.conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")


def check(store: Store) -> None:
    """Raise sqlite3.DatabaseError if the index disagrees with the articles table."""
    store.conn.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")


def split_snippet(snippet: str) -> list[tuple[str, bool]]:
    """Cut a snippet with match markers into (text, is_match) pieces."""
    pieces: list[tuple[str, bool]] = []
    for i, part in enumerate(re.split(f"[{MATCH_OPEN}{MATCH_CLOSE}]", snippet)):
        if part:
            pieces.append((part, i % 2 == 1))
    return pieces
