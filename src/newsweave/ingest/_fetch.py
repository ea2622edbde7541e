"""Fetch a URL politely and hand what it holds to the readers (only with `--fetch`).

    fetch_url(url, settings) -> Iterator[RawDoc | Rejected]

1. refuse anything but http/https;
2. GET with our user agent and a timeout; follow at most `settings.max_redirects` redirects by
   hand (each hop's scheme checked again; a loop is named as such);
3. refuse an HTTP error status, and a body over `settings.fetch_max_bytes` — declared in
   Content-Length or found while streaming (the download stops at the cap; the cap applies
   to the decoded bytes, so a gzip bomb stops too); the whole fetch has one deadline;
4. choose the reader from the Content-Type (HTML, RSS/Atom, text, JSONL), falling back to
   the content itself;
5. the body goes to `readers.read_bytes(url, body, hint=format, charset=..., url=final_url)`,
   the one dispatch to the readers that files and uploads use too.

Every failure is one `Rejected(url, reason)`; nothing raises for a bad URL or server.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import httpx

from . import _readers as readers
from ..records import RawDoc, Rejected
from ..settings import IngestSettings

ACCEPT = "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,application/xml;q=0.9,text/plain;q=0.8,*/*;q=0.1"

HTML_TYPES = {"text/html", "application/xhtml+xml"}
FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/xml", "text/xml", "application/rdf+xml"}
TEXT_TYPES = {"text/plain", "text/markdown"}
JSONL_TYPES = {"application/x-ndjson", "application/jsonl", "application/json-lines", "application/json"}


class _Refused(Exception):
    """Internal: a fetch that ends in a `Rejected` with this reason."""


def fetch_url(url: str, settings: IngestSettings) -> Iterator[RawDoc | Rejected]:
    """Every article the URL holds, or one `Rejected` naming the URL and the reason."""
    try:
        final_url, content_type, charset, body = _download(url, settings)
    except _Refused as exc:
        yield Rejected(url, str(exc))
        return
    fmt = _format_of(content_type)
    if fmt is None:
        yield Rejected(url, f"content type {content_type!r} is not an article (expected HTML, a feed or text)")
        return
    yield from readers.read_bytes(url, body, settings, None if fmt == "sniff" else fmt, charset=charset, url=final_url)


def _download(url: str, settings: IngestSettings) -> tuple[str, str, str | None, bytes]:
    """(final url, media type, charset, body) after redirects; raises `_Refused`."""
    deadline = time.monotonic() + settings.fetch_timeout
    headers = {"User-Agent": settings.user_agent, "Accept": ACCEPT}
    seen: list[str] = []
    current = url
    with httpx.Client(timeout=httpx.Timeout(settings.fetch_timeout), follow_redirects=False, headers=headers) as client:
        while True:
            _check_scheme(current, first=not seen)
            if current in seen:
                raise _Refused(f"redirect loop ({' -> '.join(seen + [current])})")
            seen.append(current)
            try:
                with client.stream("GET", current) as response:
                    if response.is_redirect:
                        location = response.headers.get("location")
                        if not location:
                            raise _Refused(f"HTTP {response.status_code} redirect without a Location header")
                        if len(seen) > settings.max_redirects:
                            raise _Refused(f"more than {settings.max_redirects} redirects (last to {location})")
                        current = urljoin(current, location)
                        continue
                    if response.status_code >= 400:
                        raise _Refused(f"HTTP {response.status_code} {response.reason_phrase}".rstrip())
                    if not 200 <= response.status_code < 300:
                        raise _Refused(f"unexpected HTTP status {response.status_code} {response.reason_phrase}".rstrip())
                    declared = response.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > settings.fetch_max_bytes:
                        raise _Refused(_too_big(f"declares {int(declared):,} bytes", settings))
                    body = _read_capped(response, settings, deadline)
                    media_type, charset = _content_type(response.headers.get("content-type", ""))
                    return str(response.url), media_type, charset, body
            except httpx.TimeoutException:
                raise _Refused(f"timed out after {settings.fetch_timeout:g}s") from None
            except httpx.TooManyRedirects:  # pragma: no cover - we follow redirects ourselves
                raise _Refused(f"more than {settings.max_redirects} redirects") from None
            except httpx.HTTPError as exc:
                raise _Refused(f"could not fetch ({type(exc).__name__}: {exc})") from None


def _read_capped(response: httpx.Response, settings: IngestSettings, deadline: float) -> bytes:
    """The body, stopping as soon as it passes the cap or the deadline."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > settings.fetch_max_bytes:
            raise _Refused(_too_big(f"sent more than {settings.fetch_max_bytes:,} bytes", settings))
        if time.monotonic() > deadline:
            raise _Refused(f"timed out after {settings.fetch_timeout:g}s (body still arriving)")
        chunks.append(chunk)
    return b"".join(chunks)


def _too_big(what: str, settings: IngestSettings) -> str:
    return f"response {what}, over the {settings.fetch_max_bytes:,}-byte fetch cap (raise fetch_max_bytes)"


def _check_scheme(url: str, first: bool) -> None:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        where = "URL" if first else f"redirect target {url}"
        raise _Refused(f"{where} has scheme {scheme or 'none'!r}; only http and https are fetched")
    if not urlsplit(url).hostname:
        raise _Refused(f"no host in {url!r}")


def _content_type(header: str) -> tuple[str, str | None]:
    """('text/html', 'utf-8') from 'text/html; charset=UTF-8'."""
    parts = [p.strip() for p in header.split(";")]
    media_type = parts[0].lower() if parts and parts[0] else ""
    charset = None
    for param in parts[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return media_type, charset


def _format_of(media_type: str) -> str | None:
    """Reader for a media type: html | feed | text | jsonl | sniff; None when not an article."""
    if media_type in HTML_TYPES:
        return "html"
    if media_type in FEED_TYPES or media_type.endswith("+xml"):
        return "feed" if media_type != "application/xhtml+xml" else "html"
    if media_type in JSONL_TYPES:
        return "jsonl"
    if media_type in TEXT_TYPES:
        return "sniff"  # text/plain is often mislabelled HTML or a feed
    if not media_type or media_type in ("application/octet-stream", "binary/octet-stream"):
        return "sniff"
    return None


