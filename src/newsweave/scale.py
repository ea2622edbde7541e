"""Scale-out as an adapter: the same plain functions, mapped by Dask over partitions.

Stages know nothing of Dask. A stage's per-article map is a plain function over a partition
(`ingest.read_partition`-like: read, decode, extract; `nlp.parse_partition`: the parse), with
no store in it; a `Mapper` runs it over a list of partitions and hands the results back in
order, and the driver writes them and runs the store-wide steps (learned boilerplate, year
inference, dedupe, storing; the LSH join, entity linking, stories, facts) exactly as a
single-process run does, chunk by chunk.

    from newsweave.scale import dask_mapper, ingest_distributed
    with dask_mapper(workers=2) as mapper:                # or address="tcp://host:8786"
        ingest_distributed(ws.store, ["corpus/"], ws.settings, mapper=mapper)
        ws.analyse(mapper=mapper)

`in_process` is the mapper that runs here (tests, and a run without `--workers`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from .ingest import IngestReport, discover, ingest_docs, read_source
from .records import RawDoc, Rejected
from .settings import IngestSettings, Settings
from .store import Store, chunks


class Mapper(Protocol):
    """Runs `fn(part, *args)` for every part; yields the results in the order of `parts`."""

    def __call__(self, fn: Callable[..., Any], parts: Sequence[Any], *args: Any) -> Iterator[Any]: ...


def in_process(fn: Callable[..., Any], parts: Sequence[Any], *args: Any) -> Iterator[Any]:
    """The mapper that runs every part here, one after another."""
    for part in parts:
        yield fn(part, *args)


class DaskMapper:
    """A `Mapper` over a `dask.distributed.Client`: every part is submitted at once (the
    workers stay busy while the driver writes the first results), results come back in order."""

    def __init__(self, client) -> None:
        self.client = client

    def __call__(self, fn: Callable[..., Any], parts: Sequence[Any], *args: Any) -> Iterator[Any]:
        if not parts:
            return
        # the extra arguments (settings) are small: sent with each task
        futures = self.client.map(fn, list(parts), *[[a] * len(parts) for a in args], pure=False)
        try:
            for future in futures:
                yield future.result()
        finally:
            self.client.cancel(futures)


@contextmanager
def dask_mapper(workers: int | None = None, address: str | None = None) -> Iterator[DaskMapper]:
    """A mapper on a Dask cluster: the one at `address` (`--scheduler`), else a local cluster
    of `workers` processes of one thread each (spaCy holds the GIL while it parses, so
    processes, not threads; each worker keeps its loaded model for every task it runs)."""
    from dask.distributed import Client, LocalCluster

    if address:
        with Client(address) as client:
            yield DaskMapper(client)
        return
    with LocalCluster(
        n_workers=workers or 1, threads_per_worker=1, processes=True, dashboard_address=":0", memory_limit=0
    ) as cluster, Client(cluster) as client:
        yield DaskMapper(client)


def read_partition(sources: Iterable[str | Path], settings: IngestSettings, fetch: bool = False) -> list[RawDoc | Rejected]:
    """Every RawDoc (or Rejected) of a partition of sources: a plain function, no Dask."""
    return [item for source in sources for item in read_source(source, settings, fetch=fetch)]


def ingest_distributed(
    store: Store,
    sources: Iterable[str | Path],
    settings: Settings,
    npartitions: int = 8,
    scheduler: str | object = "processes",
    fetch: bool = False,
    mapper: Mapper | None = None,
) -> IngestReport:
    """Ingest like `ingest.ingest`, the reading mapped: by `mapper` (e.g. `dask_mapper`), else
    over a Dask bag on `scheduler` ("synchronous", "threads", "processes"). Sources go in
    chunks of `settings.ingest.chunk`, as a local ingest does, so the result is the same."""
    found = [str(s) for s in discover(sources)]
    report = IngestReport()
    for chunk in chunks(found, settings.ingest.chunk):
        parts = [p for p in _split(chunk, npartitions) if p]
        if mapper is not None:
            read = [item for items in mapper(read_partition, parts, settings.ingest, fetch) for item in items]
        else:
            import dask.bag as db

            bag = db.from_sequence(chunk, npartitions=len(parts))
            read = bag.map_partitions(read_partition, settings.ingest, fetch).compute(scheduler=scheduler)
        report.rejected.extend(item for item in read if isinstance(item, Rejected))
        ingest_docs(store, [item for item in read if not isinstance(item, Rejected)], settings, report)
    return report


def _split(items: list, n: int) -> list[list]:
    """`items` in at most `n` contiguous parts of near-equal size (order kept)."""
    return list(chunks(items, -(-len(items) // max(1, n)))) if items else []
