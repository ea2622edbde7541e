"""What the story clusterer sees of an article: lemma counts, entities, years, place.

    features = article_features(parsed)       # one ArticleDoc from nlp.parse_articles
    features.terms      {lemma: count}        content words (nouns, verbs, adjectives, names, numbers)
    features.entities   {key: (type, count)}  people, organisations, places, ... by a normalised key
    features.years      sorted years the text mentions (in DATE entities)
    features.published  the article's date, when known
    features.place      the dateline place, normalised

The features are small and JSON-serialisable, so the cluster stage stores them once per
article and never needs spaCy again (consolidation, re-clustering, evaluation in another
order). Entities come from one function, `entity_counts`: spaCy's entities with a simple
key. The resolve stage's entities (`resolve.article_entities`) were tried in their place
and lost 0.02 B-cubed F1 on ECB+ (docs/stories.md).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from sys import intern  # the stories index holds every stored article's terms: one string per lemma, not one per article
from dataclasses import dataclass, field

from ..text import MONTH_ABBREVIATIONS
from ..text import key as name_key
from ..text import reporter_keys
from ..nlp import ArticleDoc

# Parts of speech whose lemmas carry the topic of a news report.
CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "NUM"})
# Entity types that name a participant, place or occasion of the happening.
ENTITY_TYPES = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "WORK_OF_ART", "PRODUCT", "LAW"})
YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
MONTH = re.compile(rf"\b({'|'.join(MONTH_ABBREVIATIONS)})[a-z]*\.?\b|\b\d{{4}}-\d\d-\d\d\b", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


@dataclass
class ArticleFeatures:
    article: str
    terms: dict[str, int] = field(default_factory=dict)
    entities: dict[str, tuple[str, int, str]] = field(default_factory=dict)  # key -> (type, count, name)
    years: list[int] = field(default_factory=list)
    dated_years: list[int] = field(default_factory=list)  # years written with a month: "Sept. 18, 2013"
    published: dt.date | None = None
    place: str | None = None
    title: str | None = None
    lede: str | None = None  # the first sentence of the body: a label when there is no title

    def to_json(self) -> dict:
        return {
            "terms": self.terms,
            "entities": {k: list(v) for k, v in self.entities.items()},
            "years": self.years,
            "dated_years": self.dated_years,
            "published": self.published.isoformat() if self.published else None,
            "place": self.place,
            "title": self.title,
            "lede": self.lede,
        }

    @classmethod
    def from_json(cls, article: str, data: dict) -> "ArticleFeatures":
        return cls(
            article=article,
            terms={intern(k): v for k, v in data["terms"].items()},
            entities={intern(k): (intern(v[0]), *v[1:]) for k, v in data["entities"].items()},
            years=data["years"],
            dated_years=data.get("dated_years", []),
            published=dt.date.fromisoformat(data["published"]) if data["published"] else None,
            place=data["place"],
            title=data["title"],
            lede=data.get("lede"),
        )


def entity_counts(parsed: ArticleDoc) -> dict[str, tuple[str, int, str]]:
    """{key: (type, count, name)} of the article's named participants (name: the longest
    form written).

    spaCy's entities keyed by their normalised text; a person is keyed by the last word of
    the name so that "Tara Reid" and "Reid" meet. The outlet and the wire agency are not
    participants: "told the Gazette" in a Riverside Gazette report, "Reuters" in a credit
    line would otherwise lead the article's entities. (Resolved entities from
    `resolve.article_entities` were measured here and clustered worse: docs/stories.md.)
    """
    counts: Counter[str] = Counter()
    types: dict[str, str] = {}
    names: dict[str, str] = {}
    reporters = reporter_keys(parsed.article.outlet, parsed.article.agency)
    for para in parsed.paragraphs:
        for ent in para.doc.ents:
            if ent.label_ not in ENTITY_TYPES:
                continue
            key = name_key(ent.text)
            if ent.label_ == "PERSON" and " " in key:
                key = key.rsplit(" ", 1)[1]
            if len(key) < 2 or key in reporters:
                continue
            counts[key] += 1
            types.setdefault(key, ent.label_)
            name = _SPACES.sub(" ", ent.text).strip()
            if len(name) > len(names.get(key, "")):
                names[key] = name
    return {k: (types[k], c, names[k]) for k, c in counts.items()}


def article_features(parsed: ArticleDoc) -> ArticleFeatures:
    article = parsed.article
    terms: Counter[str] = Counter()
    years: set[int] = set()
    dated_years: set[int] = set()
    lede = None
    for para_start, sent in parsed.sents():
        start, end = para_start + sent.start_char, para_start + sent.end_char
        if end > article.body_start and article.clean_text[max(start, article.body_start) : end].strip():
            lede = article.clean_text[max(start, article.body_start) : end].strip()
            break
    for para in parsed.paragraphs:
        for tok in para.doc:
            if tok.pos_ not in CONTENT_POS or tok.is_stop or tok.is_punct:
                continue
            if not (tok.is_alpha or tok.like_num) or len(tok.text) < 2:
                continue
            terms[intern(tok.lemma_.lower())] += 1
        for ent in para.doc.ents:
            if ent.label_ == "DATE":
                found = [int(y) for y in YEAR.findall(ent.text)]
                years.update(found)
                if MONTH.search(ent.text):
                    dated_years.update(found)
    return ArticleFeatures(
        article=article.id,
        terms=dict(terms),
        entities=entity_counts(parsed),
        years=sorted(years),
        dated_years=sorted(dated_years),
        published=article.published,
        place=name_key(article.dateline) if article.dateline else None,
        title=article.title,
        lede=lede,
    )
