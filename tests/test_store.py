import sqlite3

import pytest

from newsweave.errors import NotFoundError, StoreError
from newsweave.store.migrations import all_migrations
from newsweave.store._store import Store, _statements


def test_migrations_apply_once_and_are_recorded(tmp_path):
    path = tmp_path / "x.db"
    store = Store(path)
    names = [m.name for m in all_migrations()]
    assert store.applied_migrations() == names
    store.close()
    again = Store(path)
    assert again.migrate() == []  # nothing left to apply
    assert again.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert again.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_transaction_rolls_back_on_error():
    store = Store()
    with pytest.raises(RuntimeError):
        with store.transaction() as conn:
            conn.execute("INSERT INTO outlet_lines VALUES ('o', 'h', 'missing')") if False else None
            conn.execute("CREATE TABLE scratch (x)")
            conn.execute("INSERT INTO scratch VALUES (1)")
            raise RuntimeError("boom")
    assert store.conn.execute("SELECT name FROM sqlite_master WHERE name = 'scratch'").fetchone() is None


def test_unknown_article_is_a_clear_error():
    with pytest.raises(NotFoundError, match="no article with id 'nope'"):
        Store().article("nope")


def test_not_a_store_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a newsweave store"):
        Store(bad)


def test_triggers_survive_statement_splitting():
    sql = "CREATE TABLE a (x);\nCREATE TRIGGER t AFTER INSERT ON a BEGIN\n  SELECT 1;\n  SELECT 2;\nEND;\n-- done\n"
    statements = _statements(sql)
    assert len(statements) == 2 and statements[1].endswith("END;")
    conn = sqlite3.connect(":memory:")
    for s in statements:
        conn.execute(s)


def test_a_write_waits_for_another_writer_then_gives_a_clear_error(tmp_path):
    """A second writer waits for the lock up to lock_wait (here 0.5 s), then says which store
    and why — one line, not sqlite's bare 'database is locked'."""
    import time

    path = tmp_path / "s.db"
    holder = Store(path)
    waiter = Store(path, lock_wait=0.5)
    with holder.transaction():
        started = time.monotonic()
        with pytest.raises(StoreError) as caught:
            with waiter.transaction():
                pass
        waited = time.monotonic() - started
    assert str(path) in str(caught.value) and "write lock" in str(caught.value)
    assert waited >= 0.4  # it waited rather than failing at once
    with waiter.transaction():  # and once the lock is free it writes
        waiter.conn.execute("SELECT 1")


def test_the_pending_count_and_the_newest_pending_agree_with_pending(tmp_path):
    """`count_all_pending` and `newest_pending` (counted on the indexes, for the web's stories
    list) give what `pending` lists: done, failed, and failed-then-done articles left out."""
    from newsweave.ingest import ingest
    from newsweave.settings import Settings
    from support.synth import write_corpus

    store = Store()
    ingest(store, write_corpus(tmp_path, 9, seed=1).paths, Settings())
    ids = [r[0] for r in store.conn.execute("SELECT id FROM articles ORDER BY seq")]
    assert len(ids) == 9
    with store.transaction():
        store.mark_done("claims", ids[0:3] + [ids[5]])
    store.mark_failed("claims", ids[3], "broken")
    store.mark_failed("claims", ids[5], "failed once, done since")
    store.mark_failed("nlp", ids[6], "another stage's failure")
    pending = store.pending("claims")
    assert pending == [ids[4], ids[6], ids[7], ids[8]]
    assert store.count_all_pending("claims") == 4
    assert store.newest_pending("claims", 3, 4) == [ids[8], ids[7], ids[6]]
    assert store.newest_pending("claims", 20, 4) == pending[::-1]
    assert store.count_all_pending("never-run") == 9 and store.newest_pending("never-run", 2, 9) == ids[:-3:-1]
