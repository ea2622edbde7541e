"""Events: frames, status, dates and coreference — the seeds' acceptance and written cases."""

from __future__ import annotations

import datetime as dt

import pytest

from newsweave.events import _frames as events, _stage as extract
from newsweave.events._participants import display_name
from newsweave.text import same_name
from conftest import seed_file, seed_id

ANCHOR = "2025-10-31"  # a Friday


def frames(text, anchor=ANCHOR):
    mentions, _ = extract.analyse_text(text, anchor)
    return [(m.type, m.status, [p.name for p in m.actors], [p.name for p in m.counterparts]) for m in mentions], mentions


# -- written cases, one rule each ---------------------------------------------------------


def test_light_verb_and_nominal_forms_are_meetings():
    got, _ = frames(
        "Defence Minister Rajnath Singh held a bilateral meeting with Singapore Defence Minister Chan Chun Sing.\n\n"
        "The meeting between Anthony Albanese and Fumio Kishida took place in Tokyo."
    )
    assert ("meet", "occurred", ["Rajnath Singh"], ["Chan Chun Sing"]) in got
    assert ("meet", "occurred", ["Anthony Albanese"], ["Fumio Kishida"]) in got


@pytest.mark.parametrize(
    "sentence, status",
    [
        ("Rajnath Singh is scheduled to meet Pete Hegseth in Kuala Lumpur.", "planned"),
        ("Rajnath Singh is expected to meet Pete Hegseth on Saturday.", "planned"),
        ("Rajnath Singh will meet Pete Hegseth on Saturday.", "planned"),
        ("Rajnath Singh is set to meet Pete Hegseth next week.", "planned"),
        ("Rajnath Singh did not meet Pete Hegseth on Friday.", "negated"),
        ("Rajnath Singh reportedly met Pete Hegseth on Friday.", "reported"),
        ("Rajnath Singh met Pete Hegseth on Friday.", "occurred"),
        ("Rajnath Singh has met Pete Hegseth twice.", "occurred"),
    ],
)
def test_status_from_modality_tense_and_negation(sentence, status):
    got, _ = frames(sentence)
    assert [(t, s) for t, s, _, _ in got] == [("meet", status)]


def test_dates_follow_the_status():
    _, planned = frames("Rajnath Singh will meet Pete Hegseth on Thursday.")
    _, past = frames("Rajnath Singh met Pete Hegseth on Thursday.")
    assert planned[0].date.value == "2025-11-06"
    assert past[0].date.value == "2025-10-30"
    assert past[0].date.text == "Thursday"


def test_a_purpose_infinitive_is_no_event_and_passive_agents_act():
    got, mentions = frames(
        "Rajnath Singh arrived in Malaysia on Thursday for a two-day visit to attend the ADMM-Plus. "
        "He was received at Subang Airbase by India’s High Commissioner to Malaysia, B.N. Reddy."
    )
    assert [g[0] for g in got] == ["arrive", "receive"]
    arrive, receive = mentions
    assert (arrive.place, arrive.date.value) == ("Malaysia", "2025-10-30")
    assert [p.name for p in receive.actors] == ["B.N. Reddy"] and [p.name for p in receive.counterparts] == ["Rajnath Singh"]
    assert receive.place == "Subang Airbase" and receive.date.value == "2025-10-30"  # same paragraph, same people


def test_the_two_leaders_are_the_last_pair_and_share_their_date():
    _, mentions = frames(
        "Earlier in the day, Singh met US Secretary of War Pete Hegseth in Kuala Lumpur, where the two leaders "
        "signed a 10-year ‘Framework for the US-India Major Defence Partnership’."
    )
    sign = next(m for m in mentions if m.type == "sign")
    assert {p.name for p in sign.actors} == {"Singh", "Pete Hegseth"}
    assert sign.object == "Framework for the US-India Major Defence Partnership"
    assert sign.details == {"duration": "P10Y"} and sign.date.value == "2025-10-31"
    assert sign.place == "Kuala Lumpur"


def test_a_gathering_being_held_is_an_event_and_background_keeps_its_own_date():
    got, mentions = frames(
        "The ASEAN Defence Ministers' Meeting Plus (ADMM-Plus) is scheduled to be held on November 1.\n\n"
        "India became an ASEAN dialogue partner in 1992 and the inaugural ADMM-Plus was held in Vietnam's Hanoi "
        "on October 12, 2010. Since 2017, ADMM-Plus is held annually."
    )
    assert [(m.type, m.status, m.date.value if m.date else None) for m in mentions] == [
        ("convene", "planned", "2025-11-01"),
        ("convene", "occurred", "2010-10-12"),  # not the article's date; the habit is no event
    ]


def test_quotes_let_i_and_we_be_the_speaker():
    _, mentions = frames(
        'Hegseth posted on X, “Today, I met with China’s Minister of National Defence Admiral Dong Jun. '
        "Today’s meeting followed our September 9 videoconference call with Admiral Dong.”"
    )
    got = {(m.type, m.actors[0].name, m.counterparts[0].name, m.date.value) for m in mentions}
    assert got == {("meet", "Hegseth", "Dong Jun", "2025-10-31"), ("call", "Hegseth", "Dong Jun", "2025-09-09")}


def test_a_call_for_something_is_not_a_call():
    got, _ = frames("The opposition called for an inquiry into the deal on Friday.")
    assert got == []


def test_the_lexicon_is_extended_and_restored_through_its_api():
    """register() adds a type whose words trigger at once; replacing a type drops the words it
    no longer lists; restore_lexicon() is back to exactly the built-in types."""
    from dataclasses import replace

    from newsweave.events import BUILT_IN, EventType, event_type, event_types, register, restore_lexicon, trigger_type

    resigned = "Finance Minister Jane Doe resigned on Thursday."
    phoned = "Anwar Ibrahim phoned Prabowo Subianto on Tuesday."
    assert event_types() == BUILT_IN and frames(resigned)[0] == []
    assert ("call", "occurred", ["Anwar Ibrahim"], ["Prabowo Subianto"]) in frames(phoned)[0]
    try:
        register(EventType("resign", frozenset({"resign", "quit"}), frozenset({"resignation"}), weight=2.0))
        register(replace(event_type("call"), verbs=frozenset({"call", "dial"})))  # "phone" is no call any more
        assert frames(resigned)[0] == [("resign", "occurred", ["Jane Doe"], [])]
        assert trigger_type("quit", "VERB") == "resign" and trigger_type("resignation", "NOUN") == "resign"
        assert event_type("resign").weight == 2.0
        assert trigger_type("phone", "VERB") is None and frames(phoned)[0] == []
    finally:
        restore_lexicon()
    assert event_types() == BUILT_IN
    assert trigger_type("quit", "VERB") is None and frames(resigned)[0] == []
    assert ("call", "occurred", ["Anwar Ibrahim"], ["Prabowo Subianto"]) in frames(phoned)[0]
    assert event_type("resign") == EventType("resign")  # unknown: the defaults


def test_coreference_merges_compatible_mentions_and_links_plans():
    m1, _ = extract.analyse_text("Rajnath Singh met Pete Hegseth in Kuala Lumpur on Friday.", ANCHOR)
    m2, _ = extract.analyse_text("Hegseth held talks with Singh on Friday.", ANCHOR)
    m3, _ = extract.analyse_text("Singh is scheduled to meet Hegseth.", None)
    m4, _ = extract.analyse_text("Singh met Chan Chun Sing on Friday.", ANCHOR)
    out = events.corefer(m1 + m2 + m3 + m4, "s")
    occurred = [e for e in out if e.status == "occurred"]
    assert len(occurred) == 2
    main = next(e for e in occurred if any(same_name("Hegseth", n) for n in e.actors + e.counterparts))
    assert len(main.evidence) == 2 and main.date.value == "2025-10-31"
    (planned,) = [e for e in out if e.status == "planned"]
    assert planned.linked == [main.id] and main.linked == [planned.id]


def test_unnamed_bodies_join_a_named_event_but_make_none_alone():
    named, _ = extract.analyse_text("Rajnath Singh and Pete Hegseth signed the Framework for the US-India Major Defence Partnership.", ANCHOR)
    unnamed, _ = extract.analyse_text(
        "Officials of both countries on Friday signed the Framework for the US-India Major Defence Partnership in Kuala Lumpur.", ANCHOR
    )
    alone, _ = extract.analyse_text("Officials met Rajnath Singh on Friday. The three governments agreed to build a dam.", ANCHOR)
    assert unnamed and all(events.collective_only(m) for m in unnamed + alone)
    (sign,) = events.corefer(named + unnamed + alone, "s")
    assert (sign.type, sign.actors, sign.date.value, sign.place) == ("sign", ["Rajnath Singh", "Pete Hegseth"], "2025-10-31", "Kuala Lumpur")
    assert len(sign.evidence) == 2


# -- the seeds: acceptance -----------------------------------------------------------


@pytest.fixture(scope="module")
def seed_events(seeds_workspace):
    """The seeds' events with people by name (resolved entity ids shown as their names)."""
    store = seeds_workspace.store
    evs = extract.load_events(store)
    for e in evs:
        e.actors = [display_name(store, a) for a in e.actors]
        e.counterparts = [display_name(store, c) for c in e.counterparts]
    return evs


def _find(evs, kind, *names, status="occurred"):
    found = [
        e
        for e in evs
        if e.type == kind and e.status == status and all(any(same_name(n, p) for p in e.actors + e.counterparts) for n in names)
    ]
    assert len(found) == 1, f"{kind} {names} {status}: {[(e.actors, e.counterparts) for e in found]}"
    return found[0]


def _ids(ws, *prefixes):
    return sorted(seed_id(ws, p) for p in prefixes)


def test_singh_meets_hegseth_once_with_its_planned_twin(seeds_workspace, seed_events):
    ws = seeds_workspace
    meet = _find(seed_events, "meet", "Rajnath Singh", "Pete Hegseth")
    assert meet.date.value == "2025-10-31" and meet.place == "Kuala Lumpur"
    assert meet.articles == _ids(ws, "000", "001", "003", "004")
    planned = _find(seed_events, "meet", "Rajnath Singh", "Pete Hegseth", status="planned")
    assert planned.articles == _ids(ws, "002")
    assert "is scheduled to meet" in planned.evidence[0].text
    assert planned.linked == [meet.id] and planned.id in meet.linked
    for span in meet.evidence + planned.evidence:
        assert ws.article(span.article).clean_text[span.start : span.end] == span.text


def test_the_framework_signing(seeds_workspace, seed_events):
    sign = _find(seed_events, "sign", "Rajnath Singh", "Pete Hegseth")
    assert sign.object == "Framework for the US-India Major Defence Partnership"
    assert sign.details.get("duration") == "P10Y"
    assert sign.date.value == "2025-10-31"
    assert sign.articles == _ids(seeds_workspace, "001", "003", "004")


def test_the_other_meetings(seeds_workspace, seed_events):
    assert _find(seed_events, "meet", "Rajnath Singh", "Mohamed Khaled Nordin").articles == _ids(seeds_workspace, "001")
    assert _find(seed_events, "meet", "Rajnath Singh", "Chan Chun Sing").articles == _ids(seeds_workspace, "004")
    assert _find(seed_events, "meet", "Pete Hegseth", "Dong Jun").articles == _ids(seeds_workspace, "000")


def test_arrival_on_thursday_and_the_reception(seed_events):
    arrive = _find(seed_events, "arrive", "Rajnath Singh")
    assert (arrive.place, arrive.date.value) == ("Malaysia", "2025-10-30")
    assert arrive.date.text == "Thursday"
    receive = _find(seed_events, "receive", "B.N. Reddy", "Rajnath Singh")
    assert receive.actors == ["B.N. Reddy"] and receive.place == "Subang Airbase"
    assert receive.date.value == "2025-10-30"


def test_the_12th_admm_plus_is_planned_for_1_november(seeds_workspace, seed_events):
    admm = _find(seed_events, "convene", "ADMM-Plus", status="planned")
    assert admm.date.value == "2025-11-01" and admm.details.get("edition") == "12th"
    assert seed_id(seeds_workspace, "002") in admm.articles  # "slated for 1 November", anchored on the story


def test_no_background_event_lands_on_the_article_date(seed_events):
    for e in seed_events:
        background = any("1992" in s.text or "2010" in s.text for s in e.evidence)
        if background and e.date is not None:
            assert e.date.value != "2025-10-31", e
    inaugural = _find(seed_events, "convene", "ADMM-Plus")
    assert inaugural.date.value == "2010-10-12" and inaugural.place == "Hanoi"


def test_cli_events_json(seeds_workspace, tmp_path):
    from typer.testing import CliRunner

    from newsweave.cli import app

    result = CliRunner().invoke(app, ["events", "all", "--json", "--db", seeds_workspace.settings.db])
    assert result.exit_code == 0, result.output
    import json

    data = json.loads(result.output)
    assert {"id", "type", "actors", "counterparts", "date", "date_text", "status", "evidence"} <= set(data[0])
    missing = CliRunner().invoke(app, ["events", "no-such-story", "--db", seeds_workspace.settings.db])
    assert missing.exit_code != 0


def test_the_undated_preview_is_anchored_on_the_story_and_says_so(seeds_workspace):
    ws = seeds_workspace
    preview = seed_id(ws, "002")
    assert ws.article(preview).published is None
    dated = [m for m in extract.stored_mentions(ws.store, [preview]) if m.date and m.date.value[:1].isdigit()]
    slated = next(m for m in dated if m.type == "convene" and "1 November" in m.date.text)
    assert (slated.date.value, slated.date.anchor, slated.date.anchor_from) == ("2025-11-01", "2025-10-31", "story")


def test_arriving_one_by_one_gives_the_same_events(seeds_workspace, seeds_dir, tmp_path):
    """The stage is incremental: seeds analysed one at a time end with the same events."""
    import newsweave

    def summary(ws):
        store = ws.store
        rows = []
        for e in extract.load_events(store):
            people = tuple(sorted(display_name(store, p) for p in e.actors + e.counterparts))
            rows.append((e.type, e.status, (e.date.value or "") if e.date else "", people, len(e.articles)))
        return sorted(rows)

    ws = newsweave.open(tmp_path / "one-by-one.db")
    for path in sorted(seeds_dir.iterdir()):
        ws.ingest([path])
        ws.analyse()
    assert summary(ws) == summary(seeds_workspace)
    ws.close()


# -- the demo corpus examples/ (text the stage was not tuned on) -------------------------

from _examples import article_id, examples_workspace, paragraph  # noqa: E402


@pytest.fixture(scope="module")
def example_events():
    ws = examples_workspace()
    evs = extract.load_events(ws.store)
    for e in evs:
        e.actors = [display_name(ws.store, a) for a in e.actors]
        e.counterparts = [display_name(ws.store, c) for c in e.counterparts]
    return ws, evs


def test_objects_keep_their_numbers_and_are_whole_phrases(example_events):
    ws, evs = example_events
    agree = _find(evs, "agree", "Harbour Workers' Federation")
    assert agree.object == "7.5% pay rise over two years"  # not "% pay rise over two years, a cap of"
    text = paragraph("port-deal_wire.txt", "agreed a 7.5% pay rise")
    mentions, _ = extract.analyse_text(text, "2026-11-03")
    assert [m.object for m in mentions if m.type == "agree"] == ["7.5% pay rise over two years"]
    for e in evs:  # every object is a phrase of its evidence, never cut before its noun
        if e.object:
            assert any(e.object.removeprefix("that ") in s.text for s in e.evidence), (e.object, e.evidence)
            assert e.object.split()[-1].lower() not in {"of", "a", "the", "to", "and", "with", "for", "in", ","}, e.object


def test_a_date_belongs_to_its_own_clause_and_a_when_clause_takes_its_clause_date(example_events):
    ws, evs = example_events
    herald = article_id(ws, "port-deal_coastal-herald.txt")
    sign = _find(evs, "sign", "Harbour Workers' Federation")
    assert herald in sign.articles
    # "came to an end on Tuesday when the HWF signed ..., clearing the way for dockworkers to
    # return on Wednesday": Tuesday 3 November, not the past Wednesday 28 October
    assert sign.date.value == "2026-11-03"
    assert not [e for e in evs if e.date and e.date.value.startswith("2026-10")]
    text = paragraph("riverside-gazette.rss", "The strike ended on Tuesday when")
    (m,) = [m for m in extract.analyse_text(text, "2026-11-04")[0] if m.type == "sign"]
    assert (m.date.value, m.date.text) == ("2026-11-03", "Tuesday")


def test_a_deal_and_an_agreement_signed_by_the_same_parties_are_one_signing(example_events):
    """Reuters: "the port authority signed a wage agreement on Tuesday"; the Riverside Gazette a
    day later: "the federation and the Aldmere Port Authority signed a deal giving workers a
    7.5% pay rise": one signing, reported by two independent sources."""
    ws, evs = example_events
    sign = _find(evs, "sign", "Harbour Workers' Federation", "Aldmere Port Authority")
    gazette = article_id(ws, "riverside-gazette.rss#2")
    wire = article_id(ws, "port-deal_wire.txt")
    assert {gazette, wire} <= set(sign.articles)
    assert ws.independent_sources(sign.articles) == 2
    assert events.objects_compatible("wage agreement", "deal giving workers a 7.5% pay rise over two years")
    assert not events.objects_compatible("wage agreement", "joint safety committee")


def test_the_compact_signing_is_dated_by_the_report_that_names_only_the_leaders(example_events):
    ws, evs = example_events
    sign = _find(evs, "sign", "Anselm Voight", "Maren Solberg", "Oren Castell")
    assert sign.object == "Sorrel Basin Relief Compact"
    assert (sign.date.value, sign.date.text) == ("2026-11-05", "Thursday")
    # "Leaders of Lorvania, Estmark and Kessia on Thursday signed the Sorrel Basin Relief Compact"
    assert article_id(ws, "flood-summit_morning-post.html") in sign.articles
    assert sign.actors == ["Anselm Voight", "Maren Solberg", "Oren Castell"]  # no "Leaders of ..." actor
    # unnamed bodies alone never make an event ("The three governments also agreed to build ...")
    assert not [e for e in evs if any(not n[:1].isupper() or n.lower().startswith(("leaders", "the ")) for n in e.actors)]


def test_weak_events_are_not_stored(example_events):
    ws, evs = example_events
    for e in evs:
        if events.LEXICON[e.type].needs_object:
            assert e.object or e.counterparts, e
    assert not [e for e in evs if e.type == "agree" and "Kessia" in e.actors]  # "a fund agreed ... by the leaders"
    assert not [e for e in evs if e.type == "arrive"]  # "in the order the ships arrived" (inside a quote)
    assert frames("Kessia agreed.")[0] == []
    announce = _find(evs, "announce", "Maren Solberg")
    assert announce.object.startswith("that Estmark would send 40 army engineers")


def test_the_previews_meetings_link_to_the_morning_posts_report(example_events):
    ws, evs = example_events
    post = article_id(ws, "flood-summit_morning-post.html")
    preview = article_id(ws, "flood-summit_preview.txt")
    for other in ("Maren Solberg", "Oren Castell"):  # "met President Maren Solberg of Estmark and Oren Castell"
        planned = _find(evs, "meet", "Anselm Voight", other, status="planned")
        met = _find(evs, "meet", "Anselm Voight", other)
        assert planned.articles == [preview] and post in met.articles
        assert planned.linked == [met.id] and met.linked == [planned.id]
        assert planned.date.value == "2026-11-05"


def test_a_meeting_reported_undated_takes_the_day_it_was_planned_for(example_events):
    """The preview (3 November): Voight "is scheduled to meet" Solberg and Castell on
    Thursday; the Morning Post (Thursday 5 November): "The host ... met President Maren
    Solberg ... for more than four hours", no date in that paragraph."""
    ws, evs = example_events
    for other in ("Maren Solberg", "Oren Castell"):
        met = _find(evs, "meet", "Anselm Voight", other)
        assert (met.date.value, met.date.anchor_from) == ("2026-11-05", "plan")
    story = extract.story_of(ws.store, article_id(ws, "flood-summit_morning-post.html"))
    texts = [e["text"] for e in ws.brief(story)["events"]]  # the summary tells source sentences (issue 15)
    assert "Anselm Voight met Maren Solberg on 5 November 2026 (the day it was planned for)." in texts
    from typer.testing import CliRunner

    from newsweave.cli import app

    table = CliRunner(env={"COLUMNS": "200"}).invoke(app, ["events", story, "--db", ws.settings.db]).output
    assert "2026-11-05 (plan)" in table


def test_a_plan_dates_only_reports_that_follow_it_closely():
    from newsweave.records import Event, Span, TimeValue

    def pair():
        thursday = TimeValue("2026-11-05", "on Thursday", "2026-11-03", "published")
        plan = Event("p", "meet", ["Voight"], ["Solberg"], date=thursday, status="planned", linked=["o"])
        done = Event("o", "meet", ["Voight"], ["Solberg"], status="occurred", linked=["p"], evidence=[Span("post", 0, 3, "met")])
        return plan, done

    plan, done = pair()
    events.dated_by_plan([plan, done], {"post": dt.date(2026, 11, 6)})
    assert done.date.value == "2026-11-05" and done.date.text == "on Thursday"
    plan, done = pair()  # a report a week later may be of another meeting
    events.dated_by_plan([plan, done], {"post": dt.date(2026, 11, 12)})
    assert done.date is None
    plan, done = pair()  # a report before the planned day cannot be of that meeting
    events.dated_by_plan([plan, done], {"post": dt.date(2026, 11, 4)})
    assert done.date is None


def test_a_gathering_is_named_by_its_noun_phrase_even_when_the_tagger_runs_on():
    """Seed 002: "since the first ADMM-Plus convened in 2010 in Hanoi"; a tagger that takes the
    whole run as one EVENT entity must still give the gathering's name, not the clause."""
    from spacy.tokens import Span as SpacySpan

    from newsweave.nlp import _parse as nlp

    text = next(p for p in seed_file("002").read_text(encoding="utf-8").split("\n\n") if "Hanoi" in p)
    sent = next(s for s in text.split(". ") if "first ADMM-Plus convened" in s)
    (doc,) = nlp.parse_texts([sent])
    first = next(t for t in doc if t.text == "first")
    hanoi = next(t for t in doc if t.text == "Hanoi")
    doc.ents = [e for e in doc.ents if e.end <= first.i or e.start > hanoi.i] + [SpacySpan(doc, first.i, hanoi.i + 1, label="EVENT")]
    head = next(t for t in doc if t.text.startswith("ADMM"))
    assert events._Reader._gathering_of_plain(None, head)[0] == "ADMM-Plus"


def test_that_day_is_the_day_the_article_named_before():
    _, ms = frames("Rajnath Singh arrived in Kuala Lumpur on October 29.\n\nThat day, Singh met Pete Hegseth.")
    meet = next(m for m in ms if m.type == "meet")
    assert (meet.date.value, meet.date.text) == ("2025-10-29", "That day")
    _, ms = frames("That day, Singh met Pete Hegseth.")  # nothing named before: no date, never a guess
    meet = next(m for m in ms if m.type == "meet")
    assert meet.date is None


def test_blocked_coreference_groups_exactly_as_comparing_every_event(example_events, seeds_workspace, monkeypatch):
    """Coreference compares a mention only with the events sharing its type, status group
    and one of its people (`_coref_keys`): on every stored mention of the examples and of
    the seeds, each store taken as one story, the events equal those of the first-fit over
    every event."""
    for store in (example_events[0].store, seeds_workspace.store):
        mentions = extract.stored_mentions(store, store.article_ids())
        with monkeypatch.context() as m:
            m.setattr(events, "_coref_keys", lambda mention: [None])  # one key: every event a candidate
            everything = events.corefer(extract.stored_mentions(store, store.article_ids()), "all")
        blocked = events.corefer(mentions, "all")
        assert [(e.id, e.evidence, e.linked) for e in blocked] == [(e.id, e.evidence, e.linked) for e in everything]
        assert len(blocked) < len([m for m in mentions if not events.collective_only(m)])  # mentions were merged
