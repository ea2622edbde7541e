"""Language: spaCy over every paragraph, each unique paragraph parsed once and cached."""

from ._parse import ArticleDoc, NlpStage, load, map_parsed, parse_articles, parse_partition, parse_spans, parse_texts

__all__ = ["ArticleDoc", "NlpStage", "load", "map_parsed", "parse_articles", "parse_partition", "parse_spans", "parse_texts"]
