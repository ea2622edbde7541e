"""No single input can hurt the others (issue 14): each finding of the hostile campaign,
reproduced, and the behaviour that replaces it."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import newsweave
from newsweave import nlp, pipeline
from newsweave.ingest import decode_with_evidence, read_bytes, read_source
from newsweave.nlp import parse_spans
from newsweave.records import Article, Rejected
from newsweave.settings import IngestSettings, NlpSettings, Settings
from newsweave.web.app import create_app
from _jobs import analysed, threaded

from conftest import ROOT, shared_path

SETTINGS = IngestSettings()
GOOD = "The harbour authority of Velmora said the port reopened on Monday after the storm, and ferries sailed again."
CLI = [sys.executable, "-m", "newsweave"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "300"}


def jsonl(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def good_line(day: str) -> str:
    return json.dumps({"text": GOOD.replace("Monday", day), "outlet": "Velmora Times"})


def run(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, env=ENV, timeout=600, **kw)


# -- 1. one bad line, one bad document: a Rejected, the rest stored ----------------------


@pytest.mark.parametrize(
    "bad, words",
    [("[" * 100_000, "nested too deeply"), (json.dumps({"text": "Port \ud800 reopened on Monday."}), "lone surrogate \\ud800"),
     ('{"text": "The port reopened.\\u0000"}', "NUL character")],
)
def test_a_bad_jsonl_line_is_its_own_refusal(tmp_path, bad, words):
    path = tmp_path / "batch.jsonl"
    path.write_bytes(jsonl(good_line("Monday"), bad, good_line("Tuesday")))
    with newsweave.open(tmp_path / "s.db") as ws:
        report = ws.ingest([path])  # the Python API returns the refusals; it does not raise
        assert len(report.ingested) == 2 and ws.store.count_articles() == 2
    (refused,) = report.rejected
    assert refused.source == f"{path}:2" and words in refused.reason
    assert "\n" not in str(refused)


def test_a_document_failing_a_step_is_refused_and_the_batch_goes_on(tmp_path, monkeypatch):
    from newsweave.ingest import _meta as meta

    real = meta.detect_language

    def fragile(text: str):
        if "Tuesday" in text:
            raise ValueError("detector broke")
        return real(text)

    monkeypatch.setattr(meta, "detect_language", fragile)
    path = tmp_path / "batch.jsonl"
    path.write_bytes(jsonl(good_line("Monday"), good_line("Tuesday"), good_line("Friday")))
    with newsweave.open(tmp_path / "s.db") as ws:
        report = ws.ingest([path])
        assert ws.store.count_articles() == 2
    (refused,) = report.rejected
    assert refused.source == f"{path}:2" and refused.reason == "could not be ingested (ValueError: detector broke)"


def test_a_name_with_a_line_break_stays_on_one_line(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    bad = folder / "evil\nname.txt"
    bad.write_bytes(b"\x00\x01\x02 binary")
    (folder / "good.txt").write_text(GOOD)
    proc = run("ingest", str(folder), "--no-analyse", "--db", str(tmp_path / "s.db"))
    assert proc.returncode == 1, proc.stderr  # some inputs refused, the rest stored
    (line,) = [line for line in proc.stderr.splitlines() if line.startswith("skipped")]
    assert repr(str(bad)) in line and "NUL byte" in line
    assert "1 ingested" in proc.stderr


def test_a_file_name_that_is_not_utf8_is_stored_under_a_printable_name(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    with open(os.fsencode(folder) + b"/\xffport.txt", "wb") as f:  # a Latin-1 file name
        f.write(GOOD.encode())
    with newsweave.open(tmp_path / "s.db") as ws:
        report = ws.ingest([folder])
        assert report.ok and [s.source for a in ws.articles() for s in a.sightings] == [f"{folder}/\\xffport.txt"]


def test_exit_code_two_when_the_run_fails(tmp_path):
    garbage = tmp_path / "not-a-store.db"
    garbage.write_bytes(b"this is not SQLite " * 100)
    good = tmp_path / "good.txt"
    good.write_text(GOOD)
    proc = run("ingest", str(good), "--no-analyse", "--db", str(garbage))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "not-a-store.db" in proc.stderr


# -- 2. a long paragraph never blocks a stage -----------------------------------------


def long_article(chars: int) -> Article:
    sentence = "The council said the river rose again overnight and more families left their homes. "
    text = "Velmora, Nov 3: The flood reached the old town.\n\n" + sentence * (chars // len(sentence))
    return Article(id="a" * 16, raw_text=text, clean_text=text)


def test_a_long_paragraph_is_parsed_in_pieces_cut_at_sentence_ends():
    article = long_article(1_100_000)  # over spaCy's max_length of 1,000,000
    cfg = NlpSettings()
    spans, note = parse_spans(article, cfg)
    assert all(e - s <= cfg.max_paragraph_chars for s, e in spans)
    assert sum(e - s for s, e in spans) <= cfg.max_article_chars
    assert all(article.clean_text[e - 1] == "." for s, e in spans)  # every piece ends a sentence
    assert spans[1][0] == article.paragraphs()[1][0]  # the first piece starts the paragraph
    assert "parsed in pieces" in note and "200,000-character parse cap" in note
    assert parse_spans(long_article(2_000), cfg) == ([(0, 47), (49, len(long_article(2_000).clean_text))], None)


class Breaks:
    """A stage that fails on articles whose text says so (like E088 on a huge paragraph)."""

    name = "breaks"

    def run(self, store, ids, settings):
        for a in store.articles(ids):
            if "BREAK" in a.clean_text:
                raise ValueError(f"[E088] text of length {len(a.clean_text)} exceeds maximum")


def test_an_article_failing_a_stage_is_recorded_and_the_others_go_on(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "analysis_stages", lambda: [Breaks()])
    texts = [GOOD.replace("Monday", day) for day in ("Monday", "Tuesday", "Wednesday")]
    texts.insert(1, GOOD.replace("storm", "storm BREAK"))
    folder = tmp_path / "in"
    folder.mkdir()
    for i, text in enumerate(texts):
        (folder / f"{i}.txt").write_text(text)
    with newsweave.open(tmp_path / "s.db") as ws:
        ws.ingest([folder])
        (report,) = ws.analyse()
        assert report.articles == 3 and len(report.failed) == 1
        (broken,) = report.failed
        assert "E088" in ws.store.failures()[broken]["breaks"]
        assert ws.store.pending("breaks") == [] and ws.analyse() == []  # skipped by later runs
        (tmp_path / "new.txt").write_text(GOOD.replace("ferries", "buses"))
        ws.ingest([tmp_path / "new.txt"])
        (later,) = ws.analyse()
        assert later.articles == 1 and not later.failed  # new articles are analysed after it
        db = ws.store.path
    shown = run("show", broken, "--db", db)
    assert "failed" in shown.stdout and "E088" in shown.stdout
    retried = run("analyse", "--retry-failed", "--db", db)
    assert "retrying 1 failed" in retried.stderr


def test_failures_are_listed_by_articles_and_the_api(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "analysis_stages", lambda: [Breaks()])
    with newsweave.open(tmp_path / "s.db") as ws:
        path = tmp_path / "x.txt"
        path.write_text(GOOD + " BREAK")
        (aid,) = ws.ingest([path]).ingested
        ws.analyse()
        reason = ws.store.failures()[aid]["breaks"]
    proc = run("articles", "--json", "--db", str(tmp_path / "s.db"))
    assert json.loads(proc.stdout)[0]["failed"] == {"breaks": reason}
    with TestClient(create_app(tmp_path / "s.db")) as client:
        assert client.get("/api/articles").json()["articles"][0]["failed"] == {"breaks": reason}
        assert client.get(f"/api/articles/{aid}").json()["article"]["failed"] == {"breaks": reason}


def test_an_upload_a_stage_fails_on_is_stored_and_later_uploads_go_on(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "analysis_stages", lambda: [Breaks()])
    with TestClient(create_app(tmp_path / "w.db", threaded())) as client:
        first = client.post("/api/upload", data={"text": GOOD + " BREAK"})
        assert first.status_code == 202, first.text
        (failed,) = analysed(client, first.json())["failed"]  # the job is done; the stage refused one article
        assert failed["stage"] == "breaks" and "E088" in failed["reason"] and failed["article"] in first.json()["added"]
        later = client.post("/api/upload", data={"text": GOOD.replace("ferries", "buses")})
        assert later.status_code == 202 and later.json()["articles"] == 2
        assert analysed(client, later.json())["failed"] == []


def test_the_nlp_stage_records_its_cap_and_completes(tmp_path):
    settings = Settings()
    settings.nlp = replace(settings.nlp, max_paragraph_chars=2_000, max_article_chars=6_000)
    article = long_article(30_000)
    path = tmp_path / "long.txt"
    path.write_text(article.clean_text)
    ws = newsweave.open(tmp_path / "s.db", settings)
    (aid,) = ws.ingest([path]).ingested
    (report,) = ws.analyse(until="nlp")
    assert report.articles == 1 and not report.failed
    assert "6,000-character parse cap" in ws.store.notes(aid)["nlp"]
    docs = nlp.parse_articles([ws.article(aid)], settings, ws.store)[aid]
    assert all(len(p.doc.text) <= 2_000 for p in docs.paragraphs)
    assert all(ws.article(aid).clean_text[p.start : p.start + len(p.doc.text)] == p.doc.text for p in docs.paragraphs)



def test_a_megabyte_title_is_cut_at_a_word_and_the_brief_is_built(tmp_path):
    """A title is parsed whole when a brief is built; one of 2 MB would pass spaCy's length
    limit. It is stored cut at a word, with its length on record."""
    title = "Flood " + "waters rise " * 180_000
    line = {"title": title, "published": "2026-11-03",
            "text": "Velmora, Nov 3: The council said on Monday the river rose again overnight.\n\n"
                    "The council moved 40 families to shelters, the mayor said."}
    path = tmp_path / "feed.jsonl"
    path.write_text(json.dumps(line) + "\n")
    ws = newsweave.open(tmp_path / "s.db")
    (aid,) = ws.ingest([path]).ingested
    stored = ws.article(aid)
    cap = Settings().ingest.max_title_chars
    kept = stored.title.removesuffix("…")
    assert len(stored.title) <= cap and title.startswith(kept) and title[len(kept)] == " "  # cut between words
    assert stored.extra["title_chars"] == len(title.strip())
    ws.analyse()
    (story,) = ws.stories()
    assert ws.brief(story.id)["headline"]


# -- 4. bounded readers -----------------------------------------------------------------


def test_a_fifo_and_a_device_are_refused_without_reading(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "pipe.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    (folder / "good.txt").write_text(GOOD)
    proc = run("ingest", str(folder), "--no-analyse", "--db", str(tmp_path / "s.db"))  # would block for ever on the FIFO
    assert proc.returncode == 1
    refused = [line for line in proc.stderr.splitlines() if line.startswith("skipped")]
    assert len(refused) == 2 and all("not a regular file" in line for line in refused)
    assert "1 ingested" in proc.stderr


def test_stdin_is_read_up_to_the_cap_only(tmp_path):
    with open("/dev/zero", "rb") as zero:
        proc = run("ingest", "-", "--no-analyse", "--max-bytes", "100000", "--db", str(tmp_path / "s.db"), stdin=zero)
    assert proc.returncode == 1 and "<stdin>: input is over the 100,000-byte cap" in proc.stderr


def test_a_gzip_bomb_is_capped(tmp_path):
    path = tmp_path / "bomb.txt.gz"
    path.write_bytes(gzip.compress(b"a" * 30_000_000))  # 30 kB that unpack to 30 MB
    (result,) = read_source(path, replace(SETTINGS, max_bytes=1_000_000))
    assert isinstance(result, Rejected) and "over the 1,000,000-byte cap" in result.reason


@pytest.mark.parametrize("closed", [True, False])
def test_deeply_nested_html_is_refused_before_extraction(closed):
    k = 60_000
    page = b"<html><body>" + b"<div>" * k + b"<p>" + GOOD.encode() + b"</p>" + (b"</div>" * k if closed else b"") + b"</body></html>"
    (result,) = read_bytes("deep.html", page, SETTINGS)
    assert isinstance(result, Rejected) and "nests" in result.reason and "deep" in result.reason


def test_a_page_of_too_many_elements_and_a_feed_of_too_many_entries_are_refused():
    page = b"<html><body>" + b"<p>Word.</p>" * 25_000 + b"</body></html>"  # trafilatura: ~5 s of CPU
    (result,) = read_bytes("flat.html", page, SETTINGS)
    assert isinstance(result, Rejected) and "25,002 elements, over the 20,000" in result.reason
    items = "".join(f"<item><title>T{i}</title><description>{GOOD}</description></item>" for i in range(6))
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>{items}</channel></rss>'.encode()
    (result,) = read_bytes("big.rss", feed, replace(SETTINGS, max_feed_entries=5))
    assert isinstance(result, Rejected) and "6 entries, over the 5" in result.reason
    assert len(list(read_bytes("big.rss", feed, SETTINGS))) == 6


def test_every_extraction_page_is_within_the_html_limits():
    folder = shared_path("corpora", "article-extraction", "html")
    refused = []
    for path in sorted(folder.glob("*.html.gz")):
        refused += [r for r in read_source(path, SETTINGS) if isinstance(r, Rejected) and "nests" in r.reason]
    assert refused == []


# -- 5. quietly wrong data ----------------------------------------------------------------


def test_nul_bytes_anywhere_are_refused():
    before = (GOOD + " ").encode() * 100
    assert len(before) > 8192  # the NUL is past the first 8 KB
    (result,) = read_bytes("late-nul.txt", before + b"\x00" + GOOD.encode(), SETTINGS)
    assert isinstance(result, Rejected) and f"NUL byte at {len(before):,}" in result.reason


@pytest.mark.parametrize("field, value", [("url", [1, 2]), ("title", {"a": 1}), ("outlet", 7), ("published", 0), ("byline", True)])
def test_jsonl_fields_of_the_wrong_type_are_refused(field, value):
    (result,) = read_bytes("x.jsonl", jsonl(json.dumps({"text": GOOD, field: value})), SETTINGS)
    assert isinstance(result, Rejected) and result.reason == f"field {field!r} must be a string, got {type(value).__name__}"


@pytest.mark.parametrize("published", ["0001-01-01", "9999-12-31", "1762214400"])
def test_jsonl_placeholder_dates_are_refused(published):
    (result,) = read_bytes("x.jsonl", jsonl(json.dumps({"text": GOOD, "published": published})), SETTINGS)
    assert isinstance(result, Rejected) and "'published'" in result.reason


def test_latin1_text_is_decoded_as_the_web_default_and_the_decision_recorded(tmp_path):
    text = "The visitors from Aldmère arrived late on Tuesday evening, said the café owner in Montréal."
    decoded, how = decode_with_evidence(text.encode("latin-1"))
    assert decoded == text and how.startswith("cp1252 (charset-normalizer") and "cp1250" in how
    path = tmp_path / "latin1.txt"
    path.write_bytes(text.encode("latin-1"))
    with newsweave.open(":memory:") as ws:
        (aid,) = ws.ingest([path]).ingested
        article = ws.article(aid)
    assert "Aldmère" in article.clean_text and article.provenance["encoding"] == how
    assert decode_with_evidence(text.encode("utf-8")) == (text, "utf-8")


@pytest.mark.parametrize(
    "text, encoding",
    [("A miniszterelnök szerdán bejelentette, hogy a kormány új törvényt fogad el a környezetvédelemről.", "cp1250"),
     ("El alcalde dijo el martes que el puente reabrirá a los camiones después de las reparaciones del año.", "latin-1"),
     ("Předseda vlády řekl, že Dvořák a Čapek přijedou do Prahy ve středu večer. Město čeká velkou slávu.", "cp1250"),
     ("Le maire a déclaré mardi que le pont rouvrira aux camions après les réparations prévues à l'été.", "latin-1")],
)
def test_legacy_encodings_of_other_languages_decode_right(text, encoding):
    # held out: the tie rule was chosen on the English sentence above; charset-normalizer
    # alone misreads the Spanish one (as on English), "the web's default" would misread the Hungarian
    assert decode_with_evidence(text.encode(encoding))[0] == text


def test_an_atom_entry_whose_content_is_elsewhere_uses_its_summary():
    feed = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Velmora Times</title><id>urn:x</id><updated>2025-11-03T00:00:00Z</updated>
<entry><title>Port reopens</title><id>urn:1</id><updated>2025-11-03T00:00:00Z</updated>
<content src="https://example.invalid/port"/><summary>{GOOD}</summary></entry></feed>""".encode()
    (doc,) = read_bytes("feed.atom", feed, SETTINGS)
    assert not isinstance(doc, Rejected), doc
    assert doc.text == GOOD and doc.metadata["published"] == "2025-11-03"


# -- the web ---------------------------------------------------------------------------


@pytest.fixture
def web(tmp_path):
    settings = Settings()
    settings.nlp = replace(settings.nlp, max_article_chars=5_000)  # keeps the pasted-text test quick
    with TestClient(create_app(tmp_path / "w.db", settings), raise_server_exceptions=False) as client:
        yield client


@pytest.mark.parametrize("published", [0, "1762214400", "0001-01-01", "9999-12-31", "3 Nov"])
def test_api_published_must_be_an_iso_date_in_range(web, published):
    r = web.post("/api/articles", json={"articles": [{"text": GOOD, "published": published}]})
    assert r.status_code == 422 and r.headers["content-type"] == "application/json"
    assert "published" in r.json()["error"]


def test_api_a_lone_surrogate_is_a_json_refusal_not_a_500(web):
    body = '{"articles": [{"text": "Port \\ud800 reopened on Monday after the storm."}]}'
    r = web.post("/api/articles", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.headers["content-type"] == "application/json"
    assert "articles.0.text" in r.json()["error"] and "unicode" in r.json()["error"]


def test_upload_stores_the_good_lines_and_lists_the_bad(web):
    data = jsonl(good_line("Monday"), "[" * 100_000, good_line("Tuesday"))
    r = web.post("/api/upload", files=[("files", ("batch.jsonl", data, "application/json"))])
    assert r.status_code == 202, r.text
    assert len(r.json()["added"]) == 2 and [x["source"] for x in r.json()["rejected"]] == ["upload/batch.jsonl:2"]


def test_pasted_text_up_to_the_form_limit_is_accepted(web):
    text = "Velmora, Nov 3: " + ("The council said the river rose again overnight. " * 30_000)  # 1.47 MB, over Starlette's 1 MB
    r = web.post("/api/upload", data={"text": text})
    assert r.status_code == 202, r.text[:300]
    over = web.post("/api/upload", data={"text": "x" * 2_000_001})
    assert over.status_code == 422 and "2000000" in over.json()["error"].replace(",", "")


def test_page_routes_answer_errors_with_the_html_page(web):
    for path in ("/stories/nope0000", "/articles/nope0000", "/entities/nope0000", "/no-such-page"):
        r = web.get(path, headers={"accept": "*/*"})
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html") and "<html" in r.text, path
    assert web.get("/api/articles/nope0000").headers["content-type"] == "application/json"


def test_openapi_lists_the_error_statuses():
    schema = TestClient(create_app(":memory:")).get("/openapi.json").json()["paths"]
    for path in ("/api/stories/{story_id}", "/api/stories/{story_id}/brief", "/api/articles/{article_id}", "/api/entities/{entity_id}"):
        assert "404" in schema[path]["get"]["responses"], path
    for path in ("/api/articles", "/api/upload"):
        assert {"400", "413", "422"} <= set(schema[path]["post"]["responses"]), path


# -- brief: a story id and a path are never confused ------------------------------------------


def test_brief_refuses_a_positional_that_is_no_path(tmp_path):
    proc = run("brief", "s113f1dec1e8b", "--db", str(tmp_path / "s.db"))
    assert proc.returncode == 2 and "no such file or folder" in proc.stderr and "--story s113f1dec1e8b" in proc.stderr
    proc = run("brief", "--story", "s0000nothere", "--db", str(tmp_path / "s.db"))
    assert proc.returncode == 2 and "no story with id 's0000nothere'" in proc.stderr


# -- acceptance: the seeds beside every hostile input ---------------------------------------


def test_seeds_beside_hostile_inputs_ingest_analyse_and_form_their_story(tmp_path, seeds_dir):
    folder = tmp_path / "in"
    folder.mkdir()
    seeds = sorted(seeds_dir.glob("*.txt"))
    for seed in seeds:
        (folder / seed.name).write_bytes(seed.read_bytes())
    (folder / "nested.jsonl").write_bytes(jsonl("[" * 100_000))  # 1: RecursionError
    (folder / "surrogate.jsonl").write_bytes(jsonl(json.dumps({"text": "Port \ud800 reopened."})))  # 1: UnicodeEncodeError
    (folder / "evil\nname.txt").write_bytes(b"\x00binary")  # 6: a name that would split its line
    (folder / "long.txt").write_text(long_article(1_100_000).clean_text)  # 2: a paragraph over spaCy's max_length
    (folder / "deep.html").write_bytes(b"<html><body>" + b"<div>" * 100_000 + b"text</body></html>")  # 4
    (folder / "zero.txt").symlink_to("/dev/zero")  # 4
    os.mkfifo(folder / "fifo.txt")  # 4
    (folder / "bomb.txt.gz").write_bytes(gzip.compress(b"a" * 30_000_000))  # 4, with --max-bytes below
    db = tmp_path / "s.db"
    proc = run("ingest", str(folder), "--max-bytes", "10000000", "--db", str(db))
    assert proc.returncode == 1, proc.stderr  # some refused; the analysis completed (2 otherwise)
    refused = [line for line in proc.stderr.splitlines() if line.startswith("skipped")]
    names = ["nested.jsonl:1", "surrogate.jsonl:1", repr(str(folder / "evil\nname.txt")), "deep.html", "zero.txt", "fifo.txt", "bomb.txt.gz"]
    assert len(refused) == len(names) and all(any(n in line for line in refused) for n in names), refused
    assert "stage" not in proc.stderr and "Traceback" not in proc.stderr
    with newsweave.open(db) as ws:
        stored = {Path(s.source).name: a for a in ws.articles() for s in a.sightings}
        assert set(stored) == {s.name for s in seeds} | {"long.txt"}
        assert ws.store.failures() == {}
        assert "parse cap" in ws.store.notes(stored["long.txt"].id)["nlp"]
        story_of = {a: s.id for s in ws.stories() for a in s.articles}
    assert len({story_of[stored[s.name].id] for s in seeds}) == 1  # the seeds' one story


def test_brief_story_option_briefs_a_stored_story(seeds_workspace):
    from typer.testing import CliRunner

    from newsweave.cli import app

    (story,) = [s.id for s in seeds_workspace.stories()]
    res = CliRunner().invoke(app, ["brief", "--story", story[:8], "--format", "json", "--db", seeds_workspace.store.path])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["story"] == story


def test_brief_of_a_folder_with_a_refused_file_writes_the_briefs_and_exits_1(tmp_path, seeds_dir):
    folder = tmp_path / "in"
    folder.mkdir()
    for seed in sorted(seeds_dir.glob("*.txt")):
        (folder / seed.name).write_bytes(seed.read_bytes())
    (folder / "broken.jsonl").write_bytes(jsonl("[" * 100_000))
    out = tmp_path / "b.json"
    proc = run("brief", str(folder), "--format", "json", "--db", ":memory:", "-o", str(out))
    assert proc.returncode == 1 and "broken.jsonl:1: malformed JSON line (nested too deeply)" in proc.stderr
    assert json.loads(out.read_text())["story"]
