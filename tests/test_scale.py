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


def _analysed(path, sources, mapper=None, **pipeline):
    """A store at `path` with `sources` ingested and analysed (the per-article map by `mapper`)."""
    ws = newsweave.open(path)
    for name, value in pipeline.items():
        setattr(ws.settings.pipeline, name, value)
    ws.ingest(sources, mapper=mapper)
    ws.analyse(mapper=mapper)
    return ws


def test_dask_workers_give_the_in_process_results(small_real_corpus, tmp_path):
    """--workers 1, --workers 2 and no Dask at all: the same stories, families, entities,
    events, quotes, facts and claims, row for row; and each worker loads spaCy once, however
    many partitions it parses (many small ones here)."""
    from newsweave import nlp
    from newsweave.scale import dask_mapper
    from support.outcome import differences, outcome

    here = _analysed(tmp_path / "here.db", small_real_corpus)
    expected = outcome(here.store)
    assert len(expected["stories"]) >= 5 and len(expected["events"]) > 20 and len(expected["facts"]) > 20
    sizes = [r[0] for r in here.store.conn.execute("SELECT COUNT(*) FROM story_articles GROUP BY story_id")]
    assert max(sizes) >= 5  # stories of several articles, not only singletons
    for workers in (1, 2):
        with dask_mapper(workers=workers) as mapper:
            ws = _analysed(tmp_path / f"w{workers}.db", small_real_corpus, mapper, map_partition=40)
            loads = mapper.client.run(lambda: nlp.load.cache_info().misses)
        assert len(loads) == workers and all(n <= 1 for n in loads.values()) and sum(loads.values()) >= 1
        parsed = ws.store.conn.execute("SELECT COUNT(*) FROM nlp_paragraphs").fetchone()[0]
        assert parsed > 40 * 2 * workers  # at least twice as many partitions as workers
        assert differences(outcome(ws.store), expected) == {}, f"--workers {workers}"


def test_a_mapper_partition_is_a_plain_function():
    """The parse map needs no store and no Dask: (key, text) in, (key, chars, cache bytes) out."""
    from spacy.tokens import DocBin

    from newsweave import nlp
    from newsweave.settings import NlpSettings

    cfg = NlpSettings()
    rows = nlp.parse_partition([("a", "Ministers met in Berlin on Monday."), ("b", "They agreed.")], cfg)
    assert [(key, chars) for key, chars, _ in rows] == [("a", 34), ("b", 12)]
    (doc,) = DocBin().from_bytes(rows[0][2]).get_docs(nlp.load(cfg.model).vocab)
    assert [t.text for t in doc][:3] == ["Ministers", "met", "in"] and any(e.text == "Berlin" for e in doc.ents)


def test_ingest_on_an_existing_cluster_analyses_there(tmp_path):
    """`newsweave ingest --scheduler ADDRESS`: reading and the maps run on that cluster's
    worker (which loads spaCy once), and the store holds what an in-process ingest gives."""
    from pathlib import Path

    from dask.distributed import Client, LocalCluster
    from typer.testing import CliRunner

    from newsweave import nlp
    from newsweave.cli import app
    from support.outcome import differences, outcome

    examples = Path(__file__).resolve().parents[1] / "examples"
    db = tmp_path / "remote.db"
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        result = CliRunner().invoke(app, ["ingest", str(examples), "--db", str(db), "--scheduler", cluster.scheduler_address])
        assert result.exit_code == 0, result.output
        with Client(cluster) as client:
            (loads,) = client.run(lambda: nlp.load.cache_info().misses).values()
    assert loads == 1
    here = _analysed(tmp_path / "here.db", [examples])
    assert differences(outcome(newsweave.open(db).store), outcome(here.store)) == {}
