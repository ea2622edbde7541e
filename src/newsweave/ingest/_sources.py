"""Sources -> what they hold: a file, a folder's file, stdin or (with `fetch`) a URL, each
read by the readers or the fetcher. The one place that knows both, so neither imports the
other (the fetcher hands what it downloaded to the same readers a file goes through)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from ..records import Rejected
from ..settings import IngestSettings
from ._readers import Read, _guarded, _is_url, _read_bytes, _read_file, read_capped, source_name


def read_source(source: Path | str, settings: IngestSettings, fetch: bool = False) -> Iterator[Read]:
    """Every article a source holds, or one `Rejected` saying why it holds none. Never raises:
    whatever goes wrong reading one source is that source's `Rejected`."""
    name = "<stdin>" if source == "-" else source_name(str(source))
    yield from _guarded(name, _read_source(source, name, settings, fetch))


def _read_source(source: Path | str, name: str, settings: IngestSettings, fetch: bool) -> Iterator[Read]:
    if isinstance(source, str) and _is_url(source):
        if not fetch:
            yield Rejected(source, "is a URL; pass --fetch to download it")
            return
        from ._fetch import fetch_url  # loaded only when asked: httpx alone is most of start-up

        yield from fetch_url(source, settings)
        return
    if source == "-":
        data = read_capped(sys.stdin.buffer, settings.max_bytes)  # stdin may be a pipe or a device: only the cap bounds it
    else:
        data = yield from _read_file(Path(source), name, settings)
        if data is None:
            return
    if len(data) > settings.max_bytes:
        yield Rejected(name, f"input is over the {settings.max_bytes:,}-byte cap (raise --max-bytes)")
        return
    yield from _read_bytes(name, data, settings)
