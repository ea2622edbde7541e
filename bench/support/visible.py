"""Errors a reader of a brief sees at once, counted over a brief dict.

    visible_errors(brief) -> {kind: [the text shown]}

Kinds (what the issue lists; every one should be zero):
  convened      "X convened" where X is no gathering (a meeting, a summit, a forum …)
  article_name  in a sentence the brief writes, an article before a proper name (a country
                or place, a person the brief lists, a month or weekday: "the Albania", "The
                January"), or before a pronoun or a conjunction ("signed the that"); or a
                name bare where every source writes it with "the" ("United Nations announced")
  dateline      a headline or the first summary sentence that opens with a dateline
                ("WASILLA, Alaska (AP) -", "Kuala Lumpur, Oct 31 (IANS)")
  cut           a shown sentence that ends at an abbreviation or an initial ("Dr.", "Gen.",
                "J.") or begins in lower case: a sentence cut in two
  tex_quotes    TeX quote marks (`` or '') in shown text
  person_kind   a who's-who entry (a PERSON listed) whose name is a country, a place, a wire
                agency or a storm's

Shown text: the headline, the summary items, the events' and the timeline's sentences, the
planned list; who's who is the entities the brief lists as people.
"""

from __future__ import annotations

import re

DATELINE = re.compile(
    r"^(?:[A-Z][A-Z .'’-]{2,}(?:,\s*[A-Z][\w .'’-]*)?\s*(?:\([^)]{1,30}\))?\s*(?:--|[-—–:])"  # WASILLA, Alaska (AP) -
    r"|[A-Z][\w .'’-]*,\s*(?:[A-Z][\w'’-]*,\s*)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}\b"  # Kuala Lumpur, Oct 31
    r"|\((?:AP|AFP|Reuters|IANS|PTI|ANI|Xinhua|UPI|Bernama|dpa)\))"
)
ABBREVIATIONS = {"dr", "gen", "mr", "mrs", "ms", "lt", "col", "sgt", "gov", "sen", "rep", "st", "jr", "sr", "prof",
                 "capt", "maj", "adm", "rev", "cpl", "pvt", "gen", "brig", "cmdr", "insp", "supt", "no", "vs", "ft"}  # fmt: skip
CUT_END = re.compile(r"(?:^|[\s(“\"])([A-Za-z]{1,5})\.[\"”’)]*$")
ARTICLE_BEFORE = re.compile(r"\b(?:the|The|a|an)\s+(that|which|who|this|these|those|he|she|it|they|and|or|of)\b")
THE_NAME = re.compile(r"\b(?:the|The)\s+([A-Z][\w'’-]+(?:\s+(?:of\s+(?:the\s+)?)?[A-Z][\w'’-]+){0,4})")
# place names written with "the" ("the Netherlands", "the United States", "the Gulf of Aden")
THE_PLACES = re.compile(r"^(?:Netherlands|Philippines|Bahamas|Gambia|Congo|Sudan|Maldives|Seychelles|Comoros|Vatican|Hague|"
                        r"United\b|Czech\b|Central African|Dominican|Solomon|Marshall|Gulf|Bay|Sea|Strait|Middle|Far|West|East|"
                        r"North|South|Balkans|Caribbean|Pacific|Atlantic|Arctic|Antarctic|Alps|Himalayas|Andes|Sahara)")


FUNCTION_WORDS = {"in", "at", "on", "with", "and", "or", "of", "to", "was", "were", "is", "are", "has", "had", "for", "from",
                  "by", "after", "before", "met", "visited", "signed", "convened", "announced", "agreed", "arrived"}  # fmt: skip
HONORIFIC = re.compile(r"^(?:Mr|Mrs|Ms|Dr|Sir|Dame|Gen|Col|Lt|Sgt|Gov|Sen|Rep|Prof|Rev)\b")
CALENDAR = {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
            "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}  # fmt: skip


def _shown(brief: dict) -> list[tuple[str, str]]:
    """(where, text) for every sentence the brief shows a reader."""
    out = [("headline", brief.get("headline") or "")]
    out += [(f"summary[{i}]", s.get("text") or "") for i, s in enumerate(brief.get("summary") or [])]
    out += [(f"events[{i}]", e.get("text") or "") for i, e in enumerate(brief.get("events") or [])]
    out += [(f"timeline[{i}]", t.get("text") or "") for i, t in enumerate(brief.get("timeline") or [])]
    return [(w, t) for w, t in out if t]


def _generated(brief: dict) -> list[tuple[str, str]]:
    """The sentences the brief writes itself (an event's template; never a source's words)."""
    out = []
    for i, e in enumerate(brief.get("events") or []):
        if e.get("text") and not any(e["text"] == ev.get("text") for ev in e.get("evidence") or []):
            out.append((f"events[{i}]", e["text"]))
    for i, s in enumerate(brief.get("summary") or []):
        if s.get("kind") == "event" and not any(s.get("text") == ev.get("text") for ev in s.get("evidence") or []):
            out.append((f"summary[{i}]", s["text"]))
    return out


def _bare_where_sources_say_the(brief: dict, where: str, text: str) -> bool:
    """"United Nations announced …" where every source writes "the United Nations"."""
    kind, i = where.split("[")[0], int(where.split("[")[1].rstrip("]"))
    item = (brief.get(kind) or [])[i]
    names = [n for n in (item.get("actors") or []) + (item.get("counterparts") or []) if n[:1].isupper()]
    spans = [ev.get("text") or "" for ev in item.get("evidence") or []]
    for n in names:
        written = [sp for sp in spans if re.search(r"\b" + re.escape(n) + r"\b", sp)]
        if written and all(re.search(r"\b[Tt]he " + re.escape(n) + r"\b", sp) for sp in written):
            if re.search(r"(?<![Tt]he )\b" + re.escape(n) + r"\b", text):
                return True
    return False


def _is_place_name(name: str) -> bool:
    from newsweave import text

    return text.country(name) is not None or text.is_place(name)


def person_kind(name: str, before: list[str] | None = None) -> str | None:
    """Why a name listed as a person is not one: country, agency, storm, place; else None."""
    from newsweave import text

    if text.country(name) is not None:
        return "country"
    if text.is_agency(name):
        return "agency"
    if before and any(w in text.STORM_WORDS for w in before):
        return "storm"
    if text.is_place(name):
        return "place"
    return None


def visible_errors(brief: dict) -> dict[str, list[str]]:
    from newsweave.events import is_gathering

    people = {e["name"] for e in brief.get("entities") or [] if e.get("type") == "PERSON"}
    found: dict[str, list[str]] = {k: [] for k in ("convened", "article_name", "dateline", "cut", "tex_quotes", "person_kind")}
    for where, t in _generated(brief):
        m = re.match(r"^(.*?)\s+(?:convened|was scheduled to convene|will convene|did not convene)\b", t)
        if m and not is_gathering(m.group(1)):
            found["convened"].append(f"{where}: {t}")
        if _bare_where_sources_say_the(brief, where, t):
            found["article_name"].append(f"{where}: {t}")
        if ARTICLE_BEFORE.search(t):
            found["article_name"].append(f"{where}: {t}")
        for m in THE_NAME.finditer(t):
            name = m.group(1).strip()
            after = re.match(r"\s*([a-z]+)", t[m.end(1):])
            if after and after.group(1) not in FUNCTION_WORDS:
                continue  # "the Obama administration", "the Athens police": the name modifies a noun
            if not THE_PLACES.match(name) and (_is_place_name(name) or name in people or name.split(" ")[0] in CALENDAR):
                found["article_name"].append(f"{where}: {t}")
                break
    for where, t in [("headline", brief.get("headline") or "")] + [("summary[0]", s.get("text") or "") for s in (brief.get("summary") or [])[:1]]:
        if DATELINE.match(t):
            found["dateline"].append(f"{where}: {t}")
    for where, t in _shown(brief):
        if "``" in t or "''" in t:
            found["tex_quotes"].append(f"{where}: {t}")
        if where == "headline":
            continue
        m = CUT_END.search(t.rstrip())
        if m and (m.group(1).lower() in ABBREVIATIONS or (len(m.group(1)) == 1 and m.group(1).isupper())):
            found["cut"].append(f"{where}: {t}")
        elif t[:1].islower():
            found["cut"].append(f"{where}: {t}")
    for e in brief.get("entities") or []:
        if e.get("type") == "PERSON" and e.get("whos_who", True):
            why = person_kind(e["name"])
            if why == "place" and (e.get("roles") or any(HONORIFIC.match(a) for a in e.get("aliases") or [])):
                why = None  # "Lopez", also "Mr. Lopez": a person whose name is also a town's
            if why:
                found["person_kind"].append(f"{e['name']} ({why})")
    return found
