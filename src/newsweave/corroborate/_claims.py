"""Claims: every sentence of every article, grouped across articles when they say the same.

    sentence_records(article_docs) -> [Sentence]        one per sentence of the parse
    group_claims(sentences, families, passages, cfg) -> [Claim]

A `Sentence` is a span of an article's clean text (the project's splitter, `sentences.py`)
with what the grouping and the summary need: its words, content lemmas, entities, numbers
and lemma bigrams (the "concepts" the summary covers). Its display span is trimmed: no wire
dateline ("JAKARTA, Indonesia (AP) -"), no leading connective ("Meanwhile,"), so the text
shown is still exactly `clean_text[start:end]`.

A `Claim` is a group of sentences from different articles that say the same thing: copies
(a sentence inside a passage the reuse stage aligned to another article's sentence) and
paraphrases (content-lemma Jaccard >= `claim_similarity`, see settings). Its support is its
articles and the number of independent families among them (copies count once).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .. import nlp
from ..records import Passage
from ..settings import CorroborateSettings
from ..text import article_sentences

CONTENT_POS = {"NOUN", "PROPN", "VERB", "ADJ", "NUM"}
# A sentence opening with one of these leans on an antecedent the summary may not hold.
LEANING = {
    "he", "she", "they", "him", "her", "his", "their", "them", "it", "its", "this", "these", "those", "that", "such",
    "there", "i", "we", "my", "our", "us", "me",  # a first person is a quote whose speaker is elsewhere
}
# Discourse openers that tie a sentence to the one before it ("Meanwhile," "But"); temporal
# adverbs ("Earlier on Thursday") are kept: they carry the time.
CONNECTIVES = re.compile(
    r"^(?:(?:meanwhile|however|also|additionally|in addition|moreover|furthermore|still|besides|nevertheless|"
    r"separately|likewise|similarly|in turn|instead),|but|and|so|yet)\s+",
    re.I,
)
# "JAKARTA, Indonesia (AP) -", "WASHINGTON (Reuters) --", "LONDON -": a capitalised place, an
# optional region and agency, and a dash or colon before the news.
DATELINE = re.compile(r"^[A-Z][A-Z .'’-]{2,}(?:,\s*[A-Z][\w .'’-]*)?\s*(?:\([^)]{1,30}\))?\s*(?:--|[-—–:])\s*")


@dataclass
class Sentence:
    article: str
    index: int  # position in the article (0 = first sentence)
    start: int  # the trimmed span shown (clean-text offsets)
    end: int
    text: str
    words: int
    content: frozenset[str]
    entities: frozenset[str]
    numbers: frozenset[str]
    concepts: frozenset[tuple[str, str]]
    leaning: bool  # opens with a pronoun or demonstrative (an antecedent outside the sentence)
    verb: bool = True  # the parse found a verb in it (a timestamp or byline line has none)

    @property
    def fragment(self) -> bool:
        """A quotation left open, a question, a cut-off ("outside..."), a line without a verb
        or a headline line (no end punctuation): not a claim to tell alone."""
        text = self.text
        return not self.verb or _open_quote(text) or text.endswith(("?", "...", "…")) or not END.search(text)


@dataclass
class Claim:
    id: int
    sentences: list[Sentence]
    articles: list[str] = field(default_factory=list)
    families: list[str] = field(default_factory=list)

    @property
    def independent_sources(self) -> int:
        return len(self.families)

    @property
    def representative(self) -> Sentence:
        """The member told earliest in its article (the lede's wording), then the shortest."""
        return min(self.sentences, key=lambda s: (s.fragment or s.leaning, s.index, s.words, s.article))


def trim(text: str, start: int, end: int, body_start: int) -> tuple[int, int]:
    """The span without a leading dateline or connective (offsets stay in the clean text)."""
    if start < body_start < end:
        start = body_start
    for pattern in (DATELINE, CONNECTIVES):
        m = pattern.match(text[start:end])
        if m and m.end() < end - start:
            start += m.end()
    while start < end and text[start] in " :,-—–":
        start += 1
    return start, end


END = re.compile(r"[.!?][\"'”’)]*$")


def _open_quote(text: str) -> bool:
    """A quotation opened and not closed (or closed and not opened): part of a longer quote,
    whose speaker another sentence names."""
    return text.count('"') % 2 == 1 or text.count("“") != text.count("”")


def concepts(span) -> frozenset[tuple[str, str]]:
    """The lemma bigrams of a span (spaCy) that are not two stop words: what a summary covers."""
    return _features(span)[3]


def _features(sent) -> tuple:
    toks = [t for t in sent if not t.is_punct and not t.is_space]
    lemmas = [t.lemma_.lower() for t in toks]
    stops = [t.is_stop for t in toks]  # each token's lemma and stop flag read once
    content = frozenset(lemma for t, lemma, stop in zip(toks, lemmas, stops) if not stop and t.pos_ in CONTENT_POS)
    ents = frozenset(e.text.lower() for e in nlp.span_ents(sent))
    numbers = frozenset(t.text for t in toks if t.like_num)
    concepts = frozenset(
        (lemmas[i], lemmas[i + 1]) for i in range(len(lemmas) - 1) if not (stops[i] and stops[i + 1])
    )
    return content, ents, numbers, concepts


def _has_verb(span) -> bool:
    return any(t.pos_ in ("VERB", "AUX") for t in span)


def sentence_records(article_docs: Sequence) -> list[Sentence]:
    """Every sentence of the parsed articles (nlp.ArticleDoc), with its features."""
    out = []
    for adoc in article_docs:
        a = adoc.article
        spans = article_sentences(adoc)
        by_para = [(p.start, p.start + len(nlp.doc_text(p.doc)), p.doc) for p in adoc.paragraphs]
        for index, (s0, e0) in enumerate(spans):
            pstart, _, doc = next(p for p in by_para if p[0] <= s0 < p[1])
            start, end = trim(a.clean_text, s0, e0, a.body_start)
            span = doc.char_span(start - pstart, end - pstart, alignment_mode="expand")
            if span is None or not len(span):
                continue
            text = a.clean_text[start:end]
            content, ents, numbers, concepts = _features(span)
            first = next((t for t in span if not t.is_punct), span[0])
            out.append(
                Sentence(
                    a.id, index, start, end, text, len(text.split()), content, ents, numbers, concepts,
                    first.lower_ in LEANING, _has_verb(span),
                )
            )
    return out


def _similar_pairs(sentences: Sequence[Sentence], threshold: float) -> list[tuple[int, int]]:
    """Pairs of sentences of different articles whose content lemmas overlap by Jaccard >=
    `threshold` (a sparse product, so only sentences sharing a lemma are compared)."""
    import numpy as np
    from scipy.sparse import csr_matrix

    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, s in enumerate(sentences):
        for w in s.content:
            rows.append(i)
            cols.append(vocab.setdefault(w, len(vocab)))
    if not rows:
        return []
    m = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(sentences), len(vocab)))
    inter = (m @ m.T).tocoo()
    size = np.asarray(m.sum(axis=1)).ravel()
    out = []
    for i, j, k in zip(inter.row, inter.col, inter.data):
        if i < j and sentences[i].article != sentences[j].article:
            if k / (size[i] + size[j] - k) >= threshold:
                out.append((int(i), int(j)))
    return out


def _copy_pairs(
    sentences: Sequence[Sentence], passages: Sequence[Passage], inside: float = CorroborateSettings.copy_min_inside
) -> list[tuple[int, int]]:
    """Sentences of one article inside a passage the reuse stage aligned with another (at
    least `inside` of their length), paired with the other article's sentence at the same
    place of the passage."""
    by_article: dict[str, list[int]] = {}
    for i, s in enumerate(sentences):
        by_article.setdefault(s.article, []).append(i)
    out = []
    for p in passages:
        if p.a not in by_article or p.b not in by_article:
            continue
        scale = (p.b_end - p.b_start) / max(1, p.a_end - p.a_start)
        for i in by_article[p.a]:
            s = sentences[i]
            covered = min(s.end, p.a_end) - max(s.start, p.a_start)
            if covered < inside * (s.end - s.start):
                continue
            mid = p.b_start + ((s.start + s.end) / 2 - p.a_start) * scale
            j = next((j for j in by_article[p.b] if sentences[j].start <= mid < sentences[j].end), None)
            if j is not None:
                out.append((i, j))
    return out


def group_claims(
    sentences: Sequence[Sentence], families: Mapping[str, str], passages: Sequence[Passage], threshold: float
) -> list[Claim]:
    """Claims by complete linkage: sentences of different articles join when every pair of
    the joined group is a copy (reuse passages) or a paraphrase (content-lemma Jaccard >=
    `threshold`), so a chain of half-similar sentences never makes one claim."""
    copies = set(_copy_pairs(sentences, passages))
    close = copies | set(_similar_pairs(sentences, threshold))
    close |= {(j, i) for i, j in close}

    def sim(i: int, j: int) -> float:
        if (i, j) in copies or (j, i) in copies:
            return 1.0
        a, b = sentences[i].content, sentences[j].content
        return len(a & b) / len(a | b) if a | b else 0.0

    group = list(range(len(sentences)))
    members: dict[int, list[int]] = {i: [i] for i in range(len(sentences))}
    for i, j in sorted({(min(p), max(p)) for p in close}, key=lambda p: (-sim(*p), p)):
        gi, gj = group[i], group[j]
        if gi == gj:
            continue
        arts_i = {sentences[x].article for x in members[gi]}
        if any(sentences[y].article in arts_i for y in members[gj]):
            continue  # one sentence per article in a claim
        if all((x, y) in close for x in members[gi] for y in members[gj]):
            for y in members[gj]:
                group[y] = gi
            members[gi] += members.pop(gj)
    claims = []
    for n, idx in enumerate(sorted(members.values(), key=min)):
        ms = [sentences[i] for i in sorted(idx)]
        arts = list(dict.fromkeys(s.article for s in ms))
        fams = sorted({families.get(a, a) for a in arts})
        claims.append(Claim(n, ms, arts, fams))
    return claims


# -- the store --------------------------------------------------------------------------


def _row(s: Sentence) -> tuple:
    features = {
        "content": sorted(s.content), "entities": sorted(s.entities), "numbers": sorted(s.numbers),
        "concepts": sorted([a, b] for a, b in s.concepts), "verb": s.verb,
    }
    return (s.article, s.index, s.start, s.end, s.words, int(s.leaning), json.dumps(features))


def save_sentences(store, sentences: Sequence[Sentence]) -> None:
    """Replace the stored sentences of the articles given (idempotent)."""
    with store.transaction() as conn:
        for a in {s.article for s in sentences}:
            conn.execute("DELETE FROM claim_sentences WHERE article_id = ?", (a,))
        conn.executemany(
            'INSERT INTO claim_sentences (article_id, idx, start, "end", words, leaning, features) '
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [_row(s) for s in sentences],
        )


def load_sentences(store, articles: Sequence) -> dict[str, list[Sentence]]:
    """The stored sentences of these articles (records.Article), by article id; an article
    the claims stage has not seen is absent."""
    texts = {a.id: a.clean_text for a in articles}
    out: dict[str, list[Sentence]] = {}
    rows = store.select_in(
        'SELECT article_id, idx, start, "end", words, leaning, features FROM claim_sentences '
        "WHERE article_id IN ({marks}) ORDER BY article_id, idx",
        list(texts),
    )
    for r in rows:
        f = json.loads(r["features"])
        out.setdefault(r["article_id"], []).append(
            Sentence(
                r["article_id"], r["idx"], r["start"], r["end"], texts[r["article_id"]][r["start"] : r["end"]], r["words"],
                frozenset(f["content"]), frozenset(f["entities"]), frozenset(f["numbers"]),
                frozenset((a, b) for a, b in f["concepts"]), bool(r["leaning"]), f["verb"],
            )
        )
    return out


def article_sentence_records(store, articles: Sequence, settings=None) -> list[Sentence]:
    """The sentences of these articles in their order: stored ones, the rest from the parse
    (the store's cache when there is a store)."""
    stored = load_sentences(store, articles) if store is not None else {}
    missing = [a for a in articles if a.id not in stored]
    if missing:
        docs = nlp.parse_articles(missing, settings, store)
        for s in sentence_records([docs[a.id] for a in missing]):
            stored.setdefault(s.article, []).append(s)
    return [s for a in articles for s in stored.get(a.id, [])]


class ClaimsStage:
    """Stage "claims": every sentence of the new articles, with its features, stored for the
    brief (which groups them into claims over the articles it tells)."""

    name = "claims"
    chunk = 400  # articles per parse call
    mapped = True  # sentence_records is its per-article map

    def run(self, store, article_ids: Sequence[str], settings, mapper=None) -> None:
        for i in range(0, len(article_ids), self.chunk):
            articles = store.articles(article_ids[i : i + self.chunk])
            if mapper is not None:  # on the workers, the cached parse sent along
                save_sentences(store, [s for part in nlp.map_parsed(store, articles, sentence_records, settings, mapper) for s in part])
                continue
            docs = nlp.parse_articles(articles, settings, store)
            save_sentences(store, sentence_records([docs[a.id] for a in articles]))
