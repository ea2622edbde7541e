"""Records built by hand from the real seed texts, for unit tests of corroboration and the
brief that must not depend on the other stages. Clean text here is the seed's paragraphs
(the `date` header and the "Also Read" lines dropped, as the clean stage does) joined by
blank lines; every span is located in that text, so its offsets are exact."""

from __future__ import annotations

import datetime as dt
import re

from newsweave.records import Article, RemovedSpan, Span

from conftest import seed_file

HEADER = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\s*")


def seed_article(prefix: str) -> Article:
    raw = seed_file(prefix).read_text(encoding="utf-8")
    published = None
    removed = []
    body = raw
    m = HEADER.match(raw)
    if m:
        published = dt.date.fromisoformat(m.group(1))
        removed.append(RemovedSpan(0, m.end(), raw[: m.end()], "header"))
        body = raw[m.end() :]
    paras = []
    for block in re.split(r"\n\s*\n", body):
        block = block.strip()
        if not block:
            continue
        if block.startswith("Also Read |"):
            start = raw.index(block)
            removed.append(RemovedSpan(start, start + len(block), block, "also-read"))
            continue
        paras.append(block)
    if prefix in {"003", "004"}:  # dated by their datelines ("Oct 31", "October 31")
        published = dt.date(2025, 10, 31)
    return Article(id=f"a{prefix}", raw_text=raw, clean_text="\n\n".join(paras), removed=removed, published=published)


def span(article: Article, phrase: str, nth: int = 0) -> Span:
    """The `nth` occurrence of `phrase` in the article's clean text, as evidence."""
    start = -1
    for _ in range(nth + 1):
        start = article.clean_text.index(phrase, start + 1)
    return Span(article.id, start, start + len(phrase), phrase)


def sentence(article: Article, phrase: str) -> Span:
    """The whole sentence of the clean text that contains `phrase`."""
    text = article.clean_text
    i = text.index(phrase)
    start = max(text.rfind(". ", 0, i) + 2, text.rfind("\n", 0, i) + 1, 0)
    ends = [j for j in (text.find(". ", i + len(phrase)), text.find("\n", i + len(phrase))) if j != -1]
    end = min(ends) + 1 if ends else len(text)
    if text[end - 1] == "\n":
        end -= 1
    return Span(article.id, start, end, text[start:end])
