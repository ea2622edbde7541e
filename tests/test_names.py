"""Name keys, honorifics, countries and demonyms, acronyms learned from text."""

from __future__ import annotations

from conftest import seed_file
from newsweave.text import _names as names


def test_keys_ignore_punctuation_quotes_and_dashes():
    assert names.key("B.N. Reddy") == names.key("B N Reddy") == names.key("BN Reddy")
    assert names.key("U.S. Air Force") == names.key("US Air Force")
    forms = [
        "ASEAN Defence Ministers’ Meeting-Plus",
        "ASEAN Defence Ministers' Meeting - Plus",
        "the ASEAN Defence Ministers Meeting Plus",
    ]
    assert len({names.key(f) for f in forms}) == 1
    assert names.key("China’s") == names.key("China") == "china"
    assert names.key("Ford Motor Company") != names.key("Ford")
    assert names.strip_corporate(names.key("General Motors Corporation")) == "general motors"


def test_honorifics_are_set_apart_and_kept():
    assert names.split_honorifics("Dato' Seri Mohamed Khaled Nordin") == (["Dato' Seri"], "Mohamed Khaled Nordin")
    assert names.split_honorifics("Seri Mohamed Khaled Nordin") == (["Seri"], "Mohamed Khaled Nordin")
    assert names.split_honorifics("Admiral Dong Jun") == (["Admiral"], "Dong Jun")
    assert names.split_honorifics("Dr. Jane Doe") == (["Dr."], "Jane Doe")
    # "Tan" and "Sri" alone are names, not titles; a lone honorific is left as a name
    assert names.split_honorifics("Tan Chuan-Jin") == ([], "Tan Chuan-Jin")
    assert names.split_honorifics("Sri Mulyani Indrawati") == ([], "Sri Mulyani Indrawati")
    assert names.split_honorifics("General") == ([], "General")


def test_short_forms_keep_the_surname():
    full = "mohamed khaled nordin".split()
    assert names.is_short_form(["khaled", "nordin"], full)
    assert names.is_short_form(["nordin"], full)
    assert not names.is_short_form(["mohamed", "khaled"], full)
    assert not names.is_short_form(full, full)
    assert names.is_short_form(["singh"], ["rajnath", "singh"])


def test_countries_and_demonyms_from_the_table():
    assert names.country("Malaysian").name == "Malaysia"
    assert names.country("Chinese").name == "China"
    assert names.country("US").name == names.country("the United States").name == names.country("U.S.").name
    assert names.country("South Korea").alpha2 == "KR"
    assert names.country("Viet Nam").name == names.country("Vietnam").name
    assert names.country("Lao PDR").alpha2 == "LA"
    assert names.country("Singh") is None and names.country("Reddy") is None
    assert names.is_demonym("Malaysian") and not names.is_demonym("Malaysia")


def test_acronyms_learned_from_the_seed_text():
    text = seed_file("001").read_text(encoding="utf-8")
    found = {(a.short, a.long) for a in names.find_acronyms(text)}
    assert ("ADMM-Plus", "ASEAN Defence Ministers’ Meeting-Plus") in found
    assert ("ADMM", "ASEAN Defence Ministers’ Meeting") in found
    assert ("ASEAN", "Association of Southeast Asian Nations") in found
    # the wire credit "(IANS)" after a dateline is no definition
    assert not any(a.short == "IANS" for a in names.find_acronyms(text))
    for acr in names.find_acronyms(text):
        assert text[acr.short_start : acr.short_end] == acr.short
        assert text[acr.long_start : acr.long_end] == acr.long
