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


def test_fold_of_ascii_text_is_the_full_fold():
    """`fold`'s ASCII shortcut gives what normalising (NFKD) and dropping combining marks
    gives: for every ASCII character ("`" is straightened), alone and inside a word."""
    import unicodedata

    def full(text):
        text = unicodedata.normalize("NFKD", text.translate(names._QUOTES))
        return "".join(c for c in text if not unicodedata.combining(c)).casefold()

    for c in map(chr, range(128)):
        for text in (c, f"Ab{c}Cd"):
            assert names.fold(text) == full(text)
    assert names.fold("Zürich’s Café") == full("Zürich’s Café") == "zurich's cafe"


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


def test_one_scanner_two_policies_for_an_unclosed_quote():
    """The same marks, paired once: reuse keeps an unclosed quote to its paragraph's end and
    an unopened one from its paragraph's start; events keeps only quotes that close, joining
    an unclosed paragraph to the next one that opens with a mark."""
    from newsweave.events._quotes import quote_spans
    from newsweave.reuse._quoted import quoted_spans
    from newsweave.text import continued_quotes, scan_quotes

    text = '“We will stay the course,\n\n“and we will win.”\n\n“Never closed here.\n\nNo mark here.\n\nhe ended.”'
    spans = scan_quotes(text)
    assert [(s.opened, s.closed) for s in spans] == [(True, False), (True, True), (True, False), (False, True)]
    assert quoted_spans(text) == [(s.start, s.end) for s in spans]
    (chain,) = continued_quotes(text, spans)
    assert [text[a:b] for a, b in (s.inner for s in chain)] == ["We will stay the course,", "and we will win."]
    assert quote_spans(text, min_words=0) == [[s.inner for s in chain]]


def test_straight_marks_toggle_or_read_their_position():
    from newsweave.text import scan_quotes

    text = 'He said "yes"and left "now".'
    assert [text[s.start : s.end] for s in scan_quotes(text, "toggle")] == ['"yes"', '"now"']
    assert [text[s.start : s.end] for s in scan_quotes(text, "position")] == ['"yes"', '"now"']
    # an inch mark: toggling pairs it with the next mark; by position it closes (nothing is
    # open, so an unopened span) and the real quote pairs on its own
    text = 'A 5" screen and "a quote" here.'
    assert [text[s.start : s.end] for s in scan_quotes(text, "toggle")] == ['" screen and "', '" here.']
    assert [(text[s.start : s.end], s.opened) for s in scan_quotes(text, "position")] == [('A 5"', False), ('"a quote"', True)]


def test_same_name_is_a_subset_of_words():
    assert names.same_name("Singh", "Rajnath Singh") and names.same_name("B.N. Reddy", "B N Reddy")
    assert names.same_name("Dato' Seri Mohamed Khaled Nordin", "Mohamed Khaled Nordin")
    assert names.same_name("Mohamed Khaled", "Mohamed Khaled Nordin")  # a subset, any words
    assert not names.same_name("Rajnath Singh", "Chan Chun Sing")
    assert not names.same_name("", "Nordin")


def test_the_quote_scanner_visits_the_marks_as_a_walk_over_every_character_does():
    """`scan_quotes` jumps from mark to mark (a regex per paragraph), not from character to
    character: on random texts of marks, words, blank lines and dashes it gives the spans of
    the walk it replaced, for both straight rules and both mark sets (and none)."""
    import random

    from newsweave.records import paragraph_spans
    from newsweave.text import ALL_MARKS, CURLY_AND_STRAIGHT, scan_quotes
    from newsweave.text._quotes import _pair

    def walked(text, straight, marks):
        spans = []
        for p_start, p_end in paragraph_spans(text):
            _pair(text, p_start, p_end, [i for i in range(p_start, p_end) if text[i] in marks], straight, spans)
        return spans

    rng = random.Random(3)
    pieces = ["word", " ", " ", "\n\n", "\n", "-", "(", '"', "“", "”", "„", "«", "»", "‘", "’", "5"]
    seen = 0
    for _ in range(400):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        for straight in ("toggle", "position"):
            for marks in (ALL_MARKS, CURLY_AND_STRAIGHT, ""):
                got = scan_quotes(text, straight, marks)
                assert got == walked(text, straight, marks), (text, straight, marks)
                seen += len(got)
    assert seen > 1000
