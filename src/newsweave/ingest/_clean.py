"""Cleaning: a view over the raw text. Raw stays verbatim; every removed span is recorded.

1. Split the raw text into paragraphs (blank lines, or one line each; hard-wrapped blocks
   are joined), skipping the `date YYYY-MM-DD` header of the seeds' format.
2. Drop boilerplate paragraphs by rule (`RULES`: "Also Read | …", "(The above story is
   verified and authored by … staff …)", "Follow us on …", "Read more", newsletter prompts,
   share-button residue) and by what an outlet repeats across its articles (`learned`).
3. Normalise what is kept: Unicode NFKC, whitespace collapsed, TeX quote marks (`` '') as
   “ ” (after the article id is computed, so ids do not change); paragraphs joined by "\n\n".

Nothing that is content is removed: rules match whole paragraphs only, and a learned line
that is (or holds) a quotation is kept.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..records import RemovedSpan
from ..settings import CleanSettings

# Each rule names its reason; a paragraph matching any rule is removed whole.
RULES: list[tuple[str, re.Pattern[str]]] = [
    ("also-read", re.compile(r"^(also read|read also|also see|see also|also watch|related( stories?| news)?)\s*[|:–—-]", re.I)),
    (
        "disclaimer",
        re.compile(
            r"^\(?\s*(the above (story|article|post) (is|was|has)|this (story|article) (has not been|was) (edited|auto-generated|generated)|"
            r"\(?\s*disclaimer\s*:|except for the headline, this story has not been edited|"
            r"this is an auto-?generated|views expressed (above|in this) )",
            re.I,
        ),
    ),
    ("follow-us", re.compile(r"^(follow us on|follow (the )?\w+ on (twitter|facebook|instagram|x|whatsapp|telegram|google news|linkedin)|join (us|our \w+ channel) on (whatsapp|telegram))", re.I)),
    ("read-more", re.compile(r"^(read more|continue reading|click here (to|for)|read the full (story|article)|more on this)\b.{0,120}$", re.I)),
    ("subscribe", re.compile(r"(subscribe to (our|the) .{0,30}newsletter|sign up for (our|the) .{0,40}newsletter|get the latest .{0,60} (in|to) your inbox|subscribe now\b)", re.I)),
    (
        "share",
        re.compile(
            r"^((share|tweet|whatsapp|facebook|twitter|linkedin|email|e-mail|print|copy link|reddit|telegram|pinterest|x)"
            r"(\s*(this|article|story|on))?\s*[|·•/,:]?\s*){1,10}$",
            re.I,
        ),
    ),
    ("credit-line", re.compile(r"^\(\s*(with inputs from|reporting by|written by|compiled by|edited by|additional reporting by)\b[^()]{1,200}\)\.?$", re.I)),
    ("advertisement", re.compile(r"^(advertisement|sponsored|story continues below( this)? ad(vertisement)?|ad)\s*$", re.I)),
    ("copyright", re.compile(r"^(©|\(c\)|copyright\b)\s*.{0,120}(all rights reserved)?\.?$", re.I)),
]

QUOTE_CHARS = "\"“”‘’«»"
HEADER = re.compile(r"^\s*date\s+\d{4}-\d{2}-\d{2}\b[ \t]*(\r?\n)?")
WHITESPACE = re.compile(r"\s+")
SENTENCE_END = re.compile(r"[.!?:;\"”’)\]]\s*$")


@dataclass
class RawParagraph:
    start: int  # offsets into raw text
    end: int
    text: str  # normalised

    @property
    def line_hash(self) -> str:
        return line_hash(self.text)


@dataclass
class Cleaned:
    clean_text: str
    removed: list[RemovedSpan] = field(default_factory=list)
    body_hash: str = ""  # hash of the normalised body before boilerplate removal: the article id


def normalise(text: str) -> str:
    """NFKC, whitespace runs collapsed to one space, trimmed."""
    return WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def line_hash(text: str) -> str:
    return hashlib.sha1(normalise(text).casefold().encode()).hexdigest()[:16]


def header_end(raw: str) -> int:
    """End of the seeds' `date YYYY-MM-DD` header (0 when there is none)."""
    match = HEADER.match(raw)
    return match.end() if match else 0


def split_paragraphs(raw: str, start: int = 0) -> list[RawParagraph]:
    """Paragraphs of `raw[start:]` with raw offsets; hard-wrapped blocks become one paragraph."""
    paragraphs: list[RawParagraph] = []
    for block_start, block_end in _blocks(raw, start):
        lines = _lines(raw, block_start, block_end)
        if _hard_wrapped([raw[s:e] for s, e in lines]):
            paragraphs.append(RawParagraph(block_start, block_end, normalise(raw[block_start:block_end])))
        else:
            paragraphs += [RawParagraph(s, e, normalise(raw[s:e])) for s, e in lines]
    return [p for p in paragraphs if p.text]


def _blocks(raw: str, start: int) -> Iterable[tuple[int, int]]:
    for match in re.finditer(r"(?:[^\n]*\S[^\n]*(?:\n|$))+", raw[start:]):
        s, e = start + match.start(), start + match.end()
        yield s, len(raw[:e].rstrip()) if e == len(raw) else e - 1


def _lines(raw: str, start: int, end: int) -> list[tuple[int, int]]:
    out, pos = [], start
    for line in raw[start:end].split("\n"):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            out.append((pos + lead, pos + lead + len(stripped)))
        pos += len(line) + 1
    return out


def _hard_wrapped(lines: list[str]) -> bool:
    """Lines broken mid-sentence at a fixed width (an e-mail or a plain-text wire)."""
    if len(lines) < 3:
        return False
    inner = lines[:-1]
    open_ends = sum(1 for line in inner if not SENTENCE_END.search(line))
    lengths = [len(line) for line in inner]
    return open_ends >= 0.6 * len(inner) and max(lengths) <= 100 and min(lengths) >= 30


def rule_reason(text: str) -> str | None:
    """The reason a paragraph is boilerplate by rule, or None."""
    for reason, pattern in RULES:
        if pattern.search(text):
            return reason
    return None


def is_quote(text: str) -> bool:
    return any(ch in text for ch in QUOTE_CHARS)


def clean(raw: str, learned: set[str] = frozenset(), learned_max_words: int = CleanSettings.learned_max_words) -> Cleaned:
    """Clean `raw`; `learned` holds line hashes this article's outlet repeats as boilerplate."""
    removed: list[RemovedSpan] = []
    body = header_end(raw)
    if body:
        removed.append(RemovedSpan(0, body, raw[:body], "header"))
    kept: list[str] = []
    paragraphs = split_paragraphs(raw, body)
    for para in paragraphs:
        reason = rule_reason(para.text)
        if (
            reason is None
            and para.line_hash in learned
            and len(para.text.split()) <= learned_max_words
            and not is_quote(para.text)
        ):
            reason = "learned-outlet"
        if reason:
            removed.append(RemovedSpan(para.start, para.end, raw[para.start : para.end], reason))
        else:
            kept.append(plain_quotes(para.text))
    # the id hashes the text before plain_quotes, so articles ingested earlier keep their ids
    return Cleaned("\n\n".join(kept), removed, body_hash(p.text for p in paragraphs))


def plain_quotes(text: str) -> str:
    """TeX quote marks as typographic ones: ``so'' -> “so” (wire copy converted from TeX)."""
    return text.replace("``", "“").replace("''", "”")


def body_hash(paragraph_texts: Iterable[str]) -> str:
    """The article id: hash of the normalised body (before boilerplate removal, so that a
    change of cleaning rules never turns a re-ingested article into a new one)."""
    normalised = " ".join(normalise(t).casefold() for t in paragraph_texts)
    return hashlib.sha256(normalised.encode()).hexdigest()[:16]


def learnable_lines(raw: str, max_words: int = CleanSettings.learned_max_words) -> set[str]:
    """Hashes of the short, non-quote paragraphs of an article: candidates for per-outlet
    boilerplate once they repeat across the outlet's articles."""
    return {
        p.line_hash
        for p in split_paragraphs(raw, header_end(raw))
        if len(p.text.split()) <= max_words and not is_quote(p.text)
    }
