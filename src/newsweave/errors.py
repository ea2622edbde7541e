"""Every error newsweave raises on purpose descends from one root.

    NewsweaveError
    ├── InputError        a source (file, URL, line) that cannot become an article;
    │                     carries the source and a one-line reason, never a traceback
    ├── StoreError        the store cannot be opened or is of an unknown schema
    ├── NotFoundError     an id (article, story, entity) that the store does not hold
    └── PipelineError     a stage returned something that breaks its contract

The CLI turns any NewsweaveError into one line on stderr and a non-zero exit; anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations


class NewsweaveError(Exception):
    """Root of every error newsweave raises on purpose."""


class InputError(NewsweaveError):
    """A source that cannot become an article. `str()` is one line: `source: reason`."""

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}")


class StoreError(NewsweaveError):
    """The store cannot be opened, migrated or written."""


class NotFoundError(NewsweaveError):
    """An id that the store does not hold."""

    PLURALS = {"story": "stories", "entity": "entities"}

    def __init__(self, kind: str, ident: str) -> None:
        self.kind = kind
        self.ident = ident
        listing = self.PLURALS.get(kind, kind + "s")
        super().__init__(f"no {kind} with id {ident!r} in the store (list them with `newsweave {listing}`)")


class PipelineError(NewsweaveError):
    """A stage broke its contract; names the stage."""

    def __init__(self, stage: str, problem: str) -> None:
        self.stage = stage
        super().__init__(f"stage {stage!r}: {problem}")
