"""Renderers of briefs: Markdown (terminal and code hosts), one self-contained HTML file,
and JSON. Each takes a list of briefs (one per story) and returns text.

    render(briefs, "html", texts={article_id: clean_text})

The HTML renderer needs the clean texts to show each article with its evidence marked;
the others need only the briefs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ...errors import NewsweaveError
from ._citations import citation_numbers
from ._html import render_html
from ._json import render_json
from ._markdown import render_markdown

FORMATS = ("md", "html", "json")


def render(briefs: Sequence[dict], fmt: str, texts: Mapping[str, str] | None = None) -> str:
    if fmt == "md":
        return render_markdown(briefs)
    if fmt == "html":
        return render_html(briefs, texts or {})
    if fmt == "json":
        return render_json(briefs)
    raise NewsweaveError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


__all__ = ["FORMATS", "citation_numbers", "render", "render_html", "render_json", "render_markdown"]
