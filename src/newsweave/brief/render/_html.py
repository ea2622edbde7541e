"""One self-contained HTML file: inline CSS, an inline SVG timeline, no script, no external
asset. Every piece of article text goes through Jinja2's autoescape, so an article that
contains `<script>` shows it as text. Citations link to the evidence inside the article
text, where the cited sentence is marked and highlighted when followed (CSS `:target`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources

from jinja2 import Environment, PackageLoader, select_autoescape

from ._citations import citation_numbers


@dataclass
class Node:
    """A stretch of an article's text; marked when it is evidence (`anchor` is its id)."""

    start: int
    end: int
    anchor: str | None = None
    children: list["Node"] = field(default_factory=list)


def anchor_id(brief_no: int, article: str, start: int, end: int) -> str:
    return f"b{brief_no}-{article[:12]}-{start}-{end}"


def _evidence_spans(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "evidence" and isinstance(v, list):
                out.extend(v)
            else:
                _evidence_spans(v, out)
    elif isinstance(node, list):
        for v in node:
            _evidence_spans(v, out)
    return out


def span_tree(spans: list[tuple[int, int]], start: int, end: int, make_id) -> Node:
    """Nested nodes for the spans inside [start, end): a span that crosses another is cut at
    the outer one's end, so the marks nest like HTML must."""
    root = Node(start, end)
    stack = [root]
    for s, e in sorted(set(spans), key=lambda x: (x[0], -x[1])):
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        while len(stack) > 1 and s >= stack[-1].end:
            stack.pop()
        e = min(e, stack[-1].end)
        if s >= e:
            continue
        node = Node(s, e, make_id(s, e))
        stack[-1].children.append(node)
        stack.append(node)
    return root


def _segments(node: Node, text: str):
    """(kind, payload) pieces for the template: ("text", str) | ("open", id) | ("close", None)."""
    pos = node.start
    for child in node.children:
        if child.start > pos:
            yield "text", text[pos : child.start]
        yield "open", child.anchor
        yield from _segments(child, text)
        yield "close", None
        pos = child.end
    if pos < node.end:
        yield "text", text[pos : node.end]


def _paragraphs(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for block in text.split("\n\n"):
        if block.strip():
            spans.append((pos, pos + len(block)))
        pos += len(block) + 2
    return spans


def _day(value: str) -> tuple[dt.date, str] | None:
    """(a date to place it by, its label) for "2025-10-31", "2025-10", "2028" or a range's start."""
    first = value.split("/")[0]
    try:
        if len(first) == 10:
            d = dt.date.fromisoformat(first)
            return d, f"{d.day} {d:%b %Y}"
        if len(first) == 7:
            d = dt.date.fromisoformat(first + "-01")
            return d, f"{d:%b %Y}"
        if len(first) == 4:
            return dt.date(int(first), 1, 1), first
    except ValueError:
        pass
    return None


def _timeline_svg(timeline: list[dict], numbers: dict[str, int]) -> dict | None:
    """Positions for the SVG: a column per date, one dot per event stacked in it."""
    pairs = [(t, _day(t["date"])) for t in timeline if not t.get("background")]
    pairs = [(t, d) for t, d in pairs if d]
    if not pairs:
        return None
    days = sorted({d for _, d in pairs})
    left, top, row_h = 20, 40, 46
    width = max(900, len(days) * 220 + 2 * left)
    col_w = (width - 2 * left) / len(days)
    stack = defaultdict(int)
    dots = []
    for t, d in pairs:
        col = days.index(d)
        row = stack[d]
        stack[d] += 1
        dots.append(
            {
                "x": round(left + col * col_w + 10),
                "y": top + 20 + row * row_h,
                "text": t["text"],
                "planned": t.get("status") != "occurred",
                "cites": "".join(f"[{numbers[a]}]" for a in t["articles"] if a in numbers),
            }
        )
    height = top + 30 + max(stack.values()) * row_h
    ticks = [{"x": round(left + i * col_w + 10), "label": d[1]} for i, d in enumerate(days)]
    return {
        "width": width, "height": height, "axis_y": top, "ticks": ticks, "dots": dots, "x2": width - left,
        "chars": max(20, int(col_w / 7.2) - 3),  # label length that fits a column
    }


def render_html(briefs: Sequence[dict], texts: Mapping[str, str]) -> str:
    env = Environment(
        loader=PackageLoader("newsweave", "brief/render"),
        autoescape=select_autoescape(enabled_extensions=("html",), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    css = resources.files("newsweave.brief.render").joinpath("brief.css").read_text(encoding="utf-8")
    views = []
    for i, b in enumerate(briefs):
        numbers = citation_numbers(b)
        spans = defaultdict(list)
        for s in _evidence_spans(b, []):
            spans[s["article"]].append((s["start"], s["end"]))
        articles = []
        for a in b["articles"]:
            text = texts.get(a["id"], "")
            paras = []
            for ps, pe in _paragraphs(text):
                tree = span_tree(spans[a["id"]], ps, pe, lambda s, e, a=a: anchor_id(i, a["id"], s, e))
                paras.append(list(_segments(tree, text)))
            articles.append({"meta": a, "no": numbers[a["id"]], "paragraphs": paras})

        def link(article: str, evidence: list[dict] | None = None, i=i, numbers=numbers) -> dict:
            """Citation target: the first evidence span of `article` among `evidence`."""
            ev = next((e for e in evidence or [] if e["article"] == article), None)
            target = anchor_id(i, article, ev["start"], ev["end"]) if ev else f"b{i}-art-{article[:12]}"
            return {"no": numbers.get(article, "?"), "href": "#" + target}

        views.append(
            {"brief": b, "no": i, "articles": articles, "svg": _timeline_svg(b["timeline"], numbers), "link": link}
        )
    template = env.get_template("brief.html")
    return template.render(views=views, css=css)
