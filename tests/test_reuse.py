"""Text reuse and syndication: seeds acceptance, quotes, tolerant alignment, planted
near-duplicates, incremental updates (reuse.py, align.py, minhash.py, shingles.py, quoted.py)."""

from __future__ import annotations

import re

import numpy as np
import pytest

import newsweave
from newsweave.reuse import _stage as reuse
from support import synth_reuse as synth
from newsweave.reuse._align import align, may_align
from newsweave.reuse._minhash import MinHasher, band_keys, estimate, jaccard
from newsweave.reuse._quoted import quoted_mask, quoted_spans
from newsweave.settings import ReuseSettings, Settings
from newsweave.reuse._shingles import shingles, tokenize, winnow
from newsweave.store import Store
from conftest import quality_floors, seed_file, seed_id, shared_path

CFG = ReuseSettings()


def words(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"\w+", text)]


def text_of(ws, article_id: str) -> str:
    return ws.article(article_id).clean_text


def shared(ws, a: str, b: str, kind: str | None = None) -> list[tuple[str, str]]:
    """(text in a, text in b) of every passage of a with b."""
    ta, tb = text_of(ws, a), text_of(ws, b)
    return [
        (ta[p.a_start : p.a_end], tb[p.b_start : p.b_end])
        for p in reuse.passages(ws.store, a, b)
        if kind is None or p.kind == kind
    ]


# -- seeds acceptance -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeds(seeds_workspace):
    ws = seeds_workspace
    return ws, {p: seed_id(ws, p) for p in ("000", "001", "002", "003", "004")}


def test_seeds_001_003_share_narrative_beside_quoted_posts(seeds):
    ws, ids = seeds
    narrative = [a for a, _ in shared(ws, ids["001"], ids["003"], "narrative")]
    assert any(t.endswith("heralding a new era in deepening the defence ties between the two nations") for t in narrative)
    assert "Singh posted on X following the meeting" in narrative
    quotes = [a for a, _ in shared(ws, ids["001"], ids["003"], "quote")]
    assert any(t.startswith("Had a fruitful meeting with my US counterpart") for t in quotes)
    assert any("This Defence Framework will provide policy direction" in t for t in quotes)
    # the quoted post never leaks into a narrative passage
    assert not any("fruitful meeting" in t for t in narrative)


def test_seeds_000_003_share_arrival_forum_and_theme(seeds):
    ws, ids = seeds
    joined = " ".join(a for a, _ in shared(ws, ids["000"], ids["003"], "narrative"))
    for phrase in (
        "Singh arrived in Malaysia on a two-day visit to attend the ADMM-Plus",
        "He was received at Subang Airbase by India’s High Commissioner to Malaysia",
        "The 12th ADMM-Plus, being held in Kuala Lumpur, will feature discussions",
        "the theme 'Reflection on 15 Years of ADMM-Plus and Charting the Way Forward",
    ):
        assert phrase in joined, phrase
    # tolerant of the edit: 000 says "Defence Minister Rajnath Singh", 003 just "Singh"
    arrival = [(a, b) for a, b in shared(ws, ids["000"], ids["003"], "narrative") if "Subang" in a]
    assert arrival and "Rajnath Singh arrived" in arrival[0][0] and "Thursday, Singh arrived" in arrival[0][1]


def test_seeds_families_and_independent_sources(seeds):
    ws, ids = seeds
    fam = reuse.family_of(ws.store, ids.values())
    assert fam[ids["000"]] == fam[ids["001"]] == fam[ids["003"]]
    assert len({fam[ids["000"]], fam[ids["002"]], fam[ids["004"]]}) == 3
    assert reuse.independent_sources(ws.store, ids.values()) == 3
    assert reuse.independent_sources(ws.store, [ids["000"], ids["001"], ids["003"]]) == 1
    (big,) = [f for f in reuse.families(ws.store) if len(f.members) > 1]
    assert sorted(big.members) == sorted([ids["000"], ids["001"], ids["003"]])
    assert big.origin == ids["001"] and big.agency == "IANS"  # the member crediting a wire agency


def test_seeds_004_shares_only_the_quoted_post_and_002_nothing(seeds):
    ws, ids = seeds
    for other in ("000", "001", "003"):
        pair = [p for p in reuse.pairs(ws.store, ids["004"]) if ids[other] in (p.a, p.b)]
        assert all(not p.joins for p in pair)
    quotes = [a for a, _ in shared(ws, ids["003"], ids["004"], "quote")]
    assert any("growing strategic convergence" in t for t in quotes)
    assert not shared(ws, ids["003"], ids["004"], "narrative")
    for other in ("000", "001", "003", "004"):
        assert not shared(ws, ids["002"], ids[other], "narrative")


def test_seeds_offsets_are_exact(seeds):
    ws, ids = seeds
    found = reuse.passages(ws.store)
    assert len(found) >= 8
    for p in found:
        ta, tb = text_of(ws, p.a), text_of(ws, p.b)
        a, b = ta[p.a_start : p.a_end], tb[p.b_start : p.b_end]
        # spans start and end on word boundaries, and their words are largely the same
        for text, start, end in ((ta, p.a_start, p.a_end), (tb, p.b_start, p.b_end)):
            assert re.match(r"\w", text[start]) and re.search(r"\w$", text[:end])
            assert start == 0 or not re.match(r"\w", text[start - 1])
            assert end == len(text) or not re.match(r"\w", text[end])
        wa, wb = words(a), words(b)
        assert wa[0] == wb[0] and wa[-1] == wb[-1]
        common = len(set(wa) & set(wb)) / max(len(set(wa)), len(set(wb)))
        assert common >= 0.6, (a, b)


# -- quotes ---------------------------------------------------------------------------------


def test_the_character_tables_are_the_per_code_point_definition():
    """`_char_tables` (one regex pass) says of every code point what `str.isalnum()` (or
    "_") and `str.lower()` say of it, one by one."""
    from newsweave.reuse._shingles import _char_tables

    word, lower = _char_tables()
    points = range(0x110000)
    expected_word = np.fromiter((chr(c).isalnum() or c == ord("_") for c in points), dtype=bool, count=len(points))
    lowered = (chr(c).lower() for c in points)
    expected_lower = np.fromiter((ord(low) if len(low) == 1 else -1 for low in lowered), dtype=np.int64, count=len(points))
    expected_lower = np.where(expected_word & (expected_lower >= 0), expected_lower, np.arange(len(points)))
    assert np.array_equal(word, expected_word)
    assert np.array_equal(lower, expected_lower.astype(np.uint64))


def test_quoted_spans_straight_curly_and_continued_paragraphs():
    text = 'He said, “We will act.” Then "more" came.\n\n“First part of a long quote.\n\n"It goes on.”\n\nNo quote here.'
    spans = [text[s:e] for s, e in quoted_spans(text)]
    assert spans == ["“We will act.”", '"more"', "“First part of a long quote.", '"It goes on.”']
    tokens = tokenize(text)
    mask = quoted_mask(text, tokens.starts)
    quoted_words = {text[s:e] for s, e, m in zip(tokens.starts, tokens.ends, mask) if m}
    assert {"We", "act", "more", "First", "goes"} <= quoted_words
    assert not {"said", "Then", "came", "No", "here"} & quoted_words


def test_closing_mark_without_opening_quotes_from_paragraph_start():
    text = "Intro line.\n\nthe minister said it was fine.” The talks ended."
    (span,) = quoted_spans(text)
    assert text[span[0] : span[1]] == "the minister said it was fine.”"


# -- alignment ------------------------------------------------------------------------------


def _align(a: str, b: str):
    ta, tb = tokenize(a), tokenize(b)
    return align(ta, tb, quoted_mask(a, ta.starts), quoted_mask(b, tb.starts), CFG)


def test_alignment_tolerates_a_shortened_name_and_a_dropped_clause():
    a = (
        "Earlier on Thursday, Defence Minister Rajnath Singh arrived in Malaysia on a two-day visit, "
        "after a short stop in Singapore to meet navy officials, to attend the forum and was received "
        "at the airbase by the High Commissioner."
    )
    b = (
        "Earlier on Thursday, Singh arrived in Malaysia on a two-day visit to attend the forum and was "
        "received at the airbase by the High Commissioner."
    )
    (p,) = _align(a, b)
    assert p.kind == "narrative"
    assert a[p.a_start : p.a_end].startswith("Earlier on Thursday, Defence Minister Rajnath Singh")
    assert b[p.b_start : p.b_end] == b.rstrip(".")
    assert 0.5 < p.similarity < 1


def test_alignment_splits_quote_from_attribution():
    quote = "“We signed a framework that will usher in a new era in our already strong defence partnership,”"
    a = f"{quote} Singh posted on X following the meeting in the capital."
    b = f"Officials met twice. {quote} Singh posted on X following the meeting in the capital on Friday."
    kinds = [(p.kind, a[p.a_start : p.a_end]) for p in _align(a, b)]
    assert kinds[0][0] == "quote" and kinds[0][1].startswith("We signed")
    assert kinds[1] == ("narrative", "Singh posted on X following the meeting in the capital")


def test_unrelated_texts_share_nothing():
    g = synth.Generator(seed=5)
    a, b = synth.render(g.article()), synth.render(g.article())
    assert _align(a, b) == []


def test_screen_never_drops_a_pair_that_aligns():
    """`may_align` (the cheap screen run before `align`) is a necessary condition: on pairs
    built to sit at the edge (a 9-20 word stretch of A planted in B with words changed and
    gaps), it never says no where `align` finds a passage, and says no to most chance matches."""
    rng = np.random.default_rng(3)
    g = synth.Generator(seed=13)
    found = rejected = 0
    for _ in range(300):
        a = synth.render(g.article()).split()
        piece = a[(s := int(rng.integers(0, len(a) - 25))) : s + int(rng.integers(9, 21))]
        for k in rng.choice(len(piece), size=int(rng.integers(0, 4)), replace=False):
            piece[k] = "zq" + str(rng.integers(1_000_000))  # a changed word
        if rng.random() < 0.5:  # a dropped or inserted stretch inside the piece
            cut = int(rng.integers(1, len(piece)))
            piece = piece[:cut] + synth.render(g.article()).split()[: int(rng.integers(0, 14))] + piece[cut:]
        b = synth.render(g.article()).split()
        at = int(rng.integers(0, len(b)))
        ta, tb = (" ".join(x) for x in (a, b[:at] + piece + b[at:]))
        ka, kb = tokenize(ta), tokenize(tb)
        ga, gb = shingles(ka.hashes, CFG.seed_ngram), shingles(kb.hashes, CFG.seed_ngram)
        passes = may_align(gb, np.unique(ga), CFG), may_align(ga, np.unique(gb), CFG)
        if _align(ta, tb):
            found += 1
            assert passes == (True, True)
        rejected += not any(passes)
    assert found > 50 and rejected > 50


# -- MinHash, LSH and winnowing ---------------------------------------------------------------


def test_minhash_estimate_tracks_exact_jaccard():
    g = synth.Generator(seed=7)
    base = g.article()
    sets = [np.unique(shingles(tokenize(synth.render(p)).hashes, 3)) for p in [base] + [g.variant(base)[0] for _ in range(20)]]
    sigs = MinHasher(256).signatures(sets)
    errors = [abs(estimate(sigs[0], sigs[i]) - jaccard(sets[0], sets[i])) for i in range(1, len(sets))]
    assert np.mean(errors) < 0.05
    keys = band_keys(sigs, 20, 6)
    assert (keys[0] == band_keys(sigs[:1], 20, 6)[0]).all()  # deterministic


def test_winnowing_guarantees_a_common_fingerprint_on_long_shared_runs():
    rng = np.random.default_rng(0)
    for _ in range(50):
        run = rng.integers(0, 2**63, size=CFG.winnow_window, dtype=np.uint64)
        a = np.concatenate([rng.integers(0, 2**63, size=int(rng.integers(0, 40)), dtype=np.uint64), run])
        b = np.concatenate([run, rng.integers(0, 2**63, size=int(rng.integers(0, 40)), dtype=np.uint64)])
        assert set(a[winnow(a, CFG.winnow_window)]) & set(b[winnow(b, CFG.winnow_window)])


# -- planted near-duplicates ------------------------------------------------------------------


def test_planted_near_duplicates_precision_and_recall():
    corpus = synth.Generator(seed=11).corpus(800, near_dup_share=0.35, reuse_share=0.05)
    store = Store()
    ids = synth.load(store, corpus.texts)
    reuse.ReuseStage().run(store, ids, Settings())
    index = {a: i for i, a in enumerate(ids)}
    found = {tuple(sorted((index[p.a], index[p.b]))) for p in reuse.pairs(store) if p.near_duplicate}
    related = corpus.related()
    sets = [synth.word_shingles(t) for t in corpus.texts]
    truth = {k for k in related if synth.true_jaccard(sets[k[0]], sets[k[1]]) >= 0.8}
    assert len(truth) >= 50
    precision = len(found & truth) / len(found)
    recall = len(found & truth) / len(truth)
    floors = quality_floors("planted-near-duplicates")
    assert precision >= floors["precision"] and recall >= floors["recall"], (precision, recall)
    # planted reused paragraphs are found as shared narrative
    with_passages = {tuple(sorted((index[p.a], index[p.b]))) for p in reuse.pairs(store) if p.narrative_tokens}
    assert all(tuple(sorted(k)) in with_passages for k in corpus.reused)


# -- incremental and idempotent ---------------------------------------------------------------


def _snapshot(store):
    """Pairs, families and passages, without the orientation (which follows arrival order)."""
    return (
        sorted((*sorted((p.a, p.b)), p.narrative_tokens, p.quote_tokens, p.joins) for p in reuse.pairs(store)),
        sorted(tuple(sorted(f.members)) for f in reuse.families(store)),
        sorted((*sorted([(p.a, p.a_start, p.a_end), (p.b, p.b_start, p.b_end)]), p.kind) for p in reuse.passages(store)),
    )


def test_incremental_batches_match_one_run_and_reruns_change_nothing(seeds_dir, tmp_path):
    whole = newsweave.open(tmp_path / "whole.db")
    whole.ingest([seeds_dir])
    whole.analyse(until="reuse")

    parts = newsweave.open(tmp_path / "parts.db")
    parts.ingest([seed_file("000"), seed_file("004")])
    parts.analyse(until="reuse")
    first = reuse.pairs(parts.store)
    parts.ingest([seed_file("001"), seed_file("002"), seed_file("003")])
    new = set(parts.store.pending("reuse"))
    parts.analyse(until="reuse")
    later = [p for p in reuse.pairs(parts.store) if p not in first]
    assert later and all(p.a in new or p.b in new for p in later)  # only new articles compared
    assert _snapshot(parts.store) == _snapshot(whole.store)

    before = _snapshot(parts.store)
    reuse.ReuseStage().run(parts.store, parts.store.article_ids(), parts.settings)
    assert _snapshot(parts.store) == before


# Four unrelated reports (our own text) that each end with the same long standard paragraph.
_FOOTER = (
    "The Lakeside Press Office publishes notices for the county council, the harbour board and the "
    "water authority, and answers questions from residents on weekdays between nine and five."
)
_REPORTS = {
    "bridge": "Engineers closed the old stone bridge over the Mill River on Tuesday after divers found a crack "
    "in the second pier. Buses to the market town will use the northern ring road for at least six weeks, "
    "and the ferry will run every twenty minutes until the repair is done.",
    "choir": "The youth choir of Eastholm won the regional singing contest on Saturday with a programme of "
    "folk songs arranged by its conductor, Maria Lindqvist. Forty children travelled by coach to the final, "
    "where nine choirs from four provinces sang before a jury of teachers.",
    "harvest": "Apple growers in the valley expect their smallest harvest in a decade after late frost in April "
    "damaged the blossom. The growers' cooperative said it would buy fruit from neighbouring regions to keep "
    "its juice plant running through the winter months.",
    "library": "The central library reopens on Monday after a two-year renovation that added a reading garden, "
    "a children's floor and a workshop for repairing old books. Opening hours will be longer on Thursdays, "
    "when the café stays open until ten in the evening.",
}


def test_a_passage_that_becomes_common_takes_back_the_pairs_it_made_while_rare(tmp_path):
    """A fingerprint held by more than `max_postings + 1` articles pairs nobody. Streamed, it
    paired its first holders while still rare; once common, those pairs (and the family they
    made) are taken back, so the stream ends as one pass over the same articles does."""
    settings = lambda db: Settings(reuse=ReuseSettings(max_postings=2))  # noqa: E731 -- three holders at most
    files = {}
    for name, text in _REPORTS.items():
        files[name] = tmp_path / f"{name}.txt"
        files[name].write_text(f"{name.title()} news\n\n{text}\n\n{_FOOTER}\n", encoding="utf-8")

    stream = newsweave.open(tmp_path / "stream.db", settings("stream"))
    stream.ingest([files["bridge"], files["choir"]])
    stream.analyse(until="reuse")
    rare = _snapshot(stream.store)
    assert len(rare[0]) == 1 and rare[0][0][-1] == 1  # the footer joined the two, while rare
    assert [len(f) for f in rare[1]] == [2]
    stream.ingest([files["harvest"], files["library"]])
    stream.analyse(until="reuse")

    whole = newsweave.open(tmp_path / "whole.db", settings("whole"))
    whole.ingest(list(files.values()))
    whole.analyse(until="reuse")
    pairs, families, passages = _snapshot(whole.store)  # four holders: the footer is common, nobody pairs
    assert pairs == passages == [] and [len(f) for f in families] == [1, 1, 1, 1]
    assert _snapshot(stream.store) == _snapshot(whole.store)



def test_an_article_aligned_with_its_closest_candidates_chooses_as_one_pass_does(tmp_path):
    """With `max_aligned` 1 a new article is aligned with its one highest ranked candidate
    (`reuse._stage.choose`). It chooses among candidates a later article cannot take away:
    those a fingerprint proposes even once it is common. So a stream whose first choice is
    later taken back (its footer becomes common) ends as one pass does, where the footer was
    common from the start and the choice fell on it too: choosing among the rare candidates
    only would align the one pass with the other, shorter passage."""
    settings = lambda: Settings(reuse=ReuseSettings(max_postings=2, max_aligned=1))  # noqa: E731
    first_sentence = _REPORTS["bridge"].split(". ")[0] + "."
    texts = {
        "q_bridge": _REPORTS["bridge"],
        "p_choir": f"{_REPORTS['choir']}\n\n{_FOOTER}",
        "x_mixed": f"{first_sentence} Traffic officers on the quay counted twice the usual queue of vans at noon.\n\n{_FOOTER}",
        "y_harvest": f"{_REPORTS['harvest']}\n\n{_FOOTER}",
        "z_library": f"{_REPORTS['library']}\n\n{_FOOTER}",
    }
    files = {}
    for name, text in texts.items():
        files[name] = tmp_path / f"{name}.txt"
        files[name].write_text(f"{name} news\n\n{text}\n", encoding="utf-8")
    title = lambda ws, i: ws.store.conn.execute("SELECT clean_text FROM articles WHERE id = ?", (i,)).fetchone()[0].split("\n")[0]  # noqa: E731

    stream = newsweave.open(tmp_path / "stream.db", settings())
    for batch in (["q_bridge", "p_choir"], ["x_mixed"]):  # q first: the rank, not arrival, picks p
        stream.ingest([files[n] for n in batch])
        stream.analyse(until="reuse")
    chosen = [(title(stream, p.a), title(stream, p.b)) for p in reuse.pairs(stream.store)]
    assert chosen == [("p_choir news", "x_mixed news")]  # the footer (30 words) beats the sentence (21), rare still
    stream.ingest([files["y_harvest"], files["z_library"]])
    stream.analyse(until="reuse")

    whole = newsweave.open(tmp_path / "whole.db", settings())
    whole.ingest(list(files.values()))
    whole.analyse(until="reuse")
    assert _snapshot(whole.store)[0] == []  # the footer is common: nobody pairs on it, and x chose it
    assert _snapshot(stream.store) == _snapshot(whole.store)

    wider = newsweave.open(tmp_path / "wider.db", Settings(reuse=ReuseSettings(max_postings=2, max_aligned=2)))
    wider.ingest(list(files.values()))
    wider.analyse(until="reuse")
    pairs = [(title(wider, p.a), title(wider, p.b)) for p in reuse.pairs(wider.store)]
    assert pairs == [("q_bridge news", "x_mixed news")]  # its second choice: the shared sentence


def _families_by_rows(store) -> list[tuple[str, tuple[str, ...], str, int]]:
    """(family, members, origin, size) of every stored family, as the tables hold them."""
    members: dict[str, list[str]] = {}
    for article, fam in store.conn.execute("SELECT article_id, family FROM reuse_families ORDER BY article_id"):
        members.setdefault(fam, []).append(article)
    info = {r[0]: (r[1], r[2]) for r in store.conn.execute("SELECT family, origin, size FROM reuse_family_info")}
    assert set(info) == set(members)
    return sorted((fam, tuple(ms), *info[fam]) for fam, ms in members.items())


def _families_of(store, edges) -> list[tuple[str, tuple[str, ...], str, int]]:
    """What `_families_by_rows` should read: the connected components of the joining pairs
    (two or more articles each), each with its origin: the member crediting an agency, else
    the earliest published (undated last), ties by arrival."""
    parent: dict[str, str] = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in edges:
        parent[find(a)] = find(b)
    groups: dict[str, list[str]] = {}
    for x in list(parent):
        groups.setdefault(find(x), []).append(x)
    rank = {
        r["id"]: (r["agency"] is None, r["published"] or "9999", r["seq"])
        for r in store.conn.execute("SELECT id, seq, published, agency FROM articles")
    }
    out = []
    for members in groups.values():
        origin = min(members, key=rank.__getitem__)
        out.append((reuse.family_id(origin), tuple(sorted(members)), origin, len(members)))
    return sorted(out)


def _generated_reports(ws, tmp_path, n: int = 48) -> list[str]:
    """n short unrelated stored reports (our own text), their ids in arrival order."""
    files = []
    for i in range(n):
        files.append(tmp_path / f"r{i:02d}.txt")
        files[-1].write_text(f"Report {i}\n\nThe harbour board met for the {i}th time and spoke of pier {i * 7}.\n", encoding="utf-8")
    ws.ingest(files)
    return [r[0] for r in ws.store.conn.execute("SELECT id FROM articles ORDER BY seq")]


def _joining_pairs(conn, edges) -> None:
    conn.executemany(
        "INSERT OR IGNORE INTO reuse_pairs (a, b, estimated, jaccard, exact, near_duplicate, narrative_tokens, quote_tokens, joins) "
        "VALUES (?, ?, 0, 0, 0, 0, 30, 0, 1)",
        sorted(edges),
    )


def _seeded_rounds(db, seeds: int):
    """(seed, its rng, the reports' ids, the store) for each seed, over one store of
    generated reports whose pairs and families are emptied first, each round in one
    transaction."""
    import random

    ws = newsweave.open(db)
    ids = _generated_reports(ws, db.parent)
    try:
        for seed in range(seeds):
            with ws.store.transaction() as conn:
                for table in ("reuse_pairs", "reuse_families", "reuse_family_info"):
                    conn.execute(f"DELETE FROM {table}")
                yield seed, random.Random(seed), ids, ws.store
    finally:
        ws.close()


def _random_families(rng, ids, seed) -> set[tuple[str, str]]:
    """Joining pairs making three families of `ids`: dense ones, or nearly chains."""
    edges = set()
    for group in (ids[:20], ids[20:32], ids[32:]):
        edges.update(zip(group, group[1:]))  # connected to begin with
        for _ in range(rng.randrange(len(group) * 2) if seed % 2 else rng.randrange(4)):
            edges.add(tuple(sorted(rng.sample(group, 2), key=ids.index)))
    return edges


def test_a_family_that_loses_joining_pairs_splits_into_what_the_others_connect(tmp_path):
    """Taking back joining pairs splits a family into the parts its remaining joining pairs
    connect, found by searching from the cut pairs' ends only: on random families (chains,
    dense clusters, bridges) the families, origins and sizes are those of the connected
    components of every remaining joining pair, described afresh."""
    for seed, rng, ids, store in _seeded_rounds(tmp_path / "f.db", 40):
        edges = _random_families(rng, ids, seed)
        _joining_pairs(store.conn, edges)
        reuse.update_families(store, sorted(edges))
        assert _families_by_rows(store) == _families_of(store, edges)
        cut = rng.sample(sorted(edges), rng.randrange(1, 16))
        reuse.retire(store, cut)
        assert _families_by_rows(store) == _families_of(store, edges - set(cut)), seed


def test_families_merged_batch_by_batch_are_those_of_every_pair_at_once(tmp_path):
    """New joining pairs merge the families they touch as units, renaming rows only where
    the family's id changes: after every batch (some of which revise an article's date or
    credit an agency, which can move a family's origin) the families, origins and sizes are
    those of the connected components of all the pairs so far, described afresh."""
    for seed, rng, ids, store in _seeded_rounds(tmp_path / "m.db", 20):
        conn = store.conn
        conn.execute("UPDATE articles SET published = NULL, agency = NULL")
        edges = sorted(_random_families(rng, ids, seed) | {tuple(sorted(rng.sample(ids, 2), key=ids.index)) for _ in range(3)})
        rng.shuffle(edges)
        so_far: set = set()
        for i in range(0, len(edges), rng.randrange(1, 9)):
            batch = edges[i : i + 9]
            if rng.random() < 0.5:  # an article of the batch dated anew or credited to an agency: the origin may move
                conn.execute("UPDATE articles SET published = ? WHERE id = ?", (f"2025-0{rng.randrange(1, 10)}-01", rng.choice(batch)[0]))
                conn.execute("UPDATE articles SET agency = 'AP' WHERE id = ?", (rng.choice(batch)[1],))
            _joining_pairs(conn, batch)
            so_far.update(batch)
            reuse.update_families(store, batch)
            assert _families_by_rows(store) == _families_of(store, so_far), seed

# -- CLI --------------------------------------------------------------------------------------


def test_cli_lists_families_and_shows_a_pair_side_by_side(seeds_dir, tmp_path):
    import json

    from typer.testing import CliRunner

    from newsweave.cli import app

    runner = CliRunner()
    db = str(tmp_path / "cli.db")
    assert runner.invoke(app, ["ingest", str(seeds_dir), "--db", db]).exit_code == 0
    listed = json.loads(runner.invoke(app, ["reuse", "--db", db, "--json"]).stdout)
    assert listed["independent_sources"] == 3
    (big,) = [f for f in listed["families"] if len(f["members"]) == 3]
    a, b = big["members"][:2]
    shown = json.loads(runner.invoke(app, ["reuse", a[:8], b[:8], "--db", db, "--json"]).stdout)
    ws = newsweave.open(db)
    ta, tb = text_of(ws, shown["articles"][0]), text_of(ws, shown["articles"][1])
    assert shown["passages"]
    for p in shown["passages"]:
        assert ta[p["a_start"] : p["a_end"]] == p["a_text"] and tb[p["b_start"] : p["b_end"]] == p["b_text"]
    table = runner.invoke(app, ["reuse", a, b, "--db", db])
    assert table.exit_code == 0 and "narrative" in table.stdout
    assert runner.invoke(app, ["reuse", a, "--db", db]).exit_code == 0


def _retired_by_preparing(store, found, batch_rows, cfg):
    """`retired_pairs` as it was before issue 19 round 11: the holders of the newly common
    fingerprints prepared again (tokenised, winnowed) and every key they hold read in full.
    Returns the pairs taken back and how many stored pairs were judged."""
    batch = np.unique(batch_rows[0][:, 1])
    groups = reuse.newly_common(*found.prints, batch, cfg.max_postings)
    if not groups:
        return [], 0
    involved = sorted({int(s) for g in groups for s in g})
    ids = {r[0]: r[1] for r in store.select_in("SELECT seq, article_id FROM reuse_signatures WHERE seq IN ({marks})", involved)}
    proposed = {(ids[int(x)], ids[int(y)]) for g in groups for i, x in enumerate(g) for y in g[i + 1 :]}
    stored = {(r[0], r[1]) for r in store.conn.execute("SELECT a, b FROM reuse_pairs")} & proposed
    if not stored:
        return [], 0
    docs = reuse.load_docs(store, seqs=involved, cfg=cfg)
    signatures = reuse.stored_signatures(store, involved, cfg.num_perm)
    keys = band_keys(np.stack([signatures[d.seq] for d in docs]), cfg.bands, cfg.rows)
    with pytest.MonkeyPatch.context() as m:  # every holder read
        m.setattr(reuse, "_any_indexed", lambda store, seqs: True)
        still = reuse.candidates(store, docs, keys, cfg, batch_rows).pairs
    still_ids = {(ids.get(int(a)), ids.get(int(b))) for a, b in still}
    return sorted(stored - still_ids), len(stored)


def test_pairs_are_taken_back_from_the_stored_index_as_from_the_holders_prepared_again(tmp_path, monkeypatch):
    """Streamed generated real-text news (each topic's sentences recombined, wire copies:
    fingerprints keep becoming common), with `max_postings` 3. At every batch, the pairs taken
    back (`retired_pairs`, judged on the keys the two ends share, read from the stored index)
    are those the holders prepared again and all their keys read in full give; and the
    candidates, pool and newly common fingerprints found reading only a key's cap + 2 earliest
    stored holders (`holders(first=...)`) are those found reading all of them."""
    from support.realtext import write_real_corpus

    corpus = tmp_path / "real.jsonl"
    write_real_corpus(corpus, 400, shared_path("corpora", "ecbplus", "ecbplus-topics-1-35.jsonl"))
    cfg = ReuseSettings(max_postings=3)
    seen = {"judged": 0, "taken back": 0, "rows not read": 0}
    candidates, retired_pairs = reuse.candidates, reuse.retired_pairs

    def checked_candidates(store, docs, keys, cfg, batch_rows):
        found = candidates(store, docs, keys, cfg, batch_rows)
        with pytest.MonkeyPatch.context() as m:
            m.setattr(reuse, "_any_indexed", lambda store, seqs: True)
            full = candidates(store, docs, keys, cfg, batch_rows)
        seqs = np.array(sorted(d.seq for d in docs), dtype=np.int64)
        batch = np.unique(batch_rows[0][:, 1])
        assert np.array_equal(found.pairs, full.pairs)
        assert np.array_equal(found.pool(seqs, cfg), full.pool(seqs, cfg))
        common = lambda c: [g.tolist() for g in reuse.newly_common(*c.prints, batch, cfg.max_postings)]  # noqa: E731
        assert common(found) == common(full)
        seen["rows not read"] += len(full.prints[0]) - len(found.prints[0])
        return found

    def checked_retired(store, found, batch_rows, cfg):
        got = retired_pairs(store, found, batch_rows, cfg)
        want, judged = _retired_by_preparing(store, found, batch_rows, cfg)
        assert got == want
        seen["judged"] += judged
        seen["taken back"] += len(got)
        return got

    monkeypatch.setattr(reuse, "candidates", checked_candidates)
    monkeypatch.setattr(reuse, "retired_pairs", checked_retired)
    from newsweave import pipeline

    with newsweave.open(tmp_path / "stream.db", Settings(reuse=cfg)) as ws:
        ws.ingest([str(corpus)])
        stage = next(s for s in pipeline.analysis_stages() if s.name == "reuse")
        while part := set(ws.store.pending("reuse")[:25]):
            pipeline._run_part(ws.store, stage, ws.settings, None, {}, 25, None, part)
    assert seen["taken back"] > 0 and seen["judged"] > seen["taken back"]  # some kept: another key proposes them
    assert seen["rows not read"] > 0, seen


def _reuse_batches(db, cfg, batches):
    """A store fed `batches` of texts ({name: text}), the reuse stage alone run on each."""
    from newsweave import pipeline

    ws = newsweave.open(db, Settings(reuse=cfg))
    stage = next(s for s in pipeline.analysis_stages() if s.name == "reuse")
    for k, batch in enumerate(batches):
        files = []
        for name, text in batch.items():
            files.append(db.parent / f"{db.stem}-{k}-{name}.txt")
            files[-1].write_text(f"{name}\n\n{text}\n", encoding="utf-8")
        ws.ingest(files)
        part = set(ws.store.pending("reuse"))
        pipeline._run_part(ws.store, stage, ws.settings, None, {}, len(part), None, part)
    return ws


def test_a_pair_taken_back_is_judged_on_the_keys_its_two_articles_share_in_the_store(tmp_path):
    """With `max_postings` 2 (three holders at most). First batch: d1 and d2 share paragraph
    G and footer F, which four articles hold (common from the start); d7 and d8 are copies of
    one text D. Second batch: d3 and d4 hold G, d9 and d10 hold D within longer texts, so the
    fingerprints of G and D become common and the pairs they proposed are judged again, on
    the keys the two articles share in the store (`retired_pairs`): (d7, d8) stays, the two
    copies sharing every LSH bucket, and the stream ends as one pass does. Fails if the
    buckets are not asked, or only keys three of the judged articles hold."""
    g = synth.Generator(seed=19)
    para = lambda n: " ".join(g.sentence() for _ in range(n))  # noqa: E731 -- random words: no chance 5-grams
    G, F, D = para(3), para(3), para(6)
    first = {"d1": f"{para(4)}\n\n{G}\n\n{F}", "d2": f"{para(4)}\n\n{G}\n\n{F}", "d5": f"{para(4)}\n\n{F}",
             "d6": f"{para(4)}\n\n{F}", "d7": D, "d8": D}
    second = {"d3": f"{para(4)}\n\n{G}", "d4": f"{para(4)}\n\n{G}", "d9": f"{para(20)}\n\n{D}", "d10": f"{para(20)}\n\n{D}"}
    cfg = ReuseSettings(max_postings=2)
    title = lambda ws, p: tuple(ws.store.conn.execute("SELECT clean_text FROM articles WHERE id = ?", (x,)).fetchone()[0].split("\n")[0] for x in (p.a, p.b))  # noqa: E731

    stream = _reuse_batches(tmp_path / "stream.db", cfg, [first])
    assert sorted(title(stream, p) for p in reuse.pairs(stream.store)) == [("d1", "d2"), ("d7", "d8")]
    stream.close()
    stream = _reuse_batches(tmp_path / "stream.db", cfg, [second])
    assert ("d7", "d8") in [title(stream, p) for p in reuse.pairs(stream.store)]
    whole = _reuse_batches(tmp_path / "whole.db", cfg, [{**first, **second}])
    assert _snapshot(stream.store) == _snapshot(whole.store)
    stream.close()
    whole.close()


def test_shingles_shared_counted_per_batch_article_are_those_of_each_pair():
    """`choose` counts the shingles a batch article shares with each of its candidates for
    all of them at once (`_shared_counts`): the counts of `minhash.shared` pair by pair, the
    article's own size where the other's set is unknown, 0 for an empty set."""
    from newsweave.reuse._minhash import shared as shared_count

    rng = np.random.default_rng(5)
    pool = rng.integers(0, 400, 2000).astype(np.uint64)
    sets = [np.zeros(0, np.uint64)] + [np.unique(rng.choice(pool, rng.integers(0, 60))) for _ in range(40)]
    docs = [reuse.Doc("d", i, "", None, None, s, None, "", ReuseSettings()) for i, s in enumerate(sets[:8])]
    near, other = [], []
    for _ in range(300):
        near.append(docs[int(rng.integers(0, len(docs)))])
        other.append(None if rng.random() < 0.05 else sets[int(rng.integers(0, len(sets)))])
    want = [len(d.shingle_set) if o is None else shared_count(d.shingle_set, o) for d, o in zip(near, other)]
    assert reuse._shared_counts(near, other).tolist() == want
    assert sum(want) > 0 and any(len(d.shingle_set) == 0 for d in near)
