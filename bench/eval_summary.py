"""Summary quality on 20 ECB+ events: newsweave's brief summary against LexRank and Lead,
in the same run, scored against two human references per event.

    PYTHONPATH=src python bench/eval_summary.py [--words 100] [--keep DIR] [--events 1_ecb,...]

Data (../shared/corpora/, see its README): the events of `ecbplus-summaries/` (two
references each, `<event>.ref1.txt`, `<event>.ref2.txt`) and their articles, the lines of
`ecbplus/ecbplus-topics-1-35.jsonl` whose `subtopic` is the event, in file order.

Each event's articles are briefed alone: a fresh store holding only them is ingested and
analysed, then `brief.brief_articles(store, ids)` summarises exactly those articles as one
unit, so the figure does not depend on how the stories stage splits or joins them. (On a
tree without `brief_articles`, e.g. main before issue 15, the brief of the story holding most
of the event's articles is scored instead.)

Systems, all over the same clean texts:
  newsweave  the brief's summary sentences, in order
  lexrank    sumy's LexRank over every sentence of the event, best-rated first, until the
             word budget is reached. sumy's default tokenizer needs NLTK data that may not be
             downloaded here, so it is given the project's own sentences
             (`text.split_doc` over the store's cached spaCy parse: the same sentences newsweave uses)
  lead       the first `--words` words of the event's first article (file order)

Score: ROUGE-1 and ROUGE-2 recall (`rouge-score`, Porter stemming), the candidate cut at
`--words` words, averaged over the two references, then over the events. Reported for all
20, for the odd-numbered events (the event's topic number is odd: the part every setting of
the summary was tuned on) and for the even-numbered ones (held out). Timing: newsweave's
summary time (the brief's call, after analysis) and LexRank's, per event and per article.
`--keep DIR` keeps the analysed stores there and reuses them on the next run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("NEWSWEAVE_SHARED", HERE.parent.parent / "shared"))
CORPUS = SHARED / "corpora" / "ecbplus" / "ecbplus-topics-1-35.jsonl"
REFS = SHARED / "corpora" / "ecbplus-summaries"


def events(refs: Path = REFS) -> list[str]:
    """The events that have references, ordered by topic number then name."""
    names = {p.name.split(".")[0] for p in refs.glob("*.ref1.txt")}
    return sorted(names, key=lambda e: (int(e.split("_")[0]), e))


def is_tuning(event: str) -> bool:
    """Odd topic number: the half every setting was chosen on."""
    return int(event.split("_")[0]) % 2 == 1


def references(event: str, refs: Path = REFS) -> list[str]:
    return [(refs / f"{event}.ref{i}.txt").read_text(encoding="utf-8") for i in (1, 2)]


def event_records(wanted: set[str], corpus: Path = CORPUS) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {e: [] for e in wanted}
    for line in corpus.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if r["subtopic"] in out:
            out[r["subtopic"]].append(r)
    return out


def cut(text: str, words: int) -> str:
    return " ".join(text.split()[:words])


class Scorer:
    def __init__(self, words: int) -> None:
        from rouge_score import rouge_scorer

        self.words = words
        self.scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)

    def __call__(self, candidate: str, refs: list[str]) -> tuple[float, float]:
        cand = cut(candidate, self.words)
        scores = [self.scorer.score(ref, cand) for ref in refs]
        r1 = sum(s["rouge1"].recall for s in scores) / len(scores)
        r2 = sum(s["rouge2"].recall for s in scores) / len(scores)
        return 100 * r1, 100 * r2


# -- the store of one event -----------------------------------------------------------------


def analysed_store(event: str, records: list[dict], workdir: Path):
    """A store holding only the event's articles, ingested and analysed (reused when kept)."""
    import newsweave

    db = workdir / f"{event}.db"
    fresh = not db.exists()
    ws = newsweave.open(db)
    if fresh:
        src = workdir / f"{event}.jsonl"
        src.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        ws.ingest([src])
    ws.analyse()  # a kept store gains only the stages it lacks
    return ws


def article_ids(ws, records: list[dict]) -> list[str]:
    """The stored ids of the event's articles in file order (a sighting's source names its
    JSONL line; an exact repeat of an article is one stored article)."""
    by_line = {}
    for a in ws.articles():
        for s in a.sightings:
            by_line.setdefault(int(str(s.source).rsplit(":", 1)[1]), a.id)
    ids = [by_line[i] for i in sorted(by_line)]
    return list(dict.fromkeys(ids))


def newsweave_summary(ws, ids: list[str], words: int, settings=None) -> list[str]:
    from newsweave import brief as B

    if hasattr(B, "brief_articles"):
        b = B.brief_articles(ws.store, ids, settings, words=words)
    else:  # a tree without the article-set brief: the story holding most of the articles
        from collections import Counter

        try:
            from newsweave.stories import story_of
        except ImportError:  # before the restructure
            from newsweave.cluster import story_of

        story = Counter(story_of(ws.store, a) for a in ids).most_common(1)[0][0]
        b = B.build_brief(ws.store, story)
    return [s["text"] for s in b["summary"]]


# -- baselines ------------------------------------------------------------------------------


class ProjectTokenizer:
    """sumy's tokenizer interface over the project's sentences (`sentences.split_doc`) of the
    store's cached spaCy parse: no NLTK data, and the same sentences newsweave reads."""

    language = "english"

    def __init__(self) -> None:
        from newsweave.nlp import load
        from newsweave.settings import NlpSettings

        self.nlp = load(NlpSettings().model)
        self.store = None  # the event's store, whose cache holds every paragraph's parse

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        from newsweave.nlp import parse_texts

        (doc,) = parse_texts([paragraph], None, self.store)
        try:
            from newsweave.text import split_doc
        except ImportError:  # main before issue 15: spaCy's own sentences
            return tuple(s.text.strip() for s in doc.sents if s.text.strip())
        return tuple(doc.text[a:b] for a, b in split_doc(doc))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(t.text for t in self.nlp.make_doc(sentence) if not t.is_punct and not t.is_space)


def lexrank(texts: list[str], words: int, tokenizer: ProjectTokenizer) -> list[str]:
    """LexRank's sentences, best-rated first, until `words` words."""
    from sumy.nlp.stemmers import Stemmer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.utils import get_stop_words

    doc = PlaintextParser.from_string("\n\n".join(texts), tokenizer).document
    summarizer = LexRankSummarizer(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    ranked: list = []  # sumy hands a callable count the sentences sorted best first

    def keep_all(infos):
        ranked.extend(infos)
        return infos

    summarizer(doc, keep_all)
    out, n = [], 0
    for info in ranked:
        if n >= words:
            break
        text = str(info.sentence)
        out.append(text)
        n += len(text.split())
    return out


# -- the run --------------------------------------------------------------------------------


def run(words: int, workdir: Path, only: list[str] | None = None, show: bool = False, settings=None) -> dict:
    names = only or events()
    records = event_records(set(names))
    score = Scorer(words)
    tokenizer = ProjectTokenizer()
    rows = []
    for event in names:
        ws = analysed_store(event, records[event], workdir)
        ids = article_ids(ws, records[event])
        texts = [ws.article(a).clean_text for a in ids]
        refs = references(event)
        t0 = time.perf_counter()
        ours = newsweave_summary(ws, ids, words, settings)
        t1 = time.perf_counter()
        tokenizer.store = ws.store
        lex = lexrank(texts, words, tokenizer)
        t2 = time.perf_counter()
        lead = cut(texts[0], words)
        row = {
            "event": event,
            "articles": len(ids),
            "newsweave": score(" ".join(ours), refs),
            "lexrank": score(" ".join(lex), refs),
            "lead": score(lead, refs),
            "words": len(" ".join(ours).split()),
            "time_newsweave": t1 - t0,
            "time_lexrank": t2 - t1,
        }
        rows.append(row)
        ws.close()
        if show:
            print(f"\n== {event}  R1 {row['newsweave'][0]:.1f} (lexrank {row['lexrank'][0]:.1f})")
            for s in ours:
                print("  -", s)
    return {"rows": rows, "table": table(rows)}


def mean(rows: list[dict], system: str, k: int) -> float:
    return sum(r[system][k] for r in rows) / len(rows) if rows else float("nan")


def table(rows: list[dict]) -> dict:
    parts = {
        "all": rows,
        "odd (tuning)": [r for r in rows if is_tuning(r["event"])],
        "even (held-out)": [r for r in rows if not is_tuning(r["event"])],
    }
    return {
        part: {s: [round(mean(rs, s, 0), 2), round(mean(rs, s, 1), 2)] for s in ("newsweave", "lexrank", "lead")} | {"events": len(rs)}
        for part, rs in parts.items()
    }


def corroborate_settings(pairs: list[str]):
    if not pairs:
        return None
    from newsweave.settings import CorroborateSettings

    cfg = CorroborateSettings()
    for pair in pairs:
        name, value = pair.split("=", 1)
        setattr(cfg, name, type(getattr(cfg, name))(value))
    return cfg


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--words", type=int, default=100)
    ap.add_argument("--keep", type=Path, help="keep the analysed stores in DIR (and reuse them)")
    ap.add_argument("--events", help="comma-separated events (default: all 20)")
    ap.add_argument("--show", action="store_true", help="print each event's summary")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="override a CorroborateSettings field (for tuning on the odd events)")
    args = ap.parse_args(argv)
    if not REFS.is_dir() or not CORPUS.is_file():
        print(f"eval_summary: the references or the corpus are missing under {SHARED}", file=sys.stderr)
        return 2
    only = args.events.split(",") if args.events else None
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        result = run(args.words, workdir, only, args.show, corroborate_settings(args.set))
    rows = result["rows"]
    if args.json:
        print(json.dumps(rows, indent=1))
    print(f"\nROUGE recall (R1 / R2), candidate cut at {args.words} words, mean of 2 references")
    print(f"{'part':18} {'events':>6}  {'newsweave':>13}  {'lexrank':>13}  {'lead':>13}")
    for part, t in result["table"].items():
        cells = "  ".join(f"{t[s][0]:6.2f}/{t[s][1]:5.2f}" for s in ("newsweave", "lexrank", "lead"))
        print(f"{part:18} {t['events']:>6}  {cells}")
    n_art = sum(r["articles"] for r in rows)
    tn, tl = sum(r["time_newsweave"] for r in rows), sum(r["time_lexrank"] for r in rows)
    print(f"\nsummary time: newsweave {1000 * tn / len(rows):.0f} ms/event, {1000 * tn / n_art:.1f} ms/article; "
          f"lexrank {1000 * tl / len(rows):.0f} ms/event, {1000 * tl / n_art:.1f} ms/article (ratio {tn / tl:.2f})")
    print(f"mean summary length: {sum(r['words'] for r in rows) / len(rows):.0f} words")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
