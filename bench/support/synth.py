"""Generated news-like text articles for tests and benchmarks (invented names, no real copy).

    write_corpus(folder, n, duplicates=0, seed=0) -> SynthCorpus

Each article is a seeds-style `.txt`: a `date YYYY-MM-DD` header (on its own line or leading
the text), a wire dateline on most, four to eight paragraphs built from templates over an
invented world, and now and then an inserted "Also Read | …" or "Follow us on …" line, so
cleaning has real work to do. `duplicates` extra files repeat earlier articles verbatim (the
store must count each once, with two sightings). Deterministic for a given seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

PLACES = ["Aldmere", "Brennmoor", "Orlo", "Halvik", "Upper Sorrel", "Kestrel Bay", "Marrow Point", "Velden"]
AGENCIES = ["Reuters", "AFP", "AP", "PTI", "IANS", None, None]
PEOPLE = ["Petra Haldane", "Tomas Rellick", "Ines Marwood", "Anselm Voight", "Maren Solberg", "Oren Castell",
          "Felix Amsel", "Vesna Darrow", "Edda Roan", "Joris Peel"]
ROLES = ["Labour Minister", "union leader", "port authority chair", "Prime Minister", "President",
         "Deputy Prime Minister", "central bank governor", "mayor", "councillor", "crane operator"]
THINGS = ["the relief fund", "the wage agreement", "the rail line", "the bridge repairs", "the night-shift cap",
          "the early-warning system", "the budget", "the harbour dredging", "the shelter", "the rate decision"]
VERBS = ["announced", "signed", "rejected", "welcomed", "postponed", "approved", "questioned", "defended"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
FILLER = ["Officials said talks would continue.", "No timetable was given.", "Critics called the move overdue.",
          "The figures could not be independently verified.", "Markets barely reacted.", "More details are expected."]


@dataclass
class SynthCorpus:
    paths: list[Path]
    distinct: int  # articles that differ (files minus verbatim duplicates)
    boilerplate_lines: int  # inserted lines that cleaning should remove


def article_text(i: int, rng: random.Random) -> tuple[str, int]:
    """(text, number of inserted boilerplate lines) of article `i`."""
    month = rng.randrange(12)
    day = rng.randint(1, 28)
    year = rng.choice([2024, 2025, 2026])
    place, agency = rng.choice(PLACES), rng.choice(AGENCIES)
    person, role = rng.randrange(len(PEOPLE)), rng.randrange(len(ROLES))
    thing, verb = rng.choice(THINGS), rng.choice(VERBS)
    lead = (
        f"{ROLES[role]} {PEOPLE[person]} {verb} {thing} on {rng.choice(DAYS)}, "
        f"in a move affecting {rng.randint(2, 900) * 10 + i % 10:,} people, officials said (report {i})."
    )
    dateline = f"{place.upper()}, {MONTHS[month]} {day} ({agency}) - " if agency else f"{place}: "
    paragraphs = [dateline + lead]
    boilerplate = 0
    for _ in range(rng.randint(3, 7)):
        kind = rng.random()
        other = rng.randrange(len(PEOPLE))
        if kind < 0.3:
            paragraphs.append(
                f'"We will look at {rng.choice(THINGS)} again before {rng.choice(DAYS)}," '
                f"{PEOPLE[other]} said in a statement, adding that {rng.randint(3, 97)}% of members agreed."
            )
        elif kind < 0.4:
            paragraphs.append(f"Also Read | {rng.choice(PLACES)} {rng.choice(['Weather', 'Football', 'Markets'])} Live Updates, {rng.randint(1, 99)} Things To Know.")
            boilerplate += 1
        elif kind < 0.45:
            paragraphs.append("Follow us on Facebook, Instagram and X for the latest updates.")
            boilerplate += 1
        else:
            paragraphs.append(
                f"{PEOPLE[other]}, the {ROLES[rng.randrange(len(ROLES))]}, said {rng.choice(THINGS)} would cost "
                f"{rng.randint(2, 400)} million crowns over {rng.randint(2, 9)} years. {rng.choice(FILLER)}"
            )
    header = f"date {year}-{month + 1:02d}-{day:02d}"
    body = "\n\n".join(paragraphs) + "\n"
    text = f"{header}\n{body}" if i % 2 else f" {header} {body}"
    return text, boilerplate


def write_corpus(folder: Path, n: int, duplicates: int = 0, seed: int = 0) -> SynthCorpus:
    """Write `n` distinct articles plus `duplicates` verbatim repeats into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths, texts, boilerplate = [], [], 0
    for i in range(n):
        text, lines = article_text(i, rng)
        path = folder / f"article-{i:06d}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
        texts.append(text)
        boilerplate += lines
    for j in range(duplicates):
        path = folder / f"copy-{j:06d}.txt"
        path.write_text(texts[(j * 7919) % n], encoding="utf-8")
        paths.append(path)
    return SynthCorpus(paths, n, boilerplate)
