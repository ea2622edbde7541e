"""Views of a parsed Doc that spaCy recomputes on every access, computed once per Doc.

`Doc.text` joins every token's text and `Doc.ents` builds a new Span per entity each time
they are read, so code that reads them per token or per sentence pays the whole paragraph
each time: the events stage looked up a token's entity through `doc.ents` 69k times for 1k
articles (3.7 of its 23 s under cProfile), and the sentence splitter and the entity mentions
rebuilt `doc.text` per sentence (3.8 s of the claims stage's 13.7 s). Parsed Docs are
read-only here (`parse_texts`), so a view computed once stays true; it is kept in the Doc's
`user_data`, which the cache never stores (`_docbytes`), so it lives exactly as long as
the Doc.
"""

from __future__ import annotations

_KEY = "newsweave.views"


def _views(doc) -> dict:
    return doc.user_data.setdefault(_KEY, {})


def doc_text(doc) -> str:
    """`doc.text`, joined once."""
    views = _views(doc)
    if "text" not in views:
        views["text"] = doc.text
    return views["text"]


def text_of(parsed) -> str:
    """`parsed.text` of a Doc or a Span, cut from `doc_text` instead of joined from its
    tokens (a Span's text is exactly its stretch of the Doc's: its last token's trailing
    space is not part of it)."""
    doc = parsed.doc  # a Doc's .doc is itself
    return doc_text(doc) if parsed is doc else doc_text(doc)[parsed.start_char : parsed.end_char]


def know_text(doc, text: str) -> None:
    """Record that `doc` is the parse of `text`, so `doc_text` need not join its tokens
    (~20 us a paragraph, once per Doc): a Doc's text is exactly the text parsed, and a
    cached parse is found by its text (`paragraph_key`)."""
    _views(doc).setdefault("text", text)


def doc_ents(doc) -> tuple:
    """`doc.ents`, the same Spans every time."""
    views = _views(doc)
    if "ents" not in views:
        views["ents"] = doc.ents
    return views["ents"]


def entity_at(token):
    """The named-entity Span of `doc_ents` that holds `token`, else None (entities do not
    overlap, so this is the first one holding it)."""
    views = _views(token.doc)
    if "ent_of" not in views:
        at = [None] * len(token.doc)
        for ent in doc_ents(token.doc):
            for i in range(ent.start, ent.end):
                if at[i] is None:
                    at[i] = ent
        views["ent_of"] = at
    return views["ent_of"][token.i]


def span_ents(span) -> list:
    """`span.ents` (the entities wholly inside it) from `doc_ents`, as spaCy's own loop picks them."""
    out = []
    for ent in doc_ents(span.doc):
        if ent.start >= span.start:
            if ent.end <= span.end:
                out.append(ent)
            else:
                break
    return out


def doc_memo(doc, name: str) -> dict:
    """A dict kept with the Doc for the results of one pure function of its tokens (`name`
    tells the functions apart): a result read from it is what computing again would give."""
    return _views(doc).setdefault(name, {})
