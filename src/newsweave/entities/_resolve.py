"""Stage "entities": named-entity mentions of every article, resolved across the store.

For each new article, in arrival order:

1. mentions: the tagger's entities (PERSON, ORG, GPE, LOC, NORP, FAC, EVENT, ...) without
   "the", possessives and lowercase noise; honorifics/ranks before or at the start of a
   person's name are set apart as titles ("Dato' Seri", "Admiral"); acronym definitions in
   the text ("ASEAN Defence Ministers' Meeting-Plus (ADMM-Plus)") and later uses of a known
   acronym add mentions the tagger missed; roles are read around each name (roles.py);
2. keys: names.key of the name; a country name or demonym becomes its country's key
   ("Malaysian" -> "malaysia"); a known acronym becomes its expansion's key;
3. within the article: mentions with one key form a cluster; a short form joins the one
   person cluster it can stand for ("Singh" -> "Rajnath Singh", "Admiral Dong" ->
   "Dong Jun"), never when two could fit;
4. across the store: a cluster joins the entity owning one of its keys; failing that, a
   person joins the one entity whose name it shortens or that shortens it; if a cluster's
   keys belong to two entities, they merge into the older (recorded in entity_merges);
   else a new entity is made, its id a hash of its first key (stable: never renamed);
5. each touched entity's type is a weighted vote over its mentions (multi-word mentions,
   honorifics and roles weigh more, a country name votes GPE), and its name is its
   longest, most frequent name form.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .. import text as names
from . import _roles as roles
from ..nlp import doc_ents, doc_text, parse_articles
from ..records import Entity, Mention, Role, Span
from ..settings import EntitySettings
from ..store import utcnow

LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "WORK_OF_ART", "LAW", "PRODUCT"})
PERSONISH = frozenset({"PERSON", "GPE", "ORG", "NORP", "LOC", "FAC"})  # labels the tagger gives people
PLACE_LABELS = frozenset({"GPE", "LOC"})
_ACRONYM_TOKEN = re.compile(r"\b[A-Z][A-Za-z0-9&]*[A-Z][A-Za-z0-9&]*(?:-[A-Z][A-Za-z]+)?\b")
_HONORIFIC_WORDS = frozenset(w for h in names.HONORIFICS for w in h)


@dataclass
class LocalMention:
    start: int  # clean-text offsets of the name (titles excluded)
    end: int
    text: str
    name: str
    label: str
    key: str
    titles: list[str] = field(default_factory=list)
    roles: list[roles.RoleHit] = field(default_factory=list)  # offsets already clean-text
    country: bool = False

    @property
    def tokens(self) -> list[str]:
        return self.key.split()


# -- 1. mentions of one article -----------------------------------------------------------


def article_mentions(
    adoc, acronym_map: dict[str, str], cfg: EntitySettings | None = None
) -> tuple[list[LocalMention], list[names.Acronym]]:
    """Mentions of one parsed article and the acronym definitions it holds (offsets made
    clean-text). The article's own outlet and agency are its reporters, not its participants:
    "told the Gazette" in a Riverside Gazette report names no one."""
    reporters = names.reporter_keys(adoc.article.outlet, adoc.article.agency)
    max_role_tokens = (cfg or EntitySettings()).max_role_tokens
    mentions: list[LocalMention] = []
    definitions: list[tuple[names.Acronym, int]] = []
    for para in adoc.paragraphs:
        doc = para.doc
        taken: list[tuple[int, int]] = []
        for ent in _whole_names(doc):
            if ent.label_ not in LABELS:
                continue
            m = _mention(doc, ent, para.start, max_role_tokens)
            if m is not None:
                mentions.append(m)
                taken.append((m.start - para.start, m.end - para.start))
        text = doc_text(doc)
        for acr in names.find_acronyms(text):
            definitions.append((acr, para.start))
            for s, e in ((acr.short_start, acr.short_end), (acr.long_start, acr.long_end)):
                if not any(a <= s and e <= b for a, b in taken):
                    mentions.append(_plain_mention(text, s, e, para.start, _label_at(doc, s, e)))
                    taken.append((s, e))
        local = {names.key(a.short) for a, _ in definitions}
        for m in _ACRONYM_TOKEN.finditer(text):
            k = names.key(m.group())
            if (k in acronym_map or k in local) and not any(a < m.end() and m.start() < b for a, b in taken):
                mentions.append(_plain_mention(text, m.start(), m.end(), para.start, _label_at(doc, m.start(), m.end())))
                taken.append((m.start(), m.end()))
    shifted = [
        names.Acronym(a.short, a.long, a.short_start + start, a.long_start + start) for a, start in definitions
    ]
    return [m for m in mentions if m.key not in reporters], shifted


def _whole_names(doc):
    """The tagger's entities, with a person's name it cut in two joined again: two PERSON
    spans with nothing between them are one name ("[Zine El] [Abidine Ben Ali]")."""
    from spacy.tokens import Span as SpacySpan

    out = []
    for ent in doc_ents(doc):
        prev = out[-1] if out else None
        if prev is not None and prev.label_ == ent.label_ == "PERSON" and prev.end == ent.start:
            out[-1] = SpacySpan(doc, prev.start, ent.end, label="PERSON")
        else:
            out.append(ent)
    return out


def _label_at(doc, start: int, end: int) -> str:
    for ent in doc_ents(doc):
        if ent.start_char < end and start < ent.end_char and ent.label_ in LABELS:
            return ent.label_
    return "ORG"


def _plain_mention(text: str, s: int, e: int, offset: int, label: str) -> LocalMention:
    surface = text[s:e]
    return LocalMention(offset + s, offset + e, surface, surface, label, names.key(surface))


def _mention(doc, ent, offset: int, max_role_tokens: int = EntitySettings.max_role_tokens) -> LocalMention | None:
    # trim "the", possessive "'s", punctuation and "&" at the edges
    i, j = ent.start, ent.end
    while i < j and (doc[i].lower_ in ("the", "a", "an") or doc[i].is_punct):
        i += 1
    while j > i and (doc[j - 1].is_punct or doc[j - 1].text in ("'s", "’s", "&", "'", "’")):
        j -= 1
    if i >= j or not any(t.text[:1].isupper() for t in doc[i:j]):
        return None
    label = ent.label_
    titles: list[str] = []
    titles_start = i
    if label in PERSONISH:
        # honorifics inside the span ("Seri Mohamed Khaled Nordin")
        inside, rest = names.split_honorifics(doc[i:j].text)
        if inside and label == "PERSON":
            n_words = len(" ".join(inside).split())
            words_seen, k = 0, i
            while k < j and words_seen < n_words:
                if not doc[k].is_punct:
                    words_seen += 1
                k += 1
            while k < j and doc[k].text in ("'", "’"):
                k += 1
            titles, i = list(inside), k
        # honorifics just before the span ("Admiral Dong Jun", "Dato' Seri Mohamed ...")
        before = _titles_before(doc, titles_start)
        if before is not None:
            b_start, b_titles = before
            titles = b_titles + titles
            titles_start = b_start
    lead_roles: list[roles.RoleHit] = []
    if label == "PERSON" and j - i > 2 and doc[i].lower_ in roles.ROLE_WORDS:
        # "Spokeswoman Sandy Angers": the tagger took the role into the name
        k = i
        while k < j - 2 and doc[k].lower_ in roles.ROLE_WORDS:
            k += 1
        lead = doc[i:k]
        lead_roles.append(roles.RoleHit(lead.text, roles.normalise(lead.text), lead.start_char, doc[j - 1].idx + len(doc[j - 1])))
        i = titles_start = k
    if i >= j:
        return None
    if doc[i].lower_ in names.STORM_WORDS and j - i > 1:
        i, label = i + 1, "EVENT"  # "Hurricane Mitch": the storm is Mitch, an event
    elif i > 0 and doc[i - 1].lower_ in names.STORM_WORDS and doc[i - 1].text[:1].isupper():
        label = "EVENT"
    span = doc[i:j]
    key = names.key(span.text)
    if label == "ORG":
        key = names.strip_corporate(key)
    country = None
    if label in ("GPE", "NORP", "LOC", "ORG"):
        country = names.country(span.text)
        if country is not None:
            key = names.key(country.name)
    if not key:
        return None
    hits = lead_roles + (roles.find_roles(doc, i, j, titles_start, max_role_tokens) if label in PERSONISH and country is None else [])
    for t in titles:  # "President Obama": a title that is also a role
        if names.key(t) in roles.ROLE_WORDS:
            first = doc[titles_start]
            hits.append(roles.RoleHit(t, roles.normalise(t), first.idx, span.end_char))
    hits = [roles.RoleHit(h.surface, h.normalised, h.start + offset, h.end + offset) for h in hits]
    return LocalMention(
        span.start_char + offset, span.end_char + offset, span.text, span.text, label, key, titles, hits, country is not None
    )


# "Attorney General Janet Reno": with one of these before it, "General" is part of a role, no rank
ROLE_BEFORE_GENERAL = frozenset({"attorney", "surgeon", "solicitor", "secretary", "inspector", "auditor",
                                 "postmaster", "director", "procurator", "consul", "accountant", "governor"})  # fmt: skip


def _titles_before(doc, i: int) -> tuple[int, list[str]] | None:
    """Honorific tokens directly before token i: (start token, titles as written)."""
    j = i
    while j > 0 and (names.key(doc[j - 1].text) in _HONORIFIC_WORDS or doc[j - 1].text in ("'", "’")):
        if doc[j - 1].lower_ in ("general", "gen") and j >= 2 and doc[j - 2].lower_ in ROLE_BEFORE_GENERAL:
            break
        if doc[j - 1].text in ("'", "’") and (j < 2 or names.key(doc[j - 2].text) not in _HONORIFIC_WORDS):
            break
        if doc[j - 1].text not in ("'", "’") and not doc[j - 1].text[0].isupper():
            break
        j -= 1
    if j == i:
        return None
    text = doc[j:i].text
    titles, rest = names.split_honorifics(text + " X")
    if rest != "X":
        return None
    return j, titles


# -- 2/3. clusters within one article -----------------------------------------------------


@dataclass
class Cluster:
    keys: list[str]
    mentions: list[LocalMention]

    def votes(self) -> Counter:
        return vote(_vote_row(m) for m in self.mentions)

    @property
    def type(self) -> str:
        return self.votes().most_common(1)[0][0]

    @property
    def longest(self) -> list[str]:
        return max((k.split() for k in self.keys), key=len)

    @property
    def honorific(self) -> bool:
        return any(m.titles for m in self.mentions)


def vote(mentions) -> Counter:
    """Weighted type vote: multi-word mentions weigh 1, single words 0.5, honorifics and
    roles add 2 for PERSON, a country name 3 for GPE."""
    votes: Counter = Counter()
    for label, key_, titles, n_roles, country, count in mentions:
        if country:
            votes["GPE"] += 3 * count
            continue
        votes[label] += (1.0 if len(key_.split()) > 1 else 0.5) * count
        if titles or n_roles:
            votes["PERSON"] += 2 * count
    return votes


def _vote_row(m: LocalMention):
    """(label, key, titles, roles, is a country, count) of one mention, for `vote`."""
    return (m.label, m.key, m.titles, len(m.roles), m.country, 1)


def local_clusters(mentions: list[LocalMention], acronym_map: dict[str, str]) -> list[Cluster]:
    by_key: dict[str, list[LocalMention]] = defaultdict(list)
    for m in mentions:
        by_key[acronym_map.get(m.key, m.key)].append(m)
    clusters = [Cluster([k] + sorted({m.key for m in ms} - {k}), ms) for k, ms in by_key.items()]
    # short forms join the one cluster they can stand for, longest first: a person by
    # surname ("Singh"), an organisation by its leading words ("Ford" for "Ford Motor Company")
    clusters.sort(key=lambda c: -len(c.longest))
    merged: list[Cluster] = []
    for c in clusters:
        target = _unique_long_form(c, merged) or _unique_org_prefix(c, merged)
        if target is not None:
            target.keys += [k for k in c.keys if k not in target.keys]
            target.mentions += c.mentions
        else:
            merged.append(c)
    return merged


def _unique_org_prefix(c: Cluster, candidates: list[Cluster]) -> Cluster | None:
    """"Ford" for "Ford Motor Company": an organisation's leading words, where one
    organisation of the article fits. Not a place ("Aldmere", tagged a place somewhere in
    the article, is not "Aldmere Port Authority"), nor an owner ("Estmark" is not "Estmark's
    Port of Aldmere")."""
    if c.type != "ORG" or len(c.longest) > 2 or any(m.country or m.label in PLACE_LABELS for m in c.mentions):
        return None
    short = c.longest
    fits = [
        t
        for t in candidates
        if t.type == "ORG"
        and any(_leads(short, k.split()) for k in t.keys)
        and not _owned_by(short, t)
    ]
    return fits[0] if len(fits) == 1 else None


# institutions named after the place they serve: "Aldmere" before "Port Authority" is a place
PLACE_INSTITUTIONS = frozenset(
    tuple(h.split())
    for h in (
        "chamber of commerce", "port authority", "city council", "county council", "council", "police",
        "police department", "fire department", "city hall", "university", "state university", "airport",
        "government", "parliament", "assembly", "court", "high court", "supreme court", "stock exchange",
        "central bank", "harbour", "harbor", "port", "county", "city", "province", "region", "state",
    )
)  # fmt: skip


def _leads(short: list[str], long: list[str]) -> bool:
    """`short` is the leading words of `long` and the rest is a name of its own, not the
    generic institution of a place ("Ford Motor Company", not "Estmark Chamber of Commerce")."""
    return len(long) > len(short) and long[: len(short)] == short and tuple(long[len(short) :]) not in PLACE_INSTITUTIONS


def _owned_by(short: list[str], c: Cluster) -> bool:
    """Every name of the cluster is written as the short name's possession ("Estmark's ...")."""
    return all(re.match(r"(?:the\s+)?" + r"\W+".join(map(re.escape, short)) + r"['’]s\b", names.fold(m.text)) for m in c.mentions)


def surname_mentions(text: str, clusters: list[Cluster], mentions: list[LocalMention]) -> None:
    """Add the untagged later uses of a person's surname ("Jobs" after "Steve Jobs") to
    that person's cluster, where the surname belongs to no other cluster of the article."""
    taken = [(m.start, m.end) for m in mentions]
    owners: dict[str, list[Cluster]] = defaultdict(list)
    for c in clusters:
        for k in c.keys:
            owners[k.split()[-1]].append(c)
    for c in clusters:
        if c.type != "PERSON" or len(c.longest) < 2:
            continue
        full = max((m for m in c.mentions if m.label == "PERSON"), key=lambda m: len(m.key.split()), default=None)
        if full is None:
            continue
        surname = full.name.split()[-1]
        skey = names.key(surname)
        if len(surname) < 3 or names.country(surname) or len({id(o) for o in owners[skey]}) > 1 or skey in _other_keys(c, clusters):
            continue
        for m in re.finditer(rf"(?<![\w.'’-]){re.escape(surname)}(?![\w'’-]| [A-Z])", text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            before = text[max(0, m.start() - 2) : m.start()]
            if re.search(r"[A-Z]\w* $", text[max(0, m.start() - 30) : m.start()]) and not before.endswith(". "):
                continue  # "Bill Ford", "Ford" after another capitalised word
            added = LocalMention(m.start(), m.end(), surname, surname, "PERSON", skey)
            c.mentions.append(added)
            mentions.append(added)
            taken.append((m.start(), m.end()))


def _other_keys(c: Cluster, clusters: list[Cluster]) -> set[str]:
    return {k for other in clusters if other is not c for k in other.keys}


def _personish_short(c: Cluster) -> bool:
    """Could this cluster be a person's short form? One or two words, no country, tagged
    as something the tagger calls people by mistake (it tags "Singh" GPE or ORG)."""
    return (
        len(c.longest) <= 2
        and not any(m.country for m in c.mentions)
        and all(m.label in PERSONISH for m in c.mentions)
    )


def _fits(short: list[str], full: list[str], first_name: bool) -> bool:
    """Can `short` stand for `full`: by surname, or by the first word when `first_name`
    allows it ("Admiral Dong" for "Dong Jun", "Steve" for "Steve Jobs" inside one article)."""
    if names.is_short_form(short, full):
        return True
    return first_name and len(short) == 1 and len(full) > 1 and short[0] == full[0]


def _unique_long_form(c: Cluster, candidates: list[Cluster]) -> Cluster | None:
    """Within one article a first name may stand for the one full name it begins."""
    if not _personish_short(c):
        return None
    fits = [
        t
        for t in candidates
        if len(t.longest) > len(c.longest)
        and any(_fits(c.longest, k.split(), True) for k in t.keys)
    ]
    fits_person = [t for t in fits if t.type == "PERSON"]
    if len(fits) == 1 and fits_person:
        return fits_person[0]
    return None


# -- 4. across the store -------------------------------------------------------------------


def entity_id(first_key: str) -> str:
    return "ent_" + hashlib.sha1(first_key.encode("utf-8")).hexdigest()[:12]


class ResolveStage:
    name = "entities"

    def batch(self, settings) -> int:
        """Articles resolved per round. A mention links to the entities stored before its round,
        so rounds ending elsewhere can link a few names differently (6 of 17,583 mentions of ECB+
        1-35 at rounds of 50 against 200): the pipeline's chunks hold whole rounds."""
        return settings.entities.batch_size

    def prepare(self, store, article_ids: Sequence[str], settings) -> None:
        """The gazetteers, loaded once per process (1.7 s: geonames, pycountry, the agency
        table), before the first chunk's write transaction instead of inside it (the pipeline
        runner calls this outside it); loading them early changes no result."""
        names.is_place("", settings.entities.place_min_population)
        names.is_agency("")
        names.country("")

    def run(self, store, article_ids: Sequence[str], settings) -> None:
        cfg = settings.entities
        for i in range(0, len(article_ids), cfg.batch_size):
            chunk = list(article_ids[i : i + cfg.batch_size])
            _forget(store, chunk)
            docs = parse_articles(store.articles(chunk), settings, store)
            acronyms = _acronym_map(store)
            touched: set[str] = set()
            for aid in chunk:
                touched |= resolve_article(store, docs[aid], acronyms, cfg)
            refresh(store, touched, cfg)


def _forget(store, article_ids: list[str]) -> None:
    """Idempotence: drop what an earlier run stored for these articles."""
    for aid in article_ids:
        store.conn.execute("DELETE FROM entity_mentions WHERE article_id = ?", (aid,))
        store.conn.execute("DELETE FROM entity_roles WHERE article_id = ?", (aid,))


def _acronym_map(store) -> dict[str, str]:
    return {r[0]: r[1] for r in store.conn.execute("SELECT short_key, long_key FROM acronyms")}


def resolve_article(store, adoc, acronym_map: dict[str, str] | None = None, cfg: EntitySettings | None = None) -> set[str]:
    """Resolve one parsed article into the store's entities; returns the entity ids touched.
    `acronym_map` (short key -> long key, as stored) is updated with what the article defines."""
    article = adoc.article
    acronym_map = _acronym_map(store) if acronym_map is None else acronym_map
    mentions, definitions = article_mentions(adoc, acronym_map, cfg)
    local_map = dict(acronym_map)  # the article's own definitions win inside it
    for acr in definitions:
        short_key, long_key = names.key(acr.short), names.key(acr.long)
        if short_key and long_key and short_key != long_key:
            local_map[short_key] = acronym_map.get(long_key, long_key)
            acronym_map.setdefault(short_key, local_map[short_key])
            store.conn.execute(
                'INSERT OR IGNORE INTO acronyms (short_key, long_key, short, long, article_id, start, "end") '
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (short_key, long_key, acr.short, acr.long, article.id, acr.long_start, acr.long_end),
            )
    touched: set[str] = set()
    clusters = local_clusters(mentions, local_map)
    surname_mentions(article.clean_text, clusters, mentions)
    for cluster in clusters:
        eid = _link(store, cluster, article.id)
        _attach(store, eid, cluster, article)
        touched.add(eid)
    return touched


def _owner(store, key: str) -> str | None:
    row = store.conn.execute("SELECT entity_id FROM entity_keys WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def _owners(store, keys: list[str]) -> list[str]:
    """The entities owning these keys, in the keys' order, each once (`_owner` of each, in
    one statement)."""
    owner = dict(store.select_in("SELECT key, entity_id FROM entity_keys WHERE key IN ({marks})", keys))
    return list(dict.fromkeys(owner[k] for k in keys if owner.get(k)))


def _global_keys(cluster: Cluster) -> list[str]:
    """The keys that name a cluster across the store. A person's short forms ("singh") are
    not among them: "Singh" is Rajnath Singh in one article and may be Manmohan Singh in
    the next, so a short form is matched by `_person_candidates`, never owned."""
    if cluster.type != "PERSON":
        return cluster.keys
    longest = cluster.longest
    return [k for k in cluster.keys if not _fits(k.split(), longest, True)] or [" ".join(longest)]


def _link(store, cluster: Cluster, article_id: str) -> str:
    owners = _owners(store, _global_keys(cluster))
    # across articles an organisation's name ("Ford" alone) is not taken for a person's
    may_be_short = _personish_short(cluster) and cluster.type != "ORG"
    if not owners and (cluster.type == "PERSON" or may_be_short):
        owners = _person_candidates(store, cluster.longest, cluster.honorific, may_be_short, cluster.type == "PERSON")
    if owners:
        survivor = owners[0] if len(owners) == 1 else _oldest(store, owners)
        for other in owners:
            if other != survivor:
                merge(store, other, survivor, "shared name", article_id)
        return survivor
    eid = entity_id(cluster.keys[0])
    store.conn.execute(
        "INSERT OR IGNORE INTO entities (id, seq, name, type, created_at) "
        "VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM entities), ?, ?, ?)",
        (eid, cluster.mentions[0].name, cluster.type, utcnow()),
    )
    return eid


def _person_candidates(store, mine: list[str], honorific: bool, may_be_short: bool, is_person: bool) -> list[str]:
    """The one stored person whose name `mine` shortens (when `may_be_short`), or whose
    short-form-only name `mine` completes (when `is_person`); [] when none or several.
    An entity qualifies only if every name it has is compatible with `mine`."""
    rows = store.conn.execute(
        "SELECT DISTINCT k.entity_id, e.type FROM entity_keys k JOIN entities e ON e.id = k.entity_id "
        "WHERE k.last_token = ? OR k.first_token = ?",
        (mine[-1], mine[0]),
    ).fetchall()
    found: list[str] = []
    for row in rows:
        keys = [r[0].split() for r in store.conn.execute("SELECT key FROM entity_keys WHERE entity_id = ?", (row[0],))]
        longer = may_be_short and row["type"] == "PERSON" and any(_fits(mine, k, honorific) for k in keys)
        shorter = is_person and all(len(k) <= 2 and not names.country(" ".join(k)) for k in keys) and any(
            _fits(k, mine, False) for k in keys
        )
        compatible = all(k == mine or _fits(k, mine, False) or _fits(mine, k, honorific) for k in keys)
        if (longer or shorter) and compatible:
            found.append(row[0])
    return found if len(found) == 1 else []


def _oldest(store, ids: list[str]) -> str:
    marks = ",".join("?" * len(ids))
    return store.conn.execute(f"SELECT id FROM entities WHERE id IN ({marks}) ORDER BY seq LIMIT 1", ids).fetchone()[0]


def merge(store, younger: str, older: str, reason: str, article_id: str | None = None) -> None:
    """Fold entity `younger` into `older`: keys, mentions, roles move; the row stays with
    merged_into set, and the merge is recorded."""
    for table in ("entity_keys", "entity_mentions", "entity_roles"):
        store.conn.execute(f"UPDATE {table} SET entity_id = ? WHERE entity_id = ?", (older, younger))
    store.conn.execute("UPDATE entities SET merged_into = ? WHERE id = ?", (older, younger))
    store.conn.execute("UPDATE entities SET merged_into = ? WHERE merged_into = ?", (older, younger))
    store.conn.execute(
        "INSERT INTO entity_merges (merged, into_id, reason, article_id, at) VALUES (?, ?, ?, ?, ?)",
        (younger, older, reason, article_id, utcnow()),
    )


def _attach(store, eid: str, cluster: Cluster, article) -> None:
    """The cluster's keys, mentions and roles stored under `eid`: one statement per table
    (executemany), rows in the order they were found."""
    keys = [(k, eid, *_end_tokens(k)) for k in _global_keys(cluster)]
    store.conn.executemany(
        "INSERT OR IGNORE INTO entity_keys (key, entity_id, first_token, last_token) VALUES (?, ?, ?, ?)", keys
    )
    text = article.clean_text
    store.conn.executemany(
        'INSERT INTO entity_mentions (entity_id, article_id, start, "end", text, name, titles, label, key) '
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (eid, article.id, m.start, m.end, text[m.start : m.end], m.name, "|".join(m.titles), m.label, m.key)
            for m in cluster.mentions
        ],
    )
    store.conn.executemany(
        'INSERT INTO entity_roles (entity_id, article_id, start, "end", text, surface, normalised) '
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(eid, article.id, r.start, r.end, text[r.start : r.end], r.surface, r.normalised) for m in cluster.mentions for r in m.roles],
    )


def _end_tokens(key: str) -> tuple[str, str]:
    words = key.split()
    return words[0], words[-1]


# -- 5. type and name ----------------------------------------------------------------------


def _by_gazetteer(rows, n_roles: int, min_population: int = EntitySettings.place_min_population) -> str | None:
    """The type the gazetteers give an entity, overriding the tagger's vote: a wire agency is
    an organisation (never a person); a storm ("Hurricane Mitch": its mentions were read as
    EVENT) is an event; a name that is a city, region or landmark ("Java", "Wasilla") is a
    place — unless some mention shows a person (a full personal name, a title or a role:
    "Obama" and "Page" are also towns)."""
    keys = {r["key"] for r in rows}
    if any(names.is_agency(k) for k in keys):
        return "ORG"
    # a full personal name is evidence of a person, unless that name is itself a place ("Bandar Abbas")
    personal = n_roles or any(r["titled"] for r in rows) or any(
        r["label"] == "PERSON" and len(r["key"].split()) > 1 and not names.is_place(r["key"], min_population) for r in rows
    )
    if personal:
        return None
    if all(names.country(k) is not None for k in keys):
        return "NORP" if all(names.is_demonym(k) for k in keys) else "GPE"  # "Greeks", "Briton"
    if any(r["label"] == "EVENT" for r in rows) and all(len(k.split()) <= 2 for k in keys):
        return "EVENT"
    if any(r["label"] in ("PERSON", "ORG") for r in rows) and all(names.is_place(k, min_population) for k in keys):
        return "GPE"
    return None


def refresh(store, entity_ids: set[str], cfg: EntitySettings | None = None) -> None:
    """Recompute type (weighted vote) and display name of the given entities. The votes read
    the mentions' counts per (label, key, name, titled), which triggers keep in entity_forms
    (migration 0290), so a country with a million mentions costs a handful of rows, and a
    batch does not re-read the earlier mentions of the people its story keeps naming. The
    rows come in key order, as the GROUP BY over the mentions gave them: ties in the
    display name go to the first form. The forms and role counts of all the entities are
    read in two statements (per 500), not two per entity."""
    cfg = cfg or EntitySettings()
    ids = sorted(entity_ids)
    form_rows: dict[str, list] = defaultdict(list)  # each entity's rows, read for all of them at once
    for r in store.select_in(
        "SELECT entity_id, label, key, name, titled, n FROM entity_forms WHERE entity_id IN ({marks}) AND n > 0 "
        "ORDER BY entity_id, label, key, name, titled",
        ids,
    ):
        form_rows[r["entity_id"]].append(r)
    roles = dict(
        store.select_in("SELECT entity_id, COUNT(*) FROM entity_roles WHERE entity_id IN ({marks}) GROUP BY entity_id", ids)
    )
    for eid in ids:
        rows = form_rows.get(eid)
        if not rows:
            continue
        n_roles = roles.get(eid, 0)
        countries = {r["key"]: names.country(r["key"]) for r in rows}
        votes = vote(
            (r["label"], r["key"], r["titled"], 0, countries[r["key"]] is not None and r["label"] != "PERSON", r["n"])
            for r in rows
        )
        votes["PERSON"] += cfg.role_votes * n_roles
        type_ = _by_gazetteer(rows, n_roles, cfg.place_min_population) or votes.most_common(1)[0][0]
        country = next((c for c in countries.values() if c is not None), None)
        if type_ == "GPE" and country is not None:
            name = country.name
        else:
            forms: Counter = Counter()
            for r in rows:
                forms[r["name"]] += r["n"]
            forms = Counter({f: n for f, n in forms.items() if not names.is_demonym(f)}) or forms
            name = max(forms, key=lambda f: (len(names.key(f).split()), forms[f], -len(f)))
        store.conn.execute("UPDATE entities SET type = ?, name = ? WHERE id = ?", (type_, name, eid))


# -- reading -------------------------------------------------------------------------------


def load_entities(store, article_ids: Sequence[str] | None = None, mentions: bool = True) -> list[Entity]:
    """Resolved entities, most mentioned first. With `article_ids`: the entities mentioned
    in those articles, with their mentions and roles in those articles only (filtered in
    SQL: three statements per 500 articles, whatever the number of entities). `mentions`
    False (with `article_ids`): the same entities in the same order, with their roles but
    no mentions, aliases or titles (`_named_entities`)."""
    if article_ids is None:
        ids = [r[0] for r in store.conn.execute("SELECT id FROM entities WHERE merged_into IS NULL")]
        return sorted(_load(store, ids), key=lambda e: (-len(e.mentions), e.name))
    wanted = list(dict.fromkeys(article_ids))
    if not mentions:
        return _named_entities(store, wanted)
    mentions = _span_rows(store, "entity_mentions", MENTION_COLUMNS, "article_id", wanted)
    roles = _span_rows(store, "entity_roles", ROLE_COLUMNS, "article_id", wanted)
    ids = list(dict.fromkeys(r["entity_id"] for r in mentions))
    return sorted(_entities(store, ids, mentions, roles), key=lambda e: (-len(e.mentions), e.name))


def _named_entities(store, article_ids: list[str]) -> list[Entity]:
    """The entities mentioned in these articles with their names and roles there, ordered
    as `load_entities` orders them (most mentioned, then name, then first mention), the
    mentions counted in SQL: corroborating a story of thousands of articles reads its
    people's roles, not their tens of thousands of mentions."""
    count: dict[str, int] = defaultdict(int)
    first: dict[str, tuple] = {}
    rows = store.select_in(
        'SELECT entity_id, COUNT(*), MIN(article_id || char(31) || printf(\'%012d\', start)) FROM entity_mentions '
        "WHERE article_id IN ({marks}) GROUP BY entity_id",
        article_ids,
    )
    for eid, n, at in rows:
        count[eid] += n
        article, start = at.rsplit("\x1f", 1)
        first[eid] = min(first.get(eid, (article, int(start))), (article, int(start)))
    ids = sorted(first, key=first.__getitem__)  # first-mention order, as `load_entities` collects them
    roles = _span_rows(store, "entity_roles", ROLE_COLUMNS, "article_id", article_ids)
    entities = _entities(store, ids, [], roles)
    return sorted(entities, key=lambda e: (-count[e.id], e.name))


MENTION_COLUMNS = "text, name, titles, label"
ROLE_COLUMNS = "text, surface, normalised"


def _span_rows(store, table: str, columns: str, key: str, values: Sequence[str]) -> list:
    """Rows of a span table (mentions, roles) whose `key` column is one of `values`."""
    rows = store.select_in(
        f'SELECT entity_id, article_id, start, "end", {columns} FROM {table} WHERE {key} IN ({{marks}})', values
    )
    return sorted(rows, key=lambda r: (r["article_id"], r["start"]))


def _load(store, ids: list[str]) -> list[Entity]:
    """Entities with all their mentions and roles."""
    mentions = _span_rows(store, "entity_mentions", MENTION_COLUMNS, "entity_id", ids)
    roles = _span_rows(store, "entity_roles", ROLE_COLUMNS, "entity_id", ids)
    return _entities(store, ids, mentions, roles)


def _entities(store, ids: list[str], mentions: list, roles: list) -> list[Entity]:
    by_entity: dict[str, tuple[list, list]] = {eid: ([], []) for eid in ids}
    for r in mentions:
        if r["entity_id"] in by_entity:
            by_entity[r["entity_id"]][0].append(r)
    for r in roles:
        if r["entity_id"] in by_entity:
            by_entity[r["entity_id"]][1].append(r)
    heads = {r["id"]: r for r in store.select_in("SELECT id, name, type FROM entities WHERE id IN ({marks})", ids)}
    out = []
    for eid in ids:
        row = heads.get(eid)
        if row is None:
            continue
        mrows, rrows = by_entity[eid]
        aliases = _aliases(row["name"], mrows)
        titles = list(dict.fromkeys(t for r in mrows for t in r["titles"].split("|") if t))
        out.append(
            Entity(
                id=row["id"],
                name=row["name"],
                type=row["type"],
                aliases=aliases,
                titles=titles,
                roles=[
                    Role(r["surface"], r["normalised"], Span(r["article_id"], r["start"], r["end"], r["text"]))
                    for r in rrows
                ],
                mentions=[Mention(r["article_id"], r["start"], r["end"], r["text"], r["label"]) for r in mrows],
            )
        )
    return out


def entity_dict(entity: Entity) -> dict:
    """An entity as JSON (the brief's `entities` items, plus titles and a mention count).
    Roles are grouped by normalised form; conflicting roles stay apart, each with its articles."""
    grouped: dict[str, dict] = {}
    for role in entity.roles:
        item = grouped.setdefault(role.normalised, {"role": role.normalised, "surfaces": [], "articles": []})
        if role.surface not in item["surfaces"]:
            item["surfaces"].append(role.surface)
        if role.evidence.article not in item["articles"]:
            item["articles"].append(role.evidence.article)
    return {
        "id": entity.id,
        "name": entity.name,
        "type": entity.type,
        "aliases": entity.aliases,
        "titles": entity.titles,
        "roles": [{**item, "articles": sorted(item["articles"])} for item in grouped.values()],
        "articles": entity.articles,
        "mentions": len(entity.mentions),
    }


def survivors(store, ids: Iterable[str]) -> dict[str, str]:
    """Merged-away id -> the entity it was folded into, for those of `ids` merged away (one
    step: `merge` repoints earlier merges, so no chain is longer)."""
    sql = "SELECT id, merged_into FROM entities WHERE merged_into IS NOT NULL AND id IN ({marks})"
    rows = store.select_in(sql, sorted(set(ids)))
    return {r[0]: r[1] for r in rows}


def _aliases(name: str, mrows) -> list[str]:
    """An entity's other names, from its mentions' rows (name, text, titles)."""
    return list(
        dict.fromkeys(
            f
            for r in mrows
            for f in (r["name"], r["text"], " ".join(r["titles"].split("|") + [r["name"]]).strip())
            if f != name and not names.is_demonym(f)
        )
    )


def live_id(store, eid: str) -> str | None:
    """The id of the entity `eid` names now: itself, or the entity it was merged into (None:
    no such entity)."""
    seen = set()
    while eid and eid not in seen:
        seen.add(eid)
        row = store.conn.execute("SELECT merged_into FROM entities WHERE id = ?", (eid,)).fetchone()
        if row is None:
            return None
        if row[0] is None:
            return eid
        eid = row[0]
    return None


def get(store, eid: str) -> Entity | None:
    """An entity by id; a merged-away id leads to the entity it was merged into."""
    eid = live_id(store, eid)
    loaded = _load(store, [eid]) if eid is not None else []
    return loaded[0] if loaded else None


def name_forms(store, eid: str) -> tuple[str, list[str]] | None:
    """(id, [name, *aliases]) of the entity `eid` names now, the names `get` would give it,
    read without its mentions' spans and roles: an entity named in every article carries
    every mention in the store, and loading them all per stage run grew with the store."""
    eid = live_id(store, eid)
    head = store.conn.execute("SELECT name FROM entities WHERE id = ?", (eid,)).fetchone() if eid is not None else None
    if head is None:
        return None
    rows = store.conn.execute(
        "SELECT DISTINCT name, text, titles FROM entity_mentions WHERE entity_id = ?", (eid,)
    ).fetchall()
    return eid, [head[0], *_aliases(head[0], rows)]


def entity_at(store, article_id: str, start: int, end: int) -> Entity | None:
    """The resolved entity that the phrase clean_text[start:end] names: the mention at the
    phrase's head if there is one (its end, or before its first comma: "United States
    airframer Boeing" -> Boeing, "Joe Leonard, chairman of AirTran" -> Joe Leonard), else
    the mention that overlaps it most."""
    eid = entity_id_at(store, article_id, start, end)
    return get(store, eid) if eid is not None else None


def entity_id_at(store, article_id: str, start: int, end: int) -> str | None:
    """The id `entity_at` loads (as the mention stores it: `get` follows a merge), without
    loading the entity: a caller resolving many phrases loads each entity once."""
    rows = store.conn.execute(
        'SELECT m.entity_id, m.start, m."end", a.clean_text FROM entity_mentions m JOIN articles a ON a.id = m.article_id '
        'WHERE m.article_id = ? AND m.start < ? AND m."end" > ?',
        (article_id, end, start),
    ).fetchall()
    if not rows:
        return None
    phrase = rows[0]["clean_text"][start:end]
    head_end = start + phrase.index(",") if "," in phrase else end
    while head_end > start and not rows[0]["clean_text"][head_end - 1].isalnum():
        head_end -= 1

    def rank(r):
        overlap = min(end, r["end"]) - max(start, r["start"])
        return (r["end"] == head_end, overlap, -(r["end"] - r["start"]))

    return max(rows, key=rank)["entity_id"]


def article_entities(store, article_id: str) -> list[tuple[str, str, int]]:
    """(entity id, type, mention count) of the entities an article mentions, most first."""
    rows = store.conn.execute(
        "SELECT m.entity_id, e.type, COUNT(*) AS n FROM entity_mentions m JOIN entities e ON e.id = m.entity_id "
        "WHERE m.article_id = ? GROUP BY m.entity_id ORDER BY n DESC, m.entity_id",
        (article_id,),
    ).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


def find(store, name: str) -> Entity | None:
    """An entity by id, name or alias (compared by names.key; acronyms and demonyms too)."""
    if name.startswith("ent_"):
        found = get(store, name)
        if found is not None:
            return found
    k = names.key(name)
    country = names.country(name)
    candidates = [k, names.key(country.name) if country else None, names.strip_corporate(k)]
    acronym = store.conn.execute("SELECT long_key FROM acronyms WHERE short_key = ?", (k,)).fetchone()
    if acronym:
        candidates.append(acronym[0])
    titles, rest = names.split_honorifics(name)
    candidates.append(names.key(rest))
    for cand in candidates:
        if cand:
            owner = _owner(store, cand)
            if owner:
                return get(store, owner)
    tokens = names.key(rest).split()
    if tokens:  # a short form: the one person it can stand for
        found = _person_candidates(store, tokens, True, True, False)
        if found:
            return get(store, found[0])
    return None
