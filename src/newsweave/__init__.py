"""newsweave: many reports of one event in, one verified account out.

    >>> import newsweave
    >>> ws = newsweave.open(":memory:")
    >>> report = ws.ingest(["examples/"])
"""

from .errors import InputError, NewsweaveError, NotFoundError, PipelineError, StoreError
from .workspace import Workspace, open

__all__ = ["open", "Workspace", "NewsweaveError", "InputError", "NotFoundError", "PipelineError", "StoreError"]
__version__ = "0.1.0"
