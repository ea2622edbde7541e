"""Renderers: Markdown that cannot turn article text into markup, one self-contained HTML
file whose citations land on marked evidence, JSON; and in headless Chromium the HTML
loads with no console error and an article's `<script>` stays text."""

from __future__ import annotations

import dataclasses
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from newsweave.brief import _compose as B
from newsweave.corroborate import _stage as c
from newsweave.records import Quote, Span
from newsweave.brief.render import render
from newsweave.brief.render._html import _segments, span_tree
from newsweave.brief.render._markdown import esc

from _seedrecords import seed_records

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
EVIL = '<script>window.__pwned = 1; console.error("pwned")</script><img src="x" onerror="window.__pwned = 2">'


def compose(articles, families, entities, events, quotes):
    result = c.corroborate_story("story-seeds", articles, families, entities, events, quotes)
    return B.compose_brief(B.BriefInput("story-seeds", articles, families, entities, quotes, result))


@pytest.fixture(scope="module")
def seeds():
    records = seed_records()
    return compose(*records), {a.id: a.clean_text for a in records[0]}


@pytest.fixture(scope="module")
def evil():
    """The seeds with an article whose text, title and a quote carry script and an onerror
    handler: the brief quotes it and shows the article."""
    articles, families, entities, events, quotes = seed_records()
    a = articles[0]
    para = f"Hegseth said: “{EVIL} is not a tag here.”"
    text = a.clean_text + "\n\n" + para
    start = text.index(EVIL)
    evil_article = dataclasses.replace(a, clean_text=text, title=EVIL)
    quote = Quote("e-hegseth", EVIL, "X", [Span(a.id, start, start + len(EVIL), EVIL)])
    articles = [evil_article, *articles[1:]]
    return compose(articles, families, entities, events, [*quotes, quote]), {x.id: x.clean_text for x in articles}


class Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.hrefs, self.tags, self.srcs = set(), [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if "href" in attrs:
            self.hrefs.append(attrs["href"])
        if "src" in attrs:
            self.srcs.append(attrs["src"])


def test_markdown_has_every_section_and_citation(seeds):
    brief, _ = seeds
    md = render([brief], "md")
    assert md.startswith("# ")
    for heading in ("## Summary", "## Timeline", "## Who's who", "## Quotes", "## Discrepancies", "## Articles", "## Removed boilerplate"):
        assert heading in md
    numbers = {a["id"]: i + 1 for i, a in enumerate(brief["articles"])}
    summary = md.split("## Summary", 1)[1].split("## Timeline", 1)[0]
    for s in brief["summary"]:
        line = next(l for l in summary.splitlines() if esc(s["text"]) in l)
        for a in s["citations"]:
            assert f"[{numbers[a]}]" in line
    assert "rules\\-based" in md or "rules-based" in md


def test_markdown_escapes_article_text(evil):
    brief, _ = evil
    md = render([brief], "md")
    assert "<script" not in md and "<img" not in md
    assert "&lt;script&gt;" in md


def test_json_round_trips(seeds):
    brief, _ = seeds
    assert json.loads(render([brief], "json")) == brief
    assert isinstance(json.loads(render([brief, brief], "json")), list)


def test_html_is_self_contained_and_citations_land_on_evidence(seeds):
    brief, texts = seeds
    html = render([brief], "html", texts)
    p = Collect()
    p.feed(html)
    assert "script" not in p.tags
    assert not [s for s in p.srcs if not s.startswith("data:")]
    assert not [h for h in p.hrefs if not h.startswith(("#", "data:"))]  # no external asset or link
    assert "<svg" in html and "<style>" in html
    cites = [h for h in p.hrefs if h.startswith("#")]
    assert cites and all(h[1:] in p.ids for h in cites)
    # each summary citation points at a <mark> of evidence in the cited article
    marks = set(re.findall(r'<mark id="([^"]+)"', html))
    assert sum(1 for s in brief["summary"] for _ in s["citations"]) <= len([h for h in cites if h[1:] in marks])


def test_html_escapes_article_text(evil):
    brief, texts = evil
    html = render([brief], "html", texts)
    p = Collect()
    p.feed(html)
    assert "script" not in p.tags and "img" not in p.tags
    assert "&lt;script&gt;window.__pwned" in html


def test_marks_nest_even_when_spans_cross():
    text = "Alpha beta gamma delta epsilon."
    tree = span_tree([(0, 16), (6, 22), (11, 16)], 0, len(text), lambda s, e: f"m{s}-{e}")
    parts = list(_segments(tree, text))
    depth, rebuilt = 0, ""
    for kind, x in parts:
        depth += {"open": 1, "close": -1}.get(kind, 0)
        assert depth >= 0
        if kind == "text":
            rebuilt += x
    assert depth == 0 and rebuilt == text


# -- headless Chromium --------------------------------------------------------------------


def _chromium():
    if not CHROMIUM.exists():
        message = f"needs {CHROMIUM} (Debian package chromium)"
        if os.environ.get("NEWSWEAVE_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " but NEWSWEAVE_REQUIRE_BROWSER=1", pytrace=False)
        pytest.skip(message)
    sync = pytest.importorskip("playwright.sync_api")
    return sync.sync_playwright


def _open(html_path: Path, fragment: str = ""):
    """Load a file in headless Chromium; (console messages and page errors, page state)."""
    sync_playwright = _chromium()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            messages = []
            page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
            page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
            page.on("requestfailed", lambda r: messages.append(f"requestfailed: {r.url}"))
            page.goto(html_path.as_uri() + fragment)
            page.wait_for_load_state("load")
            state = page.evaluate(
                """() => ({
                    pwned: window.__pwned === undefined ? null : window.__pwned,
                    scripts: document.scripts.length,
                    target: location.hash ? (document.querySelector(':target') || {}).tagName || null : null,
                    text: document.body.innerText,
                })"""
            )
            return messages, state
        finally:
            browser.close()


@pytest.mark.browser
def test_html_opens_in_chromium_without_console_errors(seeds, tmp_path):
    brief, texts = seeds
    path = tmp_path / "brief.html"
    path.write_text(render([brief], "html", texts), encoding="utf-8")
    first = brief["summary"][0]
    ev = first["evidence"][0]
    fragment = f"#b0-{ev['article'][:12]}-{ev['start']}-{ev['end']}"
    messages, state = _open(path, fragment)
    assert messages == []
    assert state["target"] == "MARK"  # following a citation highlights the sentence
    assert brief["headline"] in state["text"]


@pytest.mark.browser
def test_script_in_an_article_is_inert(evil, tmp_path):
    brief, texts = evil
    path = tmp_path / "evil.html"
    path.write_text(render([brief], "html", texts), encoding="utf-8")
    messages, state = _open(path)
    assert state["pwned"] is None and state["scripts"] == 0
    assert not [m for m in messages if "pwned" in m]
    assert "<script>window.__pwned" in state["text"]  # shown as text


@pytest.mark.browser
def test_cli_html_of_the_seeds_in_chromium(seeds_dir, tmp_path):
    from typer.testing import CliRunner

    from newsweave.cli import app

    out = tmp_path / "seeds.html"
    res = CliRunner().invoke(app, ["brief", str(seeds_dir), "--format", "html", "--db", ":memory:", "-o", str(out)])
    assert res.exit_code == 0, res.output
    messages, state = _open(out)
    assert messages == [] and state["scripts"] == 0
    assert "Also Read |" not in state["text"].split("Removed boilerplate")[0]
