"""What every renderer shares: the citation number of each article of a brief."""

from __future__ import annotations


def citation_numbers(brief: dict) -> dict[str, int]:
    """Article id -> its number in the brief ([1], [2], ...), in the order of `articles`."""
    return {a["id"]: i + 1 for i, a in enumerate(brief["articles"])}
