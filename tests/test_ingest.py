import json
import shutil

import newsweave


def test_seeds_ingest_and_reingest_adds_nothing(seeds_dir, tmp_path):
    ws = newsweave.open(tmp_path / "s.db")
    first = ws.ingest([seeds_dir])
    assert len(first.ingested) == 5 and first.ok
    again = ws.ingest([seeds_dir])
    assert again.ingested == [] and len(again.duplicates) == 5
    copy = tmp_path / "copy"
    shutil.copytree(seeds_dir, copy)
    third = ws.ingest([copy])
    assert third.ingested == []
    assert ws.store.count_articles() == 5
    assert all(len(a.sightings) == 2 for a in ws.articles())  # same article, other path: a second sighting


def test_bad_files_are_reported_and_the_rest_goes_on(seeds_dir, tmp_path):
    folder = tmp_path / "mixed"
    shutil.copytree(seeds_dir, folder)
    (folder / "photo.bin").write_bytes(bytes(range(256)) * 40)
    (folder / "empty.txt").write_text("")
    (folder / "feed.jsonl").write_text(
        json.dumps({"text": "Officials in Vellmar confirmed the bridge reopened on Monday after repairs.", "title": "Bridge reopens", "mood": "calm"})
        + "\n{not json\n"
    )
    ws = newsweave.open(tmp_path / "m.db")
    report = ws.ingest([folder])
    assert len(report.ingested) == 6
    problems = sorted(str(p) for p in report.rejected)
    assert len(problems) == 3
    assert any(p.endswith("empty.txt: empty file") for p in problems)
    assert any("photo.bin: binary" in p for p in problems)
    assert any("feed.jsonl:2: malformed JSON line" in p for p in problems)
    jsonl = [a for a in ws.articles() if a.title == "Bridge reopens"][0]
    assert jsonl.extra == {"mood": "calm"} and jsonl.provenance["title"] == "jsonl"


def test_explicit_metadata_beats_the_header(tmp_path):
    line = {"text": "date 2024-01-02 Officials said the bridge reopened after repairs on Monday.", "published": "2024-03-05T10:00:00Z"}
    (tmp_path / "a.jsonl").write_text(json.dumps(line) + "\n")
    ws = newsweave.open(":memory:")
    ws.ingest([tmp_path / "a.jsonl"])
    (article,) = ws.articles()
    assert article.published.isoformat() == "2024-03-05" and article.published_from == "jsonl"
