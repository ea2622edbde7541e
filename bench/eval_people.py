"""People who are people: which resolved PERSON entities of ECB+ (topics 1–35) and MEANTIME
are a country, a city or region, a wire agency or a storm — with the names of each.

Every article of both corpora goes through ingest, nlp and the entities stage into a
temporary store (nothing is copied into the project). A PERSON entity counts as wrong when
its name is a country (pycountry + data/countries.tsv), a place (text.is_place: GeoNames
cities of 5,000+, regions, data/places.tsv), a wire agency (data/agencies.tsv), or one of its
mentions follows a storm word ("Hurricane Mitch"). Who's who is the brief's rule: PERSON
with a role or at least two mentions.

    python bench/eval_people.py            # counts and names, PERSON entities and who's who
    python bench/eval_people.py --limit 200
    PYTHONPATH=<other checkout>/src python bench/eval_people.py --dump other.json
    python bench/eval_people.py --score other.json     # that run, scored with these gazetteers
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import eval_frames  # noqa: E402  (the corpus loaders)


def write_corpora(folder: Path, limit: int | None, step: int = 1) -> Path:
    """Both corpora as one JSONL file of plain articles (one paragraph per corpus sentence);
    `step`: every step-th article only (a sample for tests)."""
    arts = eval_frames.load_corpora()
    path = folder / "corpora.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for (corpus, aid), art in sorted(arts.items())[::step][:limit]:
            text, _ = eval_frames.article_text(art)
            row = {"id": f"{corpus}:{aid}", "text": text}
            if art.published:
                row["published"] = art.published
            fh.write(json.dumps(row) + "\n")
    return path


def wrong_kind(name: str, before_words: list[str]) -> str | None:
    from newsweave import text

    if text.country(name) is not None:
        return "country"
    if text.is_agency(name):
        return "agency"
    if any(w in text.STORM_WORDS for w in before_words):
        return "storm"
    if text.is_place(name):
        return "place"
    return None


def people(limit: int | None = None, step: int = 1) -> dict:
    """The PERSON entities of both corpora: name, mentions, whether it has a role, and the
    word before each mention (for storms)."""
    import newsweave
    from newsweave.entities import load_entities

    with tempfile.TemporaryDirectory() as tmp:
        ws = newsweave.open(Path(tmp) / "people.db")
        ws.ingest([write_corpora(Path(tmp), limit, step)])
        ws.analyse(until="entities")
        texts = {a.id: a.clean_text for a in ws.articles()}
        entities = load_entities(ws.store)
        out = []
        for e in entities:
            if e.type != "PERSON":
                continue
            before = [(texts.get(m.article, "")[max(0, m.start - 25) : m.start].lower().split() or [""])[-1] for m in e.mentions]
            out.append({"name": e.name, "mentions": len(e.mentions), "role": bool(e.roles), "before": before})
        return {"articles": len(texts), "entities": len(entities), "persons": out}


def score(found: dict) -> dict:
    persons = found["persons"]
    whos_who = [p for p in persons if p["role"] or p["mentions"] >= 2]
    wrong = {p["name"]: wrong_kind(p["name"], p["before"]) for p in persons}
    wrong = {n: k for n, k in wrong.items() if k}
    in_whos_who = {p["name"]: wrong[p["name"]] for p in whos_who if p["name"] in wrong}
    return {
        "articles": found["articles"],
        "entities": found["entities"],
        "persons": len(persons),
        "whos_who": len(whos_who),
        "person_but_country_place_agency_storm": len(wrong),
        "of_them_in_whos_who": len(in_whos_who),
        "names_in_whos_who": dict(sorted(in_whos_who.items())),
        "names": dict(sorted(wrong.items())),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--dump", help="write the PERSON entities to this JSON file (to score another commit's run)")
    ap.add_argument("--score", help="score a file --dump wrote (with this checkout's gazetteers)")
    args = ap.parse_args()
    try:
        found = json.loads(Path(args.score).read_text()) if args.score else people(args.limit)
    except FileNotFoundError as e:
        sys.exit(str(e))
    if args.dump:
        Path(args.dump).write_text(json.dumps(found))
    if not args.dump or args.score:
        print(json.dumps(score(found), indent=1))


if __name__ == "__main__":
    main()
