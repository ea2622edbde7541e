"""fetch.py against a real HTTP server this test starts on 127.0.0.1 (http.server in a thread)."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from newsweave.ingest._fetch import fetch_url
from newsweave.ingest import read_source
from newsweave.records import RawDoc, Rejected
from newsweave.settings import IngestSettings

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PAGE = (EXAMPLES / "flood-summit_morning-post.html").read_bytes()
FEED = (EXAMPLES / "riverside-gazette.rss").read_bytes()
LATIN1 = "Le maire de Brennmoor a déclaré que la crue était «sans précédent» depuis 1952.\n".encode("latin-1")


class Handler(BaseHTTPRequestHandler):
    seen_agents: list[str] = []

    def log_message(self, *args) -> None:  # keep pytest output clean
        pass

    def _send(self, status: int, body: bytes, ctype: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, to: str) -> None:
        self.send_response(302)
        self.send_header("Location", to)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        Handler.seen_agents.append(self.headers.get("User-Agent", ""))
        path = self.path
        if path == "/page":
            self._send(200, PAGE, "text/html; charset=utf-8")
        elif path == "/feed":
            self._send(200, FEED, "application/rss+xml")
        elif path == "/latin1":
            self._send(200, LATIN1, "text/plain; charset=iso-8859-1")
        elif path == "/missing":
            self._send(404, b"<h1>Not found</h1>", "text/html")
        elif path == "/slow":
            time.sleep(3)
            self._send(200, PAGE, "text/html")
        elif path == "/big-declared":
            self._send(200, b"x" * 300_000, "text/plain")
        elif path == "/big-streamed":  # no Content-Length: only streaming finds the size
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b"<p>" + b"flood " * 2000 + b"</p>\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif path == "/loop-a":
            self._redirect("/loop-b")
        elif path == "/loop-b":
            self._redirect("/loop-a")
        elif path.startswith("/hop/"):
            n = int(path.rsplit("/", 1)[1])
            self._redirect(f"/hop/{n + 1}")
        elif path == "/moved":
            self._redirect("/page")
        elif path == "/to-ftp":
            self._redirect("ftp://127.0.0.1/file.txt")
        elif path == "/image":
            self._send(200, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")
        else:
            self._send(500, b"unexpected path", "text/plain")


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def settings() -> IngestSettings:
    return replace(IngestSettings(), fetch_timeout=1.0, fetch_max_bytes=100_000)


def one(results) -> RawDoc | Rejected:
    results = list(results)
    assert len(results) == 1, results
    return results[0]


def test_ok_page_is_read_with_metadata_and_user_agent(server, settings):
    doc = one(fetch_url(f"{server}/page", settings))
    assert isinstance(doc, RawDoc), doc
    assert doc.source == f"{server}/page"
    assert doc.fmt == "html"
    assert "Sorrel Basin Relief Compact" in doc.text
    assert "Cookie settings" not in doc.text and "Most read" not in doc.text
    assert doc.metadata["outlet"] == "The Estmark Morning Post"
    assert doc.metadata["published"] == "2026-11-05"
    assert doc.metadata["byline"] == "Hanna Lindqvist"
    assert Handler.seen_agents[-1] == settings.user_agent


def test_404_is_rejected_naming_the_status(server, settings):
    doc = one(fetch_url(f"{server}/missing", settings))
    assert isinstance(doc, Rejected)
    assert doc.source == f"{server}/missing"
    assert "HTTP 404" in doc.reason


def test_slow_server_times_out(server, settings):
    start = time.monotonic()
    doc = one(fetch_url(f"{server}/slow", settings))
    assert isinstance(doc, Rejected)
    assert "timed out after 1s" in doc.reason
    assert time.monotonic() - start < 2.9  # gave up before the handler answered


@pytest.mark.parametrize("path", ["/big-declared", "/big-streamed"])
def test_oversized_body_is_refused_at_the_cap(server, settings, path):
    doc = one(fetch_url(f"{server}{path}", settings))
    assert isinstance(doc, Rejected)
    assert "100,000-byte fetch cap" in doc.reason
    assert "\n" not in doc.reason


def test_redirect_loop_is_named(server, settings):
    doc = one(fetch_url(f"{server}/loop-a", settings))
    assert isinstance(doc, Rejected)
    assert doc.reason.startswith("redirect loop")
    assert "/loop-b" in doc.reason


def test_redirects_are_bounded(server, settings):
    doc = one(fetch_url(f"{server}/hop/0", settings))
    assert isinstance(doc, Rejected)
    assert f"more than {IngestSettings().max_redirects} redirects" in doc.reason


def test_redirect_is_followed_and_final_url_kept(server, settings):
    doc = one(fetch_url(f"{server}/moved", settings))
    assert isinstance(doc, RawDoc), doc
    assert doc.source == f"{server}/moved"  # the sighting is the URL asked for
    assert "240 million euros" in doc.text


def test_only_http_and_https(server, settings):
    assert "only http and https" in one(fetch_url("ftp://127.0.0.1/file.txt", settings)).reason
    assert "only http and https" in one(fetch_url("file:///etc/passwd", settings)).reason
    redirected = one(fetch_url(f"{server}/to-ftp", settings))
    assert isinstance(redirected, Rejected) and "redirect target ftp://" in redirected.reason


def test_feed_gives_one_article_per_entry(server, settings):
    docs = list(fetch_url(f"{server}/feed", settings))
    assert [type(d) for d in docs] == [RawDoc, RawDoc, RawDoc]
    assert all(d.metadata["outlet"] == "The Riverside Gazette" for d in docs)
    assert "Ines Marwood" in docs[1].text


def test_declared_charset_is_used(server, settings):
    doc = one(fetch_url(f"{server}/latin1", settings))
    assert isinstance(doc, RawDoc), doc
    assert "déclaré" in doc.text and "«sans précédent»" in doc.text
    assert doc.encoding == "iso-8859-1 (declared by the server)"  # the decision on record, as for files
    assert doc.metadata["url"] == f"{server}/latin1"


def test_non_article_content_type_is_refused(server, settings):
    doc = one(fetch_url(f"{server}/image", settings))
    assert isinstance(doc, Rejected) and "'image/png'" in doc.reason


def test_nothing_listens(settings):
    import socket

    with socket.socket() as s:  # a port that was free a moment ago
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    doc = one(fetch_url(f"http://127.0.0.1:{port}/", settings))
    assert isinstance(doc, Rejected) and doc.reason.startswith("could not fetch")


def test_read_source_fetches_only_when_asked(server, settings):
    url = f"{server}/page"
    refused = one(read_source(url, settings))
    assert isinstance(refused, Rejected) and "--fetch" in refused.reason
    assert isinstance(one(read_source(url, settings, fetch=True)), RawDoc)


def test_workspace_ingest_of_a_url_records_the_url_as_sighting(server, tmp_path):
    import newsweave

    url = f"{server}/page"
    with newsweave.open(tmp_path / "fetch.db") as ws:
        report = ws.ingest([url, f"{server}/missing"], fetch=True)
        assert len(report.ingested) == 1
        assert [r.source for r in report.rejected] == [f"{server}/missing"]
        (article,) = ws.articles()
        assert [s.source for s in article.sightings] == [url]
        assert article.outlet == "The Estmark Morning Post" and str(article.published) == "2026-11-05"
