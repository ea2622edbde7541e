"""What an analysis produced, as plain comparable data: two runs gave the same results when
their outcomes are equal (stories, reuse families, entities, events, quotes, facts, claims).

Every row of the result tables, without the columns that record when (`at`, `*_at`) or in what
order rows were inserted (an INTEGER PRIMARY KEY), sorted; so
the comparison is exact, not a summary. Used by the chunking, Dask and resume tests and by
bench/bench_pipeline.py.
"""

from __future__ import annotations

# (table, what it holds): the results of each analysis stage
TABLES = {
    "articles": "published, provenance (the reuse stage revises inferred years)",
    "reuse_families": "families",
    "reuse_passages": "shared passages",
    "entities": "entities",
    "entity_mentions": "mentions",
    "entity_roles": "roles",
    "stories": "stories",
    "story_articles": "story membership",
    "story_changes": "merges and moves",
    "events": "events",
    "event_evidence": "event evidence",
    "quotes": "quotes",
    "facts": "facts",
    "fact_evidence": "fact evidence",
    "conflicts": "conflicts",
    "claim_sentences": "claims' sentences",
    "stage_failures": "failures",
}


def outcome(store, tables=TABLES) -> dict[str, list[tuple]]:
    """{table: sorted rows} of the analysis results in `store`."""
    out = {}
    for table in tables:
        # an INTEGER PRIMARY KEY is the row's insert order, not a result
        columns = [r[1] for r in store.conn.execute(f"PRAGMA table_info({table})") if not (r[5] and r[2] == "INTEGER")]
        if table == "articles":
            columns = ["id", "published", "provenance"]
        keep = [c for c in columns if c != "at" and not c.endswith("_at")]
        quoted = ", ".join(f'"{c}"' for c in keep)
        out[table] = sorted((tuple(r) for r in store.conn.execute(f"SELECT {quoted} FROM {table}")), key=repr)
    return out


def differences(a: dict[str, list[tuple]], b: dict[str, list[tuple]]) -> dict[str, tuple[int, int, int]]:
    """{table: (rows only in a, rows only in b, rows in both)} for the tables that differ."""
    out = {}
    for table in a:
        left, right = set(a[table]), set(b.get(table, []))
        if left != right:
            out[table] = (len(left - right), len(right - left), len(left & right))
    return out


def story_partition(store) -> set[frozenset[str]]:
    """The live stories as sets of article ids (ids aside: the grouping itself)."""
    groups: dict[str, set[str]] = {}
    for r in store.conn.execute("SELECT story_id, article_id FROM story_articles"):
        groups.setdefault(r[0], set()).add(r[1])
    return {frozenset(g) for g in groups.values()}
