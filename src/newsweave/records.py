"""The nouns of newsweave: typed records that flow one way through the stages.

Offsets are always character offsets into an article's `clean_text` unless a field says
otherwise (`RemovedSpan` points into `raw_text`, because what it names is not in the clean
text). A later stage never edits an earlier stage's record; it makes its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

# Where a metadata value came from. Kept beside every value so a reader can weigh it.
Provenance = Literal[
    "header",  # the seeds' `date YYYY-MM-DD` first line
    "html-meta",  # trafilatura's metadata from the page
    "feed",  # the RSS/Atom entry
    "jsonl",  # a field of the JSONL record
    "dateline",  # "Kuala Lumpur, Oct 31 (IANS)"
    "credit-line",  # "(The above story is verified and authored by ANI staff ...)"
    "url",  # the host of the URL
    "byline",  # "By Jane Doe"
    "inferred",  # a dateline's year from evidence: its family, story, text or batch (published_year: inferred:family ...)
    "detector",  # language detector
]

EventStatus = Literal["occurred", "planned", "negated", "reported"]


@dataclass(frozen=True)
class RawDoc:
    """What a reader hands to the pipeline: text plus whatever metadata the format carried.

    `metadata` keys: title, url, published (ISO date), outlet, byline, and anything else the
    source had (kept as extra). `metadata_from` says which reader filled them ("html-meta",
    "feed", "jsonl", "header").
    """

    source: str  # path, "path:LINE" for JSONL, URL, or "<stdin>"
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)
    metadata_from: str = "jsonl"
    fmt: str = "text"  # text | jsonl | html | feed | url
    encoding: str | None = None  # how the bytes were decoded and on what evidence ("utf-8", "cp1252 (charset-normalizer ...)")


@dataclass(frozen=True)
class Rejected:
    """A source that could not become an article, with a one-line reason."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{quoted_name(self.source)}: {one_line(self.reason)}"


def one_line(text: str) -> str:
    """`text` on one line: line breaks and other control characters shown as escapes, so a
    message quoting a file's content or an exception never spills over lines."""
    return "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in str(text))


def quoted_name(name: str) -> str:
    """A source name as it can be printed on one line: quoted (repr) when it holds a line
    break or another control character, else as it is."""
    return name if all(c.isprintable() or c == " " for c in name) else repr(name)


@dataclass(frozen=True)
class RemovedSpan:
    """Text that cleaning dropped; offsets into `raw_text`."""

    start: int
    end: int
    text: str
    reason: str  # header | also-read | disclaimer | follow-us | read-more | subscribe | share | learned-outlet | ...


@dataclass(frozen=True)
class Sighting:
    """One arrival of an article: the path or URL it came from."""

    source: str
    seen_at: str  # ISO timestamp


@dataclass
class Article:
    id: str  # hash of the normalised body text
    raw_text: str  # verbatim, as the reader produced it
    clean_text: str  # paragraphs joined by "\n\n"
    removed: list[RemovedSpan] = field(default_factory=list)
    title: str | None = None
    url: str | None = None
    outlet: str | None = None  # who published this copy (site, feed, aggregator)
    agency: str | None = None  # the wire agency it credits (IANS, ANI, Reuters, ...)
    byline: str | None = None
    dateline: str | None = None  # the place in the dateline
    published: dt.date | None = None
    language: str | None = None
    body_start: int = 0  # offset in clean_text where the news begins, after the dateline
    provenance: dict[str, str] = field(default_factory=dict)  # field name -> Provenance
    extra: dict[str, Any] = field(default_factory=dict)  # unknown keys of the source
    sightings: list[Sighting] = field(default_factory=list)

    @property
    def published_from(self) -> str | None:
        return self.provenance.get("published")

    def paragraphs(self) -> list[tuple[int, int]]:
        """(start, end) of every paragraph of the clean text."""
        return paragraph_spans(self.clean_text)


def paragraph_spans(clean_text: str) -> list[tuple[int, int]]:
    """Paragraph boundaries of a clean text (paragraphs are separated by blank lines)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for block in clean_text.split("\n\n"):
        if block.strip():
            spans.append((pos, pos + len(block)))
        pos += len(block) + 2
    return spans


@dataclass(frozen=True)
class Span:
    """Evidence: a stretch of one article's clean text."""

    article: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Passage:
    """A stretch of article `a` that also stands (maybe lightly edited) in article `b`."""

    a: str
    a_start: int
    a_end: int
    b: str
    b_start: int
    b_end: int
    similarity: float
    kind: Literal["narrative", "quote"] = "narrative"


@dataclass
class Family:
    """Articles joined by substantial reuse: ONE independent source."""

    id: str
    members: list[str]
    origin: str | None = None  # the article most likely first (credited agency, else earliest)
    agency: str | None = None


@dataclass
class Story:
    id: str  # stable across updates
    label: str
    articles: list[str]
    first: dt.date | None = None
    last: dt.date | None = None
    top_entities: list[str] = field(default_factory=list)
    merged_into: str | None = None


@dataclass
class SubEvent:
    """One happening inside a story (the escape, then the capture): `n` numbers them within
    the story in date order, 1 = the earliest."""

    story: str
    n: int
    label: str
    articles: list[str]
    first: dt.date | None = None
    last: dt.date | None = None


@dataclass(frozen=True)
class Mention:
    article: str
    start: int
    end: int
    text: str
    label: str  # spaCy label of the mention (PERSON, ORG, GPE, ...)


@dataclass(frozen=True)
class Role:
    """A title or role of a person, e.g. "Secretary of War", with the span that says so."""

    surface: str  # as written: "US Secretary of War"
    normalised: str  # for comparison: "secretary of war"
    evidence: Span


@dataclass
class Entity:
    id: str
    name: str
    type: str  # PERSON | ORG | GPE | LOC | NORP | EVENT | WORK_OF_ART | ...
    aliases: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)  # honorifics kept: "Dato' Seri", "Admiral"
    roles: list[Role] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)

    @property
    def articles(self) -> list[str]:
        return sorted({m.article for m in self.mentions})


@dataclass(frozen=True)
class TimeValue:
    """A normalised time: `value` is ISO (YYYY, YYYY-MM, YYYY-MM-DD, or a range "A/B")."""

    value: str | None
    text: str  # the surface phrase: "on Thursday", "November 1"
    anchor: str | None = None  # the date it was resolved against
    anchor_from: str | None = None  # "published" | "story" (a weaker anchor) | "plan" (the day a linked plan named)


@dataclass
class Event:
    id: str
    type: str  # meet | sign | arrive | visit | receive | address | call | announce | attend | agree | discuss | ...
    actors: list[str]  # entity ids (or names where unresolved)
    counterparts: list[str] = field(default_factory=list)
    object: str | None = None
    place: str | None = None
    date: TimeValue | None = None
    status: EventStatus = "occurred"
    evidence: list[Span] = field(default_factory=list)
    linked: list[str] = field(default_factory=list)  # the planned/occurred twin(s)
    details: dict[str, str] = field(default_factory=dict)  # e.g. {"duration": "P10Y", "edition": "12th"}

    @property
    def articles(self) -> list[str]:
        return sorted({e.article for e in self.evidence})


@dataclass
class Quote:
    speaker: str | None  # entity id or name
    text: str
    channel: str | None  # "X", "statement", "interview", "told", ...
    evidence: list[Span] = field(default_factory=list)

    @property
    def articles(self) -> list[str]:
        return sorted({e.article for e in self.evidence})


@dataclass
class Support:
    """Who backs a value: its evidence, articles, and how many independent sources those are."""

    evidence: list[Span]
    articles: list[str]
    families: list[str]
    independent_sources: int


@dataclass
class ConflictValue:
    value: str
    support: Support
    note: str | None = None  # e.g. "direct quote" / "reported speech" for a quote variant


@dataclass
class Conflict:
    subject: str
    attribute: str
    values: list[ConflictValue]
    kind: Literal["attribute", "quote-variant", "date", "number"] = "attribute"


@dataclass
class Fact:
    id: str
    kind: Literal["event", "attribute", "quote"]
    subject: str
    attribute: str  # event type, or "role", "date", "number", ...
    value: str
    status: EventStatus
    support: Support
    first_reported: str | None = None  # article id
    event: str | None = None  # event id when kind == "event"
    events: list[str] = field(default_factory=list)  # every event merged into this fact
    confirmed_by: str | None = None  # planned fact: the occurred fact that confirms it
    entity: str | None = None  # a role fact: the id of the entity it is about (`subject` is its name)
