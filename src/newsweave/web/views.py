"""What each page and endpoint shows, as plain data (dicts, lists, strings).

The JSON API returns these dicts as they are; the HTML pages render the same dicts
through Jinja2 templates with autoescaping. Nothing here writes HTML: text is cut into
*segments* (a piece of text plus the marks over it) and the template escapes every piece.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..errors import NotFoundError
from ..records import Article, Entity, Story, SubEvent
from ..reuse import family as reuse_family, passages as reuse_passages
from ..store import Store

ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")
_TOKEN = re.compile(r"\w+", re.UNICODE)


def check_id(kind: str, ident: str) -> str:
    """Ids reach SQL only as parameters; still, refuse what no id looks like (`../x`, `%`)."""
    if not ID.match(ident) or ".." in ident:
        raise NotFoundError(kind, ident)
    return ident


# -- articles --------------------------------------------------------------------------


def article_row(a: Article) -> dict[str, Any]:
    return {
        "id": a.id,
        "title": a.title,
        "heading": a.title or heading(a.clean_text[a.body_start :] or a.clean_text),
        "outlet": a.outlet,
        "agency": a.agency,
        "byline": a.byline,
        "dateline": a.dateline,
        "published": a.published.isoformat() if a.published else None,
        "published_from": a.published_from,
        "language": a.language,
        "sources": [s.source for s in a.sightings],
        "chars": len(a.clean_text),
    }


def heading(text: str, width: int = 90) -> str:
    """A title for an untitled article: its first words, cut at a word boundary."""
    first = " ".join(text.split("\n\n", 1)[0].split())
    if len(first) <= width:
        return first
    return first[:width].rsplit(" ", 1)[0] + " …"


@dataclass(frozen=True)
class Mark:
    """A stretch of text to mark: `cls` is its CSS class (evidence, reuse, removed, hl)."""

    start: int
    end: int
    cls: str
    anchor: str | None = None  # element id placed where the mark starts
    link: str | None = None  # a link placed where the mark ends
    label: str | None = None  # the link's text or the mark's tooltip
    key: str | None = None  # evidence key "S-E" (for the page script)


def segments(text: str, marks: Iterable[Mark]) -> list[dict[str, Any]]:
    """Cut `text` at every mark boundary; each piece lists the marks over it."""
    marks = [m for m in marks if 0 <= m.start < m.end <= len(text)]
    cuts = sorted({0, len(text), *(m.start for m in marks), *(m.end for m in marks)})
    out = []
    for lo, hi in zip(cuts, cuts[1:]):
        over = [m for m in marks if m.start <= lo and m.end >= hi]
        out.append(
            {
                "text": text[lo:hi],
                "start": lo,
                "classes": sorted({m.cls for m in over}),
                "anchors": [m.anchor for m in marks if m.start == lo and m.anchor],
                "links": [{"href": m.link, "label": m.label or "↗"} for m in marks if m.end == hi and m.link],
                "evkeys": " ".join(sorted({m.key for m in over if m.key})),
                "title": "; ".join(sorted({m.label for m in over if m.label and not m.link})),
            }
        )
    return out


def evidence_key(start: int, end: int) -> str:
    return f"{start}-{end}"


def parse_span(value: str | None) -> tuple[int, int] | None:
    """`"120-188"` -> (120, 188); anything else -> None."""
    if not value:
        return None
    m = re.fullmatch(r"(\d{1,9})-(\d{1,9})", value)
    if not m or int(m.group(1)) >= int(m.group(2)):
        return None
    return int(m.group(1)), int(m.group(2))


def article_href(article_id: str, start: int | None = None, end: int | None = None) -> str:
    if start is None or end is None:
        return f"/articles/{article_id}"
    return f"/articles/{article_id}?hl={start}-{end}#ev-{start}-{end}"


def iter_evidence(obj: Any) -> Iterator[dict[str, Any]]:
    """Every evidence span anywhere in a brief: dicts with article/start/end under an
    `evidence` list (events carry them; summary sentences and quotes may)."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            if key == "evidence" and isinstance(value, list):
                for ev in value:
                    if isinstance(ev, dict) and {"article", "start", "end"} <= ev.keys():
                        yield ev
            else:
                yield from iter_evidence(value)
    elif isinstance(obj, list):
        for item in obj:
            yield from iter_evidence(item)


def article_view(
    store: Store, a: Article, brief: dict[str, Any] | None, story: Story | None, hl: tuple[int, int] | None
) -> dict[str, Any]:
    """An article with its marks: evidence (from its story's brief), reuse passages with
    links to the other copy, the highlighted span `hl`, and the removed boilerplate."""
    text = a.clean_text
    marks: list[Mark] = []
    evidence = []
    seen = set()
    for ev in iter_evidence(brief or {}):
        s, e = int(ev["start"]), int(ev["end"])
        if ev["article"] != a.id or (s, e) in seen or not 0 <= s < e <= len(text):
            continue
        seen.add((s, e))
        evidence.append({"start": s, "end": e, "text": text[s:e]})
        marks.append(Mark(s, e, "evidence", anchor=f"ev-{s}-{e}", key=evidence_key(s, e)))
    if hl and hl[1] <= len(text):
        marks.append(Mark(hl[0], hl[1], "hl", anchor=None if hl in seen else f"ev-{hl[0]}-{hl[1]}", key=evidence_key(*hl)))
    family = reuse_family(store, a.id)
    reuse = []
    for p in reuse_passages(store, a.id):
        s, e, b, bs, be = p.a_start, p.a_end, p.b, p.b_start, p.b_end
        reuse.append({"start": s, "end": e, "other": b, "other_start": bs, "other_end": be,
                      "similarity": round(p.similarity, 3), "kind": p.kind})
        marks.append(Mark(s, e, "reuse", anchor=f"reuse-{s}-{e}", link=article_href(b, bs, be),
                          label="⇄"))
    removed = [{"start": r.start, "end": r.end, "text": r.text, "reason": r.reason} for r in a.removed]
    raw_marks = [Mark(r.start, r.end, "removed", label=r.reason) for r in a.removed]
    return {
        "article": article_row(a),
        "clean_text": text,
        "story": story.id if story else None,
        "story_label": story.label if story else None,
        "family": {"id": family.id, "members": family.members, "origin": family.origin, "agency": family.agency}
        if family
        else None,
        "evidence": evidence,
        "reuse": reuse,
        "removed": removed,
        "segments": segments(text, marks),
        "raw_segments": segments(a.raw_text, raw_marks),
        "highlight": {"start": hl[0], "end": hl[1], "text": text[hl[0]:hl[1]]} if hl and hl[1] <= len(text) else None,
    }


# -- stories ---------------------------------------------------------------------------


def story_row(story: Story, names: dict[str, str]) -> dict[str, Any]:
    return {
        "id": story.id,
        "label": story.label,
        "articles": len(story.articles),
        "first": story.first.isoformat() if story.first else None,
        "last": story.last.isoformat() if story.last else None,
        "entities": [{"id": e, "name": names.get(e, e)} for e in story.top_entities],
    }


def sub_event_row(event: SubEvent) -> dict[str, Any]:
    """One happening inside a story, for the story page and its JSON."""
    return {
        "n": event.n,
        "label": event.label,
        "first": event.first.isoformat() if event.first else None,
        "last": event.last.isoformat() if event.last else None,
        "articles": event.articles,
    }


def newest_first(stories: Iterable[Story]) -> list[Story]:
    def key(s: Story):
        day = s.last or s.first or dt.date.min
        return (day, len(s.articles), s.id)

    return sorted(stories, key=key, reverse=True)


def in_dates(story: Story, since: dt.date | None, until: dt.date | None) -> bool:
    first, last = story.first or story.last, story.last or story.first
    if since and (last is None or last < since):
        return False
    if until and (first is None or first > until):
        return False
    return True


def citation_targets(brief: dict[str, Any]) -> list[dict[str, Any]]:
    """Each summary sentence with, per cited article, the evidence span that best supports
    it (its own `evidence` if the brief gives one, else the event evidence in that
    article sharing most words with the sentence) and the link that lands on it."""
    pool: dict[str, list[dict[str, Any]]] = {}
    for ev in iter_evidence({k: v for k, v in brief.items() if k != "summary"}):
        pool.setdefault(ev["article"], []).append(ev)
    out = []
    for sentence in brief.get("summary", []):
        words = {w.lower() for w in _TOKEN.findall(sentence.get("text", ""))}
        own = {}
        for ev in iter_evidence(sentence):
            own.setdefault(ev["article"], ev)
        cites = []
        for n, art in enumerate(sentence.get("citations", []), start=1):
            ev = own.get(art) or _best(pool.get(art, []), words)
            href = article_href(art, int(ev["start"]), int(ev["end"])) if ev else article_href(art)
            cites.append({"n": n, "article": art, "href": href, "text": ev.get("text") if ev else None})
        out.append({**sentence, "links": cites})
    return out


def event_links(brief: dict[str, Any]) -> dict[str, dict[str, str]]:
    """event id -> {article id: link landing on that article's evidence for the event}."""
    out: dict[str, dict[str, str]] = {}
    for event in brief.get("events", []):
        links = out.setdefault(event.get("id"), {})
        for ev in iter_evidence(event):
            links.setdefault(ev["article"], article_href(ev["article"], int(ev["start"]), int(ev["end"])))
    return out


def _best(candidates: list[dict[str, Any]], words: set[str]) -> dict[str, Any] | None:
    def overlap(ev):
        other = {w.lower() for w in _TOKEN.findall(ev.get("text", ""))}
        return len(words & other) / (len(other | words) or 1)

    return max(candidates, key=overlap, default=None)


def comparison(store: Store, article_ids: list[str], brief: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The articles side by side: for each, the stretches it shares with the others (from
    the reuse stage), what it adds in text (paragraphs no other article carries) and in
    facts (the brief's `unique`: facts no other article supports)."""
    articles = store.articles(article_ids)
    unique = {u["article"]: u["facts"] for u in (brief or {}).get("unique", [])}
    ids = [a.id for a in articles]
    members = set(ids)
    shared: dict[str, list[tuple[int, int, str]]] = {
        a: [(p.a_start, p.a_end, p.b) for p in reuse_passages(store, a) if p.b in members and p.b != a] for a in ids
    }
    columns = []
    for a in articles:
        spans = shared[a.id]
        marks = [Mark(s, e, "shared", label=f"also in {o[:8]}") for s, e, o in spans]
        adds = []
        for ps, pe in a.paragraphs():
            covered = _covered(ps, pe, [(s, e) for s, e, _ in spans])
            if covered < 0.5 * (pe - ps):
                adds.append({"start": ps, "end": pe, "text": a.clean_text[ps:pe]})
                marks.append(Mark(ps, pe, "adds"))
        family = reuse_family(store, a.id)
        columns.append(
            {
                "article": article_row(a),
                "family": family.id if family else None,
                "shared_with": sorted({o for _, _, o in spans}),
                "shared_chars": _covered(0, len(a.clean_text), [(s, e) for s, e, _ in spans]),
                "adds": adds,
                "unique_facts": [
                    {"text": f.get("text"), "kind": f.get("kind"),
                     "href": _first_href(f, a.id)} for f in unique.get(a.id, [])
                ],
                "segments": segments(a.clean_text, marks),
            }
        )
    return columns


def _first_href(item: dict[str, Any], article_id: str) -> str:
    for ev in iter_evidence(item):
        if ev["article"] == article_id:
            return article_href(article_id, int(ev["start"]), int(ev["end"]))
    return article_href(article_id)


def _covered(lo: int, hi: int, spans: list[tuple[int, int]]) -> int:
    """Characters of [lo, hi) inside the union of `spans`."""
    total, reach = 0, lo
    for s, e in sorted(spans):
        s, e = max(s, reach), min(e, hi)
        if e > s:
            total += e - s
            reach = e
    return total


# -- entities --------------------------------------------------------------------------


def entity_row(e: Entity) -> dict[str, Any]:
    return {"id": e.id, "name": e.name, "type": e.type, "aliases": list(e.aliases), "mentions": len(e.mentions)}


def entity_view(e: Entity, story_of: dict[str, str], labels: dict[str, str], headings: dict[str, str]) -> dict[str, Any]:
    """An entity with its roles grouped by normalised form (so that conflicting titles
    stand side by side), each with the evidence in every article that states it."""
    grouped: dict[str, dict[str, Any]] = {}
    for r in e.roles:
        ev = r.evidence
        item = grouped.setdefault(r.normalised, {"role": r.surface, "normalised": r.normalised, "surfaces": [],
                                                 "evidence": []})
        if r.surface not in item["surfaces"]:
            item["surfaces"].append(r.surface)
        item["evidence"].append({"article": ev.article, "start": ev.start, "end": ev.end, "text": ev.text,
                                 "heading": headings.get(ev.article, ev.article),
                                 "href": article_href(ev.article, ev.start, ev.end)})
    roles = sorted(grouped.values(), key=lambda g: -len({x["article"] for x in g["evidence"]}))
    stories = sorted({story_of[a] for a in e.articles if a in story_of})
    return {
        **entity_row(e),
        "titles": list(e.titles),
        "roles": roles,
        "articles": [{"id": a, "heading": headings.get(a, a)} for a in e.articles],
        "stories": [{"id": s, "label": labels.get(s, s)} for s in stories],
    }


def bounded(brief: dict[str, Any], items: int, cites: int) -> tuple[dict[str, Any], dict[str, int]]:
    """The brief as the story page shows it: each list section (timeline, entities, quotes,
    conflicts, removed boilerplate) cut to its first `items` entries, and each entry's cited
    articles to the first `cites` (the entry keeps `more`: how many it does not show); and
    {section: entries not shown}. A story of thousands of articles cites hundreds per line:
    its page was 8.7 MB at 1,000 articles. The JSON brief keeps everything."""
    view, hidden = dict(brief), {}
    for key in ("timeline", "entities", "quotes", "conflicts", "removed"):
        entries = brief.get(key) or []
        hidden[key] = max(0, len(entries) - items)
        view[key] = [cited(e, cites) for e in entries[:items]]
    view["conflicts"] = [{**c, "values": [cited(v, cites) for v in c.get("values", [])]} for c in view["conflicts"]]
    return view, hidden


def cited(entry: Any, cites: int) -> Any:
    """`entry` with its `articles` cut to the first `cites`, and `more` saying how many went."""
    if not isinstance(entry, dict) or len(entry.get("articles") or []) <= cites:
        return entry
    return {**entry, "articles": entry["articles"][:cites], "more": len(entry["articles"]) - cites}
