"""Dates on MEANTIME: recall of TIMEX3 DATE expressions and accuracy of their normalised value.

    PYTHONPATH=src /work/venv/bin/python bench/eval_timex.py [--quick] [--errors N]

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
import datetime as dt
import os
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from newsweave.events import _timex as timex

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


def ours(doc: Doc) -> list[tuple[int, int, str]]:
    # the first line is the title, the second the creation date: skip the date line
    found = timex.find(doc.text, doc.anchor)
    return [(t.start, t.end, t.value.value) for t in found]


def baseline(docs: list[Doc]):
    """spaCy DATE entities + dateparser normalisation, formatted at dateparser's period."""
    import dateparser

    from newsweave.nlp._parse import load as load_spacy
    from newsweave.settings import DEFAULT_SPACY_MODEL

    nlp = load_spacy(DEFAULT_SPACY_MODEL)
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
                value = {"year": f"{d.year}", "month": f"{d.year}-{d.month:02d}", "week": timex._week(d.date())}.get(
                    period, d.date().isoformat()
                )
            preds.append((ent.start_char, ent.end_char, value))
        results[doc.name] = preds
    return results


def score(docs: list[Doc], preds: dict[str, list[tuple[int, int, str | None]]], errors: list | None = None):
    gold_n = found = correct = pred_n = pred_ok = 0
    for doc in docs:
        c0, c1 = doc.creation
        p = [(s, e, v) for s, e, v in preds[doc.name] if e <= doc.annotated_end and not (s < c1 and c0 < e)]
        pred_n += len(p)
        pred_ok += sum(any(s < g.end and g.start < e for g in doc.gold) for s, e, _ in p)
        for g in doc.gold:
            if g.type != "DATE":
                continue
            gold_n += 1
            hits = [(s, e, v) for s, e, v in p if s < g.end and g.start < e]
            if not hits:
                if errors is not None:
                    errors.append(("missed", doc.anchor, doc.text[g.start : g.end], g.value, None))
                continue
            found += 1
            if any(v == g.value for _, _, v in hits):
                correct += 1
            elif errors is not None:
                errors.append(("value", doc.anchor, doc.text[g.start : g.end], g.value, hits[0][2]))
    recall = found / gold_n if gold_n else 0.0
    precision = pred_ok / pred_n if pred_n else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    acc = correct / found if found else 0.0
    vp, vr = (correct / pred_n if pred_n else 0.0), correct / gold_n if gold_n else 0.0
    vf1 = 2 * vp * vr / (vp + vr) if vp + vr else 0.0
    return dict(gold=gold_n, found=found, recall=recall, precision=precision, f1=f1, value_acc=acc, value_f1=vf1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="first 30 articles only")
    ap.add_argument("--errors", type=int, default=0, help="print this many of our errors")
    ap.add_argument("--no-baseline", action="store_true")
    args = ap.parse_args()
    docs = load(30 if args.quick else None)
    t0 = time.perf_counter()
    errs: list = []
    mine = score(docs, {d.name: ours(d) for d in docs}, errs)
    t_mine = time.perf_counter() - t0
    print(f"MEANTIME: {len(docs)} articles, {mine['gold']} gold DATE expressions (creation times excluded)")
    row = "{:<34} recall {recall:.3f}  precision {precision:.3f}  F1 {f1:.3f}  value acc {value_acc:.3f}  value F1 {value_f1:.3f}"
    print(row.format("newsweave.timex", **mine) + f"  ({t_mine:.2f}s)")
    if not args.no_baseline:
        t0 = time.perf_counter()
        base = score(docs, baseline(docs))
        print(row.format("baseline spaCy DATE + dateparser", **base) + f"  ({time.perf_counter() - t0:.2f}s)")
        print(
            f"ratio to baseline: recall x{mine['recall'] / max(base['recall'], 1e-9):.2f}, "
            f"value acc x{mine['value_acc'] / max(base['value_acc'], 1e-9):.2f}, "
            f"value F1 x{mine['value_f1'] / max(base['value_f1'], 1e-9):.2f}"
        )
    print(
        f"reference HeidelTime value acc ~{HEIDELTIME_VALUE_ACC:.2f} (TempEval-3, published): "
        f"ours x{mine['value_acc'] / HEIDELTIME_VALUE_ACC:.2f}"
    )
    for kind, anchor, text, gold, got in errs[: args.errors]:
        print(f"  {kind:6} {anchor}  {text!r:40} gold {gold:12} got {got}")


if __name__ == "__main__":
    main()
