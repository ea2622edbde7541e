"""Markdown: readable as plain text in a terminal and rendered on a code host.

Article text is escaped so that it cannot become markup: `<` and `&` as entities (a code
host would otherwise pass some HTML through), and the characters that start Markdown
syntax inline are backslash-escaped."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ...text import shorten
from ._citations import citation_numbers

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#])")


def esc(text: str | None) -> str:
    if text is None:
        return ""
    text = re.sub(r"&(?=#?\w+;)", "&amp;", text).replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def cites(articles: Sequence[str], numbers: dict[str, int]) -> str:
    return "".join(f"[{numbers[a]}]" for a in articles if a in numbers)


def _sources(n: int) -> str:
    return f"{n} independent source{'s' if n != 1 else ''}"


def render_markdown(briefs: Sequence[dict]) -> str:
    return "\n\n---\n\n".join(render_one(b) for b in briefs) + "\n"


def render_one(b: dict) -> str:
    n = citation_numbers(b)
    out: list[str] = [f"# {esc(b['headline'])}", ""]
    out.append(
        f"_Story `{b['story']}` · {len(b['articles'])} articles · {_sources(b.get('independent_sources', 0))}_"
    )
    out += ["", "## Summary", ""]
    for s in b["summary"]:
        status = " _(planned)_" if s.get("status") == "planned" else ""
        out.append(f"- {esc(s['text'])}{status} {cites(s['citations'], n)} — {_sources(s.get('independent_sources', 0))}")
    if b["timeline"]:
        out += ["", "## Timeline", "", "| Date | What | Status | Sources |", "|---|---|---|---|"]
        for t in b["timeline"]:
            bg = " (background)" if t.get("background") else ""
            out.append(f"| {t['date']} | {esc(t['text'])}{bg} | {t.get('status', '')} | {cites(t['articles'], n)} |")
    people = [e for e in b["entities"] if e.get("whos_who", e["type"] == "PERSON")]
    if people:
        out += ["", "## Who's who", ""]
        for e in people:
            roles = "; ".join(f"{esc(r['role'])} {cites(r['articles'], n)}" for r in e["roles"])
            aliases = f" (also: {', '.join(esc(a) for a in e['aliases'])})" if e["aliases"] else ""
            out.append(f"- **{esc(e['name'])}**{aliases}" + (f" — {roles}" if roles else ""))
    others = [e for e in b["entities"] if e["type"] == "PERSON" and not e.get("whos_who", True)]
    if others:
        out += ["", "<details><summary>Other names</summary>", "", ", ".join(esc(e["name"]) for e in others), "", "</details>"]
    if b["quotes"]:
        out += ["", "## Quotes", ""]
        for q in b["quotes"]:
            channel = f", {esc(q['channel'])}" if q.get("channel") else ""
            out.append(f"> “{esc(q['text'])}”  \n> — {esc(q['speaker'] or 'unattributed')}{channel} {cites(q['articles'], n)}")
            out.append("")
    if b["conflicts"]:
        out += ["", "## Discrepancies", ""]
        for c in b["conflicts"]:
            kind = "quote variant" if c.get("kind") == "quote-variant" else c["attribute"]
            vals = " vs ".join(
                f"“{esc(v['value'])}”{' (' + esc(v['note']) + ')' if v.get('note') else ''} {cites(v['articles'], n)}"
                for v in c["values"]
            )
            out.append(f"- **{esc(c['subject'])}** — {esc(kind)}: {vals}")
    if b.get("numbers"):
        out += ["", "## Numbers over time", ""]
        for x in b["numbers"]:
            latest = x["latest"]
            line = f"- **{esc(x['subject'])}**: {esc(latest['value'])} ({latest['date']}) {cites(latest['articles'], n)}"
            if x.get("same_day"):
                line += "; also that day: " + ", ".join(f"{esc(v['value'])} {cites(v['articles'], n)}" for v in x["same_day"])
            if x["history"]:
                line += "; earlier: " + ", ".join(f"{esc(v['value'])} ({v['date']}) {cites(v['articles'], n)}" for v in x["history"])
            if x.get("undated"):
                line += "; undated: " + ", ".join(f"{esc(v['value'])} {cites(v['articles'], n)}" for v in x["undated"])
            if x["conflict"]:
                line += " — sources disagree on the same day (see Discrepancies)"
            out.append(line)
    planned = b.get("planned") or []
    if planned:
        out += ["", "## Planned (not reported as done by these sources)", ""]
        for e in planned:
            conf = " — later reported as occurred" if e.get("confirmed_by") else ""
            out.append(f"- {esc(e['text'])} {cites(e['articles'], n)}{conf}")
    if b.get("unique"):
        out += ["", "## What each article adds", ""]
        for u in b["unique"]:
            out.append(f"- [{n.get(u['article'], '?')}] " + "; ".join(esc(shorten(f["text"], 200)) for f in u["facts"]))
    out += ["", "## Articles", ""]
    for a in b["articles"]:
        bits = [x for x in (a.get("outlet"), a.get("agency"), a.get("dateline"), a.get("published")) if x]
        out.append(f"{n[a['id']]}. `{a['id'][:12]}` {esc(a.get('title') or a.get('source') or '')} — {esc(' · '.join(bits))} (family `{a['family'][:12]}`)")
    if b["removed"]:
        out += ["", "## Removed boilerplate", ""]
        for r in b["removed"]:
            out.append(f"- [{n.get(r['article'], '?')}] _{esc(r['reason'])}_: {esc(r['text'])}")
    return "\n".join(out)
