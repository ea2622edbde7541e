"""JSON: one brief as an object; several briefs as a list of objects."""

from __future__ import annotations

import json as _json
from collections.abc import Sequence


def render_json(briefs: Sequence[dict]) -> str:
    data = briefs[0] if len(briefs) == 1 else list(briefs)
    return _json.dumps(data, indent=2, ensure_ascii=False) + "\n"
