"""The inbox: articles a server has accepted and not yet moved into the store (issue 19).

    inbox = Inbox.beside(store)             # <store>-inbox: its own SQLite file, WAL and write lock
    inbox.put(article, lines)               # an upload: never waits for the store's write lock
    inbox.move_into(store)                  # the analysis: into the store, in its own short transaction

An upload used to write the store itself, and so waited while an analysis transaction
held the store's one write lock (seconds under load). The inbox is a second file that the
analysis never locks: an upload's write there waits only for other uploads' writes and for
the move's delete (each milliseconds). Ids are the cleaned body's hash (ingest), so the
upload answers with them before the article reaches the store.

The move is what makes a crash harmless: it stores the inbox's rows in one store
transaction, commits, and only then deletes them from the inbox. A crash before the commit
leaves them in the inbox (moved again later); a crash after it leaves them in both, and the
next move finds them stored (`Store.put_article` keeps one copy and adds only sightings,
which are keyed by article and source). So nothing is lost and nothing is stored twice,
whichever process moves, and two may move at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..records import Article, RemovedSpan, Sighting
from ._search import Hit, fts_query, ranked_hits
from ._store import MEMORY, Store, _statements, chunks, committed, utcnow

SCHEMA = """
CREATE TABLE IF NOT EXISTS inbox (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,  -- arrival order (the store's seq follows it)
    id       TEXT NOT NULL UNIQUE,               -- the article id (the cleaned body's hash)
    article  TEXT,                               -- the Article as JSON; NULL: a known article's new sightings only
    outlet   TEXT,
    lines    TEXT NOT NULL DEFAULT '[]'          -- the line hashes its outlet may learn as boilerplate (ingest)
);
CREATE TABLE IF NOT EXISTS inbox_sightings (
    id       TEXT NOT NULL,
    source   TEXT NOT NULL,
    seen_at  TEXT NOT NULL,
    PRIMARY KEY (id, source)
);
CREATE INDEX IF NOT EXISTS inbox_outlet ON inbox(outlet);
-- the waiting articles searchable as the store's are (migration 0008's index, keyed by seq)
CREATE VIRTUAL TABLE IF NOT EXISTS inbox_fts USING fts5(title, clean_text, tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER IF NOT EXISTS inbox_fts_added AFTER INSERT ON inbox WHEN NEW.article IS NOT NULL BEGIN
    INSERT INTO inbox_fts (rowid, title, clean_text)
    VALUES (NEW.seq, json_extract(NEW.article, '$.title'), json_extract(NEW.article, '$.clean_text'));
END;
CREATE TRIGGER IF NOT EXISTS inbox_fts_changed AFTER UPDATE OF article ON inbox BEGIN
    DELETE FROM inbox_fts WHERE rowid = OLD.seq;
    INSERT INTO inbox_fts (rowid, title, clean_text)
    SELECT NEW.seq, json_extract(NEW.article, '$.title'), json_extract(NEW.article, '$.clean_text') WHERE NEW.article IS NOT NULL;
END;
CREATE TRIGGER IF NOT EXISTS inbox_fts_removed AFTER DELETE ON inbox BEGIN
    DELETE FROM inbox_fts WHERE rowid = OLD.seq;
END;
INSERT INTO inbox_fts (rowid, title, clean_text)
SELECT seq, json_extract(article, '$.title'), json_extract(article, '$.clean_text') FROM inbox
WHERE article IS NOT NULL AND seq NOT IN (SELECT rowid FROM inbox_fts);
"""


class Inbox:
    """The inbox file beside one store (`<store path>-inbox`)."""

    def __init__(self, path: str | Path, lock_wait: float) -> None:
        self.path = str(path)
        self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute(f"PRAGMA busy_timeout = {int(lock_wait * 1000)}")
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")  # as the store: durable across a process crash
        if self.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'inbox_fts'").fetchone() is None:
            with self._transaction():  # two processes may create it at once: IF NOT EXISTS, under the lock
                for statement in _statements(SCHEMA):
                    self.conn.execute(statement)

    @classmethod
    def beside(cls, store: Store, create: bool = True) -> "Inbox | None":
        """The store's inbox (`<store path>-inbox`); None for an in-memory store (one
        connection: an upload writes it directly), or when there is none and not `create`
        (a store no server has taken uploads for gets no inbox file)."""
        path = Path(f"{store.path}-inbox")
        if store.path == MEMORY or not (create or path.exists()):
            return None
        return cls(path, store.lock_wait)

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE (its write lock: other uploads and the move's delete, never the
        analysis), waiting up to the store's lock wait."""
        self.conn.execute("BEGIN IMMEDIATE")
        with committed(self.conn):
            yield self.conn

    # -- an upload --------------------------------------------------------------------

    def has(self, article_id: str) -> bool:
        """True when an article with this id waits here (with its text)."""
        row = self.conn.execute("SELECT 1 FROM inbox WHERE id = ? AND article IS NOT NULL", (article_id,)).fetchone()
        return row is not None

    def put(self, article: Article, lines: Iterable[str]) -> bool:
        """Accept a new article (with its sightings); False when one with its id waits here
        already (another upload meanwhile): it then gains only the sightings."""
        with self._transaction() as conn:
            row = conn.execute("SELECT article IS NOT NULL FROM inbox WHERE id = ?", (article.id,)).fetchone()
            if row is not None and row[0]:
                self._sightings(article.id, article.sightings)
                return False
            conn.execute(
                "INSERT INTO inbox (id, article, outlet, lines) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET article = excluded.article, outlet = excluded.outlet, lines = excluded.lines",
                (article.id, _to_json(article), article.outlet, json.dumps(sorted(lines))),
            )
            self._sightings(article.id, article.sightings)
        return True

    def add_sighting(self, article_id: str, source: str) -> None:
        """A known article (stored, or waiting here) arrived again: the sighting waits here
        too, so the upload writes nothing to the store."""
        with self._transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO inbox (id) VALUES (?)", (article_id,))
            self._sightings(article_id, [Sighting(source, utcnow())])

    def _sightings(self, article_id: str, sightings: Iterable[Sighting]) -> None:
        self.conn.executemany(
            "INSERT OR IGNORE INTO inbox_sightings (id, source, seen_at) VALUES (?, ?, ?)",
            [(article_id, s.source, s.seen_at) for s in sightings],
        )

    def outlet_lines(self, outlet: str) -> dict[str, int]:
        """line hash -> how many waiting articles of `outlet` have it (ingest's learned
        boilerplate counts them beside the stored ones, as if they were stored)."""
        counts: dict[str, int] = {}
        for (lines,) in self.conn.execute("SELECT lines FROM inbox WHERE outlet = ? AND article IS NOT NULL", (outlet,)):
            for h in json.loads(lines):
                counts[h] = counts.get(h, 0) + 1
        return counts

    # -- the readers ------------------------------------------------------------------

    def waiting(self, store: Store, limit: int) -> tuple[int, list[str]]:
        """(how many, the newest `limit` ids) of the articles waiting here that the store
        does not have yet."""
        rows = self.conn.execute("SELECT id FROM inbox WHERE article IS NOT NULL ORDER BY seq DESC").fetchall()
        ids = [r[0] for r in rows]
        if ids:
            stored = {r[0] for r in store.select_in("SELECT id FROM articles WHERE id IN ({marks})", ids)}
            ids = [a for a in ids if a not in stored]
        return len(ids), ids[:limit]

    def search(self, store: Store, query: str) -> list[Hit]:
        """Every waiting article matching `query` that the store does not have yet, best
        first (as `store.search` ranks; the inbox holds at most a few stages' uploads)."""
        match = fts_query(query)
        if match is None:
            return []
        hits = ranked_hits(self.conn, "inbox_fts", match, -1, 0,
                           "SELECT seq, id, json_extract(article, '$.title'), outlet, "
                           "json_extract(article, '$.published') FROM inbox WHERE seq IN ({marks})")
        stored = {r[0] for r in store.select_in("SELECT id FROM articles WHERE id IN ({marks})", [h.article for h in hits])}
        return [h for h in hits if h.article not in stored]

    def articles(self, ids: Iterable[str]) -> list[Article]:
        """The waiting articles with these ids (with their sightings so far), in arrival order."""
        wanted = list(dict.fromkeys(ids))
        rows = []
        for chunk in chunks(wanted, 500):
            rows += self.conn.execute(
                f"SELECT seq, id, article FROM inbox WHERE article IS NOT NULL AND id IN ({','.join('?' * len(chunk))})",
                chunk,
            ).fetchall()
        return [self._article(r) for r in sorted(rows, key=lambda r: r["seq"])]

    def _article(self, row: sqlite3.Row) -> Article:
        article = _from_json(row["article"])
        article.sightings = [
            Sighting(r["source"], r["seen_at"])
            for r in self.conn.execute(
                "SELECT source, seen_at FROM inbox_sightings WHERE id = ? ORDER BY seen_at, source", (row["id"],)
            )
        ]
        return article

    # -- the move ---------------------------------------------------------------------

    def move_into(self, store: Store, size: int) -> list[str]:
        """Every row waiting here into the store, `size` at a time, each batch in one store
        transaction and deleted from here only after that commit; the ids stored now (new
        to the store), in arrival order."""
        added: list[str] = []
        while True:
            rows = self.conn.execute("SELECT seq, id, article, lines FROM inbox ORDER BY seq LIMIT ?", (size,)).fetchall()
            if not rows:
                return added
            sightings = self._batch_sightings([r["id"] for r in rows])
            added += self._store_rows(store, rows, sightings)
            self._forget_rows(rows, sightings)

    def _batch_sightings(self, ids: list[str]) -> dict[str, list[Sighting]]:
        found: dict[str, list[Sighting]] = {i: [] for i in ids}
        for chunk in chunks(ids, 500):
            for r in self.conn.execute(
                f"SELECT id, source, seen_at FROM inbox_sightings WHERE id IN ({','.join('?' * len(chunk))}) "
                "ORDER BY seen_at, source",
                chunk,
            ):
                found[r["id"]].append(Sighting(r["source"], r["seen_at"]))
        return found

    def _store_rows(self, store: Store, rows: list[sqlite3.Row], sightings: dict[str, list[Sighting]]) -> list[str]:
        """One store transaction: each waiting article stored (or, when the store has it, its
        sightings added), with its outlet's lines."""
        added = []
        with store.transaction():
            for r in rows:
                seen = sightings[r["id"]]
                if r["article"] is None:
                    for s in seen:
                        store.add_sighting(r["id"], s.source, s.seen_at)
                    continue
                article = _from_json(r["article"])
                article.sightings = seen
                if store.put_article(article):  # False: stored already (a move that crashed, another server)
                    store.add_outlet_lines(article, json.loads(r["lines"]))
                    added.append(article.id)
        return added

    def _forget_rows(self, rows: list[sqlite3.Row], sightings: dict[str, list[Sighting]]) -> None:
        """After the store's commit: the moved sightings, and each row that gained none
        meanwhile (a row that did stays, and its new sightings move next time)."""
        with self._transaction() as conn:
            conn.executemany(
                "DELETE FROM inbox_sightings WHERE id = ? AND source = ?",
                [(i, s.source) for i, seen in sightings.items() for s in seen],
            )
            conn.executemany(
                "DELETE FROM inbox WHERE seq = ? AND NOT EXISTS (SELECT 1 FROM inbox_sightings WHERE id = ?)",
                [(r["seq"], r["id"]) for r in rows],
            )


def _to_json(article: Article) -> str:
    data = dataclasses.asdict(article)
    del data["sightings"]  # kept in inbox_sightings (a duplicate upload adds to them)
    data["published"] = article.published.isoformat() if article.published else None
    return json.dumps(data, sort_keys=True, default=str)


def _from_json(text: str) -> Article:
    data = json.loads(text)
    data["removed"] = [RemovedSpan(**r) for r in data["removed"]]
    data["published"] = dt.date.fromisoformat(data["published"]) if data["published"] else None
    return Article(**data, sightings=[])
