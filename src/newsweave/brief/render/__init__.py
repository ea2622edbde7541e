"""Renderers of briefs: Markdown (terminal and code hosts), one self-contained HTML file,
and JSON. Each takes a list of briefs (one per story) and returns text.

    render(briefs, "html", texts={article_id: clean_text})

The HTML renderer needs the clean texts to show each article with its evidence marked;
the others need only the briefs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ...errors import NewsweaveError

FORMATS = ("md", "html", "json")


def render(briefs: Sequence[dict], fmt: str, texts: Mapping[str, str] | None = None) -> str:
    if fmt == "md":
        from .markdown import render_markdown

        return render_markdown(briefs)
    if fmt == "html":
        from .html import render_html

        return render_html(briefs, texts or {})
    if fmt == "json":
        from .json import render_json

        return render_json(briefs)
    raise NewsweaveError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def citation_numbers(brief: dict) -> dict[str, int]:
    """Article id -> its number in the brief ([1], [2], ...), in the order of `articles`."""
    return {a["id"]: i + 1 for i, a in enumerate(brief["articles"])}
