"""How well HTML ingestion finds the article: the article-extraction benchmark (Zyte/Scrapinghub).

181 real pages (`html/<id>.html.gz`) with hand-checked bodies (`ground-truth.json`,
`articleBody`). The metric is the benchmark authors': per page, precision and recall of the
extracted text's whitespace-split tokens against the ground truth's (token multisets);
precision and recall are averaged over pages and F1 is their harmonic mean (so trafilatura
2.0's published P 0.938 / R 0.978 give F1 0.958). The mean of per-page F1s is given too.
A page that yields no text scores 0 precision and 0 recall.

Used by `bench/bench_ingest.py` and the quality gate `tests/test_extraction_quality.py`.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Page:
    id: str
    path: Path  # the .html.gz file
    gold: str  # ground-truth articleBody

    def html(self) -> bytes:
        return gzip.decompress(self.path.read_bytes())


@dataclass(frozen=True)
class Scores:
    precision: float  # mean over pages
    recall: float  # mean over pages
    f1: float  # harmonic mean of `precision` and `recall` (the benchmark's figure)
    mean_page_f1: float
    pages: int
    empty: int  # pages that gave no text

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in self.__dict__.items()}


def load_pages(folder: Path, ids: Iterable[str] | None = None) -> list[Page]:
    """The benchmark's pages (all, or those with the given ids), sorted by id."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    wanted = sorted(truth) if ids is None else sorted(ids)
    return [Page(i, folder / "html" / f"{i}.html.gz", truth[i]["articleBody"]) for i in wanted]


def token_prf(predicted: str, gold: str) -> tuple[float, float, float]:
    """Precision, recall, F1 of one page: whitespace tokens as multisets."""
    pred, true = Counter(predicted.split()), Counter(gold.split())
    common = sum((pred & true).values())
    if not common:
        return 0.0, 0.0, 0.0
    p, r = common / sum(pred.values()), common / sum(true.values())
    return p, r, 2 * p * r / (p + r)


def score(pages: list[Page], extracted: Mapping[str, str | None]) -> Scores:
    """Scores of the texts `extracted` (page id -> text; missing or None = nothing found)."""
    ps, rs, fs = [], [], []
    empty = 0
    for page in pages:
        text = extracted.get(page.id) or ""
        empty += not text.strip()
        p, r, f = token_prf(text, page.gold)
        ps.append(p), rs.append(r), fs.append(f)
    n = len(pages)
    mp, mr = sum(ps) / n, sum(rs) / n
    return Scores(mp, mr, 2 * mp * mr / (mp + mr) if mp + mr else 0.0, sum(fs) / n, n, empty)


def extract_ours(pages: list[Page], db: str = ":memory:") -> dict[str, str]:
    """Clean text of every page after newsweave's whole ingest (read, clean, store).

    Pages are ingested as the .html.gz files they are; a page whose text equals another's
    shares its article (two sightings), a rejected page gets no text."""
    import newsweave

    with newsweave.open(db) as ws:
        ws.ingest([p.path for p in pages])
        texts = {}
        for article in ws.articles():
            for sighting in article.sightings:
                texts[Path(sighting.source).name.split(".")[0]] = article.clean_text
    return texts


def extract_trafilatura(pages: list[Page]) -> dict[str, str | None]:
    """Bare trafilatura: `trafilatura.extract` with its default options on the page bytes."""
    import trafilatura

    return {p.id: trafilatura.extract(p.html()) for p in pages}
