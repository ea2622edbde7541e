"""Direct quotes: marks, paragraphs, speakers and channels — on the seeds and on written cases."""

from __future__ import annotations

import pytest

from newsweave.events import _stage as extract
from newsweave.events import display_name
from newsweave.events._quotes import quote_spans, similar_text
from conftest import seed_file, seed_id


def test_quote_spans_cross_paragraphs_and_mix_marks():
    text = seed_file("000").read_text(encoding="utf-8")
    spans = quote_spans(text)
    (multi,) = [q for q in spans if len(q) > 1]
    assert len(multi) == 3  # “Today, I met ... / "It was a good ... / "United States ... importance.”
    assert text[multi[0][0] : multi[0][1]].startswith("Today, I met with China")
    assert text[multi[-1][0] : multi[-1][1]].endswith("mutual importance.")


def test_titles_in_single_quotes_and_short_scare_quotes_are_not_speech():
    text = (
        "The two leaders signed the ‘Framework for the US-India Major Defence Partnership’ on Friday. "
        'The theme is "Inclusivity and Sustainability" this year.'
    )
    assert quote_spans(text) == []


def test_an_unclosed_quote_is_dropped_not_stretched():
    text = '“This runs on and never closes in this paragraph at all.\n\nA new paragraph without a mark.'
    assert quote_spans(text) == []


def test_speaker_and_channel_from_the_attribution():
    _, quotes = extract.analyse_text(
        '"We will not back down from our commitments to the region," Foreign Minister Penny Wong told reporters '
        "in Canberra.\n\n"
        "Penny Wong said the talks were useful. \"It was a frank and constructive exchange of views,\" she said "
        "in a statement.",
        "2025-10-31",
    )
    assert [(q.speaker.name, q.channel) for q in quotes] == [("Penny Wong", "told"), ("Penny Wong", "statement")]


def test_indirect_speech_is_not_a_quote():
    _, quotes = extract.analyse_text(
        "Singh emphasised that defence would continue to serve as a major pillar of India-US relations.", "2025-10-31"
    )
    assert quotes == []


def test_similar_text_tolerates_cuts_and_curly_marks():
    assert similar_text("We signed the 10 years ‘Framework’", "we signed the 10 years 'Framework'. This will")
    assert not similar_text("It was a good meeting", "We will continue discussions with the PLA")


@pytest.fixture(scope="module")
def seed_quotes(seeds_workspace):
    """The seeds' quotes with speakers by name (resolved entity ids shown as their names)."""
    quotes = extract.load_quotes(seeds_workspace.store)
    for q in quotes:
        q.speaker = display_name(seeds_workspace.store, q.speaker) if q.speaker else None
    return quotes


def test_singh_x_post_is_one_quote_found_in_001_and_003(seeds_workspace, seed_quotes):
    (q,) = [q for q in seed_quotes if q.text.startswith("Had a fruitful meeting with my US counterpart")]
    assert q.speaker == "Rajnath Singh"
    assert q.channel == "X"
    assert set(q.articles) == {seed_id(seeds_workspace, "001"), seed_id(seeds_workspace, "003")}
    for span in q.evidence:
        assert seeds_workspace.article(span.article).clean_text[span.start : span.end] == span.text


def test_hegseth_post_about_dong_jun_in_000(seeds_workspace, seed_quotes):
    (q,) = [q for q in seed_quotes if "Dong Jun" in q.text and q.text.startswith("Today, I met")]
    assert q.speaker == "Pete Hegseth"
    assert q.channel == "X"
    assert q.articles == [seed_id(seeds_workspace, "000")]
    assert "mutual importance" in q.text  # the quote runs over three paragraphs


def test_the_post_added_continues_the_speaker(seed_quotes):
    (q,) = [q for q in seed_quotes if q.text.startswith("This Defence Framework will provide")]
    assert (q.speaker, q.channel) == ("Rajnath Singh", "X")
    assert len(q.articles) == 2


# -- the demo corpus examples/ (text the stage was not tuned on) -------------------------


def _example_quotes():
    from _examples import examples_workspace

    ws = examples_workspace()
    return ws, [(display_name(ws.store, q.speaker) if q.speaker else None, q) for q in extract.load_quotes(ws.store)]


def test_a_characterising_verb_introduces_a_quote():
    import json

    from _examples import EXAMPLES, paragraph

    afp = json.loads((EXAMPLES / "flood-and-markets.jsonl").read_text(encoding="utf-8").splitlines()[0])["text"]
    paras = afp.split("\n\n")
    i = next(i for i, p in enumerate(paras) if "called the outcome" in p)
    # the paragraph before says "she posted on X": Castell's words are not an X post
    _, quotes = extract.analyse_text("\n\n".join(paras[i - 1 : i + 1]), "2026-11-05")
    castell = next(q for q in quotes if q.text.startswith("fair to the people"))
    assert castell.speaker.name == "Castell" and castell.channel is None
    _, quotes = extract.analyse_text(paragraph("port-deal_wire.txt", "Rellick posted on X"), "2026-11-03")
    assert [q.speaker.name for q in quotes] == ["Rellick"]  # the usual clause after the quote still works


def test_speakers_are_the_people_named_in_full_never_a_place():
    ws, quotes = _example_quotes()
    by_text = {q.text[:30]: who for who, q in quotes}
    assert by_text["People here need roofs before "] == "Vesna Darrow"  # the tagger's entity is "Vesna"
    assert by_text["fair to the people who are sti"] == "Oren Castell"  # "Castell ... called the outcome “…”"
    assert by_text["Estmark will be there for the "] == "Maren Solberg"
    for who, q in quotes:
        assert who is not None, q.text
        assert "'s " not in who and "’s " not in who, who  # not "Estmark's Port of Aldmere"


def test_a_resolved_entity_must_cover_the_name():
    from newsweave.events._participants import entity_covers
    from newsweave.records import Entity

    assert entity_covers(Entity("e1", "Rajnath Singh", "PERSON"), "Singh")
    assert entity_covers(Entity("e2", "Harbour Workers' Federation", "ORG", aliases=["HWF"]), "HWF")
    assert not entity_covers(Entity("e3", "Vesna", "ORG"), "Vesna Darrow")
    assert not entity_covers(Entity("e4", "Estmark's Port of Aldmere", "ORG"), "Maren Solberg")


def test_the_names_the_resolver_reads_are_those_of_the_whole_entity(seeds_workspace):
    """`entities.name_forms` (read for each participant's entity) gives the id and names that
    loading the whole entity (`entities.get`) gives."""
    from newsweave import entities

    store = seeds_workspace.store
    ids = [r[0] for r in store.conn.execute("SELECT id FROM entities ORDER BY id")]
    assert len(ids) > 20
    for eid in ids + ["ent_no_such"]:
        whole = entities.get(store, eid)
        forms = entities.name_forms(store, eid)
        if whole is None:
            assert forms is None
            continue
        assert forms[0] == whole.id
        assert sorted(forms[1]) == sorted([whole.name, *whole.aliases]), eid
