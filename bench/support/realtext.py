"""Generated articles made of real news sentences, at any size (1k, 10k, 100k).

    write_real_corpus(path, n, seed=1) -> number of stories

The sentences are ECB+'s (../shared/corpora/ecbplus, one sentence a line, 35 topics of real
news). A generated story belongs to one topic and has a day; each of its articles is 6-12
of the topic's sentences in paragraphs of one to three, from one of 40 outlets, dated the
story's day or up to three days after. Paragraphs are new combinations, so the parse costs
what fresh news costs (few cache hits), while stories share vocabulary and people as real
coverage of one event does. About one article in eight is a wire copy of an earlier one of
its story (another outlet, the closing paragraph dropped), so reuse families form too.
Deterministic for a given seed; a JSONL file the ingest reads as it is.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

STORY_SIZE = 20  # articles per story on average: wire stories of a day run to tens of reports


def topic_sentences(ecb: Path) -> dict[str, list[str]]:
    """ECB+ topic -> its distinct sentences (lines), in corpus order."""
    out: dict[str, dict[str, None]] = {}
    for line in ecb.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        sentences = out.setdefault(record["topic"], {})
        for sentence in record["text"].split("\n"):
            if len(sentence.split()) >= 4:
                sentences.setdefault(sentence.strip(), None)
    return {topic: list(s) for topic, s in out.items()}


def write_real_corpus(path: Path, n: int, ecb: Path, seed: int = 1) -> int:
    rng = random.Random(seed)
    topics = topic_sentences(ecb)
    names = sorted(topics)
    start = dt.date(2024, 1, 1)
    stories = max(1, n // STORY_SIZE)
    plan = [(names[rng.randrange(len(names))], start + dt.timedelta(days=rng.randrange(365))) for _ in range(stories)]
    written: dict[int, list[dict]] = {}
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            story = rng.randrange(stories)
            topic, day = plan[story]
            earlier = written.get(story, [])
            if earlier and rng.random() < 0.125:
                record = _copy(rng.choice(earlier), i, rng)
            else:
                record = _article(i, topics[topic], day, rng)
            written.setdefault(story, []).append(record)
            out.write(json.dumps(record) + "\n")
    return stories


def _article(i: int, sentences: list[str], day: dt.date, rng: random.Random) -> dict:
    chosen = rng.sample(sentences, min(len(sentences), rng.randint(6, 12)))
    paragraphs = []
    while chosen:
        take = rng.randint(1, 3)
        paragraphs.append(" ".join(chosen[:take]))
        chosen = chosen[take:]
    return {
        "id": f"gen-{i}",
        "outlet": f"Outlet {rng.randrange(40)}",
        "published": (day + dt.timedelta(days=rng.randrange(4))).isoformat(),
        "title": paragraphs[0][:80],
        "text": "\n\n".join(paragraphs),
    }


def _copy(original: dict, i: int, rng: random.Random) -> dict:
    paragraphs = original["text"].split("\n\n")
    if len(paragraphs) > 2:
        paragraphs = paragraphs[:-1]
    return {**original, "id": f"gen-{i}", "outlet": f"Outlet {rng.randrange(40)}", "text": "\n\n".join(paragraphs)}
