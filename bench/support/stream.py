"""A store fed in batches, and what "the same result" means for it.

    feed(ws, batches, ingest) -> [{stage: (wall s, cpu s)}]   each batch ingested and analysed
    analysis_state(store) -> dict                              stories, events, quotes, facts,
                                                               conflicts, claim sentences
    state_diff(a, b) -> [str]                                  what differs (empty: identical)

The state names nothing by the order articles arrived in: a story is the set of its article
ids, and each story's events, quotes, facts and conflicts are compared as sorted lists of
their content (type, participants, values, evidence spans, supporting articles and
families, independent sources; a conflict's values and their notes in their stored order:
quote variants rank evidence by arrival, so the order is part of the result), so a run fed in batches and a run fed in one pass compare
equal exactly when they hold the same analysis. Story, event and fact ids are left out:
they hash the story id, which is the id of the story's first article to arrive.
"""

from __future__ import annotations

import json
import resource
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from newsweave import pipeline
from newsweave.nlp import kept_docs


def cpu_seconds() -> float:
    """CPU seconds of this process and of the processes it started that have ended: the nlp
    stage parses a chunk of `settings.nlp.parallel_from` new paragraphs or more in two forked
    processes, whose CPU `time.process_time()` misses (the real stream's batch 8, 416 new
    paragraphs parsed here, cost 26x batch 2, whose 727 were parsed in the forks)."""
    own, ended = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + ended.ru_utime + ended.ru_stime


def timed_analyse(ws) -> dict[str, tuple[float, float]]:
    """Run every analysis stage once over its pending articles, as `pipeline.analyse` does
    (the parses decoded once for the stages that read them): {stage: (wall s, cpu s)}."""
    out = {}
    with kept_docs(ws.settings):
        for stage in pipeline.analysis_stages():
            w, c = time.perf_counter(), cpu_seconds()
            pipeline.run_stage(ws.store, stage, ws.settings)
            out[stage.name] = (time.perf_counter() - w, cpu_seconds() - c)
    return out


def feed(ws, batches: Sequence, ingest: Callable, progress: Callable | None = None) -> list[dict]:
    """Ingest and analyse each batch on arrival; per batch {stage: (wall, cpu)} (with "ingest")."""
    rows = []
    for i, batch in enumerate(batches):
        w, c = time.perf_counter(), cpu_seconds()
        ingest(ws, batch)
        row = {"ingest": (time.perf_counter() - w, cpu_seconds() - c)}
        row.update(timed_analyse(ws))
        rows.append(row)
        if progress:
            progress(i, row)
    return rows


def _spans(rows: Iterable) -> list:
    return sorted((r["article_id"], r["start"], r["end"], r["text"]) for r in rows)


def analysis_state(store) -> dict:
    """Everything the analysis stages stored that a brief reads, keyed by content."""
    conn = store.conn
    members: dict[str, list[str]] = defaultdict(list)
    for r in conn.execute(
        "SELECT sa.story_id, sa.article_id FROM story_articles sa JOIN stories s ON s.id = sa.story_id "
        "WHERE s.merged_into IS NULL"
    ):
        members[r[0]].append(r[1])
    key = {sid: "|".join(sorted(ids)) for sid, ids in members.items()}

    def per_story(sql: str, shape: Callable, evidence: str | None = None, by: str = "") -> dict:
        out: dict[str, list] = defaultdict(list)
        spans: dict[str, list] = defaultdict(list)
        if evidence:
            for r in conn.execute(f"SELECT * FROM {evidence}"):
                spans[r[by]].append(r)
        for r in conn.execute(sql):
            out[key.get(r["story_id"], "gone:" + r["story_id"])].append(shape(r, _spans(spans.get(r["id"], []))))
        return {k: sorted(v, key=json.dumps) for k, v in out.items()}

    events = per_story(
        "SELECT * FROM events",
        lambda r, ev: [r["type"], r["actors"], r["counterparts"], r["object"], r["place"], r["date_value"],
                       r["date_text"], r["anchor_from"], r["status"], len(json.loads(r["linked"])), r["details"], ev],
        "event_evidence", "event_id",
    )  # fmt: skip
    quotes = per_story(
        "SELECT * FROM quotes", lambda r, ev: [r["speaker"], r["text"], r["channel"], ev], "quote_evidence", "quote_id"
    )
    facts = per_story(
        "SELECT * FROM facts",
        lambda r, ev: [r["kind"], r["subject"], r["attribute"], r["value"], r["status"], r["independent_sources"],
                       r["articles"], r["families"], r["first_reported"], r["entity_id"], bool(r["confirmed_by"]), ev],
        "fact_evidence", "fact_id",
    )  # fmt: skip
    conflicts = per_story(
        "SELECT * FROM conflicts",
        lambda r, _: [r["kind"], r["subject"], r["attribute"], json.loads(r["values"])],  # values in their order
    )
    sentences = sorted(
        tuple(r) for r in conn.execute('SELECT article_id, idx, start, "end", words, leaning, features FROM claim_sentences')
    )
    return {
        "stories": sorted(key.values()),
        "events": events,
        "quotes": quotes,
        "facts": facts,
        "conflicts": conflicts,
        "claim_sentences": sentences,
    }


def state_diff(a: dict, b: dict, limit: int = 10) -> list[str]:
    """Human-readable differences between two analysis states (empty list: identical).
    Stories are compared first; the contents are compared for the stories both hold (a
    story only one side holds is a clustering difference, counted in the first line)."""
    out = []
    sa, sb = set(a["stories"]), set(b["stories"])
    if sa != sb:
        out.append(f"stories: {len(sa - sb)} only in the first, {len(sb - sa)} only in the second, {len(sa & sb)} in both")
    differing = set()
    for part in ("events", "quotes", "facts", "conflicts"):
        for story in sorted(sa & sb):
            x, y = a[part].get(story, []), b[part].get(story, [])
            if x != y:
                differing.add(story)
                if len(out) < limit:
                    only_x = [i for i in x if i not in y][:2]
                    only_y = [i for i in y if i not in x][:2]
                    out.append(f"{part} of story {story[:40]}…: {len(x)} vs {len(y)}; first only {only_x}; second only {only_y}")
    if differing:
        out.append(f"{len(differing)} of the {len(sa & sb)} stories in both differ in their contents")
    if a["claim_sentences"] != b["claim_sentences"]:
        out.append("claim sentences differ")
    return out
