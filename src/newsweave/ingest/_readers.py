"""Readers: turn a path, URL or stdin into `RawDoc`s (or `Rejected`s with a reason).

The reader is chosen by content first and extension second, so a feed saved as `.txt` or
an HTML page without extension still reads right. One bad source never stops the others:
every problem becomes a `Rejected` with a one-line reason naming the source.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import os
import re
import stat
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from charset_normalizer import from_bytes

from ..records import RawDoc, Rejected
from ._meta import detect_language
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
    """Expand folders (recursively, sorted; hidden files and README/LICENSE skipped); pass URLs and '-' through.
    Whatever is not a folder is passed on, so a FIFO or a device inside a folder is refused by name."""
    for p in paths:
        p = str(p)
        if p == "-" or _is_url(p):
            yield p
            continue
        path = Path(p)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if not child.is_dir() and not any(part.startswith(".") for part in child.relative_to(path).parts):
                    if not FOLDER_DOCS.match(child.name):
                        yield child
        else:
            yield path


def source_name(path: str) -> str:
    """A path as a source name that can be stored and printed: a file name that is not
    UTF-8 (Python holds its bytes as lone surrogates) shows those bytes as `\\xff`."""
    if not SURROGATE.search(path):
        return path
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _read_file(path: Path, name: str, settings: IngestSettings) -> Iterator[Rejected]:
    """The bytes of a regular file (gunzipped for `.gz`), read up to the cap; yields a
    `Rejected` and returns None otherwise. The size is what was read, never `st_size`
    (0 for a FIFO or /dev/zero), and only regular files are opened for reading: a FIFO
    would block for ever and a device never ends (pipe them in as stdin instead)."""
    cap = settings.max_bytes
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        yield Rejected(name, "no such file or folder")
        return None
    except OSError as exc:
        yield Rejected(name, f"cannot be opened ({exc.strerror or exc})")
        return None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            yield Rejected(name, "not a regular file (a FIFO, device or socket); to read one, give it as stdin: `-`")
            return None
        if info.st_size > cap:  # a quick refusal; what is read below is capped whatever st_size says
            yield Rejected(name, f"file is {info.st_size:,} bytes, over the {cap:,}-byte cap (raise --max-bytes)")
            return None
        data = read_capped(f, cap)
    if len(data) > cap:
        yield Rejected(name, f"file is over the {cap:,}-byte cap (raise --max-bytes)")
        return None
    if path.suffix == ".gz":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as unzipped:
                data = read_capped(unzipped, cap)  # a small .gz can unpack to gigabytes: the cap bounds it too
        except (OSError, EOFError, zlib.error) as exc:
            yield Rejected(name, f"not a readable gzip file ({exc})")
            return None
    return data


def read_capped(stream, cap: int, block: int = 1 << 20) -> bytes:
    """At most `cap` + 1 bytes of `stream` (one more than the cap tells "over the cap"), read
    in blocks so memory follows what is there, not the cap."""
    parts, total = [], 0
    while total <= cap:
        part = stream.read(min(block, cap + 1 - total))
        if not part:
            break
        parts.append(part)
        total += len(part)
    return b"".join(parts)


def read_bytes(
    name: str, data: bytes, settings: IngestSettings, hint: str | None = None, *, charset: str | None = None, url: str | None = None
) -> Iterator[Read]:
    """Read one blob whose format is found from its content, then its name (or `hint`).
    A fetched blob gives `url` (the address it came from after redirects: its path names the
    format, HTML and text keep it as their url) and the server's declared `charset` (used
    when the bytes fit it). Never raises: a problem with the blob (or one JSONL line of it)
    is its `Rejected`."""
    yield from _guarded(name, _read_bytes(name, data, settings, hint, charset, url))


def _read_bytes(
    name: str, data: bytes, settings: IngestSettings, hint: str | None = None, charset: str | None = None, url: str | None = None
) -> Iterator[Read]:
    if not data.strip():
        yield Rejected(name, "empty response body" if url else "empty file")
        return
    text, encoding = _declared(data, charset)
    if text is None:
        text, encoding = decode_with_evidence(data)
    if text is None:
        yield Rejected(name, encoding)
        return
    fmt = hint or sniff(urlsplit(url).path or url if url else name, text)
    if fmt == "jsonl":
        docs = read_jsonl(name, text, settings)
    elif fmt == "html":
        docs = iter([read_html(name, text, url=url, settings=settings)])
    elif fmt == "feed":
        docs = read_feed(name, data, settings)
    else:
        docs = iter([read_text(name, text)])
    for doc in docs:
        if isinstance(doc, RawDoc) and fmt != "feed":  # feedparser decodes a feed by its own declaration
            doc = replace(doc, encoding=encoding)
            if url and fmt != "jsonl" and "url" not in doc.metadata:
                doc = replace(doc, metadata={**doc.metadata, "url": url})
        yield doc


def _declared(data: bytes, charset: str | None) -> tuple[str | None, str]:
    """The text in the charset a server declared, when the bytes fit it."""
    if charset:
        try:
            return data.decode(charset), f"{charset} (declared by the server)"
        except (LookupError, UnicodeDecodeError):
            pass
    return None, ""


def _guarded(name: str, items: Iterator[Read]) -> Iterator[Read]:
    """`items`, each RawDoc checked (`text_problem`); an exception while reading becomes one
    `Rejected` for `name` (what was read before it is kept)."""
    try:
        for item in items:
            yield item if isinstance(item, Rejected) else _checked(item)
    except Exception as exc:  # noqa: BLE001 - any failure on one source is that source's refusal
        yield Rejected(name, f"could not be read ({type(exc).__name__}: {exc})")


def _checked(doc: RawDoc) -> Read:
    """The document, or a `Rejected` when its text or a metadata value is not clean Unicode text."""
    problem = text_problem(doc.text)
    if problem:
        return Rejected(doc.source, problem)
    for key, value in doc.metadata.items():
        problem = text_problem(value) if isinstance(value, str) else None
        if problem:
            return Rejected(doc.source, f"field {key!r} {problem.removeprefix('text ')}")
    return doc


SURROGATE = re.compile("[\ud800-\udfff]")


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored as article text (NUL characters, lone surrogates), or None."""
    if "\x00" in text:
        return f"text holds a NUL character (at {text.index(chr(0)):,}): binary data, not text"
    match = SURROGATE.search(text)
    if match:
        return f"text holds a lone surrogate {match.group().encode('unicode_escape').decode()} (at {match.start():,}): not valid Unicode"
    return None


def decode(data: bytes) -> str | None:
    """The text of `data` (see `decode_with_evidence`), or None for binary data."""
    return decode_with_evidence(data)[0]


# When charset-normalizer cannot tell legacy encodings apart (equal chaos and coherence:
# the same bytes are letters in each, "Aldmère" in Latin-1 reads as cp1250 "Aldmčre" just as
# well), the text's language decides: the Windows code page Microsoft assigns to it (the
# table below; every other language, English among them, uses windows-1252, which is also
# what the WHATWG Encoding Standard makes "latin1"/"iso-8859-1" mean on the web).
WINDOWS_CODE_PAGE = {
    **dict.fromkeys(("cs", "sk", "pl", "hu", "sl", "hr", "bs", "ro", "sq"), "cp1250"),
    **dict.fromkeys(("ru", "uk", "bg", "sr", "mk", "be"), "cp1251"),
    "el": "cp1253", "tr": "cp1254", "az": "cp1254", "he": "cp1255", "ar": "cp1256", "fa": "cp1256", "ur": "cp1256",
    **dict.fromkeys(("et", "lv", "lt"), "cp1257"), "vi": "cp1258",
}


BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def decode_with_evidence(data: bytes) -> tuple[str | None, str]:
    """(text, how it was decoded) or (None, why not). UTF-8 (or a UTF-16/32 BOM) when the
    bytes are that; else charset-normalizer's best reading (a declared charset counts as
    evidence), ties between legacy encodings going to the text's language's code page (`WINDOWS_CODE_PAGE`).
    NUL bytes anywhere (outside UTF-16/32) mean binary data."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), f"{encoding} (byte-order mark)"
            except UnicodeDecodeError:
                break
    if b"\x00" in data:
        return None, f"binary content: a NUL byte at {data.index(0):,} (text files hold none)"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    matches = from_bytes(data)
    best = matches.best()
    if best is None or best.chaos > 0.3:
        return None, "binary or undecodable content (no text encoding fits)"
    how = f"{best.encoding} (charset-normalizer, chaos {best.chaos:.2f})"
    tied = [m.encoding for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
    if len(tied) == 1:
        return str(best), how
    language = detect_language(str(best))
    wanted = WINDOWS_CODE_PAGE.get(language or "", "cp1252")
    chosen = wanted if wanted in tied else best.encoding
    others = ", ".join(e for e in tied[:4] if e != chosen)
    how = (f"{chosen} (charset-normalizer, chaos {best.chaos:.2f}, tied with {others}; "
           f"the Windows code page of the text's language, {language})")
    return data.decode(chosen, errors="replace"), how


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


def read_jsonl(name: str, text: str, settings: IngestSettings | None = None) -> Iterator[Read]:
    """One article a line: `text` required; title/url/published/outlet/byline optional
    strings (`id` a string or an integer); the rest kept. A bad line is its own `Rejected`."""
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{name}:{lineno}"
        try:
            yield _jsonl_record(where, line, settings)
        except Exception as exc:  # noqa: BLE001 - one bad line never costs the others
            yield Rejected(where, f"line could not be read ({type(exc).__name__}: {exc})")


def _jsonl_record(where: str, line: str, settings: IngestSettings | None) -> Read:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return Rejected(where, f"malformed JSON line ({exc.msg} at column {exc.colno})")
    except RecursionError:
        return Rejected(where, "malformed JSON line (nested too deeply)")
    if not isinstance(record, dict):
        return Rejected(where, f"a JSONL line must be an object, got {type(record).__name__}")
    body = record.get("text")
    if not isinstance(body, str) or not body.strip():
        return Rejected(where, "no 'text' field (or it is empty)" if not body else f"field 'text' must be a string, got {type(body).__name__}")
    for key in JSONL_KNOWN:
        value = record.get(key)
        if value is not None and not isinstance(value, str) and not (key == "id" and type(value) is int):
            return Rejected(where, f"field {key!r} must be a string, got {type(value).__name__}")
    if isinstance(record.get("published"), str) and record["published"].strip():
        problem = published_problem(record["published"], lenient=True, settings=settings)
        if problem:
            return Rejected(where, problem)
    metadata = {k: record[k] if k != "id" else str(record[k]) for k in JSONL_KNOWN if record.get(k) not in (None, "")}
    extra = {k: v for k, v in record.items() if k not in JSONL_KNOWN and k != "text"}
    if extra:
        metadata["extra"] = extra
    return RawDoc(source=where, text=body, metadata=metadata, metadata_from="jsonl", fmt="jsonl")


ISO_DATE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})(?:$|[T ]\d)")
def published_problem(value: str, lenient: bool = False, settings: IngestSettings | None = None) -> str | None:
    """Why `value` is no publication date, or None. It must be ISO (YYYY-MM-DD, a time may
    follow) and between 1800 and a year from today. `lenient`: text that is not ISO-shaped
    at all is let through (JSONL keeps it as `published_unparsed`); a Unix time never is."""
    match = ISO_DATE.match(value)
    if not match:
        if value.strip().isdigit():
            return f"'published' must be an ISO date YYYY-MM-DD, got {value.strip()[:20]!r} (a number; Unix times are not read)"
        return None if lenient else f"'published' must be an ISO date YYYY-MM-DD, got {value[:40]!r}"
    try:
        day = dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return f"'published' is no calendar date: {value[:40]!r}"
    cfg = settings or IngestSettings()
    earliest, latest = dt.date(cfg.earliest_year, 1, 1), dt.date.today() + dt.timedelta(days=cfg.future_days)
    if not earliest <= day <= latest:
        return f"'published' {day.isoformat()} is out of range ({earliest.isoformat()} to {latest.isoformat()}): a placeholder, not a date"
    return None


def read_html(name: str, html: str, url: str | None = None, settings: IngestSettings | None = None) -> Read:
    """Main text and metadata of a page, by trafilatura (precision mode; when that keeps under
    `settings.short_page_words` words and the default mode finds three times as many, the default's).
    A page nested deeper or holding more elements than any article page is refused first
    (`html_shape_problem`): trafilatura's work grows with both."""
    import trafilatura

    settings = settings or IngestSettings()
    problem = html_shape_problem(html, settings)
    if problem:
        return Rejected(name, problem)

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
        if words < settings.short_page_words:  # precision mode sometimes keeps one small block of a long article
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


def html_shape_problem(html: str, settings: IngestSettings) -> str | None:
    """Why a page is refused before extraction (nesting deeper than `max_html_depth`, more
    than `max_html_elements` elements), or None. One libxml2 parse and one walk: linear."""
    from lxml import etree

    try:
        root = etree.fromstring(html, etree.HTMLParser())
    except (etree.ParserError, ValueError):
        return None  # trafilatura says what it makes of it
    if root is None:
        return None
    depth = deepest = elements = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        if event == "start":
            depth += 1
            elements += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    if deepest >= settings.max_html_depth:
        return f"HTML nests {deepest}+ elements deep, over the {settings.max_html_depth} an article page needs; refused"
    if elements > settings.max_html_elements:
        return f"HTML has {elements:,} elements, over the {settings.max_html_elements:,} an article page needs; refused"
    return None


def read_feed(name: str, data: bytes, settings: IngestSettings | None = None) -> Iterator[Read]:
    """One article per RSS/Atom entry (content, else summary). Entities are never expanded;
    a feed of more than `max_feed_entries` entries is refused before feedparser reads it."""
    cap = settings or IngestSettings()
    import feedparser
    from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
    from defusedxml.ElementTree import fromstring

    try:  # defusedxml refuses DTDs with entities before feedparser sees the bytes
        root = fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except (EntitiesForbidden, ExternalReferenceForbidden, DTDForbidden):
        yield Rejected(name, "feed declares XML entities; refused (entity-expansion attacks)")
        return
    except Exception as exc:
        yield Rejected(name, f"feed is not well-formed XML ({type(exc).__name__}: {exc})")
        return
    entries = sum(1 for el in root.iter() if isinstance(el.tag, str) and el.tag.rsplit("}", 1)[-1] in ("item", "entry"))
    if entries > cap.max_feed_entries:
        yield Rejected(name, f"feed has {entries:,} entries, over the {cap.max_feed_entries:,} one feed may hold; split it")
        return
    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=False)
    outlet = parsed.feed.get("title")
    if not parsed.entries:
        yield Rejected(name, "feed has no entries")
        return
    for i, entry in enumerate(parsed.entries, start=1):
        where = f"{name}#{i}"
        # an Atom <content src="..."/> points elsewhere and holds no text: the summary is the text then
        contents = [c.get("value") for c in entry.get("content") or [] if (c.get("value") or "").strip()]
        html = contents[0] if contents else entry.get("summary")
        text = _html_to_text(html or "")
        if not text.strip():
            yield Rejected(where, "feed entry has neither content nor summary")
            continue
        published = None
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        if stamp:
            published = f"{stamp.tm_year:04d}-{stamp.tm_mon:02d}-{stamp.tm_mday:02d}"
            if published_problem(published, settings=settings):  # a placeholder date (0001-01-01) is no date
                published = None
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
