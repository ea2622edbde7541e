"""The demo corpus `examples/` (invented news, ours), ingested and analysed once per test
session: text the events stage was not tuned on."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@functools.lru_cache(maxsize=1)
def examples_workspace():
    """A store holding examples/ (read-only for tests: build your own to write)."""
    import newsweave

    tmp = tempfile.mkdtemp(prefix="nw-examples-")
    ws = newsweave.open(Path(tmp) / "examples.db")
    ws.ingest([EXAMPLES])
    ws.analyse()
    return ws


def article_id(ws, source: str) -> str:
    """The id of the article read from examples/SOURCE ("port-deal_wire.txt",
    "flood-and-markets.jsonl:2" for a JSONL line, "riverside-gazette.rss#2" for a feed item)."""
    for article in ws.articles():
        if any(s.source.endswith("/" + source) for s in article.sightings):
            return article.id
    raise AssertionError(f"{source} not in the store")


def paragraph(file_name: str, needle: str) -> str:
    """The paragraph of examples/FILE that contains NEEDLE (the real text, not a copy)."""
    text = (EXAMPLES / file_name).read_text(encoding="utf-8")
    for para in text.split("\n\n"):
        if needle in para:
            return para.strip()
    raise AssertionError(f"{needle!r} not in {file_name}")
