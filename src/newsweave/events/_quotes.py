"""Direct quotes: the words inside quotation marks, who said them, and through what channel.

    find_quotes(adoc, people=None) -> [QuoteMention]      one article (parsed by nlp.py)
    merge_quotes(mentions)        -> [Quote]              one story: the same words, once
    group_quotes(mentions, groups) -> [QuoteGroup]        the same, continuing a story's kept groups

Marks: curly “ ” „ and straight " (opening when at a word's start, closing otherwise), found
and paired by the text toolkit's scanner (`text.scan_quotes`). Policy here: a quote needs
both marks, except that it may run over paragraphs in the newspaper way: a paragraph that
opens a quote without closing it continues in the next paragraph that opens with a mark
(`text.continued_quotes`); any other unclosed quote is dropped. Single quotes ‘ ’ are
titles in news copy ('Framework for ...'), not speech, and are ignored; so are short
scare-quoted phrases (fewer than settings.extract.quote_min_words words). Indirect speech ("Singh emphasised that
...") has no marks and is never a quote.

Attribution: the clause right after the closing mark (`," Singh posted on X`) or right
before the opening one (`Hegseth posted on X, “...`). Its speech verb's subject is the
speaker; pronouns take the last person named as a subject before the quote; "the post
added" and "the statement added" continue the previous post or the last statement's source.
Channel: X (posted/tweeted, on X/Twitter), statement (stated, in a statement, release),
interview (told ... in an interview), told, said.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from ..grouping import first_fit
from ..nlp import doc_text
from ._participants import FIRST_PLURAL, FIRST_SINGULAR, SINGULAR_PRONOUNS, ArticlePeople, Participant, canonical, name_span, same_participant
from ..records import Quote, Span
from ..settings import ExtractSettings
from ..text import CURLY_AND_STRAIGHT, continued_quotes, scan_quotes

SPEECH_VERBS = {
    "say", "tell", "post", "write", "tweet", "state", "add", "note", "remark", "declare", "announce",
    "stress", "emphasise", "emphasize", "reiterate", "assert", "share", "comment", "explain", "insist",
    "claim", "warn", "ask", "reply", "respond", "conclude", "observe", "continue", "mention", "affirm",
    "call", "describe", "term", "dub",  # "called the outcome “…”": the speaker's own words
}  # fmt: skip
# the clause before an opening mark that introduces the quote: "..., X said:", "X called the outcome"
INTRODUCES = re.compile(r"(?:[,:]|\b(?:call(?:ed|s)?|describ(?:ed|es)|term(?:ed|s)|dubb(?:ed|s))\b[^.!?;“”\"]{0,60}?)\s*$")
SOCIAL = [
    (re.compile(r"\b(?:on|via)\s+X\b|\bX\s+post\b|\btweet(?:ed|s)?\b|\bon\s+Twitter\b|\bpost\s+on\s+X\b"), "X"),
    (re.compile(r"\bon\s+Facebook\b"), "Facebook"),
    (re.compile(r"\bon\s+Instagram\b"), "Instagram"),
    (re.compile(r"\b(?:statement|stated|release|communiqu[eé])\b", re.I), "statement"),
    (re.compile(r"\binterview\b", re.I), "interview"),
    (re.compile(r"\btold\b", re.I), "told"),
    (re.compile(r"\bposted\b|\bthe\s+post\b", re.I), "post"),
]


@dataclass
class QuoteMention:
    """One quote in one article."""

    article: str
    text: str  # the quoted words, paragraphs joined by a space
    parts: list[Span]  # the words inside the marks, one span per paragraph
    start: int  # from the first opening mark ...
    end: int  # ... to just after the last closing mark
    speaker: Participant | None = None
    speaker_id: str | None = None  # resolved entity (or canonical name)
    channel: str | None = None
    attribution: Span | None = None

    def holds(self, offset: int) -> bool:
        return self.start <= offset < self.end


def quote_spans(text: str, min_words: int = ExtractSettings.quote_min_words) -> list[list[tuple[int, int]]]:
    """Every direct quote of a clean text as its inner parts [(start, end), ...]."""
    spans = scan_quotes(text, straight="position", marks=CURLY_AND_STRAIGHT)
    quotes = [[q.inner for q in chain] for chain in continued_quotes(text, spans)]
    return [q for q in quotes if sum(len(text[s:e].split()) for s, e in q) >= min_words]


def _tokens_in(adoc, start: int, end: int):
    """(token, its paragraph's start) of every token starting in [start, end) of the clean
    text, in order. Only the paragraphs that overlap the stretch are read (they come in text
    order): an attribution clause is a few words, and walking every token of the article
    for each one was a fifth of finding the quotes."""
    for para in adoc.paragraphs:
        if para.start >= end:
            break
        if para.start + len(doc_text(para.doc)) <= start:
            continue
        for tok in para.doc:
            off = para.start + tok.idx
            if start <= off < end:
                yield tok, para.start


def _speech_verb(tokens):
    """The speech verb of an attribution clause, preferring one with a subject."""
    verbs = [(t, b) for t, b in tokens if t.lemma_.lower() in SPEECH_VERBS and t.pos_ in ("VERB", "AUX")]
    with_subject = [(t, b) for t, b in verbs if any(c.dep_ in ("nsubj", "nsubjpass") for c in t.children)]
    return (with_subject or verbs or [(None, None)])[0]


def _channel(text: str) -> str | None:
    for pattern, name in SOCIAL:
        if pattern.search(text):
            return name
    if re.search(r"\bsaid\b|\bsays\b|\badded\b", text):
        return "said"
    return None


class _Speakers:
    """The last person named as a subject before an offset; the last statement's source."""

    def __init__(self, adoc, people: ArticlePeople) -> None:
        self.subjects: list[tuple[int, Participant]] = []
        self.statements: list[tuple[int, Participant]] = []
        for para in adoc.paragraphs:
            for tok in para.doc:
                if tok.dep_ not in ("nsubj", "nsubjpass"):
                    continue
                found = name_span(tok)
                if found is None:
                    continue
                s, e, surface, label = found
                name, known = people.expand(surface)
                if (known or label) not in ("PERSON", "ORG"):
                    continue
                p = Participant(name, para.start + s, para.start + e, known or label)
                if (known or label) == "PERSON":
                    self.subjects.append((para.start + tok.idx, p))
                if tok.head.lemma_.lower() in ("state", "release", "say") and (known or label) == "ORG":
                    self.statements.append((para.start + tok.idx, p))

    def person_before(self, offset: int) -> Participant | None:
        before = [p for at, p in self.subjects if at < offset]
        return before[-1] if before else None

    def statement_before(self, offset: int) -> Participant | None:
        before = [p for at, p in self.statements if at < offset]
        return before[-1] if before else None


def _sentence_end(text: str, pos: int) -> int:
    m = re.search(r"[.!?](?=\s|$)|\n\n", text[pos:])
    return pos + (m.end() if m else len(text) - pos)


def find_quotes(adoc, people: ArticlePeople | None = None, min_words: int = ExtractSettings.quote_min_words) -> list[QuoteMention]:
    """Direct quotes of one parsed article with speaker and channel."""
    article = adoc.article
    text = article.clean_text
    people = people or ArticlePeople.from_doc(adoc)
    speakers = _Speakers(adoc, people)
    out: list[QuoteMention] = []
    for parts in quote_spans(text, min_words):
        start, end = parts[0][0] - 1, parts[-1][1] + 1
        spans = [Span(article.id, s, e, text[s:e]) for s, e in parts]
        words = " ".join(text[s:e].strip().rstrip(",") for s, e in parts)
        q = QuoteMention(article.id, words, spans, start, end)
        # attribution after the quote (to the sentence end), else before it (same paragraph)
        para_start = text.rfind("\n\n", 0, start) + 2 if "\n\n" in text[:start] else 0
        after = (end, _sentence_end(text, end))
        before = (para_start, start)
        verb = base = None
        for a, b in (after, before):
            if b - a < 3 or (a, b) == before and not INTRODUCES.search(text[a:b]):
                continue
            verb, base = _speech_verb(_tokens_in(adoc, a, b))
            if verb is not None:
                q.attribution = Span(article.id, a, b, text[a:b])
                break
        if verb is None:
            out.append(q)
            continue
        clause = q.attribution.text
        q.channel = _channel(clause)
        subj = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
        previous = out[-1] if out else None
        if subj is not None:
            low = subj.text.lower()
            head_words = " ".join(t.text.lower() for t in subj.subtree)
            if low in SINGULAR_PRONOUNS or low in FIRST_SINGULAR | FIRST_PLURAL:
                q.speaker = speakers.person_before(start)
            elif re.search(r"\bpost\b|\btweet\b", head_words) and previous is not None:
                q.speaker, q.speaker_id = previous.speaker, previous.speaker_id
                q.channel = previous.channel if previous.channel not in (None, "said") else "X"
            elif re.search(r"\bstatement\b|\brelease\b", head_words):
                q.speaker = speakers.statement_before(start)
                q.channel = "statement"
            else:
                found = name_span(subj)
                if found is not None:
                    s, e, surface, label = found
                    name, known = people.expand(surface)
                    if (known or label) in ("PERSON", "ORG"):  # people and organisations speak; places do not
                        q.speaker = Participant(name, base + s, base + e, known or label)
        if q.channel in ("said", "post", None) and verb.lemma_.lower() not in ("call", "describe", "term", "dub"):
            # "In a post on X, Rajnath Singh exuded confidence ... \n\n '...,' he said."
            window = text[max(0, start - 400) : start]
            if SOCIAL[0][0].search(window) and q.speaker is not None and q.speaker.name.split()[-1] in window:
                q.channel = "X"
            elif q.channel == "post":
                q.channel = "X" if SOCIAL[0][0].search(clause + window[-200:]) else "post"
        out.append(q)
    return out


def _norm_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("’", "'"))


def similar_text(a: str, b: str, share: float = ExtractSettings.quote_overlap) -> bool:
    """Two renderings of one quote: one contains the other, or `share` of the shorter's
    distinct words are the other's (settings.extract.quote_overlap)."""
    wa, wb = _norm_words(a), _norm_words(b)
    if not wa or not wb:
        return False
    ja, jb = " ".join(wa), " ".join(wb)
    if ja in jb or jb in ja:
        return True
    sa, sb = set(wa), set(wb)
    return len(sa & sb) / min(len(sa), len(sb)) >= share


def merge_quotes(mentions: list[QuoteMention]) -> list[Quote]:
    """One Quote per distinct (speaker, words) across the articles of a story."""
    return [g.quote() for g in group_quotes(mentions)]


@dataclass
class QuoteGroup:
    """One story quote as first-fit grouping keeps it: what joining it tests (the first
    member's speaker, the distinct texts) and what the Quote is made of (the longest
    resolved and named speakers, the channels counted in the order met, the longest text),
    so a story's groups can be kept and continued with a new article's mentions without
    reading the old ones (`to_json` / `from_json`). `evidence`: the spans of the members
    added since it was made or read back (`added`: how many)."""

    head: Participant | None
    texts: dict[str, None]
    resolved: Participant | None = None  # the first longest-named speaker with an entity
    named: Participant | None = None  # the first longest-named speaker
    channels: dict[str, int] = field(default_factory=dict)
    text: str = ""
    evidence: list[Span] = field(default_factory=list)
    added: int = 0  # members appended since it was made or read back

    @classmethod
    def of(cls, m: QuoteMention) -> QuoteGroup:
        g = cls(m.speaker, {}, text=m.text)
        g.append(m)
        return g

    def append(self, m: QuoteMention) -> None:
        self.added += 1
        self.texts.setdefault(m.text, None)
        if m.speaker is not None:
            if self.named is None or len(m.speaker.name) > len(self.named.name):
                self.named = m.speaker
            if m.speaker.entity and (self.resolved is None or len(m.speaker.name) > len(self.resolved.name)):
                self.resolved = m.speaker
        if m.channel:
            self.channels[m.channel] = self.channels.get(m.channel, 0) + 1
        if len(m.text) > len(self.text):
            self.text = m.text
        self.evidence.extend(m.parts)

    def quote(self) -> Quote:
        best = self.resolved or self.named
        speaker = (best.entity or canonical(best.name)) if best is not None else None
        # ties go to the channel met first (a set's order changes with the process's hash seed)
        channel = max(self.channels, key=lambda c: (c not in ("said", "post"), self.channels[c])) if self.channels else None
        return Quote(speaker=speaker, text=self.text, channel=channel, evidence=list(self.evidence))

    def to_json(self) -> str:
        def who(p: Participant | None):
            return [p.name, p.entity] if p is not None else None

        return json.dumps(
            {"head": who(self.head), "texts": list(self.texts), "resolved": who(self.resolved), "named": who(self.named),
             "channels": list(self.channels.items()), "text": self.text}
        )  # fmt: skip

    @classmethod
    def from_json(cls, raw: str) -> QuoteGroup:
        d = json.loads(raw)

        def who(v) -> Participant | None:
            return Participant(v[0], 0, 0, entity=v[1]) if v is not None else None  # names and entity are what is compared

        return cls(who(d["head"]), dict.fromkeys(d["texts"]), who(d["resolved"]), who(d["named"]), dict(d["channels"]), d["text"])


def group_quotes(mentions: list[QuoteMention], groups: list[QuoteGroup] | None = None) -> list[QuoteGroup]:
    """The story's quote groups: `groups` (those its earlier mentions formed, in order)
    continued with `mentions` (first-fit in the order given: the story's articles in
    arrival order), or formed from `mentions` alone."""

    # A story of thousands of articles prints one quote thousands of times: each group's
    # distinct texts are compared once, and each pair of texts once (the test reads texts only).
    similar: dict[tuple[str, str], bool] = {}

    def alike(a: str, b: str) -> bool:
        if (a, b) not in similar:
            similar[a, b] = similar_text(a, b)
        return similar[a, b]

    def same_quote(g: QuoteGroup, m: QuoteMention) -> bool:
        if not (m.speaker is None or g.head is None or same_participant(m.speaker, g.head)):
            return False
        return any(alike(m.text, t) for t in g.texts)

    return first_fit(mentions, same_quote, groups=groups if groups is not None else [], opened=QuoteGroup.of)


__all__ = ["QuoteGroup", "QuoteMention", "find_quotes", "group_quotes", "merge_quotes", "quote_spans", "similar_text"]
