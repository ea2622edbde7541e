"""Grouping: first fit, the one loop behind event coreference, quote merging and role facts;
and connected components, behind reuse families.

    connected(nodes, edges) -> [[node, ...], ...]
    first_fit(items, fits, keys=None) -> [[item, ...], ...]
    first_fit(items, fits, groups=stored, opened=Group.of)   continue stored groups
    first_fit(items, fits, keys, groups=stored_lists)       continue stored lists of items, blocked

Each item, in the order given, joins the first group it `fits` (a test of the group and the
item), else opens a group of its own. Order matters, as it does for the callers: they sort
their items first.

`keys` (optional) blocks the search: `keys(item)` -> the item's blocking keys. A group is
filed under the keys of its items, and an item is tested only against the groups filed
under one of its own keys, still in the order the groups opened. The result is the
unblocked one exactly when the keys never miss a fit: whenever `fits(group, item)`, the
item shares a key with an item of the group. Without it every item is tested against
every group, which over a story of thousands of articles is the square of the story.

`groups` (without `keys`): the groups already formed by the items before these, continued in
place; the result is the one of all the items in one call, so a caller that keeps its groups
adds new items without going over the old ones again. A kept group needs only what `fits`
reads and an `append`; `opened(item)` makes a new one (default: the list [item]).

`groups` with `keys`: the kept groups must be the lists of their items, filed under their
items' keys before the new items come (the blocked search needs every group's keys).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

T = TypeVar("T")


def first_fit(
    items: Iterable[T],
    fits: Callable[[list[T], T], bool],
    keys: Callable[[T], Iterable[Hashable]] | None = None,
    groups: list | None = None,
    opened: Callable[[T], object] | None = None,
) -> list[list[T]]:
    if groups is None:
        groups = []
    filed: dict[Hashable, set[int]] = defaultdict(set)  # key -> indexes of the groups with an item of that key
    if keys is not None:
        for i, kept in enumerate(groups):
            for item in kept:
                for k in keys(item):
                    filed[k].add(i)
    for item in items:
        if keys is None:
            candidates: Iterable[int] = range(len(groups))
        else:
            own = set(keys(item))
            candidates = sorted({i for k in own for i in filed.get(k, ())})
        for i in candidates:
            if fits(groups[i], item):
                groups[i].append(item)
                break
        else:
            i = len(groups)
            groups.append(opened(item) if opened is not None else [item])
        if keys is not None:
            for k in own:
                filed[k].add(i)
    return groups


def connected(nodes: Iterable[T], edges: Iterable[tuple[T, T]]) -> list[list[T]]:
    """The connected components of the nodes and edges (union-find with path halving),
    single nodes included; each component in the order its nodes were given, the
    components in the order of their first node. Every edge's ends must be among `nodes`."""
    parent: dict = {x: x for x in nodes}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        parent[find(a)] = find(b)
    groups: dict = {}
    for x in parent:
        groups.setdefault(find(x), []).append(x)
    return list(groups.values())
