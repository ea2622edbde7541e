"""The brief of the seeds: valid newsweave.brief/1, evidence exact, every summary sentence
cited by articles that support it, copies counted once, conflicts shown, planned kept
apart from done, boilerplate only under `removed`."""

from __future__ import annotations

import copy
import json

import pytest

from newsweave.brief import _compose as B
from newsweave.corroborate import _stage as c

from _seedrecords import seed_records


def compose(articles, families, entities, events, quotes, story="story-seeds"):
    result = c.corroborate_story(story, articles, families, entities, events, quotes)
    return B.compose_brief(B.BriefInput(story, articles, families, entities, quotes, result))


@pytest.fixture(scope="module")
def records():
    return seed_records()


@pytest.fixture(scope="module")
def brief(records):
    return compose(*records)


@pytest.fixture(scope="module")
def ids(records):
    return {a.sightings[0].source.replace("\\", "/").split("/")[-1][:3]: a.id for a in records[0]}


def check_acceptance(brief: dict, texts: dict[str, str], ids: dict[str, str]) -> None:
    """Issue 7's acceptance on a brief of the seeds (shared by the unit and end-to-end tests)."""
    B.validate_brief(brief)
    assert B.evidence_errors(brief, texts) == []
    events = {e["id"]: e for e in brief["events"]}
    for s in brief["summary"]:
        assert s["citations"], s
        if s.get("fact") in events:  # every cited article supports the sentence
            assert set(s["citations"]) <= set(events[s["fact"]]["articles"]), s
            assert {e["article"] for e in s["evidence"]} == set(s["citations"])
        else:
            assert set(s["citations"]) <= {e["article"] for e in s["evidence"]}, s
    families = {a["id"]: a["family"] for a in brief["articles"]}
    assert len(set(families.values())) == brief["independent_sources"] == 3
    assert len({families[ids[p]] for p in ("000", "001", "003")}) == 1

    def summary_event(type_):
        found = [s for s in brief["summary"] if s.get("fact") in events and events[s["fact"]]["type"] == type_
                 and events[s["fact"]]["status"] == "occurred" and any("Hegseth" in x for x in events[s["fact"]]["counterparts"] + events[s["fact"]]["actors"])]
        assert found, f"no occurred {type_} with Hegseth in the summary: {[s['text'] for s in brief['summary']]}"
        return found[0]

    for type_ in ("meet", "sign"):
        s = summary_event(type_)
        assert s["independent_sources"] == len({families[a] for a in s["citations"]}) == 2
        assert ids["002"] not in s["citations"]  # 002 only says "is scheduled to meet"
    assert "Framework" in summary_event("sign")["text"]

    (title,) = [x for x in brief["conflicts"] if x["attribute"] == "role" and "Hegseth" in x["subject"]]
    values = {v["value"]: v for v in title["values"]}
    assert set(values) >= {"Secretary of War", "Secretary of Defence"}
    assert set(values["Secretary of War"]["articles"]) == {ids[p] for p in ("000", "001", "003", "004")}
    assert values["Secretary of Defence"]["articles"] == [ids["002"]]
    variants = [x for x in brief["conflicts"] if x["kind"] == "quote-variant"]
    assert any({"rules-based", "rules-bound"} <= {v["value"] for v in x["values"]} for x in variants)

    timeline = [(t["date"], t["type"], t["status"]) for t in brief["timeline"] if not t.get("background")]
    dates = [d for d, *_ in timeline]
    assert dates == sorted(dates)
    assert ("2025-10-30", "arrive", "occurred") in timeline
    assert ("2025-10-31", "meet", "occurred") in timeline and ("2025-10-31", "sign", "occurred") in timeline
    assert any(d == "2025-11-01" and st == "planned" for d, _, st in timeline)  # the 12th ADMM-Plus

    removed = [r["text"] for r in brief["removed"] if r["reason"] == "also-read"]
    assert len(removed) == 2
    rest = json.dumps({k: v for k, v in brief.items() if k != "removed"}, ensure_ascii=False)
    for text in removed:
        headline = text.split("|", 1)[1].strip()[:40]
        assert headline not in rest
    assert "Also Read" not in rest


def test_seed_brief_meets_the_acceptance(brief, records, ids):
    check_acceptance(brief, {a.id: a.clean_text for a in records[0]}, ids)


def test_planned_only_is_never_written_as_done(records, ids):
    articles, families, entities, events, quotes = records
    only_002 = [a for a in articles if a.id == ids["002"]]
    planned = [e for e in events if e.status == "planned" and ids["002"] in e.articles]
    b = compose(only_002, families, entities, planned, [])
    texts = [s["text"] for s in b["summary"]]  # one source: its own sentences, as it words them
    assert texts and not any(" met " in t for t in texts), texts
    (planned,) = [e for e in b["planned"] if e["type"] == "meet"]
    assert "scheduled to meet" in planned["text"] and " met " not in planned["text"]
    assert b["timeline"] == []  # no date was given for it
    assert b["planned"][0]["confirmed_by"] is None


def test_headline_and_who_is_who(brief):
    assert "Hegseth" in brief["headline"] and "Singh" in brief["headline"]
    people = {e["name"]: e for e in brief["entities"]}
    assert {r["role"] for r in people["Pete Hegseth"]["roles"]} == {"Secretary of War", "Secretary of Defence"}
    assert people["Mohamed Khaled Nordin"]["aliases"]
    assert [q["speaker"] for q in brief["quotes"]].count("Rajnath Singh") >= 2
    assert all(q["articles"] for q in brief["quotes"])


def test_unique_lists_what_only_one_article_says(brief, ids):
    unique = {u["article"]: u["facts"] for u in brief["unique"]}
    assert any("Chan Chun Sing" in f["text"] for f in unique[ids["004"]])
    assert any("Dong Jun" in f["text"] for f in unique[ids["000"]])
    assert ids["001"] not in unique or not any("Pete Hegseth met" in f["text"] for f in unique[ids["001"]])


def test_validate_brief_names_the_problems(brief):
    B.validate_brief(brief)
    bad = copy.deepcopy(brief)
    bad["schema"] = "other/0"
    bad["summary"][0]["citations"] = []
    bad["timeline"].reverse()
    del bad["articles"][0]["family"]
    with pytest.raises(B.InvalidBrief) as err:
        B.validate_brief(bad)
    text = str(err.value)
    assert "schema" in text and "cites no article" in text and "date order" in text and "family" in text


def test_evidence_errors_catch_a_shifted_span(brief, records):
    bad = copy.deepcopy(brief)
    bad["events"][0]["evidence"][0]["start"] += 1
    assert B.evidence_errors(bad, {a.id: a.clean_text for a in records[0]})


# -- end to end: the stored story and the command -----------------------------------------



def test_build_brief_of_the_seeds(seeds_workspace):
    from newsweave.stories import _stage as cluster
    from conftest import seed_id

    ws = seeds_workspace
    ids = {p: seed_id(ws, p) for p in ("000", "001", "002", "003", "004")}
    story = cluster.story_of(ws.store, ids["000"])
    assert {cluster.story_of(ws.store, i) for i in ids.values()} == {story}
    b = B.build_brief(ws.store, story)
    texts = {a.id: a.clean_text for a in ws.articles()}
    check_acceptance(b, texts, ids)
    assert ws.brief(story[:8]) == b  # a prefix names the story too
    pairs = {frozenset(r["articles"]) for r in b["reuse"]}
    assert frozenset({ids["001"], ids["003"]}) in pairs
    for r in b["reuse"]:
        a, other = r["articles"]
        for p in r["passages"]:
            assert 0 <= p["a_start"] < p["a_end"] <= len(texts[a]) and 0 <= p["b_start"] < p["b_end"] <= len(texts[other])


def test_the_brief_parses_titles_and_frames_with_the_configured_model(seeds_workspace, tmp_path):
    """The titles and composed frames are parsed with `settings.nlp.model`, as the stages
    parsed the articles, not with the default pipeline: a model that is not installed is
    named, where the default would have been used silently."""
    from newsweave.errors import NewsweaveError
    from newsweave.settings import NlpSettings
    from newsweave.stories import _stage as cluster
    from conftest import seed_id

    ws = seeds_workspace
    story = cluster.story_of(ws.store, seed_id(ws, "000"))
    absent = str(tmp_path / "no-such-pipeline")
    with pytest.raises(NewsweaveError, match="no-such-pipeline"):
        B.build_brief(ws.store, story, nlp=NlpSettings(model=absent))
    assert B.build_brief(ws.store, story, nlp=NlpSettings()) == B.build_brief(ws.store, story)


def test_cli_brief_of_the_seeds_folder(seeds_dir, tmp_path):
    from typer.testing import CliRunner

    from newsweave.cli import app

    out = tmp_path / "brief.json"
    res = CliRunner().invoke(app, ["brief", str(seeds_dir), "--format", "json", "--db", ":memory:", "-o", str(out)])
    assert res.exit_code == 0, res.output
    b = json.loads(out.read_text(encoding="utf-8"))
    B.validate_brief(b)
    assert len(b["articles"]) == 5 and b["independent_sources"] == 3


def test_background_and_unnormalised_dates_stay_out_of_the_summary(records, ids):
    from newsweave.records import Event, TimeValue

    from _seedrecords import seed_article, sentence

    articles, families, entities, events, quotes = records
    a001, a002 = seed_article("001"), seed_article("002")
    hanoi = Event("ev-hanoi", "convene", ["ADMM-Plus"], place="Hanoi", date=TimeValue("2010-10-12", "on October 12, 2010"),
                  evidence=[sentence(a001, "the inaugural ADMM-Plus was held in Vietnam's Hanoi")])
    modi = Event("ev-modi", "address", ["Narendra Modi"], object="ASEAN-India Summit", date=TimeValue("PAST_REF", "recently"),
                 evidence=[sentence(a002, "Prime Minister Narendra Modi recently addressed the ASEAN-India Summit")])
    b = compose(articles, families, entities, [*events, hanoi, modi], quotes)
    B.validate_brief(b)
    texts = " ".join(s["text"] for s in b["summary"])
    assert "Hanoi" not in texts and "PAST_REF" not in texts
    (first,) = [t for t in b["timeline"] if t["date"] == "2010-10-12"]
    assert first["background"] and b["timeline"][0] is first
    assert not [t for t in b["timeline"] if t["date"] == "PAST_REF"]
    modi_event = next(e for e in b["events"] if e["type"] == "address")
    assert "PAST_REF" not in modi_event["text"]


def test_reuse_pairs_keep_their_offsets(records, ids):
    from newsweave.records import Passage

    from _seedrecords import seed_article, span

    articles, families, entities, events, quotes = records
    a001, a003 = seed_article("001"), seed_article("003")
    phrase = "heralding a new era in deepening the defence ties between the two nations"
    s1, s3 = span(a001, phrase), span(a003, phrase)
    # stored from the later article's side: the brief must list it from the earlier one
    p = Passage(a003.id, s3.start, s3.end, a001.id, s1.start, s1.end, 1.0)
    result = c.corroborate_story("s", articles, families, entities, events, quotes)
    b = B.compose_brief(B.BriefInput("s", articles, families, entities, quotes, result, [p]))
    (pair,) = b["reuse"]
    texts = {a.id: a.clean_text for a in articles}
    first, second = pair["articles"]
    assert [a["id"] for a in b["articles"]].index(first) < [a["id"] for a in b["articles"]].index(second)
    (q,) = pair["passages"]
    assert texts[first][q["a_start"] : q["a_end"]] == texts[second][q["b_start"] : q["b_end"]] == phrase


def test_the_largest_example_brief_reads_its_story_in_at_most_20_statements(tmp_path):
    """One read model per story: the brief loads each kind of record once, filtered in SQL,
    whatever the number of articles, entities, events or facts."""
    import newsweave
    from conftest import EXAMPLES

    ws = newsweave.open(tmp_path / "examples.db")
    ws.ingest([EXAMPLES])
    ws.analyse()
    story = max(ws.stories(), key=lambda s: len(s.articles))
    statements: list[str] = []
    ws.store.conn.set_trace_callback(statements.append)
    brief = B.build_brief(ws.store, story.id)
    ws.store.conn.set_trace_callback(None)
    assert len(brief["articles"]) == len(story.articles) >= 5
    assert len(statements) <= 20, "\n".join(statements)
    # a story id prefix and the full id give the same brief, by the same one resolution
    assert B.build_brief(ws.store, story.id[:6]) == brief


def test_realisation_reads_like_a_person_wrote_it():
    """The kinds of template sentences read in briefs of real agency news (issue 16)."""
    from newsweave.records import Event, Span

    def said(text):
        return [Span("a", 0, len(text), text)]

    visit = Event("v", "visit", ["Fatos Klosi"], [], place="Albania", status="occurred",
                  evidence=said("Fatos Klosi visited Albania on Monday."))
    assert B.describe(visit, {}, with_date=False) == "Fatos Klosi visited Albania."
    agree = Event("g", "agree", ["Serbia"], ["Kosovo"], object="trial", status="occurred",
                  evidence=said("Serbia and Kosovo agreed on the trial."))
    assert "agreed on the trial" in B.describe(agree, {}, with_date=False)
    # only a gathering convenes: otherwise the source's own sentence
    yankees = Event("y", "convene", ["Yankees"], [], status="occurred", evidence=said("The Yankees began the season at home."))
    assert B.describe(yankees, {}) == "The Yankees began the season at home."
    # no evidence sentence names actor and counterpart together: the source's words, not a join
    apart = Event("m", "meet", ["Ali Chaouch"], ["Habib Ben Yahia"], status="occurred",
                  evidence=said("He was met by Interior Minister Ali Chaouch at the border."))
    assert B.describe(apart, {}) == "He was met by Interior Minister Ali Chaouch at the border."


def test_the_brief_writes_an_event_as_its_event_type_says():
    """The past tense, what a sentence needs, a joint subject, the object's preposition and the
    weight all come from the registered EventType: the brief keeps no table of its own."""
    from newsweave.events import EventType, register, restore_lexicon
    from newsweave.records import Event, Span

    def said(text):
        return [Span("a", 0, len(text), text)]

    wed = Event("w", "wed", ["Ana Lopez"], ["Ben Okafor"], object="ceremony", status="occurred",
                evidence=said("Ana Lopez and Ben Okafor wed at a ceremony."))
    alone = Event("x", "wed", ["Ana Lopez"], [], status="occurred", evidence=said("Ana Lopez wed."))
    assert B._tellable(alone)  # a type the lexicon does not know: nothing required
    try:
        register(EventType("wed", frozenset({"wed"}), past="wed", joint_subject=True, needs_complement=True,
                           object_preposition="at", weight=9.0))
        assert B.describe(wed, {}, with_date=False) == "Ana Lopez and Ben Okafor wed at the ceremony."
        assert not B._tellable(alone)  # "Ana Lopez wed." says nothing
        assert B._rank(c.EventFact(_fact("f"), wed))[3] == -9.0
    finally:
        restore_lexicon()
    assert B._rank(c.EventFact(_fact("f"), wed))[3] == -1.0 and B._tellable(alone)


def _fact(fid):
    from newsweave.records import Fact, Support

    return Fact(fid, "event", "Ana Lopez", "wed", "", "occurred", Support([], ["a"], ["a"], 1))


def test_roles_join_entities_by_id_when_two_share_a_name(records):
    """Two people called "Pete Hegseth" in one story: each shows the roles said of it, not
    the other's (the role facts carry the entity id; the name would join both)."""
    articles, families, entities, events, quotes = copy.deepcopy(records)
    chan = next(e for e in entities if e.id == "e-chan")
    namesake = copy.deepcopy(chan)
    namesake.id, namesake.name = "e-other-hegseth", "Pete Hegseth"  # Chan's mentions and role, Hegseth's name
    b = compose(articles, families, entities + [namesake], events, quotes)
    roles = {e["id"]: {r["role"] for r in e["roles"]} for e in b["entities"] if e["name"] == "Pete Hegseth"}
    assert roles == {"e-hegseth": {"Secretary of War", "Secretary of Defence"}, "e-other-hegseth": {"Defence Minister"}}
    role_facts = [f for f in c.corroborate_story("s", articles, families, entities + [namesake], events, quotes).facts
                  if f.attribute == "role" and f.subject == "Pete Hegseth"]
    assert {f.entity for f in role_facts} == {"e-hegseth", "e-other-hegseth"}


def test_a_huge_storys_summary_is_drawn_from_a_bounded_set_of_its_articles(records, brief):
    """A story of more articles than `summary_max_articles` has its summary's claims chosen
    among the sentences of that many of them: the first of each reuse family, then the
    others in arrival order; the brief says so. Under the cap nothing changes."""
    from dataclasses import replace

    from newsweave.settings import CorroborateSettings

    articles, families, entities, events, quotes = records
    ids = [a.id for a in articles]
    firsts = list(dict.fromkeys(families.get(a, a) for a in ids))
    assert len(firsts) < len(ids)  # the seeds hold copies: families matter
    drawn = B.summary_articles(articles, families, len(firsts))
    assert drawn == {next(a for a in ids if families.get(a, a) == f) for f in firsts}  # one per family
    assert B.summary_articles(articles, families, len(firsts) + 1) - drawn == {next(a for a in ids if a not in drawn)}
    assert B.summary_articles(articles, families, len(ids)) == set(ids) and "notes" not in brief
    cfg = replace(CorroborateSettings(), summary_max_articles=2)
    result = c.corroborate_story("story-seeds", articles, families, entities, events, quotes)
    capped = B.compose_brief(B.BriefInput("story-seeds", articles, families, entities, quotes, result, settings=cfg))
    B.validate_brief(capped)
    two = B.summary_articles(articles, families, 2)
    claims = [s for s in capped["summary"] if s["kind"] == "claim"]
    assert claims and all(set(s["citations"]) <= two for s in claims)  # claims of the drawn articles only
    assert capped["notes"] == ["the summary's claims were chosen among the sentences of 2 of the story's 5 articles "
                               "(the first of each reuse family, then in arrival order)"]
    assert capped["events"] == brief["events"] and capped["conflicts"] == brief["conflicts"]  # only the summary is bounded
