"""A parsed paragraph as the cache stores it: spaCy's DocBin format, one Doc per blob.

The bytes are exactly those `DocBin(store_user_data=False, docs=[doc]).to_bytes()` writes
(zlib over msgpack of the token array, spaces, lengths and strings), and any blob DocBin
wrote reads back here, so stores written before stay readable and DocBin reads ours.

Why not call DocBin itself: srsly's msgpack looks its numpy codecs up in the entry-point
registry (catalogue, importlib.metadata) on every call, about 1.5 ms per paragraph each way
on this machine, more than the rest of the (de)serialisation and about a tenth of the parse
itself; with one write and a read by each of four later stages per paragraph that was ~9 ms of
overhead on a ~14 ms parse. DocBin's message holds only bytes, lists and dicts (no numpy
objects), so the plain `msgpack` library, with no hooks, packs and unpacks it unchanged.
"""

from __future__ import annotations

import zlib
from functools import lru_cache

import msgpack
import numpy as np

# the token attributes whose values are strings (each value's string goes into the blob, as
# DocBin.add collects text, tag_, lemma_, norm_, morph, dep_, ent_type_, ent_kb_id_, ent_id_)
_STRING_ATTRS = ("ORTH", "TAG", "LEMMA", "NORM", "MORPH", "DEP", "ENT_TYPE", "ENT_KB_ID", "ENT_ID")


@lru_cache(maxsize=1)
def _layout() -> tuple[list[int], list[int], int, bytes]:
    """(DocBin's default attribute ids in its order, the columns holding strings, MORPH's
    column, the bytes of an empty set of span groups)."""
    from spacy.attrs import IDS
    from spacy.tokens import Doc, DocBin
    from spacy.vocab import Vocab

    attrs = DocBin(store_user_data=False).attrs
    string_ids = {IDS[name] for name in _STRING_ATTRS}
    strings = [i for i, a in enumerate(attrs) if a in string_ids and a != IDS["MORPH"]]
    return attrs, strings, attrs.index(IDS["MORPH"]), Doc(Vocab(), words=[]).spans.to_bytes()


def doc_bytes(doc) -> bytes:
    """A Doc as the cache stores it: DocBin's bytes for a DocBin holding only this Doc (no
    user data, as the cache never kept it). A Doc with span groups goes through DocBin itself."""
    if doc.spans:
        from spacy.tokens import DocBin

        return DocBin(store_user_data=False, docs=[doc]).to_bytes()
    from spacy.attrs import SPACY

    attrs, string_cols, morph_col, _ = _layout()
    tokens = doc.to_array(attrs).reshape(len(doc), len(attrs))
    spaces = doc.to_array(SPACY).astype(bool).reshape(len(doc), 1)
    strings = doc.vocab.strings
    msg = {
        "version": "0.1",
        "attrs": attrs,
        "tokens": np.ascontiguousarray(tokens, dtype=np.uint64).tobytes("C"),
        "spaces": spaces.tobytes("C"),
        "lengths": np.asarray([len(doc)], dtype="int32").tobytes("C"),
        "strings": sorted({strings[int(h)] for h in np.unique(tokens[:, string_cols])} | _morphs(tokens[:, morph_col], strings)),
        "cats": [doc.cats],
        "flags": [{"has_unknown_spaces": doc.has_unknown_spaces}],
        "span_groups": [doc.spans.to_bytes()],
    }
    return zlib.compress(msgpack.packb(msg, use_bin_type=True))


def _morphs(column: np.ndarray, strings) -> set[str]:
    """The morphology strings as `str(token.morph)` gives them: "" for none (whose hash is "_"'s)."""
    return {"" if s == "_" else s for s in (strings[int(h)] for h in np.unique(column))}


def doc_from_bytes(blob: bytes, vocab):
    """The Doc the cache stored (`doc_bytes`, or DocBin for one Doc)."""
    from spacy.attrs import ORTH
    from spacy.tokens import Doc

    msg = msgpack.unpackb(zlib.decompress(blob), raw=False)
    lengths = np.frombuffer(msg["lengths"], dtype="int32")
    groups = msg.get("span_groups") or [b""]
    if len(lengths) != 1 or msg.get("user_data") or groups[0] not in (b"", _layout()[3]):
        return _docbin_read(blob, vocab)  # several Docs, user data or span groups: DocBin's reader
    attrs = msg["attrs"]
    tokens = np.frombuffer(msg["tokens"], dtype="uint64").reshape(-1, len(attrs))
    _add_strings(vocab, msg["strings"])
    flags = (msg.get("flags") or [{}])[0]
    spaces = None if flags.get("has_unknown_spaces") else np.frombuffer(msg["spaces"], dtype=bool).tolist()
    doc = Doc(vocab, words=tokens[:, attrs.index(ORTH)].tolist(), spaces=spaces).from_array(attrs, tokens)
    doc.cats = (msg.get("cats") or [{}])[0]
    return doc


# {id of a StringStore: (the store, the strings this module has added to it)}; the store is
# held so its id is not reused while it is here
_ADDED: dict[int, tuple[object, set[str]]] = {}


def _add_strings(vocab, strings: list[str]) -> None:
    """The blob's strings into this vocab (DocBin.get_docs also makes a lexeme of each, tags
    and lemmas too: the Doc makes its words' own). Only those not added before are added: a
    paragraph's ~60 strings are nearly all known after the first few hundred paragraphs, and
    one `add` each was a fifth of reading a paragraph back (once per stage that reads it).
    Right because strings are never removed from a StringStore here (no memory zones)."""
    store = vocab.strings
    entry = _ADDED.get(id(store))
    if entry is None or entry[0] is not store:
        if len(_ADDED) >= 4:  # a test's throwaway vocabs: not kept alive for ever
            _ADDED.clear()
        entry = _ADDED[id(store)] = (store, set())
    new = set(strings) - entry[1]
    for string in new:
        store.add(string)
    entry[1].update(new)


def _docbin_read(blob: bytes, vocab):
    from spacy.tokens import DocBin

    (doc,) = DocBin().from_bytes(blob).get_docs(vocab)
    return doc
