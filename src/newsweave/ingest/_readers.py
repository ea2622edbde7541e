"""Readers: turn a path, URL or stdin into `RawDoc`s (or `Rejected`s with a reason).

The reader is chosen by content first and extension second, so a feed saved as `.txt` or
an HTML page without extension still reads right. One bad source never stops the others:
every problem becomes a `Rejected` with a one-line reason naming the source.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from charset_normalizer import from_bytes

from ..records import RawDoc, Rejected
from ..settings import IngestSettings

Read = RawDoc | Rejected

TEXT_EXT = {".txt", ".text", ".md"}
JSONL_EXT = {".jsonl", ".ndjson"}
HTML_EXT = {".html", ".htm", ".xhtml"}
FEED_EXT = {".rss", ".atom", ".xml"}
HEADER_DATE = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\b[ \t]*")
# A folder's own documentation is not news: skipped when a folder is expanded (named explicitly, it is read).
FOLDER_DOCS = re.compile(r"^(readme|license|licence|copying|changelog)(\.[a-z]+)?$", re.IGNORECASE)


def discover(paths: Iterable[str | Path]) -> Iterator[Path | str]:
    """Expand folders (recursively, sorted; hidden files and README/LICENSE skipped); pass URLs and '-' through."""
    for p in paths:
        p = str(p)
        if p == "-" or _is_url(p):
            yield p
            continue
        path = Path(p)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts):
                    if not FOLDER_DOCS.match(child.name):
                        yield child
        else:
            yield path


def read_source(source: Path | str, settings: IngestSettings, fetch: bool = False) -> Iterator[Read]:
    """Every article a source holds, or one `Rejected` saying why it holds none."""
    if isinstance(source, str) and _is_url(source):
        if not fetch:
            yield Rejected(source, "is a URL; pass --fetch to download it")
            return
        from ._fetch import fetch_url  # only loaded when asked: keeps the network out otherwise

        yield from fetch_url(source, settings)
        return
    if source == "-":
        data = sys.stdin.buffer.read(settings.max_bytes + 1)
        name = "<stdin>"
    else:
        path = Path(source)
        name = str(path)
        if not path.exists():
            yield Rejected(name, "no such file or folder")
            return
        size = path.stat().st_size
        if size > settings.max_bytes:
            yield Rejected(name, f"file is {size:,} bytes, over the {settings.max_bytes:,}-byte cap (raise --max-bytes)")
            return
        data = path.read_bytes()
        if path.suffix == ".gz":
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError) as exc:
                yield Rejected(name, f"not a readable gzip file ({exc})")
                return
    if len(data) > settings.max_bytes:
        yield Rejected(name, f"input is over the {settings.max_bytes:,}-byte cap")
        return
    yield from read_bytes(name, data, settings)


def read_bytes(name: str, data: bytes, settings: IngestSettings, hint: str | None = None) -> Iterator[Read]:
    """Read one blob whose format is found from its content, then its name (or `hint`)."""
    if not data.strip():
        yield Rejected(name, "empty file")
        return
    text = decode(data)
    if text is None:
        yield Rejected(name, "binary or undecodable content (no text encoding fits)")
        return
    fmt = hint or sniff(name, text)
    if fmt == "jsonl":
        yield from read_jsonl(name, text)
    elif fmt == "html":
        yield read_html(name, text)
    elif fmt == "feed":
        yield from read_feed(name, data)
    else:
        yield read_text(name, text)


def decode(data: bytes) -> str | None:
    """UTF-8 if it is, else the best guess of charset-normalizer; None for binary data."""
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None or best.chaos > 0.3:
        return None
    return str(best)


def sniff(name: str, text: str) -> str:
    head = text.lstrip()[:2048].lower()
    suffix = Path(name.split(":")[0]).suffix.lower()
    if suffix == ".gz":
        suffix = Path(Path(name).stem).suffix.lower()
    if head.startswith("<?xml") or head.startswith("<rss") or head.startswith("<feed") or "<rss" in head[:400]:
        if "<html" not in head:
            return "feed"
    if head.startswith("<!doctype html") or head.startswith("<html") or "<html" in head[:400] or "<body" in head:
        return "html"
    if suffix in JSONL_EXT or (head.startswith("{") and suffix not in TEXT_EXT):
        return "jsonl"
    if suffix in HTML_EXT:
        return "html"
    if suffix in FEED_EXT:
        return "feed"
    return "text"


def read_text(name: str, text: str) -> Read:
    """Plain text. An optional `date YYYY-MM-DD` at the very start is metadata (kept in raw)."""
    metadata = {}
    match = HEADER_DATE.match(text)
    if match:
        metadata["published"] = match.group(1)
        metadata["header_end"] = match.end()
    if not text[match.end() if match else 0 :].strip():
        return Rejected(name, "no text after the date header")
    return RawDoc(source=name, text=text, metadata=metadata, metadata_from="header", fmt="text")


JSONL_KNOWN = ("title", "url", "published", "outlet", "byline", "id")


def read_jsonl(name: str, text: str) -> Iterator[Read]:
    """One article a line: `text` required; title/url/published/outlet optional; rest kept."""
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{name}:{lineno}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Rejected(where, f"malformed JSON line ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(record, dict):
            yield Rejected(where, f"a JSONL line must be an object, got {type(record).__name__}")
            continue
        body = record.get("text")
        if not isinstance(body, str) or not body.strip():
            yield Rejected(where, "no 'text' field (or it is empty)")
            continue
        metadata = {k: record[k] for k in JSONL_KNOWN if record.get(k) not in (None, "")}
        extra = {k: v for k, v in record.items() if k not in JSONL_KNOWN and k != "text"}
        if extra:
            metadata["extra"] = extra
        yield RawDoc(source=where, text=body, metadata=metadata, metadata_from="jsonl", fmt="jsonl")


SHORT_PAGE_WORDS = 100


def read_html(name: str, html: str, url: str | None = None) -> Read:
    """Main text and metadata of a page, by trafilatura (precision mode; when that keeps under
    `SHORT_PAGE_WORDS` words and the default mode finds three times as many, the default's)."""
    import trafilatura

    def extract(favor_precision: bool) -> dict:
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=True, favor_precision=favor_precision
        )
        if doc is None:
            return {}
        return doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)

    try:
        data = extract(favor_precision=True)
        words = len((data.get("text") or "").split())
        if words < SHORT_PAGE_WORDS:  # precision mode sometimes keeps one small block of a long article
            fuller = extract(favor_precision=False)
            if len((fuller.get("text") or "").split()) >= 3 * max(words, 1):
                data = fuller
    except Exception as exc:  # trafilatura raises assorted lxml errors on broken markup
        return Rejected(name, f"HTML could not be parsed ({type(exc).__name__}: {exc})")
    if not data:
        return Rejected(name, "HTML page has no main text that trafilatura could find")
    body = data.get("text") or ""
    if not body.strip():
        return Rejected(name, "HTML page has no main text that trafilatura could find")
    metadata = {
        "title": data.get("title"),
        "url": data.get("url") or url,
        "published": data.get("date"),
        "outlet": data.get("sitename"),
        "byline": data.get("author"),
    }
    metadata = {k: v for k, v in metadata.items() if v}
    return RawDoc(source=name, text=body, metadata=metadata, metadata_from="html-meta", fmt="html")


def read_feed(name: str, data: bytes) -> Iterator[Read]:
    """One article per RSS/Atom entry (content, else summary). Entities are never expanded."""
    import feedparser
    from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
    from defusedxml.ElementTree import fromstring

    try:  # defusedxml refuses DTDs with entities before feedparser sees the bytes
        fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except (EntitiesForbidden, ExternalReferenceForbidden, DTDForbidden):
        yield Rejected(name, "feed declares XML entities; refused (entity-expansion attacks)")
        return
    except Exception as exc:
        yield Rejected(name, f"feed is not well-formed XML ({type(exc).__name__}: {exc})")
        return
    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=False)
    outlet = parsed.feed.get("title")
    if not parsed.entries:
        yield Rejected(name, "feed has no entries")
        return
    for i, entry in enumerate(parsed.entries, start=1):
        where = f"{name}#{i}"
        html = entry.get("content", [{}])[0].get("value") if entry.get("content") else entry.get("summary")
        text = _html_to_text(html or "")
        if not text.strip():
            yield Rejected(where, "feed entry has neither content nor summary")
            continue
        published = None
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        if stamp:
            published = f"{stamp.tm_year:04d}-{stamp.tm_mon:02d}-{stamp.tm_mday:02d}"
        metadata = {
            "title": entry.get("title"),
            "url": entry.get("link"),
            "published": published,
            "outlet": outlet,
            "byline": entry.get("author"),
        }
        metadata = {k: v for k, v in metadata.items() if v}
        yield RawDoc(source=where, text=text, metadata=metadata, metadata_from="feed", fmt="feed")


def _html_to_text(html: str) -> str:
    """Text of an HTML fragment, one paragraph per block element."""
    if "<" not in html:
        return html
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except Exception:
        return re.sub(r"<[^>]+>", " ", html)
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    blocks = []
    for el in root.iter("p", "li", "blockquote", "h1", "h2", "h3", "h4", "div"):
        if el.tag == "div" and any(child.tag in ("p", "div", "li") for child in el):
            continue
        text = " ".join(el.text_content().split())
        if text:
            blocks.append(text)
    return "\n\n".join(blocks) if blocks else " ".join(root.text_content().split())


def _is_url(s: str) -> bool:
    return s.startswith(("http://", "https://"))
