"""Corroboration on the seeds: support counted in families, conflicts with their own
support, compatible values left alone, quote variants found against reported speech."""

from __future__ import annotations

import dataclasses

import pytest

from newsweave.corroborate import _stage as c
from newsweave.records import Event, Quote
from newsweave.store import Store

from _seedrecords import seed_article, seed_records, sentence, span


@pytest.fixture(scope="module")
def seeds():
    arts, families, entities, events, quotes = seed_records()
    ids = {a.sightings[0].source.replace("\\", "/").split("/")[-1][:3]: a.id for a in arts}
    return arts, families, entities, events, quotes, ids


@pytest.fixture(scope="module")
def result(seeds):
    arts, families, entities, events, quotes, _ = seeds
    return c.corroborate_story("story-seeds", arts, families, entities, events, quotes)


def _event_fact(result, type_, counterpart=None, status="occurred"):
    found = [
        ef for ef in result.events
        if ef.event.type == type_ and ef.fact.status == status and (counterpart is None or counterpart in ef.event.counterparts)
    ]
    assert len(found) == 1, [ef.fact for ef in found]
    return found[0].fact


# -- support ----------------------------------------------------------------------------


def test_support_counts_families_not_articles(seeds):
    arts, families, *_ , ids = seeds
    spans = [span(seed_article(p), "Pete Hegseth") for p in ("000", "001", "003", "004")]
    sup = c.support_of(spans, families)
    assert sup.articles == sorted(ids[p] for p in ("000", "001", "003", "004"))
    assert sup.independent_sources == 2  # {000, 001, 003} is one family, 004 another
    assert c.support_of(spans + [span(seed_article("002"), "Pete Hegseth")], families).independent_sources == 3
    # an article without a family is its own source
    assert c.support_of(spans, {}).independent_sources == 4


def test_meeting_and_signing_are_facts_with_family_counts(result, seeds):
    *_, ids = seeds
    meet = _event_fact(result, "meet", "e-hegseth")
    assert meet.support.articles == sorted(ids[p] for p in ("000", "001", "003", "004"))
    assert meet.support.independent_sources == 2
    sign = _event_fact(result, "sign")
    assert sign.support.articles == sorted(ids[p] for p in ("001", "003", "004"))
    assert sign.support.independent_sources == len(set(sign.support.families)) == 2
    for f in (meet, sign):
        for ev in f.support.evidence:
            assert seed_by_id(ev.article).clean_text[ev.start : ev.end] == ev.text


def seed_by_id(article_id):
    for p in ("000", "001", "002", "003", "004"):
        a = seed_article(p)
        if a.id == article_id:
            return a
    raise KeyError(article_id)


def test_planned_stays_planned_and_names_its_confirmation(result, seeds):
    *_, ids = seeds
    planned = _event_fact(result, "meet", "e-hegseth", status="planned")
    occurred = _event_fact(result, "meet", "e-hegseth")
    assert planned.support.articles == [ids["002"]]
    assert ids["002"] not in occurred.support.articles  # "is scheduled to meet" is not a report that it happened
    assert planned.confirmed_by == occurred.id


def test_reports_left_apart_by_the_events_stage_are_merged(seeds):
    arts, families, entities, events, quotes, ids = seeds
    sign = next(e for e in events if e.type == "sign")
    split = [dataclasses.replace(sign, id=f"sign-{i}", evidence=[ev]) for i, ev in enumerate(sign.evidence)]
    facts = c.event_facts(split, families, "s")
    assert len(facts) == 1
    assert facts[0].fact.support.articles == sign.articles
    assert sorted(facts[0].fact.events) == ["sign-0", "sign-1", "sign-2"]


def test_first_reported_is_the_earliest_dated_article(result, seeds):
    *_, ids = seeds
    planned = _event_fact(result, "meet", "e-hegseth", status="planned")
    assert planned.first_reported == ids["002"]
    meet = _event_fact(result, "meet", "e-hegseth")
    assert meet.first_reported in meet.support.articles


# -- conflicts --------------------------------------------------------------------------


def test_hegseth_title_conflict_with_both_values_and_their_articles(result, seeds):
    *_, ids = seeds
    (conflict,) = [x for x in result.conflicts if x.subject == "Pete Hegseth"]
    assert conflict.attribute == "role"
    values = {v.value: v.support for v in conflict.values}
    assert set(values) == {"Secretary of War", "Secretary of Defence"}
    assert values["Secretary of War"].articles == sorted(ids[p] for p in ("000", "001", "003", "004"))
    assert values["Secretary of War"].independent_sources == 2
    assert values["Secretary of Defence"].articles == [ids["002"]]


def test_compatible_roles_and_names_are_not_conflicts(result):
    subjects = {x.subject for x in result.conflicts if x.attribute == "role"}
    assert subjects == {"Pete Hegseth"}  # Dong Jun's two wordings, Nordin's two, Singh's: compatible
    assert c.roles_compatible("Chinese Defence Minister", "China’s Minister of National Defence")
    assert c.roles_compatible("Defence Minister of Malaysia", "Malaysian Defence Minister")
    assert c.roles_compatible("Secretary of Defense", "Secretary of Defence")  # spelling
    assert not c.roles_compatible("US Secretary of War", "US Secretary of Defence")


def test_ten_year_and_ten_years_are_one_value():
    a001, a004 = seed_article("001"), seed_article("004")
    assert c.normalise_duration(span(a001, "10-year").text) == c.normalise_duration(span(a001, "10 years").text) == "10 years"
    assert c.normalise_duration(span(a004, "10 years").text) == "10 years"
    assert c.normalise_duration(span(seed_article("000"), "two-day").text) == "2 days"


def test_number_claims_on_the_seeds_have_no_conflict(result):
    durations = {f.value for f in result.facts if f.attribute == "duration"}
    assert "2 days" in durations  # "a two-day visit"
    assert "10 years" in durations  # "a 10-year 'Framework ...'"
    assert not [x for x in result.conflicts if x.kind == "number"]


def test_a_different_number_is_a_conflict(seeds):
    arts, families, entities, events, quotes, ids = seeds
    arrive = next(e for e in events if e.type == "arrive")
    # a planted variant of 003 that reports "a three-day visit" (as a rewrite would)
    a003 = seed_article("003")
    edited = dataclasses.replace(a003, id="edited-003", clean_text=a003.clean_text.replace("two-day visit", "three-day visit"))
    other = Event("x", "arrive", arrive.actors, place="Malaysia", date=arrive.date,
                  evidence=[sentence(edited, "Singh arrived in Malaysia on a three-day visit")])
    efacts = c.event_facts([arrive, other], families, "s")
    _, conflicts = c.number_claims(efacts, families, "s")
    (conflict,) = conflicts
    assert conflict.kind == "number"
    values = {v.value: v.support.articles for v in conflict.values}
    assert values == {"2 days": sorted(ids[p] for p in ("000", "001", "003")), "3 days": ["edited-003"]}


def test_a_duration_of_something_else_is_no_claim(seeds):
    arts, families, entities, events, quotes, ids = seeds
    address = Event("addr", "address", ["e-singh"], object="forum", status="planned",
                    evidence=[sentence(seed_article("003"), "Reflection on 15 Years of ADMM-Plus")])
    facts, _ = c.number_claims(c.event_facts([address], families, "s"), families, "s")
    assert facts == []  # "15 Years of ADMM-Plus" is not the duration of the address


def test_quote_variant_rules_based_rules_bound(seeds):
    arts, families, entities, events, quotes, ids = seeds
    variants = c.quote_variants(quotes, arts, families, {e.id: e.name for e in entities})
    assert len(variants) == 1, [(v.subject, [x.value for x in v.values]) for v in variants]
    (v,) = variants
    assert v.kind == "quote-variant" and v.subject == "Rajnath Singh"
    by_value = {x.value: x for x in v.values}
    assert set(by_value) == {"rules-based", "rules-bound"}
    assert by_value["rules-bound"].support.articles == [ids["004"]]
    assert by_value["rules-based"].support.articles == [ids["003"]]
    assert by_value["rules-based"].note == "reported speech"  # 003: "Singh emphasised that ..."
    assert by_value["rules-bound"].note == "direct quote"
    for x in v.values:
        for ev in x.support.evidence:
            assert seed_by_id(ev.article).clean_text[ev.start : ev.end] == ev.text


def test_quote_variants_found_without_the_events_stage(seeds):
    arts, families, *_ = seeds
    variants = c.quote_variants([], arts, families)
    assert [sorted(x.value for x in v.values) for v in variants] == [["rules-based", "rules-bound"]]
    assert variants[0].subject == "(unattributed quote)"


def test_identical_copies_of_a_quote_are_one_fact(result, seeds):
    *_, ids = seeds
    (post,) = [f for f in result.facts if f.kind == "quote" and f.value.startswith("Had a fruitful meeting")]
    assert post.support.articles == sorted([ids["001"], ids["003"]])
    assert post.support.independent_sources == 1  # 001 and 003 are one family


# -- storage ----------------------------------------------------------------------------


def test_save_and_load_round_trip_is_idempotent(result, seeds):
    arts, *_ = seeds
    store = Store(":memory:")
    for a in arts:
        store.put_article(a)
    c.save(store, result)
    c.save(store, result)  # the stage may run twice for a story: delete-then-insert
    facts = c.load_facts(store, result.story)
    assert len(facts) == len({f.id for f in result.facts})
    by_id = {f.id: f for f in result.facts}
    for f in facts:
        assert f.support.independent_sources == by_id[f.id].support.independent_sources
        assert sorted(f.support.evidence, key=lambda s: (s.article, s.start)) == sorted(
            set(by_id[f.id].support.evidence), key=lambda s: (s.article, s.start)
        )
        assert f.confirmed_by == by_id[f.id].confirmed_by
        assert f.entity == by_id[f.id].entity  # a role fact keeps the id of its entity
    assert any(f.entity for f in facts if f.attribute == "role")
    conflicts = c.load_conflicts(store, result.story)
    assert {(x.subject, x.kind) for x in conflicts} == {(x.subject, x.kind) for x in result.conflicts}
    assert store.conn.execute("SELECT COUNT(*) FROM facts WHERE story_id = ?", (result.story,)).fetchone()[0] == len(facts)


def test_facts_stored_without_entity_ids_are_rebuilt_after_migration_0071(tmp_path, monkeypatch, result, seeds):
    """A store from before 0071 holds role facts joined by name only: the migration adds
    `entity_id`, drops those facts and the corroborate stage's record (the next analyse
    rebuilds them; until then the brief corroborates at read time), and keeps the rest."""
    from newsweave.store import _store

    arts, *_ = seeds
    ids = [a.id for a in arts]
    every = _store.all_migrations
    monkeypatch.setattr(_store, "all_migrations", lambda: [m for m in every() if m.name < "0071"])
    old = Store(tmp_path / "old.db")
    for a in arts:
        old.put_article(a)
    with old.transaction() as conn:
        conn.execute(
            "INSERT INTO facts (id, story_id, kind, subject, attribute, value, status, independent_sources, articles, families) "
            "VALUES ('f1', 's', 'attribute', 'Pete Hegseth', 'role', 'Secretary of War', 'occurred', 1, '[]', '[]')"
        )
    old.mark_done("corroborate", ids)
    old.mark_done("events", ids)
    assert "entity_id" not in {r[1] for r in old.conn.execute("PRAGMA table_info(facts)")}
    old.close()
    monkeypatch.setattr(_store, "all_migrations", every)
    new = Store(tmp_path / "old.db")
    assert "0071_fact_entities" in new.applied_migrations()
    assert "entity_id" in {r[1] for r in new.conn.execute("PRAGMA table_info(facts)")}
    assert new.conn.execute("SELECT COUNT(*) FROM facts").fetchone()[0] == 0
    assert new.count_pending("corroborate", ids) == len(ids) and new.count_pending("events", ids) == 0
    c.save(new, result)
    assert {f.entity for f in c.load_facts(new, result.story) if f.attribute == "role"} >= {"e-hegseth", "e-singh"}
    new.close()


# -- end to end (needs the stages of issues 3, 4, 5, 6) ---------------------------------



def test_seeds_end_to_end_facts(seeds_workspace):
    from newsweave.stories import _stage as cluster
    from conftest import seed_id

    ws = seeds_workspace
    story = cluster.story_of(ws.store, seed_id(ws, "000"))
    facts = c.load_facts(ws.store, story)
    conflicts = c.load_conflicts(ws.store, story)
    texts = {a.id: a.clean_text for a in ws.articles()}
    for f in facts:
        assert f.support.evidence, f
        assert f.support.independent_sources == len(set(f.support.families))
        for ev in f.support.evidence:
            assert texts[ev.article][ev.start : ev.end] == ev.text
    hegseth = [x for x in conflicts if x.attribute == "role" and "Hegseth" in x.subject]
    assert hegseth and {"Secretary of War", "Secretary of Defence"} <= {v.value for v in hegseth[0].values}
    variants = [x for x in conflicts if x.kind == "quote-variant"]
    assert any({"rules-based", "rules-bound"} <= {v.value for v in x.values} for x in variants)


def test_death_toll_conflict_in_the_examples():
    """examples/: one page puts the flood toll at 17 where the others say 14 (or "at least 14")."""
    from conftest import EXAMPLES
    import newsweave

    ws = newsweave.open(":memory:")
    ws.ingest([EXAMPLES / "flood-and-markets.jsonl", EXAMPLES / "flood-summit_morning-post.html", EXAMPLES / "flood-summit_preview.txt"])
    articles = ws.articles()
    facts, conflicts = c.count_claims(articles, {}, "s")
    (conflict,) = conflicts
    values = {v.value: v for v in conflict.values}
    assert {"14", "17", "at least 14"} <= set(values)
    texts = {a.id: a.clean_text for a in articles}
    for v in conflict.values:
        for ev in v.support.evidence:
            assert texts[ev.article][ev.start : ev.end] == ev.text
    assert c._count_compatible(("at least", 14), (None, 17)) and not c._count_compatible((None, 14), (None, 17))


def test_where_a_role_is_held_is_not_part_of_it():
    # the examples call Oren Castell "Kessia's", "Kessian" and plain "Deputy Prime Minister"
    assert c.roles_compatible("Kessia's Deputy Prime Minister", "Kessian Deputy Prime Minister")
    assert c.role_display("India’s High Commissioner to Malaysia") == "High Commissioner to Malaysia"
    assert c.role_parts("Singapore Defence Minister") == ("minister", frozenset({"defence"}))


def test_a_toll_that_grows_across_the_days_is_an_update_not_a_conflict():
    """A death toll rising over ten days ("more than 300" ... "6,076" ... "more than 10,000")
    is the story moving on; two counts of the same day that cannot both hold still conflict."""
    import datetime as dt

    from newsweave.records import Article

    def art(aid, day, text):
        return Article(id=aid, raw_text=text, clean_text=text, published=dt.date(1998, 11, day))

    rising = [
        art("a1", 1, "The storm killed more than 300 people in Honduras."),
        art("a2", 4, "Officials said the hurricane killed 6,076 people."),
        art("a3", 10, "The floods killed more than 10,000 people across Central America."),
    ]
    facts, conflicts = c.count_claims(rising, {}, "s")
    assert conflicts == [] and {f.value for f in facts} == {"more than 300", "6076", "more than 10000"}
    same_day = rising + [art("a4", 4, "Rescuers said the hurricane killed 5,000 people.")]
    (conflict,) = c.count_claims(same_day, {}, "s")[1]
    assert {"6076", "5000"} <= {v.value for v in conflict.values}


# -- what a large story's batch writes, made from remembered parts (issue 19, round 11) --


def _tricky_conflict():
    from newsweave.records import Conflict, ConflictValue, Span, Support

    ev = [Span("a1", 0, 9, "“rules”\n"), Span("a2", 3, 14, 'he said "no"'), Span("a2", 20, 24, "é\\ü\t")]
    return Conflict("Ana “A”", "quote", [
        ConflictValue("rules-based", Support(ev, ["a1", "a2"], ["f1"], 1), note="direct quote, reported speech"),
        ConflictValue("rules-bound ✓", Support([], [], [], 0), note=None),
    ], kind="quote-variant")  # fmt: skip


def test_conflict_values_json_is_json_dumps_to_the_byte():
    """`_values_json` (span JSON remembered) writes what json.dumps of the values wrote:
    escapes, non-ASCII, a value without evidence, a note of None (the stored row and its
    digest are main's). Catches a hand-made span JSON that does not escape (M1) or a
    separator without its space (M2)."""
    import json

    conflict = _tricky_conflict()
    want = json.dumps([c._value_json(v) for v in conflict.values])
    assert c._values_json(conflict.values) == want
    assert c._values_json(conflict.values) == want  # again, from the remembered spans
    assert c._values_json([]) == "[]"


def test_variant_state_text_is_json_dumps_of_the_state_to_the_byte():
    """`variant_state_text` writes what json.dumps(variant_state_json(state)) wrote, and
    reads back as the state. Catches spans written as tuples of another form (M3) or the
    forms' ranks left out (M4)."""
    import json

    state = c.VariantState((3, 0, 5, 4, 1, 0), {
        "rules based": c._Value((3, 0, 5, 4, 1, 0), "rules-based “x”", {("a1", 0, 9), ("a2", 3, 14)}, {"direct quote": (3, 0, 5, 4, 1, 0)}),
        "rules bound": c._Value((3, 0, 5, 6, 2, 1), "rules-bound é", {("a3", 10, 40)}, {"reported speech": (3, 0, 5, 6, 2, 1), "direct quote": (9, 0, 1, 9, 2, 1)}),
    })  # fmt: skip
    for s in (state, c.VariantState((1, 2), {})):
        text = c.variant_state_text(s)
        assert text == json.dumps(c.variant_state_json(s))
        assert c.variant_state_of(json.loads(text)) == s


def test_quoted_sentences_follow_a_candidate_named_later():
    """A quote candidate's sentences are remembered by text and offsets, but its speaker and
    rank are the candidate's now: a speaker named from a later article, or an article seen
    at another arrival number, gives the new ones. Catches a memo keyed by the text and
    offsets alone (M5)."""
    text = "He said: “We will build the bridge across the river this year, and the port next year.” Then he left."
    start = text.index("“") + 1
    end = text.index("”")
    first = c.quoted_sentences([c.QuoteCandidate("a1", start, end, None)], {"a1": text}, 5, {"a1": 3})
    named = c.quoted_sentences([c.QuoteCandidate("a1", start, end, "e-mayor")], {"a1": text}, 5, {"a1": 7})
    assert [q.speaker for q in first] == [None] and [q.speaker for q in named] == ["e-mayor"]
    assert [q.rank for q in first] == [(3, start)] and [q.rank for q in named] == [(7, start)]
    assert [q.words for q in first] == [q.words for q in named] and first[0].words[:3] == ("we", "will", "build")


def test_kept_articles_are_the_stores_and_follow_a_changed_date(tmp_path):
    """A large story's articles kept in the process (`_kept.story_articles`) are those
    `store.articles` reads, in arrival order; a kept one is used again only while the store
    dates and numbers it alike: a date fixed since (reuse/_years.py) is read again. Catches
    a kept article used whatever its date (M6) and articles not kept at all (M7)."""
    import datetime as dt

    import newsweave
    from newsweave.corroborate import _kept
    from support.synth import write_corpus

    paths = write_corpus(tmp_path / "synth", 6, seed=1).paths
    with newsweave.open(tmp_path / "kept.db") as ws:
        ws.ingest([str(p) for p in paths])
        store = ws.store
        ids = list(reversed(store.article_ids()))
        fields = lambda arts: [(a.id, a.clean_text, a.published) for a in arts]  # noqa: E731
        first = _kept.story_articles(store, "s1", ids[1:], 2)
        assert fields(first) == fields(store.articles(ids[1:]))
        again = _kept.story_articles(store, "s1", ids, 2)
        assert fields(again) == fields(store.articles(ids))
        assert sum(a is b for a in again for b in first) == len(first)  # kept, not read again
        with store.transaction() as conn:
            conn.execute("UPDATE articles SET published = ? WHERE id = ?", ("2001-02-03", ids[2]))
        dated = _kept.story_articles(store, "s1", ids, 2)
        assert fields(dated) == fields(store.articles(ids))
        assert next(a for a in dated if a.id == ids[2]).published == dt.date(2001, 2, 3)
    _kept.forget()
