"""Full-text search (FTS5) over the seeds: the index follows inserts, updates and deletes."""

from __future__ import annotations

import hashlib
import re

import pytest

from newsweave.store import _search as search
from newsweave.records import Article
from newsweave.store import Store
from conftest import seed_file


def _seed_article(prefix: str) -> Article:
    """A seed stored as-is (paragraphs normalised), independent of the ingest stage."""
    text = seed_file(prefix).read_text(encoding="utf-8")
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    clean = "\n\n".join(paragraphs)
    return Article(id=hashlib.sha1(clean.encode()).hexdigest()[:16], raw_text=text, clean_text=clean,
                   title=paragraphs[0][:80], outlet=f"seed-{prefix}")


@pytest.fixture()
def store(tmp_path):
    s = Store(tmp_path / "s.db")
    for prefix in ("000", "001", "002", "003", "004"):
        s.put_article(_seed_article(prefix))
    yield s
    s.close()


def test_every_seed_is_indexed_on_insert(store):
    hits = search.search(store, "Hegseth")
    contain = {a.id for a in store.articles() if "Hegseth" in a.clean_text}
    assert {h.article for h in hits} == contain and len(contain) >= 4
    search.check(store)


def test_words_are_anded_and_phrases_kept(store):
    both = {h.article for h in search.search(store, "Singh Hegseth")}
    singh = {h.article for h in search.search(store, "Singh ")}
    assert both <= singh
    phrase = search.search(store, '"Secretary of Defence"')
    expect = {a.id for a in store.articles() if "Secretary of Defence" in " ".join(a.clean_text.split())}
    assert {h.article for h in phrase} == expect and expect


def test_last_word_matches_as_prefix(store):
    assert search.search(store, "Kuala Lump")
    assert search.search(store, "Kuala Lump ") == []


def test_snippet_marks_the_matched_words(store):
    hit = search.search(store, "Hegseth")[0]
    matched = [text for text, is_match in hit.snippet if is_match]
    assert matched and all(m.lower() == "hegseth" for m in matched)
    article = store.article(hit.article)
    assert hit.snippet_text().strip("…") in article.clean_text


@pytest.mark.parametrize("query", ['"', "AND OR NOT", "(", "-Hegseth", "title:x", "*", "NEAR(a b)", "' OR 1=1 --"])
def test_hostile_queries_never_raise(store, query):
    search.search(store, query)
    search.count(store, query)


def test_empty_query_finds_nothing(store):
    assert search.search(store, "  ") == [] and search.count(store, "!!") == 0


def test_update_and_delete_follow_the_articles(store):
    aid = search.search(store, "Hegseth")[0].article
    store.conn.execute("UPDATE articles SET clean_text = 'Zanzibar harbour reopened.' WHERE id = ?", (aid,))
    assert [h.article for h in search.search(store, "Zanzibar")] == [aid]
    assert aid not in {h.article for h in search.search(store, "Hegseth")}
    store.conn.execute("DELETE FROM articles WHERE id = ?", (aid,))
    assert search.search(store, "Zanzibar") == []
    search.check(store)


def test_rebuild_indexes_articles_written_behind_the_triggers(store):
    store.conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('delete-all')")
    assert search.search(store, "Hegseth") == []
    search.rebuild(store)
    assert search.count(store, "Hegseth") >= 4
    search.check(store)
