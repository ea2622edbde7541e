"""Language: spaCy over every paragraph, each unique paragraph parsed once and cached."""

from ._parse import ArticleDoc, NlpStage, parse_articles

__all__ = ["ArticleDoc", "NlpStage", "parse_articles"]
