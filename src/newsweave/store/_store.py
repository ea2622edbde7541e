"""The embedded store: one SQLite file (WAL, foreign keys, named migrations).

`Store` owns the connection and the schema; it knows articles, sightings and removed
spans. Later stages keep their own tables (see `migrations/`) and write them through
`store.transaction()`, so one stage's crash never leaves another's rows half-written.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import NotFoundError, StoreError
from .migrations import all_migrations
from ..records import Article, RemovedSpan, Sighting, Span, one_line
from ..settings import StoreSettings

MEMORY = ":memory:"


def utcnow() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


# An article is pending for a stage while the stage has neither done it nor failed on it
# (two parameters: the stage, twice).
PENDING = (
    "id NOT IN (SELECT article_id FROM stage_done WHERE stage = ?) "
    "AND id NOT IN (SELECT article_id FROM stage_failures WHERE stage = ?)"
)


def _is_lock_error(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


class Store:
    """A newsweave store over one SQLite file (or `:memory:`)."""

    def __init__(self, path: str | Path = MEMORY, lock_wait: float | None = None) -> None:
        self.path = str(path)
        # how long a write waits for another process's transaction (an analysis stage can hold one for minutes)
        self.lock_wait = StoreSettings().lock_wait_s if lock_wait is None else lock_wait
        try:
            self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open the store ({exc})") from exc
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA foreign_keys = ON")
        # every statement waits up to lock_wait for another process's write lock (SQLite's
        # busy handler), so a transaction waits once, not a retry loop on top of a timeout
        self.conn.execute(f"PRAGMA busy_timeout = {int(self.lock_wait * 1000)}")
        if self.path != MEMORY:
            # Turning a fresh file to WAL takes an exclusive lock, and SQLite does not always
            # call the busy handler for it: a second process opening the same fresh store at
            # that instant gets "database is locked" at once, so it waits like a write does.
            try:
                self._when_unlocked(lambda: self.conn.execute("PRAGMA journal_mode = WAL"))
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"{self.path}: not a newsweave store ({exc})") from exc
            self.conn.execute("PRAGMA synchronous = NORMAL")
        self._depth = 0
        self.migrate()

    # -- schema -----------------------------------------------------------------------

    def migrate(self) -> list[str]:
        """Apply every migration not yet applied; returns the names applied now.

        Two processes may open one fresh store at once: the check and the migrations run
        inside one write transaction (the store's write lock), so the second waits and then
        finds them applied. A store already up to date takes no lock at all."""
        if not self._missing_migrations():
            return []
        applied = []
        with self.transaction():
            self.conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            done = {r[0] for r in self.conn.execute("SELECT name FROM schema_migrations")}
            for migration in all_migrations():
                if migration.name in done:
                    continue
                for statement in _statements(migration.sql):
                    self.conn.execute(statement)
                self.conn.execute(
                    "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", (migration.name, utcnow())
                )
                applied.append(migration.name)
        return applied

    def _missing_migrations(self) -> bool:
        try:
            done = {r[0] for r in self.conn.execute("SELECT name FROM schema_migrations")}
        except sqlite3.OperationalError:  # no such table: a fresh store
            return True
        return any(m.name not in done for m in all_migrations())

    def applied_migrations(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM schema_migrations ORDER BY name")]

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A transaction; nested calls join the outer one. Rolls back on any exception."""
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        self._begin()
        self._depth = 1
        try:
            with committed(self.conn):
                yield self.conn
        finally:
            self._depth = 0

    def _begin(self) -> None:
        """BEGIN IMMEDIATE: take the write lock now, so no read turns into a failed write
        later; the busy timeout makes it wait up to `lock_wait` for another process."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if not _is_lock_error(exc):
                raise
            raise self._held_too_long(exc) from exc

    def _when_unlocked(self, step: Callable[[], object]) -> None:
        """Run `step`, retrying while another process holds the lock it needs, for up to
        `lock_wait` seconds: for the steps SQLite's busy handler skips (it returns "locked"
        at once where waiting could deadlock, as when a fresh file turns to WAL)."""
        deadline = time.monotonic() + self.lock_wait
        while True:
            try:
                step()
                return
            except sqlite3.OperationalError as exc:
                if not _is_lock_error(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise self._held_too_long(exc) from exc
                time.sleep(0.1)

    def _held_too_long(self, exc: Exception) -> StoreError:
        return StoreError(
            f"{self.path}: another process held the store's write lock for over {self.lock_wait:.0f} s ({exc})"
        )

    def close(self) -> None:
        self.conn.close()

    # -- articles ---------------------------------------------------------------------

    def has_article(self, article_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is not None

    def add_sighting(self, article_id: str, source: str, seen_at: str | None = None) -> bool:
        """Record that `article_id` arrived (again) from `source` (at `seen_at`, default now);
        False if already known."""
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO sightings (article_id, source, seen_at) VALUES (?, ?, ?)",
            (article_id, source, seen_at or utcnow()),
        )
        return cur.rowcount > 0

    def put_article(self, article: Article) -> bool:
        """Insert a new article with its removed spans and sightings, in one transaction.
        An article another process stored meanwhile only gains the sightings: False then
        (the duplicate check runs inside the write transaction, so two writers never race)."""
        with self.transaction() as conn:
            if self.has_article(article.id):
                for sighting in article.sightings:
                    self.add_sighting(article.id, sighting.source, sighting.seen_at)
                return False
            seq = conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM articles").fetchone()[0]
            conn.execute(
                """INSERT INTO articles (id, seq, raw_text, clean_text, title, url, outlet, agency, byline,
                   dateline, published, language, body_start, provenance, extra, ingested_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    article.id,
                    seq,
                    article.raw_text,
                    article.clean_text,
                    article.title,
                    article.url,
                    article.outlet,
                    article.agency,
                    article.byline,
                    article.dateline,
                    article.published.isoformat() if article.published else None,
                    article.language,
                    article.body_start,
                    json.dumps(article.provenance, sort_keys=True),
                    json.dumps(article.extra, sort_keys=True, default=str),
                    utcnow(),
                ),
            )
            conn.executemany(
                'INSERT INTO removed_spans (article_id, start, "end", text, reason) VALUES (?, ?, ?, ?, ?)',
                [(article.id, r.start, r.end, r.text, r.reason) for r in article.removed],
            )
            for sighting in article.sightings:
                self.add_sighting(article.id, sighting.source, sighting.seen_at)
        return True

    def add_outlet_lines(self, article: Article, lines: Iterable[str]) -> None:
        """The line hashes of a stored article that its outlet may learn as boilerplate
        (ingest's learned cleaning counts them per outlet)."""
        if article.outlet:
            self.conn.executemany(
                "INSERT OR IGNORE INTO outlet_lines (outlet, line_hash, article_id) VALUES (?, ?, ?)",
                [(article.outlet, h, article.id) for h in lines],
            )

    def article(self, article_id: str) -> Article:
        """One article by id or unique id prefix (of at least 4 characters)."""
        if not self.has_article(article_id):
            article_id = self._id_by_prefix(article_id)
        return self.articles([article_id])[0]

    def _id_by_prefix(self, prefix: str) -> str:
        rows = self.conn.execute("SELECT id FROM articles WHERE id LIKE ? LIMIT 2", (prefix + "%",)).fetchall()
        if len(rows) != 1 or len(prefix) < 4:
            raise NotFoundError("article", prefix)
        return rows[0]["id"]

    def articles(self, ids: Iterable[str] | None = None) -> list[Article]:
        """Articles in arrival order (all, or those with the given ids): three statements
        per 500 articles (articles, their removed spans, their sightings), not three each."""
        if ids is None:
            rows = self.conn.execute("SELECT * FROM articles ORDER BY seq").fetchall()
        else:
            rows = list(self.select_in("SELECT * FROM articles WHERE id IN ({marks})", dict.fromkeys(ids)))
            rows.sort(key=lambda r: r["seq"])
        removed: dict[str, list[RemovedSpan]] = {r["id"]: [] for r in rows}
        sightings: dict[str, list[Sighting]] = {r["id"]: [] for r in rows}
        for r in self.select_in(
            'SELECT article_id, start, "end", text, reason FROM removed_spans WHERE article_id IN ({marks}) '
            "ORDER BY article_id, start",
            removed,
        ):
            removed[r["article_id"]].append(RemovedSpan(r["start"], r["end"], r["text"], r["reason"]))
        for r in self.select_in(
            "SELECT article_id, source, seen_at FROM sightings WHERE article_id IN ({marks}) "
            "ORDER BY article_id, seen_at, source",
            sightings,
        ):
            sightings[r["article_id"]].append(Sighting(r["source"], r["seen_at"]))
        return [self._article_from_row(r, removed[r["id"]], sightings[r["id"]]) for r in rows]

    def select_in(self, sql: str, values: Iterable, size: int = 500) -> Iterator[sqlite3.Row]:
        """Rows of `sql`, whose `{marks}` stands for an IN list, for every value in `values`
        (asked in chunks: SQLite caps the number of parameters of one statement)."""
        for chunk in chunks(list(values), size):
            yield from self.conn.execute(sql.format(marks=",".join("?" * len(chunk))), chunk)

    def evidence(self, table: str, owner: str, ids: Iterable[str]) -> dict[str, list[Span]]:
        """Owner id -> its evidence spans (ordered by article and offset) from an evidence
        table (`event_evidence`, `quote_evidence`, `fact_evidence`): one statement per 500
        owners."""
        out: dict[str, list[Span]] = {i: [] for i in ids}
        rows = self.select_in(
            f'SELECT {owner} AS owner, article_id, start, "end", text FROM {table} WHERE {owner} IN ({{marks}}) '
            f"ORDER BY {owner}, article_id, start",
            out,
        )
        for r in rows:
            out[r["owner"]].append(Span(r["article_id"], r["start"], r["end"], r["text"]))
        return out

    def article_ids(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT id FROM articles ORDER BY seq")]

    def count_articles(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

    def _article_from_row(self, row: sqlite3.Row, removed: list[RemovedSpan], sightings: list[Sighting]) -> Article:
        aid = row["id"]
        return Article(
            id=aid,
            raw_text=row["raw_text"],
            clean_text=row["clean_text"],
            removed=removed,
            title=row["title"],
            url=row["url"],
            outlet=row["outlet"],
            agency=row["agency"],
            byline=row["byline"],
            dateline=row["dateline"],
            published=dt.date.fromisoformat(row["published"]) if row["published"] else None,
            language=row["language"],
            body_start=row["body_start"],
            provenance=json.loads(row["provenance"]),
            extra=json.loads(row["extra"]),
            sightings=sightings,
        )

    # -- stage bookkeeping ------------------------------------------------------------

    def count_pending(self, stage: str, article_ids: Iterable[str]) -> int:
        """How many of the given articles are `pending` for `stage` (neither processed nor
        failed on), in one statement."""
        ids = json.dumps(sorted(set(article_ids)))
        return self.conn.execute(
            f"SELECT COUNT(*) FROM articles WHERE id IN (SELECT value FROM json_each(?)) AND {PENDING}",
            (ids, stage, stage),
        ).fetchone()[0]

    def pending(self, stage: str) -> list[str]:
        """Ids of articles that `stage` has neither processed nor failed on, in arrival order."""
        return [
            r[0]
            for r in self.conn.execute(
                f"SELECT id FROM articles WHERE {PENDING} ORDER BY seq", (stage, stage)
            )
        ]

    def count_all_pending(self, stage: str) -> int:
        """How many articles of the store are pending for `stage`, counted on the indexes:
        every article, less those done, less those failed and not done (stage_done and
        stage_failures rows name stored articles: their keys cascade). The web's stories list
        asks at each view; `PENDING` over every article was 10 ms on 10,000 articles, 0.6 here."""
        return self.conn.execute(
            """SELECT (SELECT COUNT(*) FROM articles) - (SELECT COUNT(*) FROM stage_done WHERE stage = ?1)
                 - (SELECT COUNT(*) FROM stage_failures f WHERE f.stage = ?1 AND NOT EXISTS
                      (SELECT 1 FROM stage_done d WHERE d.stage = ?1 AND d.article_id = f.article_id))""",
            (stage,),
        ).fetchone()[0]

    def newest_pending(self, stage: str, limit: int, total: int) -> list[str]:
        """The newest `limit` articles pending for `stage`, newest first, of the `total` there
        are (`count_all_pending`): the scan from the newest ends when it has found them all."""
        return [
            r[0]
            for r in self.conn.execute(
                """SELECT id FROM articles a WHERE NOT EXISTS (SELECT 1 FROM stage_done d WHERE d.stage = ?1 AND d.article_id = a.id)
                   AND NOT EXISTS (SELECT 1 FROM stage_failures f WHERE f.stage = ?1 AND f.article_id = a.id)
                   ORDER BY seq DESC LIMIT ?2""",
                (stage, min(limit, total)),
            )
        ]

    def mark_done(self, stage: str, article_ids: Iterable[str]) -> None:
        now = utcnow()
        self.conn.executemany(
            "INSERT OR IGNORE INTO stage_done (stage, article_id, done_at) VALUES (?, ?, ?)",
            [(stage, a, now) for a in article_ids],
        )

    def analysis_version(self) -> int:
        """A number that grows at every change of the stages' recorded work (migration 0140):
        equal at two moments, no analysis was committed between them (uploads leave it)."""
        return self.conn.execute("SELECT n FROM analysis_version WHERE id = 1").fetchone()[0]

    def stage_versions(self, stages: Iterable[str]) -> tuple[int, ...]:
        """Per stage, a number that grows at every change of its recorded work (migration
        0210); 0 for a stage that has recorded none. Equal at two moments: none of these
        stages committed between them (the others may have)."""
        found = dict(self.conn.execute(
            "SELECT stage, n FROM stage_versions WHERE stage IN (SELECT value FROM json_each(?))", (json.dumps(list(stages)),)))
        return tuple(found.get(stage, 0) for stage in stages)

    def forget_done(self, stages: Iterable[str], article_ids: Iterable[str]) -> None:
        """Make the articles pending again for `stages` (their input changed)."""
        self.conn.execute(
            "DELETE FROM stage_done WHERE stage IN (SELECT value FROM json_each(?)) "
            "AND article_id IN (SELECT value FROM json_each(?))",
            (json.dumps(list(stages)), json.dumps(list(article_ids))),
        )

    def mark_failed(self, stage: str, article_id: str, reason: str) -> None:
        """Record that `stage` failed on the article (later runs of the stage skip it)."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO stage_failures (stage, article_id, reason, failed_at) VALUES (?, ?, ?, ?)",
                (stage, article_id, one_line(reason), utcnow()),
            )

    def failures(self, article_ids: Iterable[str] | None = None) -> dict[str, dict[str, str]]:
        """{article id: {stage: reason}} of the stage failures (all, or of the given articles)."""
        sql = "SELECT article_id, stage, reason FROM stage_failures"
        rows = self.conn.execute(sql) if article_ids is None else self.select_in(sql + " WHERE article_id IN ({marks})", article_ids)
        out: dict[str, dict[str, str]] = {}
        for r in rows:
            out.setdefault(r[0], {})[r[1]] = r[2]
        return out

    def forget_failures(self, stage: str | None = None) -> int:
        """Let the stage (or every stage) try its failed articles again; returns how many."""
        with self.transaction() as conn:
            if stage is None:
                return conn.execute("DELETE FROM stage_failures").rowcount
            return conn.execute("DELETE FROM stage_failures WHERE stage = ?", (stage,)).rowcount

    def note(self, stage: str, article_id: str, note: str) -> None:
        """Record a limit the stage applied to the article (one line, replaces an earlier note)."""
        self.conn.execute(
            "INSERT OR REPLACE INTO stage_notes (stage, article_id, note, noted_at) VALUES (?, ?, ?, ?)",
            (stage, article_id, one_line(note), utcnow()),
        )

    def notes(self, article_id: str) -> dict[str, str]:
        """{stage: note} of one article."""
        return dict(self.conn.execute("SELECT stage, note FROM stage_notes WHERE article_id = ?", (article_id,)).fetchall())


@contextmanager
def committed(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """The body of a transaction already begun: COMMIT when it ends, ROLLBACK on any exception."""
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def _statements(sql: str) -> list[str]:
    """Split a migration into complete statements (triggers with inner `;` stay whole)."""
    statements, pending = [], ""
    for line in sql.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip() and not _only_comments(pending):
                statements.append(pending.strip())
            pending = ""
    if pending.strip() and not _only_comments(pending):
        raise ValueError(f"migration ends inside a statement: {pending[:80]!r}")
    return statements


def _only_comments(statement: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in statement.splitlines())


def chunks(items: list, size: int) -> Iterator[list]:
    """Consecutive slices of `items`, `size` long (the last may be shorter)."""
    for i in range(0, len(items), size):
        yield items[i : i + size]
