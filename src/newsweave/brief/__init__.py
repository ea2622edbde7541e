"""The brief: the `newsweave.brief/1` dict composed from a story's stored records, and its
renderers (Markdown, self-contained HTML, JSON) in `brief.render`."""

from ._compose import brief_articles, build_brief

__all__ = ["brief_articles", "build_brief"]
