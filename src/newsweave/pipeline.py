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
gives it its pending articles in bounded chunks and records, with each chunk, what the stage
has done, so every stage is incremental and a crash resumes at the first chunk not
committed; and which articles it failed on, so that one article never blocks a stage
(`run_stage`). A stage with a per-article map (`mapped = True`: nlp, events, claims) also takes a
`mapper`, which runs that map elsewhere (Dask workers, `scale.dask_mapper`). A stage with a
`prepare(store, article_ids, settings)` has it run before each chunk's transaction, so the
store's write lock is not held while it computes: either work that changes no result when
done early (nlp: the parse into its cache; it returns None), or the stage's computing from
the store, returned as a plan that `run(..., plan=plan)` then only writes (reuse, stories,
events, corroborate; docs/scale.md "Chunks"). A plan is used only if no analysis was committed since it was made
(`Store.analysis_version`: uploads write no analysis table), else the stage computes again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from .corroborate import ClaimsStage, CorroborateStage
from .entities import ResolveStage
from .errors import NewsweaveError, PipelineError
from .events import ExtractStage
from .nlp import NlpStage, kept_docs
from .reuse import ReuseStage
from .scale import Mapper
from .settings import Settings
from .store import Inbox, Store
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
    store: Store,
    settings: Settings,
    progress: Progress | None = None,
    until: str | None = None,
    mapper: Mapper | None = None,
) -> list[StageReport]:
    """Run every analysis stage (or those up to and including `until`) over the articles
    each has not processed yet. An article a stage fails on is recorded as failed for that
    stage (with the reason, `Store.failures`) and the stage goes on with the others.
    `mapper` runs the stages' per-article maps (parse, mentions, sentences) elsewhere, e.g. on Dask workers
    (`scale.dask_mapper`); without one it runs here."""
    reports = []
    stages = analysis_stages()
    if until is not None:
        names = [s.name for s in stages]
        if until not in names:
            raise PipelineError(until, f"no such stage; the stages are {', '.join(names)}")
        stages = stages[: names.index(until) + 1]
    with kept_docs(settings):  # each cached parse decoded once for the stages that read it
        for i, stage in enumerate(stages):
            if progress:
                progress(stage.name, i, len(stages))
            take_inbox(store, settings)
            report = run_stage(store, stage, settings, mapper, after=stages[i - 1].name if i else None)
            if report is not None:
                reports.append(report)
    if progress:
        progress("done", len(stages), len(stages))
    return reports


def take_inbox(store: Store, settings: Settings) -> list[str]:
    """Move the uploads a server accepted into its inbox (`store.Inbox`) into the store, in
    short transactions of their own; the ids new to the store. Done before every stage, so
    an upload waits in the inbox for at most one stage: one moved in while a run is under
    way is not taken by this run's later stages (`run_stage`'s `after`) but by the next run."""
    inbox = Inbox.beside(store, create=False)
    if inbox is None:
        return []
    try:
        return inbox.move_into(store, settings.store.inbox_move)
    finally:
        inbox.close()


def run_stage(
    store: Store, stage: Stage, settings: Settings, mapper: Mapper | None = None, after: str | None = None
) -> StageReport | None:
    """One stage over its pending articles, in chunks of `settings.pipeline.chunk` (in arrival
    order), each in one transaction with the record that it did them: a crash loses at most
    the chunk it was in, and a re-run resumes at the first chunk not committed. A stage whose
    result would depend on where chunks end says `chunked = False` and gets all its pending
    articles at once (docs/scale.md). It takes what is pending when it starts; each chunk reads
    the pending list again inside its transaction (which holds the store's write lock), so a
    second process running the same stage waits, then finds the work done. When the stage raises, the chunk is rolled back and retried in
    halves: the articles that fail alone are recorded as failed, the rest are done.
    `after`: the stage before this one in the run; an article it has not had yet (stored
    while the run was under way) waits for the next run instead of reaching this stage first."""
    failed: dict[str, str] = {}
    size = _chunk(stage, settings)
    # what is pending when the stage starts, and nothing stored after: an article ingested
    # while a later stage runs must not reach it before the earlier stages have had it
    among = set(store.pending(stage.name))
    if after is not None:
        among -= set(store.pending(after))
    done = 0
    while True:
        taken, did = _run_part(store, stage, settings, None, failed, size, mapper, among)
        done += did
        if not taken or size is None:
            break
    if not done and not failed:
        return None
    return StageReport(stage.name, done, failed)


def _chunk(stage: Stage, settings: Settings) -> int | None:
    """Articles per chunk of `stage`: `settings.pipeline.chunk`, rounded up to whole rounds of
    a stage whose result depends on where its own rounds end (`batch`: entities), so its
    rounds are those of one pass whatever the chunk; None for a stage run once per run."""
    if not getattr(stage, "chunked", True):
        return None
    size = settings.pipeline.chunk
    if hasattr(stage, "batch"):
        unit = stage.batch(settings)
        size = -(-size // unit) * unit
    return size


def _run_part(
    store: Store,
    stage: Stage,
    settings: Settings,
    ids: list[str] | None,
    failed: dict[str, str],
    size: int | None = None,
    mapper: Mapper | None = None,
    among: set[str] | None = None,
) -> tuple[int, int]:
    """Run `stage` over `ids` (None: the first `size` of those in `among` still pending now);
    returns how many articles it took and how many of those it did (the rest failed)."""
    prepared = _prepare(store, stage, settings, size, mapper, among) if ids is None else None
    try:
        with store.transaction():
            if ids is None:
                ids = _next_chunk(store, stage, size, among)
            else:  # a retried half: another process may have done some meanwhile
                waiting = set(store.pending(stage.name))
                ids = [a for a in ids if a in waiting]
            if not ids:
                return 0, 0
            plan = prepared.plan if prepared is not None and prepared.holds(store, ids) else None
            _call(stage.run, stage, store, ids, settings, mapper, plan)
            store.mark_done(stage.name, ids)
        return len(ids), len(ids)
    except NewsweaveError:
        raise
    except Exception as exc:  # the stage failed on something in this chunk: find what
        if len(ids) == 1:
            reason = f"{type(exc).__name__}: {exc}"
            store.mark_failed(stage.name, ids[0], reason)
            failed[ids[0]] = reason
            return 1, 0
        half = len(ids) // 2
        first = _run_part(store, stage, settings, ids[:half], failed, mapper=mapper)
        second = _run_part(store, stage, settings, ids[half:], failed, mapper=mapper)
        return len(ids), first[1] + second[1]


@dataclass
class _Prepared:
    """What a stage's `prepare` computed for a chunk, and the state it computed it from."""

    ids: list[str]
    version: int  # Store.analysis_version before the stage read the store
    plan: object

    def holds(self, store: Store, ids: list[str]) -> bool:
        """The plan is what the stage would compute now: the same chunk, and no analysis
        committed since (another process running the stages); uploads change neither."""
        return ids == self.ids and store.analysis_version() == self.version


def _prepare(
    store: Store, stage: Stage, settings: Settings, size: int | None, mapper: Mapper | None, among: set[str] | None
) -> _Prepared | None:
    """A stage's computing for the chunk about to run (`prepare`), outside its transaction:
    the store's write lock is then held only for the stage's writes, not while it computes
    (an upload waited for a whole chunk's parse, then for a large story's facts). Either work
    that changes no result when done early (nlp fills its parse cache; None), or a plan for
    `run`. A failure here is left to the chunk's own run to meet."""
    prepare = getattr(stage, "prepare", None)
    if prepare is None:
        return None
    ids = _next_chunk(store, stage, size, among)
    if not ids:
        return None
    version = store.analysis_version()
    try:
        plan = _call(prepare, stage, store, ids, settings, mapper)
    except NewsweaveError:
        raise
    except Exception:  # noqa: BLE001 - the chunk's run meets it again, and halves to find the article
        return None
    return None if plan is None else _Prepared(ids, version, plan)


def _next_chunk(store: Store, stage: Stage, size: int | None, among: set[str] | None) -> list[str]:
    """The first `size` articles still pending for `stage` (of those in `among`), in arrival order."""
    return [a for a in store.pending(stage.name) if among is None or a in among][:size]


def _call(step, stage: Stage, store: Store, ids: list[str], settings: Settings, mapper: Mapper | None, plan=None):
    """`step` (the stage's run or prepare) over `ids`, with the mapper when the stage takes
    one and the plan its prepare made when there is one; returns what the step returns."""
    extra = {"plan": plan} if plan is not None else {}
    if mapper is not None and getattr(stage, "mapped", False):
        extra["mapper"] = mapper
    return step(store, ids, settings, **extra)
