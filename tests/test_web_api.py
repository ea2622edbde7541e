"""The JSON API (and the pages' server side) over a store the seeds were uploaded into:
every endpoint, bad input (malformed JSON, oversized and wrong-typed uploads, unknown
ids), escaping of article text, and that no path reaches a file outside the store."""

from __future__ import annotations

import html
import itertools
import re

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis.errors import Unsatisfiable
from markupsafe import escape
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from _jobs import analysed
from newsweave.settings import Settings
from newsweave.web._site import safe_name
from newsweave.web.app import create_app

HTML = {"accept": "text/html"}


def _seed_files(seeds_dir):
    return [("files", (p.name, p.read_bytes(), "text/plain")) for p in sorted(seeds_dir.glob("*.txt"))]


@pytest.fixture(scope="module")
def client(seeds_dir, tmp_path_factory):
    settings = Settings()
    settings.web.max_upload_bytes = 200_000
    app = create_app(tmp_path_factory.mktemp("web") / "web.db", settings)
    with TestClient(app) as c:
        r = c.post("/api/upload", files=_seed_files(seeds_dir))
        assert r.status_code == 202, r.text  # stored; analysed in the background
        c.uploaded = r.json()
        c.job = analysed(c, c.uploaded)
        yield c


def _ids(client):
    return [a["id"] for a in client.get("/api/articles", params={"limit": 200}).json()["articles"]]


def _error(r, status):
    assert r.status_code == status, r.text
    body = r.json()
    assert body["status"] == status and isinstance(body["error"], str) and body["error"]
    return body["error"]


# -- ingest ----------------------------------------------------------------------------


def test_upload_adds_every_seed_with_its_name(client, seeds_dir):
    assert len(client.uploaded["added"]) == len(list(seeds_dir.glob("*.txt"))) == 5
    assert client.uploaded["rejected"] == []
    job = client.job  # the job went through every stage over exactly these articles
    assert job["articles"] == client.uploaded["added"] and job["error"] is None and job["failed"] == []
    assert job["stages_done"] == job["stages_total"] == 7 and job["finished"] >= job["started"] >= job["submitted"]
    sources = {s for a in client.get("/api/articles").json()["articles"] for s in a["sources"]}
    assert sources == {f"upload/{p.name}" for p in seeds_dir.glob("*.txt")}


def test_same_upload_again_adds_nothing(client, seeds_dir):
    before = client.get("/api/health").json()["articles"]
    r = client.post("/api/upload", files=_seed_files(seeds_dir)[:1])
    assert r.status_code == 202 and r.json()["added"] == [] and len(r.json()["duplicates"]) == 1
    (dup,) = r.json()["duplicates"]  # its existing id, stored once
    assert dup["article"] in client.uploaded["added"] and r.json()["job"]["articles"] == [dup["article"]]
    analysed(client, r.json())
    assert client.get("/api/health").json()["articles"] == before


def test_post_articles_json_goes_through_the_pipeline(client):
    text = "Zanzibar port authorities said on Tuesday the harbour would reopen after repairs."
    r = client.post("/api/articles", json={"articles": [{"text": text, "title": "Zanzibar harbour", "published": "2025-11-04"}]})
    assert r.status_code == 202, r.text
    (aid,) = r.json()["added"]
    article = client.get(f"/api/articles/{aid}").json()  # stored in the request: readable at once
    assert article["article"]["title"] == "Zanzibar harbour" and article["article"]["published"] == "2025-11-04"
    assert "harbour would reopen" in article["clean_text"]
    assert [h["article"] for h in client.get("/api/search", params={"q": "Zanzibar"}).json()["hits"]] == [aid]
    analysed(client, r.json())
    assert aid in {a for s in client.get("/api/stories", params={"q": "Zanzibar"}).json()["stories"]
                   for a in [x["id"] for x in client.get(f"/api/stories/{s['id']}").json()["article_list"]]}


def test_malformed_json_is_a_400_naming_the_problem(client):
    message = _error(client.post("/api/articles", content=b'{"articles": [', headers={"content-type": "application/json"}), 400)
    assert "malformed JSON" in message


@pytest.mark.parametrize(
    "body, where",
    [({}, "articles"), ({"articles": []}, "articles"), ({"articles": [{"title": "x"}]}, "text"),
     ({"articles": [{"text": "x", "published": "31 Oct"}]}, "published"), ([1, 2], "body")],
)
def test_wrong_shape_is_a_422_naming_the_field(client, body, where):
    assert where in _error(client.post("/api/articles", json=body), 422)


def test_oversized_upload_is_refused_with_413(client):
    big = b"Kuala Lumpur. " * 20_000  # 280 kB over the 200 kB cap of this app
    message = _error(client.post("/api/upload", files=[("files", ("big.txt", big, "text/plain"))]), 413)
    assert "cap" in message
    message = _error(client.post("/api/articles", json={"articles": [{"text": big.decode()}]}), 413)


@pytest.mark.parametrize(
    "name, data, status, words",
    [
        ("tool.exe", b"MZ just text", 415, "unsupported file type"),
        ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", 415, "binary"),
        ("empty.txt", b"   \n", 400, "empty"),
    ],
)
def test_uploads_are_type_checked(client, name, data, status, words):
    assert words in _error(client.post("/api/upload", files=[("files", (name, data, "application/octet-stream"))]), status)


def test_upload_without_anything_is_a_400(client):
    assert "nothing to ingest" in _error(client.post("/api/upload", data={"text": "  "}), 400)


def test_upload_file_names_cannot_name_a_path(client):
    r = client.post("/api/upload", files=[("files", ("../../../etc/passwd.txt", b"Nairobi, Nov 2: The city council met on Sunday.", "text/plain"))])
    assert r.status_code == 202, r.text
    (aid,) = r.json()["added"]
    assert client.get(f"/api/articles/{aid}").json()["article"]["sources"] == ["upload/passwd.txt"]
    assert safe_name("..\\..\\boot.ini", 0) == "boot.ini" and safe_name("/", 3) == "upload-3.txt"


# -- reading ---------------------------------------------------------------------------


def test_health_and_article_list(client):
    health = client.get("/api/health").json()
    listing = client.get("/api/articles", params={"limit": 2, "offset": 1}).json()
    assert health["ok"] and health["articles"] == listing["total"] >= 5
    assert len(listing["articles"]) == 2


def test_article_detail_has_clean_text_removed_and_highlight(client):
    with_removed = None
    for aid in _ids(client):
        a = client.get(f"/api/articles/{aid}").json()
        if a["removed"]:
            with_removed = a
    assert with_removed, "the aggregator seed has boilerplate removed"
    assert any("Also Read" in r["text"] or r["reason"] for r in with_removed["removed"])
    text = with_removed["clean_text"]
    start = text.index(". ") + 2
    end = text.index(".", start) + 1
    hl = client.get(f"/api/articles/{with_removed['article']['id']}", params={"hl": f"{start}-{end}"}).json()
    assert hl["highlight"]["text"] == text[start:end]
    bad = client.get(f"/api/articles/{with_removed['article']['id']}", params={"hl": "9-3"}).json()
    assert bad["highlight"] is None


def test_article_page_marks_the_highlight_and_greys_removed_text(client):
    aid = next(a for a in _ids(client) if client.get(f"/api/articles/{a}").json()["removed"])
    view = client.get(f"/api/articles/{aid}").json()
    start, end = 0, view["clean_text"].index(" ", 20)
    page = client.get(f"/articles/{aid}?hl={start}-{end}", headers=HTML)
    assert page.status_code == 200
    assert f'id="ev-{start}-{end}"' in page.text
    marked = re.findall(r'<span class="([^"]*)" data-ev="([^"]*)"[^>]*>([^<]*)</span>', page.text)
    assert html.unescape("".join(t for cls, keys, t in marked if "hl" in cls.split())) == view["clean_text"][start:end]
    assert 'class="removed"' in page.text


@pytest.mark.parametrize("bad", ["nope0000", "..", "..%2F..%2Fetc%2Fpasswd", "%25", "a" * 200])
def test_unknown_or_malicious_ids_are_404_with_a_message(client, bad):
    for url in (f"/api/articles/{bad}", f"/api/stories/{bad}", f"/api/stories/{bad}/brief",
                f"/api/stories/{bad}/compare", f"/api/entities/{bad}"):
        r = client.get(url)
        if r.status_code == 404:
            assert r.json()["error"]
        else:
            assert r.status_code in (404, 422), (url, r.status_code)


def test_unknown_article_names_the_id(client):
    assert "nope0000" in _error(client.get("/api/articles/nope0000"), 404)
    page = client.get("/articles/nope0000", headers=HTML)
    assert page.status_code == 404 and "nope0000" in page.text and "<html" in page.text


@pytest.mark.parametrize(
    "path",
    ["/static/../app.py", "/static/%2e%2e/app.py", "/static/..%2Fapp.py", "/static/%2e%2e/%2e%2e/store.py",
     "/static//etc/passwd", "/static/..%5c..%5cstore.py", "/articles/..%2F..%2F..%2Fetc%2Fpasswd"],
)
def test_no_path_reaches_a_file_outside_the_static_folder(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert "import" not in r.text and "root:" not in r.text


def test_static_assets_are_served_locally(client):
    assert "highlight" in client.get("/static/app.js").text
    assert "--evidence" in client.get("/static/style.css").text


def test_article_text_is_escaped_everywhere(client):
    evil = '<script>alert("x")</script> Kuala Lumpur officials <img src=x onerror=alert(1)> met on Friday.'
    r = client.post("/api/articles", json={"articles": [{"text": evil, "title": "<b>bold</b> title"}]})
    assert r.status_code == 202, r.text
    (aid,) = r.json()["added"]
    for url in (f"/articles/{aid}", "/articles", "/?q=officials", "/search?q=officials"):
        page = client.get(url, headers=HTML).text
        assert "<script>alert" not in page and "<img src=x" not in page and "<b>bold</b>" not in page, url
    assert "&lt;script&gt;" in client.get(f"/articles/{aid}", headers=HTML).text


def test_search_endpoint(client):
    r = client.get("/api/search", params={"q": "Hegseth"}).json()
    assert r["total"] >= 4 and all("hegseth" in " ".join(h["matches"]).lower() for h in r["hits"])
    assert client.get("/api/search", params={"q": '"("'}).status_code == 200
    assert "q" in _error(client.get("/api/search"), 422)


def test_errors_are_json_for_api_and_html_for_pages(client):
    assert "not allowed" in _error(client.delete("/api/articles"), 405)
    assert "/api/nothing" in _error(client.get("/api/nothing"), 404)
    assert "integer" in _error(client.get("/api/articles", params={"limit": "many"}), 422)


def test_security_headers_and_no_cdn_docs(client):
    r = client.get("/", headers=HTML)
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert client.get("/docs").status_code == 404
    schema = client.get("/openapi.json").json()
    assert {"/api/articles", "/api/search", "/api/stories/{story_id}/brief", "/api/upload"} <= set(schema["paths"])


def _page(client, url):
    r = client.get(url, headers=HTML)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), url
    return r.text


def test_pages_render(client):
    seeds = client.uploaded["added"]
    stories = _page(client, "/")
    assert "Rajnath Singh" in stories and "independent source" in stories
    assert re.search(r"\d+ stor(y|ies) · \d+ article", stories)
    articles = _page(client, "/articles")
    total = client.get("/api/articles", params={"limit": 1}).json()["total"]
    assert f"{total} article(s), newest first" in articles
    upload = _page(client, "/upload")
    assert re.search(r'<form[^>]*method="post"', upload) and 'name="files"' in upload and "<textarea" in upload
    search = _page(client, "/search?q=Singh")
    assert all(a in search for a in seeds), "every seed names Singh and is found"
    filtered = _page(client, "/?q=Singh&since=2025-10-01&until=bad")  # a bad date is ignored, not an error
    assert all(a in filtered for a in seeds)


def test_upload_form_redirects_to_the_stories(client):
    r = client.post("/upload", data={"text": "Lima, Nov 3: Peru's congress voted on Monday to approve the budget."},
                    headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/?added=1&job=")
    job = r.headers["location"].split("job=")[1]
    assert 'id="job"' in client.get(r.headers["location"], headers=HTML).text
    analysed(client, {"id": job})
    r = client.post("/upload", files=[("files", ("x.exe", b"abc", "text/plain"))], headers=HTML)
    assert r.status_code == 415 and "unsupported file type" in r.text


# -- stories, briefs, entities ---------------------------------------------------------



def test_seeds_make_one_story_with_a_brief(client):
    seeds = set(client.uploaded["added"])
    stories = [s for s in client.get("/api/stories").json()["stories"]
               if seeds & {a["id"] for a in client.get(f"/api/stories/{s['id']}").json()["article_list"]}]
    assert len(stories) == 1
    sid = stories[0]["id"]
    brief = client.get(f"/api/stories/{sid}/brief").json()
    assert brief["schema"] == "newsweave.brief/1" and brief["story"] == sid
    short = client.get(f"/api/stories/{sid}/brief", params={"words": 30}).json()  # issue 15: the summary's length
    assert 0 < sum(len(x["text"].split()) for x in short["summary"]) <= 30 < sum(len(x["text"].split()) for x in brief["summary"])
    assert client.get(f"/api/stories/{sid}/brief", params={"words": 5}).status_code == 422
    compare = client.get(f"/api/stories/{sid}/compare").json()
    assert {c["article"]["id"] for c in compare["articles"]} >= seeds
    assert client.get("/api/stories", params={"q": "Hegseth"}).json()["total"] >= 1
    assert client.get("/api/stories", params={"since": "2030-01-01"}).json()["total"] == 0
    assert client.get("/api/stories", params={"since": "2025-10-31", "until": "2025-10-31"}).json()["total"] >= 1
    by_entity = client.get("/api/stories", params={"entity": "Hegseth"}).json()
    assert sid in {s["id"] for s in by_entity["stories"]}
    nobody = client.get("/api/stories", params={"entity": "Zebedee Quillfeather"}).json()
    assert nobody["total"] == 0 and "Zebedee" in nobody["note"]
    row = next(s for s in client.get("/api/stories", params={"limit": 200}).json()["stories"] if s["id"] == sid)
    families = {client.get(f"/api/articles/{a}").json()["family"]["id"] for a in seeds}
    assert row["independent_sources"] == len(families) < len(seeds)  # copies count once
    for url in (f"/stories/{sid}", f"/stories/{sid}/compare"):
        assert client.get(url, headers=HTML).status_code == 200


def test_entity_pages(client):
    entities = client.get("/api/entities", params={"q": "Hegseth"}).json()["entities"]
    assert entities
    e = client.get(f"/api/entities/{entities[0]['id']}").json()
    assert "Hegseth" in e["name"] or any("Hegseth" in a for a in e["aliases"])
    roles = [r["normalised"] for r in e["roles"]]  # the conflicting titles stand apart
    assert any("war" in r for r in roles) and any("defence" in r for r in roles), roles
    for role in e["roles"]:
        for ev in role["evidence"]:
            text = client.get(f"/api/articles/{ev['article']}").json()["clean_text"]
            assert text[ev["start"] : ev["end"]] == ev["text"]
    page = client.get(f"/entities/{e['id']}", headers=HTML)
    assert page.status_code == 200 and "Secretary of War" in page.text


def test_story_page_renders_a_brief_with_citations_landing_on_evidence(client):
    """The story template over a real brief (composed by the brief stage from the seed
    records): every summary sentence shows, and each citation links to a span of the cited
    article whose text is that article's clean text at those offsets."""
    from _seedrecords import seed_records
    from newsweave.brief import _compose as brief_stage
    from newsweave.corroborate import _stage as corroborate
    from newsweave.web import views

    articles, families, entities, events, quotes = seed_records()
    facts = corroborate.corroborate_story("st", articles, families, entities, events, quotes)
    brief = brief_stage.compose_brief(brief_stage.BriefInput("st", articles, families, entities, quotes, facts))
    by_id = {a.id: a for a in articles}
    summary = views.citation_targets(brief)
    assert summary and all(s["links"] for s in summary)
    for sentence in summary:
        for link in sentence["links"]:
            m = re.fullmatch(r"/articles/(\w+)\?hl=(\d+)-(\d+)#ev-\2-\3", link["href"])
            assert m and m.group(1) in sentence["citations"], link
            assert link["text"] == by_id[m.group(1)].clean_text[int(m.group(2)) : int(m.group(3))]
    detail = {"id": "st", "label": "seeds", "articles": 5, "first": None, "last": None, "entities": [],
              "article_list": [views.article_row(a) for a in articles]}
    page = client.app.state.templates.env.get_template("story.html").render(
        story=detail, brief=brief, summary=summary, evlinks=views.event_links(brief),
        anum={a.id: i for i, a in enumerate(articles, 1)}, titles={a.id: a.id for a in articles})
    for sentence in summary:
        assert str(escape(sentence["text"])) in page
    assert "Secretary of Defence" in page and "rules-bound" in page  # the discrepancies


def test_a_story_page_is_bounded_and_pages_its_articles(client, monkeypatch):
    """A story of thousands of articles cites hundreds per timeline line; its page shows
    each section's first `story_items` entries with their first `story_citations` citations
    (saying how many more, which the JSON brief holds) and its articles a page at a time.
    Shown on the seeds' story with bounds of 1 entry, 1 citation and 2 articles a page."""
    from newsweave.web import pages

    site = client.app.state.site
    seeds = set(client.uploaded["added"])
    (sid,) = [s["id"] for s in client.get("/api/stories").json()["stories"]
              if seeds & {a["id"] for a in client.get(f"/api/stories/{s['id']}").json()["article_list"]}]
    brief = client.get(f"/api/stories/{sid}/brief").json()
    assert len(brief["timeline"]) > 1 and any(len(t["articles"]) > 1 for t in brief["timeline"])
    for name, value in (("story_items", 1), ("story_citations", 1), ("page_size", 2)):
        monkeypatch.setattr(site.settings.web, name, value)
    with site.reading() as store:
        entry = site.brief_entry(store, sid)
        first, third = (pages.story_html(site, store, sid, None, entry, n)[0].decode() for n in (1, 3))
    timeline = first[first.index('class="timeline"') : first.index("</section>", first.index('class="timeline"'))]
    (line,) = re.findall(r"<li>.*?</li>", timeline, re.S)  # one entry shown ...
    top = brief["timeline"][0]
    assert line.count('class="cite"') == 1 and (len(top["articles"]) == 1 or f"+{len(top['articles']) - 1}<" in line)
    assert f"{len(brief['timeline']) - 1} more timeline entries" in timeline  # ... and the rest counted
    listing = first[first.index('class="sources-list"') :]
    assert re.findall(r'<li value="(\d+)">', listing) == ["1", "2"] and "articles 1–2 of 5" in listing
    assert 'href="?page=2"' in listing
    listing = third[third.index('class="sources-list"') :]
    assert re.findall(r'<li value="(\d+)">', listing) == ["5"] and 'href="?page=2"' in listing  # back to page 2
    assert client.get(f"/stories/{sid}", params={"page": 3}, headers=HTML).status_code == 200


# -- newsweave serve -----------------------------------------------------------------------


def _serve_stderr(tmp_path, host: str) -> str:
    import os
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-m", "newsweave", "serve", "--db", str(tmp_path / "s.db"),
                             "--host", host, "--port", str(port)], stderr=subprocess.PIPE, text=True, env=env)
    try:
        lines, deadline = [], time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            lines.append(line)
            if "serving" in line or not line:
                break
        import httpx

        for _ in range(100):
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).json()["ok"]
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        return "".join(lines)
    finally:
        proc.terminate()
        proc.wait(10)


def test_serve_binds_loopback_quietly_and_warns_otherwise(tmp_path):
    from newsweave.cli.serve import is_loopback

    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4") and not is_loopback("example.org")
    assert "warning" not in _serve_stderr(tmp_path, "127.0.0.1")
    assert "warning: binding to 0.0.0.0" in _serve_stderr(tmp_path, "0.0.0.0")


def test_story_page_lists_its_sub_events_with_dates_and_articles(tmp_path):
    """Issue 17: a story holding a happening and its follow-up (ECB+ 9_ecbplus, dated: the
    review ordered 3-5 March 2009, the rule overturned 27-28 April) shows one story in the
    list and, on its page and in its JSON, the two sub-events with their dates and articles."""
    import json

    import newsweave
    from conftest import shared_path
    from support.dated_stream import ecb_dated_records

    records = [r for r in ecb_dated_records(shared_path("corpora", "ecbplus", "ecbplus-topics-1-35.jsonl"))
               if r["gold"] == "9_ecbplus"]
    path = tmp_path / "9_ecbplus.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    ws = newsweave.open(tmp_path / "se.db")
    ws.ingest([path])
    ws.analyse(until="stories")
    ws.close()
    with TestClient(create_app(tmp_path / "se.db")) as c:
        (story,) = c.get("/api/stories").json()["stories"]
        events = c.get(f"/api/stories/{story['id']}").json()["sub_events"]
        assert [(e["n"], e["first"], e["last"], len(e["articles"])) for e in events] == [
            (1, "2009-03-03", "2009-03-05", 4), (2, "2009-04-27", "2009-04-28", 4)]
        page = c.get(f"/stories/{story['id']}", headers=HTML).text
        section = page[page.index('id="sub-events"'):page.index('class="sources-list"')]
        assert "2009-03-03 – 2009-03-05" in section and "2009-04-27 – 2009-04-28" in section
        assert all(f"/articles/{a}" in section for e in events for a in e["articles"])
