"""First-fit grouping: the one loop behind event coreference, quote merging and role facts.

    first_fit(items, fits) -> [[item, ...], ...]

Each item, in the order given, joins the first group it `fits` (a test of the group and the
item), else opens a group of its own. Order matters, as it does for the callers: they sort
their items first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")


def first_fit(items: Iterable[T], fits: Callable[[list[T], T], bool]) -> list[list[T]]:
    groups: list[list[T]] = []
    for item in items:
        for group in groups:
            if fits(group, item):
                group.append(item)
                break
        else:
            groups.append([item])
    return groups
