import re

from conftest import seed_file

from newsweave.ingest._clean import body_hash, clean, normalise, rule_reason, split_paragraphs


def sentences(text: str) -> list[str]:
    """Sentences of every paragraph (a rough splitter is enough to check nothing is lost)."""
    out = []
    for paragraph in text.split("\n"):
        out += [s for s in re.split(r"(?<=[.!?])\s+", normalise(paragraph)) if len(s.split()) > 3]
    return out


def test_aggregator_boilerplate_removed_and_listed():
    raw = seed_file("004").read_text(encoding="utf-8")
    cleaned = clean(raw)
    reasons = [(r.reason, r.text.strip()[:30]) for r in cleaned.removed]
    assert reasons == [
        ("also-read", "Also Read | Has JD Vance Annou"),
        ("also-read", "Also Read | APEC summit 2025: "),
        ("disclaimer", "(The above story is verified a"),
    ]
    assert "Also Read" not in cleaned.clean_text
    assert "verified and authored" not in cleaned.clean_text
    for span in cleaned.removed:  # removed spans point into the raw text
        assert raw[span.start : span.end] == span.text


def test_no_news_sentence_is_removed_from_any_seed(seeds_dir):
    """Every sentence of every seed is kept, or removed for a reason that its own paragraph
    shows: the rule that removed it fires on the removed text alone, and no other seed (three
    are copies of one wire story) keeps that text as news."""
    cleaned = {path.name: (path.read_text(encoding="utf-8"), None) for path in sorted(seeds_dir.iterdir())}
    cleaned = {name: (raw, clean(raw)) for name, (raw, _) in cleaned.items()}
    removed_any = 0
    for name, (raw, result) in cleaned.items():
        kept = normalise(result.clean_text)
        body_removed = [r for r in result.removed if r.reason != "header"]
        for span in body_removed:
            assert raw[span.start : span.end] == span.text
            assert rule_reason(span.text) == span.reason, f"{name}: {span.text[:60]!r} removed as {span.reason}"
            for other, (_, other_result) in cleaned.items():
                for sentence in sentences(span.text):
                    assert other == name or sentence not in normalise(other_result.clean_text), (
                        f"{name}: removed {sentence!r}, which {other} keeps as news"
                    )
        removed_any += len(body_removed)
        body = raw
        for span in (r for r in result.removed if r.reason == "header"):  # metadata, not text
            body = body[: span.start] + "\n" * (span.end - span.start) + body[span.end :]
        removed_text = normalise(" ".join(r.text for r in body_removed))
        for sentence in sentences(body):
            assert sentence in kept or sentence in removed_text, f"{name}: lost {sentence!r} without recording it"
    assert removed_any == 3  # the aggregator's two "Also Read" lines and its credit line


def test_blank_line_runs_collapse_to_paragraphs():
    raw = seed_file("002").read_text(encoding="utf-8")
    cleaned = clean(raw)
    assert "\n\n\n" not in cleaned.clean_text
    assert cleaned.clean_text.startswith("Defence Minister Rajnath Singh is scheduled to meet")
    assert len(cleaned.clean_text.split("\n\n")) == 10


def test_date_header_is_metadata_not_text():
    raw = seed_file("000").read_text(encoding="utf-8")
    cleaned = clean(raw)
    assert cleaned.clean_text.startswith("Kuala Lumpur: Defence Minister")
    assert cleaned.removed[0].reason == "header"


def test_learned_outlet_lines_removed_but_quotes_kept():
    raw = "Port workers ended the strike on Monday.\n\nFollow the Harbour Gazette for updates daily\n\n\"We stand together,\" the union said."
    learned = {p.line_hash for p in split_paragraphs(raw)}  # pretend every line repeats
    cleaned = clean(raw, learned)
    assert [r.reason for r in cleaned.removed] == ["learned-outlet", "learned-outlet"]
    assert '"We stand together," the union said.' in cleaned.clean_text


def test_rules_match_boilerplate_not_news():
    assert rule_reason("Also Read | Ten things to know") == "also-read"
    assert rule_reason("Follow us on Facebook and X") == "follow-us"
    assert rule_reason("Share | Tweet | WhatsApp | Email") == "share"
    assert rule_reason("Sign up for our morning newsletter to get the news first") == "subscribe"
    assert rule_reason("Defence Minister Rajnath Singh held a bilateral meeting with Singapore Defence Minister Chan Chun Sing.") is None
    assert rule_reason("Read more about the framework in the ministry's release, which runs to forty pages and covers every pillar of cooperation in detail across the decade.") is None


def test_hard_wrapped_lines_are_joined():
    raw = (
        "The council voted late on Tuesday to extend the\n"
        "emergency powers granted to the harbour authority for\n"
        "another ninety days, officials said after the session.\n"
    )
    (para,) = split_paragraphs(raw)
    assert para.text.startswith("The council voted late on Tuesday to extend the emergency powers")


def test_tex_quote_marks_become_typographic_and_the_id_stays():
    """MEANTIME and wire copy converted from TeX write ``so''; the reader sees “so”. The
    article id hashes the text before the conversion, so a store made earlier keeps its ids."""
    raw = "Chrysler said it was `` very pleased '' with the result.\n\nThe shares rose."
    done = clean(raw)
    assert "“ very pleased ”" in done.clean_text and "``" not in done.clean_text and "''" not in done.clean_text
    assert done.body_hash == body_hash(["Chrysler said it was `` very pleased '' with the result.", "The shares rose."])
