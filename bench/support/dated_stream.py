"""The dated stream of issue 17, built from the shared corpora (bench/eval_story_stream.py
scores it; tests take single events from it):

- ECB+ articles whose first three lines carry a full date ("April 27, 2009"): that date is
  their publication date (the pages open with it), their ECB+ event the gold;
- MEANTIME's Wikinews articles with a creation time (published = that time; gold = the
  connected components of articles sharing a cross-document event instance).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

from newsweave.grouping import connected

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
FULL_DATE = re.compile(rf"\b({MONTHS}|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.? (\d{{1,2}}),? ((?:19|20)\d\d)\b")


def ecb_dated_records(ecb: Path) -> list[dict]:
    """ECB+ articles with a full date ("April 27, 2009") in their first three lines: that
    date is their publication date (the pages open with it), the event their gold."""
    import datetime as dt

    out = []
    for line in ecb.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        m = FULL_DATE.search("\n".join(r["text"].splitlines()[:3]))
        if not m:
            continue
        month = next(i for i, name in enumerate(MONTHS.split("|"), 1) if name.lower().startswith(m.group(1).lower()[:3]))
        try:
            day = dt.date(int(m.group(3)), month, int(m.group(2)))
        except ValueError:
            continue
        out.append({"id": "ecb-" + r["id"], "text": r["text"], "published": day.isoformat(),
                    "gold": r["subtopic"], "part": "ecb-odd" if int(r["topic"]) % 2 else "ecb-even"})
    return out


def meantime_records(meantime: Path) -> list[dict]:
    """MEANTIME's 120 Wikinews articles: text from the tokens (title = sentence 0), the date
    from the creation time; gold = the connected components of articles that share a
    cross-document event instance (a non-grammatical event annotated as the same happening),
    so two reports of one bankruptcy filing are one story and two order announcements by
    Boeing years apart are two. Articles without a creation time are left out."""
    import xml.etree.ElementTree as ET

    docs = {}
    for path in sorted(meantime.glob("corpus_*/*.xml")):
        root = ET.parse(path).getroot()
        sents: dict[int, list[str]] = defaultdict(list)
        for tok in root.findall("token"):
            sents[int(tok.get("sentence"))].append(tok.text or "")
        dct = [t.get("value") for t in root.iter("TIMEX3") if t.get("functionInDocument") == "CREATION_TIME"]
        if not dct or not re.fullmatch(r"\d{4}-\d\d-\d\d", dct[0]):
            continue
        lines = [_detok(" ".join(sents[k])) for k in sorted(sents)]
        events = {e.get("instance_id") for e in root.iter("EVENT") if e.get("instance_id") and e.get("class") != "GRAMMATICAL"}
        docs[root.get("doc_id")] = {"title": lines[0], "text": "\n".join(lines[1:]), "published": dct[0], "events": events,
                                    "corpus": path.parent.name}
    holders = defaultdict(list)
    for d, v in docs.items():
        for e in v["events"]:
            holders[e].append(d)
    gold = {d: group[0] for group in connected(docs, [(d, ds[0]) for ds in holders.values() for d in ds[1:]]) for d in group}
    return [{"id": "mt-" + d, "title": v["title"], "text": v["text"], "published": v["published"],
             "gold": "mt-" + gold[d], "part": "meantime"} for d, v in docs.items()]


def _detok(s: str) -> str:
    s = re.sub(r" ([,.;:!?%)'])", r"\1", s)
    return re.sub(r"([($]) ", r"\1", s).replace(" 's", "'s").replace("`` ", '"').replace(" ''", '"')
