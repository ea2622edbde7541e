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
records what each stage has done, so every stage is incremental and a crash resumes, and
which articles it failed on, so that one article never blocks a stage (`run_stage`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
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
    failed: dict[str, str] = field(default_factory=dict)  # article id -> reason, new failures of this run


Progress = Callable[[str, int, int], None]  # (stage name, done, total)


def analyse(
    store: Store, settings: Settings, progress: Progress | None = None, until: str | None = None
) -> list[StageReport]:
    """Run every analysis stage (or those up to and including `until`) over the articles
    each has not processed yet. An article a stage fails on is recorded as failed for that
    stage (with the reason, `Store.failures`) and the stage goes on with the others."""
    reports = []
    stages = analysis_stages()
    if until is not None:
        names = [s.name for s in stages]
        if until not in names:
            raise PipelineError(until, f"no such stage; the stages are {', '.join(names)}")
        stages = stages[: names.index(until) + 1]
    for i, stage in enumerate(stages):
        if progress:
            progress(stage.name, i, len(stages))
        report = run_stage(store, stage, settings)
        if report is not None:
            reports.append(report)
    if progress:
        progress("done", len(stages), len(stages))
    return reports


def run_stage(store: Store, stage: Stage, settings: Settings) -> StageReport | None:
    """One stage over its pending articles, in one transaction with the record that it did
    them. The pending list is read inside the transaction (which holds the store's write
    lock), so a second process running the same stage waits, then finds the work done.
    When the stage raises, the batch is rolled back and retried in halves: the articles
    that fail alone are recorded as failed, the rest are done."""
    failed: dict[str, str] = {}
    done = _run_part(store, stage, settings, None, failed)
    if not done and not failed:
        return None
    return StageReport(stage.name, done, failed)


def _run_part(store: Store, stage: Stage, settings: Settings, ids: list[str] | None, failed: dict[str, str]) -> int:
    """Run `stage` over `ids` (None: whatever is pending now); returns how many it did."""
    try:
        with store.transaction():
            if ids is None:
                ids = store.pending(stage.name)
            else:  # a retried half: another process may have done some meanwhile
                waiting = set(store.pending(stage.name))
                ids = [a for a in ids if a in waiting]
            if not ids:
                return 0
            stage.run(store, ids, settings)
            store.mark_done(stage.name, ids)
        return len(ids)
    except NewsweaveError:
        raise
    except Exception as exc:  # the stage failed on something in this batch: find what
        if len(ids) == 1:
            reason = f"{type(exc).__name__}: {exc}"
            store.mark_failed(stage.name, ids[0], reason)
            failed[ids[0]] = reason
            return 0
        half = len(ids) // 2
        return _run_part(store, stage, settings, ids[:half], failed) + _run_part(store, stage, settings, ids[half:], failed)
