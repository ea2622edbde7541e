import datetime as dt

import pytest

from conftest import seed_id

from newsweave.ingest._meta import canonical_agency, infer_year, parse_dateline


@pytest.fixture(scope="module")
def seeds(seeds_dir, tmp_path_factory):
    import newsweave

    ws = newsweave.open(tmp_path_factory.mktemp("meta") / "m.db")
    ws.ingest([seeds_dir])
    return ws


@pytest.mark.parametrize(
    "prefix, published, source",
    [("000", "2025-10-31", "header"), ("001", "2025-10-31", "header"), ("003", "2025-10-31", "dateline"),
     ("004", "2025-10-31", "dateline"), ("002", None, None)],
)
def test_seed_dates_and_where_they_came_from(seeds, prefix, published, source):
    article = seeds.article(seed_id(seeds, prefix))
    assert (article.published.isoformat() if article.published else None) == published
    assert article.published_from == source
    if source == "dateline":
        assert article.provenance["published_year"].startswith("inferred")


def test_seed_agencies_datelines_and_outlet(seeds):
    by = {p: seeds.article(seed_id(seeds, p)) for p in ("000", "001", "002", "003", "004")}
    assert by["001"].agency == "IANS" and by["004"].agency == "ANI"
    assert by["000"].agency is None and by["003"].agency is None
    for p in ("000", "001", "003", "004"):
        assert by[p].dateline == "Kuala Lumpur"
    assert by["002"].dateline is None
    assert by["004"].outlet == "LatestLY"  # the aggregator, not the agency
    assert by["004"].provenance["outlet"] == "credit-line"
    assert all(a.language == "en" for a in by.values())
    assert by["001"].clean_text[by["001"].body_start :].startswith("Defence Minister Rajnath Singh")


def test_year_comes_only_from_evidence():
    assert infer_year(10, 31, "No year here.", []) == (None, None)
    assert infer_year(10, 31, "Talks began in 2024 and resume in 2024.", []) == (2024, "inferred:text")
    assert infer_year(10, 31, "It happened.", [dt.date(2025, 10, 30)]) == (2025, "inferred:batch")
    assert infer_year(10, 31, "It happened in 2019.", [dt.date(2025, 10, 30)]) == (2019, "inferred:text")  # text before batch
    assert infer_year(10, 31, "", [dt.date(2025, 6, 1)]) == (None, None)  # a date far away is no evidence


def test_datelines_of_common_wire_forms():
    assert parse_dateline("LONDON (Reuters) - Britain said").agency == "Reuters"
    d = parse_dateline("NEW DELHI, Nov. 2, 2025 (PTI) — The ministry")
    assert (d.place, d.month, d.day, d.year, d.agency) == ("New Delhi", 11, 2, 2025, "PTI")
    assert parse_dateline("India, a dialogue partner of ASEAN since 1992, has played") is None
    assert parse_dateline("Earlier on Thursday, Defence Minister Rajnath Singh arrived") is None
    assert canonical_agency("Press Trust of India") == "PTI"


def test_dateline_with_country_and_closing_credit_line():
    d = parse_dateline("BRENNMOOR, Lorvania, Nov 5 (AFP) - The leaders of Lorvania, Estmark and Kessia agreed")
    assert (d.place, d.month, d.day, d.agency) == ("Brennmoor", 11, 5, "AFP")
    assert parse_dateline("Aldmere, Estmark, the port said on Tuesday") is None


def test_agency_from_a_closing_credit_line(tmp_path):
    import newsweave

    (tmp_path / "a.txt").write_text(
        "date 2026-11-03\nAldmere: Dockworkers returned to the quays on Wednesday after the strike ended.\n\n(With inputs from Reuters)\n"
    )
    ws = newsweave.open(":memory:")
    ws.ingest([tmp_path])
    (article,) = ws.articles()
    assert article.agency == "Reuters" and article.provenance["agency"] == "credit-line"
    assert [r.reason for r in article.removed] == ["header", "credit-line"]
    assert "inputs" not in article.clean_text
