"""Cross-document entity coreference on MEANTIME (120 English Wikinews articles).

    PYTHONPATH=src /work/venv/bin/python bench/eval_entities.py [--quick] [--json]

Each article's tokens are detokenised into a clean text (one sentence a paragraph) and
stored; the stages nlp and resolve run over all of them. Every gold entity mention of a
PERSON, ORGANISATION or LOCATION instance is then assigned:

- newsweave: the resolved entity `resolve.entity_at` finds on its span (none: a singleton);
- baseline: the mention's exact string, normalised by `names.key` (case, punctuation,
  "the", possessives) — mentions with one normalised string form one entity.

Scores (both in the same run, same mentions): B-cubed, MUC, CEAF-e and CoNLL F1 (the mean
of the three), for all gold mentions and for named ones (syntactic type NAM / PRE.NAM),
overall and per type. Gold entities without a corpus-level instance id are document-local.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

import numpy as np
from scipy.optimize import linear_sum_assignment

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSWEAVE_SHARED", ROOT.parent / "shared"))
TYPES = {"PER": "PERSON", "ORG": "ORGANISATION", "LOC": "LOCATION"}
NO_SPACE_BEFORE = re.compile(r"^(?:[.,;:!?%)\]}]|'s|'|n't|'re|'ve|'ll|'d|'m)$")
NO_SPACE_AFTER = {"(", "[", "{", "$", "``"}


def load_meantime(root: Path, limit: int | None = None):
    """[(doc_id, clean_text, [gold mention dict])] from the intra_cross-doc annotation."""
    docs = []
    files = sorted(root.glob("corpus_*/*.xml"))
    if limit:
        files = files[:limit]
    for path in files:
        tree = ET.parse(path)
        doc = tree.getroot()
        doc_id = doc.get("doc_id")
        pieces, spans, prev_sentence, prev_tok = [], {}, None, None
        pos = 0
        for tok in doc.iter("token"):
            text = tok.text or ""
            sentence = tok.get("sentence")
            if prev_sentence is not None and sentence != prev_sentence:
                sep = "\n\n"
            elif prev_tok is None or NO_SPACE_BEFORE.match(text) or prev_tok in NO_SPACE_AFTER:
                sep = ""
            else:
                sep = " "
            pieces.append(sep + text)
            pos += len(sep)
            spans[tok.get("t_id")] = (pos, pos + len(text))
            pos += len(text)
            prev_sentence, prev_tok = sentence, text
        clean = "".join(pieces)
        markables = doc.find("Markables")
        mentions = {}
        for m in markables.findall("ENTITY_MENTION"):
            tids = [a.get("t_id") for a in m.findall("token_anchor")]
            if tids:
                start = min(spans[t][0] for t in tids)
                end = max(spans[t][1] for t in tids)
                mentions[m.get("m_id")] = (start, end, m.get("syntactic_type") or "")
        targets = {
            e.get("m_id"): (e.get("instance_id") or f"{doc_id}:{e.get('m_id')}", e.get("ent_type"))
            for e in markables.findall("ENTITY")
        }
        gold = []
        for rel in doc.find("Relations").findall("REFERS_TO"):
            target = targets.get(rel.find("target").get("m_id"))
            if target is None or target[1] not in TYPES:
                continue
            for src in rel.findall("source"):
                if src.get("m_id") in mentions:
                    start, end, syn = mentions[src.get("m_id")]
                    gold.append(
                        {"doc": doc_id, "start": start, "end": end, "text": clean[start:end], "entity": target[0],
                         "type": TYPES[target[1]], "named": _named(clean[start:end], syn)}
                    )
        docs.append((doc_id, clean, gold))
    return docs


PRONOUNS = set("it its it's they them their we our us he his him she her i my me you your who which that this".split())


def _named(text: str, syntactic_type: str) -> bool:
    """A proper-name mention: annotated NAM / PRE.NAM, or (type left empty) every content word
    capitalised and not a pronoun."""
    if syntactic_type in ("NAM", "PRE.NAM"):
        return True
    if syntactic_type:
        return False
    words = [w for w in re.findall(r"[\w.&'-]+", text) if w.lower() not in ("of", "and", "the", "de", "&")]
    return bool(words) and text.lower() not in PRONOUNS and all(w[0].isupper() or w[0].isdigit() for w in words)


# -- metrics ------------------------------------------------------------------------------


def _clusters(assign: dict) -> list[set]:
    groups = defaultdict(set)
    for mention, cluster in assign.items():
        groups[cluster].add(mention)
    return list(groups.values())


def _prf(p: float, r: float) -> dict:
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4)}


def b_cubed(key: dict, response: dict) -> dict:
    key_of = {m: frozenset(c) for c in _clusters(key) for m in c}
    resp_of = {m: frozenset(c) for c in _clusters(response) for m in c}
    ms = list(key)
    p = sum(len(key_of[m] & resp_of[m]) / len(resp_of[m]) for m in ms) / len(ms)
    r = sum(len(key_of[m] & resp_of[m]) / len(key_of[m]) for m in ms) / len(ms)
    return _prf(p, r)


def muc(key: dict, response: dict) -> dict:
    def score(a: dict, b: dict) -> tuple[float, float]:
        num = den = 0
        for cluster in _clusters(a):
            parts = {b[m] for m in cluster}
            num += len(cluster) - len(parts)
            den += len(cluster) - 1
        return num, den

    rn, rd = score(key, response)
    pn, pd = score(response, key)
    return _prf(pn / pd if pd else 0.0, rn / rd if rd else 0.0)


def ceaf_e(key: dict, response: dict) -> dict:
    k, r = _clusters(key), _clusters(response)
    sim = np.zeros((len(k), len(r)))
    index = {}
    for j, c in enumerate(r):
        for m in c:
            index[m] = j
    for i, c in enumerate(k):
        for m in c:
            j = index[m]
            sim[i, j] += 1
    for i, c in enumerate(k):
        for j in np.nonzero(sim[i])[0]:
            sim[i, j] = 2 * sim[i, j] / (len(c) + len(r[j]))
    rows, cols = linear_sum_assignment(-sim)
    total = sim[rows, cols].sum()
    return _prf(total / len(r), total / len(k))


def score(key: dict, response: dict) -> dict:
    out = {"b3": b_cubed(key, response), "muc": muc(key, response), "ceafe": ceaf_e(key, response)}
    out["conll_f1"] = round((out["b3"]["f1"] + out["muc"]["f1"] + out["ceafe"]["f1"]) / 3, 4)
    return out


# -- run ----------------------------------------------------------------------------------


def run(limit: int | None = None) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    from newsweave.text import _names as names
    from newsweave import pipeline
    from newsweave.entities import _resolve as resolve
    from newsweave.records import Article
    from newsweave.settings import Settings
    from newsweave.store import Store

    root = SHARED / "corpora" / "meantime" / "intra_cross-doc_annotation"
    docs = load_meantime(root, limit)
    store, settings = Store(), Settings()
    for doc_id, clean, _ in docs:
        store.put_article(Article(id=doc_id, raw_text=clean, clean_text=clean, language="en"))
    started = time.perf_counter()
    pipeline.analyse(store, settings, until="entities")
    seconds = time.perf_counter() - started
    gold = [g for _, _, gs in docs for g in gs]
    key, ours, base = {}, {}, {}
    for i, g in enumerate(gold):
        key[i] = g["entity"]
        found = resolve.entity_at(store, g["doc"], g["start"], g["end"])
        ours[i] = found.id if found else f"single:{i}"
        base[i] = "str:" + (names.key(g["text"]) or g["text"].lower())
    results = {"articles": len(docs), "mentions": len(gold), "analyse_seconds": round(seconds, 1), "subsets": {}}
    subsets = {"all": lambda g: True, "named": lambda g: g["named"]}
    for t in TYPES.values():
        subsets[t] = lambda g, t=t: g["type"] == t
        subsets[t + "/named"] = lambda g, t=t: g["type"] == t and g["named"]
    for label, keep in subsets.items():
        ids = [i for i, g in enumerate(gold) if keep(g)]
        if not ids:
            continue
        k = {i: key[i] for i in ids}
        results["subsets"][label] = {
            "mentions": len(ids),
            "gold_entities": len(set(k.values())),
            "newsweave": score(k, {i: ours[i] for i in ids}),
            "baseline_exact_string": score(k, {i: base[i] for i in ids}),
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the first 30 articles only")
    parser.add_argument("--json", action="store_true", help="print the full results as JSON")
    args = parser.parse_args()
    results = run(30 if args.quick else None)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"MEANTIME: {results['articles']} articles, {results['mentions']} gold mentions "
          f"(PERSON/ORGANISATION/LOCATION), analysed in {results['analyse_seconds']} s")
    print(f"{'subset':24} {'n':>5}  {'system':10} {'B3 P':>6} {'B3 R':>6} {'B3 F1':>6} {'MUC F1':>7} {'CEAFe':>6} {'CoNLL':>6}")
    for label, r in results["subsets"].items():
        for system in ("newsweave", "baseline_exact_string"):
            s = r[system]
            print(f"{label:24} {r['mentions']:5d}  {system[:10]:10} {s['b3']['p']:6.3f} {s['b3']['r']:6.3f} "
                  f"{s['b3']['f1']:6.3f} {s['muc']['f1']:7.3f} {s['ceafe']['f1']:6.3f} {s['conll_f1']:6.3f}")
        ratio = r["newsweave"]["conll_f1"] / r["baseline_exact_string"]["conll_f1"] if r["baseline_exact_string"]["conll_f1"] else float("nan")
        print(f"{'':24} {'':5}  CoNLL F1 ratio newsweave/baseline = {ratio:.3f}")


if __name__ == "__main__":
    main()
