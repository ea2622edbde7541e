"""Seeded mutation of real inputs, for the hostile-input tests and `bench/fuzz_ingest.py`.

    originals = load_originals(shared, examples)      # the seeds, the 181 pages, the examples
    rng = random.Random(7)
    for name, data, good in batch(originals, rng, 100):   # good: an unmutated original
        ...

Each mutation is one of the shapes a hostile campaign found (issue 14) or a random byte
edit: a JSONL line nested 100,000 deep, a lone surrogate, NUL bytes past the first 8 KB,
wrong-typed JSONL fields, deeply nested HTML, a paragraph past spaCy's `max_length`,
legacy encodings, truncation, a file name holding a line break or a byte that is not UTF-8. Nothing here is tuned:
the seed picks every choice.
"""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Callable
from pathlib import Path

Original = tuple[str, bytes]  # (file name, content)


def load_originals(shared: Path, examples: Path) -> list[Original]:
    """The seeds (*.txt), the article-extraction pages (unzipped, as .html) and the
    examples' files, each as (name, bytes)."""
    found: list[Original] = [(p.name, p.read_bytes()) for p in sorted((shared / "seeds").glob("*.txt"))]
    for p in sorted((shared / "corpora" / "article-extraction" / "html").glob("*.html.gz")):
        found.append((p.name.removesuffix(".gz"), gzip.decompress(p.read_bytes())))
    found += [(p.name, p.read_bytes()) for p in sorted(examples.iterdir()) if p.is_file() and p.name != "README.md"]
    return found


def _flip_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if out:
            out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def _truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(max(len(data), 1))]


def _nul_late(data: bytes, rng: random.Random) -> bytes:
    at = min(len(data), 8192 + rng.randrange(4096))
    return data[:at] + b"\x00" * rng.randint(1, 4) + data[at:]


def _lone_surrogate(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", "replace")
    at = rng.randrange(len(text) + 1)
    return (text[:at] + "\ud800" + text[at:]).encode("utf-8", "surrogatepass")


def _jsonl_nested(data: bytes, rng: random.Random) -> bytes:
    return data + b"[" * rng.choice((1_000, 100_000)) + b"\n"


def _jsonl_escaped_surrogate(data: bytes, rng: random.Random) -> bytes:
    return data + b'{"text": "The port reopened on Monday \\ud800 after the storm."}\n'


def _jsonl_wrong_types(data: bytes, rng: random.Random) -> bytes:
    field = rng.choice(("url", "title", "outlet", "byline", "published"))
    value = rng.choice(([1, 2], {"a": 1}, 0, 1762214400, True, 3.5))
    line = {"text": "The harbour authority said the port reopened on Monday after the storm.", field: value}
    return data + json.dumps(line).encode() + b"\n"


def _deep_html(data: bytes, rng: random.Random) -> bytes:
    k = rng.choice((300, 5_000, 60_000))
    return b"<html><body>" + b"<div>" * k + data[:2000] + b"</div>" * rng.choice((0, k)) + b"</body></html>"


def _huge_paragraph(data: bytes, rng: random.Random) -> bytes:
    sentence = b"The council said the river rose again overnight and more families left their homes. "
    return data + b"\n\n" + sentence * rng.choice((200, 14_000))  # 17 kB, or 1.2 MB in one paragraph


def _legacy_encoding(data: bytes, rng: random.Random) -> bytes:
    text = data.decode("utf-8", "replace").replace("\ufffd", "?")
    return text.encode(rng.choice(("latin-1", "cp1250", "cp1252", "utf-16")), "replace")


def _random_bytes(data: bytes, rng: random.Random) -> bytes:
    return rng.randbytes(rng.choice((16, 4096)))


def _entity_bomb(data: bytes, rng: random.Random) -> bytes:
    return (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            b'<rss version="2.0"><channel><title>t</title><item><description>&b;</description></item></channel></rss>')


def _duplicate_half(data: bytes, rng: random.Random) -> bytes:
    return data + data[: len(data) // 2]


MUTATIONS: list[Callable[[bytes, random.Random], bytes]] = [
    _flip_bytes, _truncate, _nul_late, _lone_surrogate, _jsonl_nested, _jsonl_escaped_surrogate,
    _jsonl_wrong_types, _deep_html, _huge_paragraph, _legacy_encoding, _random_bytes, _entity_bomb, _duplicate_half,
]


def mutate(name: str, data: bytes, rng: random.Random) -> tuple[str, bytes, str]:
    """(name, bytes, mutation) of one mutated copy; the name sometimes holds a line break."""
    mutation = rng.choice(MUTATIONS)
    if rng.random() < 0.05:
        name = name.replace(".", "\nx.", 1)
    elif rng.random() < 0.03:
        name = "\udcff" + name  # a file name that is not UTF-8 (byte 0xff, as os.fsdecode holds it)
    return name, mutation(data, rng), mutation.__name__.lstrip("_")


def batch(originals: list[Original], rng: random.Random, size: int, good_share: float = 0.3,
          html_share: float = 0.1) -> list[tuple[str, bytes, str | None]]:
    """`size` inputs: about `good_share` unmutated originals (mutation None), the rest
    mutated; pages (costly to extract) make about `html_share` of them."""
    pages = [o for o in originals if o[0].endswith(".html")]
    others = [o for o in originals if not o[0].endswith(".html")] or originals
    out = []
    for i in range(size):
        name, data = rng.choice(pages if pages and rng.random() < html_share else others)
        name = f"{i:04d}_{name}"
        if rng.random() < good_share:
            out.append((name, data, None))
        else:
            out.append(mutate(name, data, rng))
    return out
