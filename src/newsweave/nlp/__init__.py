"""Language: spaCy over every paragraph, each unique paragraph parsed once and cached."""

from ._parse import ArticleDoc, NlpStage, kept_docs, load, map_parsed, parse_articles, parse_partition, parse_spans, parse_texts
from ._views import doc_ents, doc_memo, doc_text, entity_at, span_ents, text_of

__all__ = ["ArticleDoc", "NlpStage", "kept_docs", "load", "map_parsed", "parse_articles", "parse_partition", "parse_spans", "parse_texts", "doc_ents", "doc_memo", "doc_text", "entity_at", "span_ents", "text_of"]
