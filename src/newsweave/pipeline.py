"""The orchestrator. Reads top to bottom like the flow in docs/architecture.md:

    1. ingest   sources -> RawDoc | Rejected                       (ingest/: readers, fetch)
    2. clean    RawDoc -> text + removed spans                      (ingest/: clean)
    3. meta     date, dateline, agency, outlet, language            (ingest/: meta)
       ... each article is stored in its own transaction (store/)
    4. analyse  the stages below, each over the articles it has not yet processed:
       nlp -> reuse -> resolve -> cluster -> extract -> corroborate -> claims
       (resolve runs before cluster, unlike DESIGN.md's diagram, so that stories can use
       resolved entities as a signal; see docs/architecture.md)

A stage is any object with a `name` and `run(store, article_ids, settings)`; the runner
records what each stage has done, so every stage is incremental and a crash resumes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from .corroborate import ClaimsStage, CorroborateStage
from .entities import ResolveStage
from .errors import NewsweaveError, PipelineError
from .events import ExtractStage
from .nlp import NlpStage
from .reuse import ReuseStage
from .settings import Settings
from .store import Store
from .stories import ClusterStage


class Stage(Protocol):
    name: str

    def run(self, store: Store, article_ids: Sequence[str], settings: Settings) -> None: ...


def analysis_stages() -> list[Stage]:
    """The analysis stages in flow order. Registration is explicit and happens only here."""
    stages: list[Stage] = [
        NlpStage(),  # first: every later stage reads the parsed paragraphs
        ReuseStage(),  # passages and families; then year-less datelines take their family's year
        ResolveStage(),  # entities across the store, before cluster uses them
        ClusterStage(),  # stories
        ExtractStage(),  # events, quotes, times (per story)
        CorroborateStage(),  # facts and conflicts from all of the above
        ClaimsStage(),  # every sentence with its features, for the brief's claims
    ]
    return stages


@dataclass
class StageReport:
    stage: str
    articles: int


Progress = Callable[[str, int, int], None]  # (stage name, done, total)


def analyse(
    store: Store, settings: Settings, progress: Progress | None = None, until: str | None = None
) -> list[StageReport]:
    """Run every analysis stage (or those up to and including `until`) over the articles
    each has not processed yet."""
    reports = []
    stages = analysis_stages()
    if until is not None:
        names = [s.name for s in stages]
        if until not in names:
            raise PipelineError(until, f"no such stage; the stages are {', '.join(names)}")
        stages = stages[: names.index(until) + 1]
    for i, stage in enumerate(stages):
        pending = store.pending(stage.name)
        if progress:
            progress(stage.name, i, len(stages))
        if not pending:
            continue
        try:
            with store.transaction():
                stage.run(store, pending, settings)
                store.mark_done(stage.name, pending)
        except NewsweaveError:
            raise
        except Exception as exc:  # a bug in a stage: name the stage, keep the cause
            raise PipelineError(stage.name, f"{type(exc).__name__}: {exc}") from exc
        reports.append(StageReport(stage.name, len(pending)))
    if progress:
        progress("done", len(stages), len(stages))
    return reports
