import pytest

import newsweave
from newsweave.scale import ingest_distributed


@pytest.mark.parametrize("scheduler", ["synchronous", "threads"])
def test_distributed_ingest_equals_local_ingest(seeds_dir, tmp_path, scheduler):
    local = newsweave.open(":memory:")
    local.ingest([seeds_dir])
    spread = newsweave.open(":memory:")
    report = ingest_distributed(spread.store, [seeds_dir], spread.settings, npartitions=3, scheduler=scheduler)
    assert len(report.ingested) == 5 and report.ok

    def described(ws):
        return sorted((a.id, a.published, a.agency, a.dateline, a.outlet, a.clean_text) for a in ws.articles())

    assert described(spread) == described(local)
