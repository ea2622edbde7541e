"""Dates on MEANTIME: recall of TIMEX3 DATE expressions and accuracy of their normalised value.

    PYTHONPATH=src python bench/eval_timex.py [--quick] [--errors N] [--parse] [--half tune|held|both]

Data: ../shared/corpora/meantime (120 English Wikinews articles, token-level XML). Each
article's text is rebuilt from its tokens (offsets kept per token); the anchor is the
article's CREATION_TIME, which is itself excluded from the gold set (it is the anchor).

MEANTIME annotates TIMEX3 only in each article's title, date line and first four sentences
(sentence numbers 0-5), so predictions are scored only there; the creation-time phrase
is neither gold nor counted as a prediction.

Metrics (a prediction "finds" a gold DATE when their spans overlap):
  recall        gold DATEs found / gold DATEs (those with tokens)
  precision     predictions overlapping any gold TIMEX3 (DATE, TIME, DURATION, SET) / predictions
  value acc.    found gold DATEs whose value equals ours exactly / found
  value F1      TempEval-3 style: harmonic mean of value-correct/predictions and value-correct/gold

Baseline measured in the same run: spaCy's DATE entities (the project's default pipeline),
each normalised by `dateparser` against the same anchor (the library route one would try
first). Published reference: HeidelTime (TempEval-3) value accuracy ~0.86 of what it finds
(value F1 77.6 at extraction F1 90.3).
"""

from __future__ import annotations

import argparse
import hashlib
import datetime as dt
import os
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from newsweave.events import timex

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSWEAVE_SHARED", ROOT.parent / "shared"))
MEANTIME = SHARED / "corpora" / "meantime" / "intra_cross-doc_annotation"
NO_SPACE_BEFORE = {",", ".", ":", ";", "!", "?", "%", ")", "'s", "n't", "'", "’s", "'re", "'ve", "'ll", "'d"}
HEIDELTIME_VALUE_ACC = 0.86
ANNOTATED_SENTENCES = 5  # sentence numbers 0..5 carry TIMEX3 annotation in every article


@dataclass
class Gold:
    start: int
    end: int
    type: str
    value: str


@dataclass
class Doc:
    name: str
    text: str
    anchor: dt.date
    gold: list[Gold]  # DATE, TIME, DURATION, SET (not the creation time)
    annotated_end: int  # MEANTIME annotates times only in the title, date line and first sentences
    creation: tuple[int, int] = (0, 0)


def load(limit: int | None = None) -> list[Doc]:
    if not MEANTIME.exists():
        sys.exit(f"needs {MEANTIME} (the ../shared data beside the project)")
    docs = []
    for path in sorted(MEANTIME.glob("*/*.xml"))[:limit]:
        root = ET.parse(path).getroot()
        pieces, spans, sentence = [], {}, None
        pos = annotated_end = 0
        for tok in root.iter("token"):
            word = tok.text or ""
            if sentence is not None and tok.get("sentence") != sentence:
                sep = "\n"
            elif not pieces or word in NO_SPACE_BEFORE or pieces[-1] in ("(", "$"):
                sep = ""
            else:
                sep = " "
            pos += len(sep)
            spans[tok.get("t_id")] = (pos, pos + len(word))
            pieces.append(sep + word if sep else word)
            pos += len(word)
            sentence = tok.get("sentence")
            if int(sentence) <= ANNOTATED_SENTENCES:
                annotated_end = pos
        text = "".join(pieces)
        anchor, gold, creation = None, [], (0, 0)
        for tx in root.iter("TIMEX3"):
            ids = [a.get("t_id") for a in tx.iter("token_anchor")]
            if tx.get("functionInDocument") == "CREATION_TIME":
                anchor = timex.parse_anchor(tx.get("value"))
                if ids:
                    creation = (spans[ids[0]][0], spans[ids[-1]][1])
                continue
            if ids:
                gold.append(Gold(spans[ids[0]][0], spans[ids[-1]][1], tx.get("type"), tx.get("value")))
        if anchor:
            docs.append(Doc(path.stem, text, anchor, gold, annotated_end, creation))
    return docs


def half(doc: Doc) -> str:
    """'tune' or 'held': the deterministic split by document (SHA-1 of the file name, even = tune)."""
    return "tune" if hashlib.sha1(doc.name.encode()).digest()[0] % 2 == 0 else "held"


def ours(doc: Doc, parsed=None) -> list[tuple[int, int, str, str]]:
    """timex.find on the text (tense guessed from words), or on its spaCy parse (tense from the verb)."""
    return [(t.start, t.end, t.type, t.value.value) for t in timex.find(parsed if parsed is not None else doc.text, doc.anchor)]


def _spacy():
    from newsweave.nlp._parse import load as load_spacy
    from newsweave.settings import DEFAULT_SPACY_MODEL

    return load_spacy(DEFAULT_SPACY_MODEL)


def parse(docs: list[Doc]):
    return list(_spacy().pipe(d.text for d in docs))


def baseline(docs: list[Doc]):
    """spaCy DATE entities + dateparser normalisation, formatted at dateparser's period."""
    import dateparser

    nlp = _spacy()
    parser = dateparser.date.DateDataParser(languages=["en"])
    results = {}
    for doc, sp in zip(docs, nlp.pipe(d.text for d in docs)):
        preds = []
        base = dt.datetime.combine(doc.anchor, dt.time(12))
        for ent in sp.ents:
            if ent.label_ != "DATE":
                continue
            parser._settings.RELATIVE_BASE = base  # noqa: SLF001 (the documented per-call setting)
            data = parser.get_date_data(ent.text, date_formats=None)
            value = None
            if data and data.date_obj:
                d, period = data.date_obj, data.period
                value = {"year": f"{d.year}", "month": f"{d.year}-{d.month:02d}", "week": _week(d.date())}.get(
                    period, d.date().isoformat()
                )
            preds.append((ent.start_char, ent.end_char, "DATE", value))
        results[doc.name] = preds
    return results


def _week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


TYPES = ("DATE", "TIME", "DURATION", "SET")


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score(docs: list[Doc], preds: dict[str, list[tuple[int, int, str, str | None]]], errors: list | None = None):
    """Per type and over all types: a prediction finds a gold expression when their spans
    overlap (relaxed, TempEval-3). For a type T: recall = gold T found / gold T; value acc. =
    found gold T with our value equal / found; value F1 = harmonic mean of value-correct /
    our predictions typed T and value-correct / gold T. "ALL" pools the four types."""
    n = {t: dict(gold=0, found=0, correct=0, pred=0, pred_ok=0) for t in (*TYPES, "ALL")}
    for doc in docs:
        c0, c1 = doc.creation
        p = [x for x in preds[doc.name] if x[1] <= doc.annotated_end and not (x[0] < c1 and c0 < x[1])]
        for s, e, typ, _ in p:
            ok = any(s < g.end and g.start < e for g in doc.gold)
            for key in {typ if typ in TYPES else "DATE", "ALL"}:
                n[key]["pred"] += 1
                n[key]["pred_ok"] += ok
        for g in doc.gold:
            hits = [x for x in p if x[0] < g.end and g.start < x[1]]
            for key in (g.type, "ALL"):
                n[key]["gold"] += 1
                n[key]["found"] += bool(hits)
                n[key]["correct"] += any(v == g.value for *_, v in hits)
            if errors is not None and not any(v == g.value for *_, v in hits):
                got = f"{hits[0][2]} {hits[0][3]}" if hits else None
                errors.append(("value" if hits else "missed", g.type, doc.anchor, doc.text[g.start : g.end], g.value, got))
    out = {}
    for t, c in n.items():
        recall = c["found"] / c["gold"] if c["gold"] else 0.0
        precision = c["pred_ok"] / c["pred"] if c["pred"] else 0.0
        vp = c["correct"] / c["pred"] if c["pred"] else 0.0
        vr = c["correct"] / c["gold"] if c["gold"] else 0.0
        out[t] = dict(
            gold=c["gold"], pred=c["pred"], found=c["found"], recall=recall, precision=precision,
            f1=_f1(precision, recall), value_acc=c["correct"] / c["found"] if c["found"] else 0.0, value_f1=_f1(vp, vr),
        )  # fmt: skip
    return out


ROW = "  {:<9} {:<34} gold {gold:3d} pred {pred:3d}  recall {recall:.3f}  precision {precision:.3f}  F1 {f1:.3f}  value acc {value_acc:.3f}  value F1 {value_f1:.3f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="first 30 articles only")
    ap.add_argument("--errors", type=int, default=0, help="print this many of our errors (tuning half only)")
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--half", choices=("tune", "held", "both"), default="both")
    ap.add_argument("--parse", action="store_true", help="also run timex on the spaCy parse (tense from the verb)")
    args = ap.parse_args()
    docs = load(30 if args.quick else None)
    t0 = time.perf_counter()
    mine = {d.name: ours(d) for d in docs}
    t_mine = time.perf_counter() - t0
    parsed = {d.name: ours(d, p) for d, p in zip(docs, parse(docs))} if args.parse else None
    base = None
    if not args.no_baseline:
        t0 = time.perf_counter()
        base = baseline(docs)
        t_base = time.perf_counter() - t0
    halves = ("tune", "held") if args.half == "both" else (args.half,)
    print(f"MEANTIME: {len(docs)} articles (creation times excluded); ours {t_mine:.2f}s" + (f", baseline {t_base:.1f}s" if base else ""))
    for h in halves:
        part = [d for d in docs if half(d) == h]
        errs: list = []
        s_mine = score(part, mine, errs if h == "tune" else None)
        s_base = score(part, base) if base else None
        s_parsed = score(part, parsed) if parsed else None
        print(f"{'tuning' if h == 'tune' else 'held-out'} half: {len(part)} articles (SHA-1 of the file name, first byte {'even' if h == 'tune' else 'odd'})")
        for t in (*TYPES, "ALL"):
            print(ROW.format(t, "newsweave.timex", **s_mine[t]))
            if s_parsed:
                print(ROW.format(t, "newsweave.timex on the spaCy parse", **s_parsed[t]))
            if s_base and t in ("DATE", "ALL"):
                print(ROW.format(t, "baseline spaCy DATE + dateparser", **s_base[t]))
        if h == "tune":
            for kind, typ, anchor, text, gold, got in errs[: args.errors]:
                print(f"    {kind:6} {typ:8} {anchor}  {text!r:40} gold {gold:14} got {got}")


if __name__ == "__main__":
    main()
