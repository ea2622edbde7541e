"""readers.py on real inputs: the examples corpus, the seeds, and broken files made here."""

from __future__ import annotations

import gzip
import json
import tracemalloc
from dataclasses import replace
from pathlib import Path

import pytest

from newsweave.ingest import discover, read_bytes, read_source
from newsweave.records import RawDoc, Rejected
from newsweave.settings import IngestSettings

from conftest import EXAMPLES, seed_file

SETTINGS = IngestSettings()


def read(path: Path | str, settings: IngestSettings = SETTINGS) -> list[RawDoc | Rejected]:
    return list(read_source(path, settings))


def only(results):
    results = list(results)
    assert len(results) == 1, results
    return results[0]


# -- the good forms ---------------------------------------------------------------------


def test_html_page_main_text_and_metadata():
    doc = only(read(EXAMPLES / "flood-summit_morning-post.html"))
    assert isinstance(doc, RawDoc) and doc.fmt == "html" and doc.metadata_from == "html-meta"
    assert doc.metadata == {
        "title": "Sorrel basin leaders agree 240-million-euro flood fund in Brennmoor",
        "url": "https://morningpost.example/world/2026/11/05/sorrel-basin-flood-fund",
        "published": "2026-11-05",
        "outlet": "The Estmark Morning Post",
        "byline": "Hanna Lindqvist",
    }
    assert doc.text.startswith("Leaders of Lorvania, Estmark and Kessia on Thursday signed")
    assert "next spring." in doc.text
    for clutter in ("Accept all", "Most read", "Related stories", "All rights reserved", "Subscribe from"):
        assert clutter not in doc.text


def test_rss_one_article_per_entry_content_or_summary():
    docs = read(EXAMPLES / "riverside-gazette.rss")
    assert [d.source for d in docs] == [f"{EXAMPLES / 'riverside-gazette.rss'}#{i}" for i in (1, 2, 3)]
    assert all(isinstance(d, RawDoc) and d.metadata_from == "feed" for d in docs)
    summary_only, with_content, _ = docs
    assert summary_only.text.startswith("The first lorries of drinking water")  # <description> only
    assert with_content.text.startswith("Dockworkers returned to the Port of Aldmere at 6 a.m.")  # content:encoded wins
    assert len(with_content.text.split("\n\n")) == 5  # one paragraph per <p>
    assert with_content.metadata["published"] == "2026-11-04"
    assert with_content.metadata["byline"] == "Sara Lind"
    assert with_content.metadata["outlet"] == "The Riverside Gazette"


ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Kessia Today</title>
  <id>urn:example:kessia-today</id>
  <updated>2026-11-06T08:00:00Z</updated>
  <entry>
    <title>Orlo begins pumping out flooded streets</title>
    <id>urn:example:orlo-pumps</id>
    <link href="https://kessiatoday.example/orlo-pumps"/>
    <published>2026-11-06T07:30:00Z</published>
    <author><name>Vera Kolt</name></author>
    <content type="html">&lt;p&gt;Fire crews in Orlo started pumping water out of the old town on Friday.&lt;/p&gt;&lt;p&gt;Mayor Vesna Darrow said the work would take a week.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Empty entry</title>
    <id>urn:example:empty</id>
    <updated>2026-11-06T07:00:00Z</updated>
  </entry>
</feed>
"""


def test_atom_entries_and_an_empty_entry_named():
    docs = list(read_bytes("kessia.atom", ATOM, SETTINGS))
    first, empty = docs
    assert isinstance(first, RawDoc)
    assert first.text == (
        "Fire crews in Orlo started pumping water out of the old town on Friday.\n\n"
        "Mayor Vesna Darrow said the work would take a week."
    )
    assert first.metadata["published"] == "2026-11-06"
    assert first.metadata["url"] == "https://kessiatoday.example/orlo-pumps"
    assert first.metadata["byline"] == "Vera Kolt"
    assert isinstance(empty, Rejected) and empty.source == "kessia.atom#2"
    assert "neither content nor summary" in empty.reason


def test_jsonl_known_fields_and_extra_kept():
    docs = read(EXAMPLES / "flood-and-markets.jsonl")
    assert [d.source.rsplit(":", 1)[1] for d in docs] == ["1", "2", "3"]
    kessia = docs[1]
    assert kessia.metadata["outlet"] == "Kessia Today"
    assert kessia.metadata["published"] == "2026-11-05"
    assert kessia.metadata["extra"] == {"tags": ["floods", "Kessia"]}
    assert kessia.text.startswith("Brennmoor, Nov 5 (AFP) Kessia will receive")


@pytest.mark.parametrize(
    "name, header_is_own_line",
    [("port-deal_wire.txt", True), ("port-deal_coastal-herald.txt", False)],
)
def test_text_date_header_on_its_own_line_or_leading_the_text(name, header_is_own_line):
    doc = only(read(EXAMPLES / name))
    assert doc.metadata["published"] == "2026-11-03"
    rest = doc.text[doc.metadata["header_end"] :]
    assert rest.startswith("\n") == header_is_own_line
    assert rest.lstrip().startswith("ALDMERE, Nov 3 (Reuters)" if header_is_own_line else "Aldmere: Eleven days")
    assert doc.text == (EXAMPLES / name).read_text(encoding="utf-8")  # raw kept verbatim


def test_seed_header_read_and_undated_seed_has_none():
    dated = only(read(seed_file("000")))
    assert dated.metadata["published"] == "2025-10-31"
    assert "published" not in only(read(seed_file("002"))).metadata


def test_gzipped_page_reads_like_the_page(tmp_path):
    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress((EXAMPLES / "flood-summit_morning-post.html").read_bytes()))
    doc = only(read(path))
    assert isinstance(doc, RawDoc) and doc.fmt == "html" and "Halvik bridge" in doc.text


def test_format_comes_from_content_before_extension(tmp_path):
    feed_as_txt = tmp_path / "feed.txt"
    feed_as_txt.write_bytes((EXAMPLES / "riverside-gazette.rss").read_bytes())
    assert [d.fmt for d in read(feed_as_txt)] == ["feed"] * 3
    page_without_ext = tmp_path / "page"
    page_without_ext.write_bytes((EXAMPLES / "flood-summit_morning-post.html").read_bytes())
    assert only(read(page_without_ext)).fmt == "html"


def test_discover_recurses_sorted_skipping_hidden_and_readme(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.txt").write_text("Two.")
    (tmp_path / "a.txt").write_text("One.")
    (tmp_path / ".hidden.txt").write_text("Hidden.")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text("Git.")
    (tmp_path / "README.md").write_text("# About this folder")
    assert [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path])] == ["a.txt", "b/two.txt"]
    assert list(discover([tmp_path / "README.md", "https://example.invalid/x", "-"]))[1:] == [
        "https://example.invalid/x",
        "-",
    ]


# -- bad input: one clear line each, naming the source ---------------------------------


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>Laughs</title>
<item><title>&lol9;</title><description>&lol9;</description></item>
</channel></rss>
"""


def test_billion_laughs_feed_refused_without_expansion(tmp_path):
    path = tmp_path / "laughs.rss"
    path.write_bytes(BILLION_LAUGHS)
    tracemalloc.start()
    try:
        result = only(read(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(result, Rejected) and result.source == str(path)
    assert "entities" in result.reason and "refused" in result.reason
    assert peak < 20 * 1024 * 1024  # expanded, &lol9; alone is 3 GB


def test_external_entity_feed_refused(tmp_path):
    xxe = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>t</title><item><description>&x;</description></item></channel></rss>"""
    result = only(read_bytes("xxe.rss", xxe, SETTINGS))
    assert isinstance(result, Rejected) and "refused" in result.reason


def test_jsonl_malformed_line_names_its_line_and_the_rest_goes_on(tmp_path):
    path = tmp_path / "mixed.jsonl"
    good = json.dumps({"text": "The Halvik bridge reopened to lorries on Monday.", "outlet": "Kessia Today"})
    path.write_text("\n".join([good, '{"text": "unterminated', "", "[1, 2]", '{"title": "no text"}', good.replace("Monday", "Tuesday")]) + "\n")
    results = read(path)
    by_line = {r.source.rsplit(":", 1)[1]: r for r in results}
    assert sorted(by_line) == ["1", "2", "4", "5", "6"]  # the blank line 3 is skipped silently
    assert isinstance(by_line["1"], RawDoc) and isinstance(by_line["6"], RawDoc)
    assert isinstance(by_line["2"], Rejected) and by_line["2"].reason.startswith("malformed JSON line")
    assert str(by_line["2"]) == f"{path}:2: {by_line['2'].reason}"
    assert "must be an object, got list" in by_line["4"].reason
    assert "no 'text' field" in by_line["5"].reason


def test_binary_file_refused(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 20)
    result = only(read(path))
    assert isinstance(result, Rejected) and "binary" in result.reason


@pytest.mark.parametrize("content", [b"", b"   \n\n\t  \n"])
def test_empty_file_refused(tmp_path, content):
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    assert only(read(path)) == Rejected(str(path), "empty file")


def test_header_without_text_refused(tmp_path):
    path = tmp_path / "only-header.txt"
    path.write_text("date 2026-11-03\n\n")
    result = only(read(path))
    assert isinstance(result, Rejected) and "no text after the date header" in result.reason


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_legacy_encodings_are_detected(tmp_path, encoding):
    text = (
        "Brennmoor's café owners said the flood had wrecked their terraces. "
        "\u201cWe lost everything on the ground floor,\u201d said Renée Dufort, whose bistro faces the river. "
        if encoding == "cp1252"
        else "Brennmoor's café owners said the flood had wrecked their terraces; Renée Dufort's bistro faces the river. "
    ) * 3
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    doc = only(read(path))
    assert isinstance(doc, RawDoc)
    assert doc.text == text


def test_truncated_html_still_gives_the_text_before_the_cut(tmp_path):
    page = (EXAMPLES / "flood-summit_morning-post.html").read_text(encoding="utf-8")
    cut = page[: page.index("The floods killed 17")]  # mid-article, tags left open
    path = tmp_path / "cut.html"
    path.write_text(cut)
    doc = only(read(path))
    assert isinstance(doc, RawDoc)
    assert "Voight told a news conference" in doc.text and "The floods killed" not in doc.text


def test_html_with_no_article_is_refused_with_reason(tmp_path):
    path = tmp_path / "nav.html"
    path.write_text(
        "<html><body><nav><ul><li><a href=/>Home</a></li><li><a href=/world>World</a></li></ul></nav>"
        "<footer>(c) 2026 The Riverside Gazette</footer></body></html>"
    )
    result = only(read(path))
    assert isinstance(result, Rejected) and "no main text" in result.reason


def test_oversized_file_refused_naming_the_cap(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_text("The Sorrel rose again overnight. " * 2000)
    result = only(read(path, replace(SETTINGS, max_bytes=10_000)))
    assert isinstance(result, Rejected)
    assert result.reason == "file is 66,000 bytes, over the 10,000-byte cap (raise --max-bytes)"


def test_missing_file_and_unfetched_url():
    assert only(read("/no/such/file.txt")).reason == "no such file or folder"
    assert "--fetch" in only(read("https://example.invalid/article")).reason


def test_broken_gzip_refused(tmp_path):
    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress(b"<html><body><p>text</p></body></html>")[:20])
    result = only(read(path))
    assert isinstance(result, Rejected) and "gzip" in result.reason


def test_the_publication_date_range_follows_the_ingest_settings():
    """`earliest_year` is a setting, and the JSONL reader honours the one it is given."""
    line = b'{"text": "A council met on Monday.", "published": "1850-05-01"}\n'
    default = list(read_bytes("a.jsonl", line, IngestSettings()))
    later = list(read_bytes("a.jsonl", line, IngestSettings(earliest_year=1900)))
    assert not isinstance(default[0], Rejected)
    assert isinstance(later[0], Rejected) and "out of range" in later[0].reason
