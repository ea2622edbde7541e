"""Scale-out as an adapter: the same stage functions, mapped by Dask over partitions.

Stages know nothing of Dask. Here a plain function over a partition of sources
(`read_partition`: read, decode, extract — the costly per-document work) is mapped with
`dask.bag.map_partitions`; the driver then runs the batch steps (learned boilerplate, year
inference, dedupe, storing) exactly as a single-machine ingest does, chunk by chunk.

    from newsweave.scale import ingest_distributed
    report = ingest_distributed(ws.store, ["corpus/"], ws.settings, npartitions=64)

Pass `scheduler="synchronous"` for tests, "processes" on one machine, or a
`dask.distributed.Client`'s scheduler for a cluster.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .ingest import IngestReport, ingest_docs
from .ingest import discover, read_source
from .records import RawDoc, Rejected
from .settings import IngestSettings, Settings
from .store import Store, chunks


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
) -> IngestReport:
    import dask.bag as db

    found = [str(s) for s in discover(sources)]
    report = IngestReport()
    if not found:
        return report
    bag = db.from_sequence(found, npartitions=min(npartitions, len(found)))
    items = bag.map_partitions(read_partition, settings.ingest, fetch).compute(scheduler=scheduler)
    docs = []
    for item in items:
        if isinstance(item, Rejected):
            report.rejected.append(item)
        else:
            docs.append(item)
    for part in chunks(docs, settings.ingest.chunk):
        ingest_docs(store, part, settings, report)
    return report
