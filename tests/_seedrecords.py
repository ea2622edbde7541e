"""Records built by hand from the real seed texts, for unit tests of corroboration and the
brief that must not depend on the later stages. The articles are the seeds as ingested
(cleaned) by newsweave; every span is located in their clean text, so offsets are exact."""

from __future__ import annotations

import functools

from newsweave.records import Article, Span

from conftest import seed_file

@functools.lru_cache(maxsize=1)
def ingested_store():
    """An in-memory store holding the five seeds, ingested (not analysed). Read-only."""
    import newsweave

    ws = newsweave.open(":memory:")
    ws.ingest([seed_file(p) for p in ("000", "001", "002", "003", "004")])
    return ws.store


def _ingested() -> dict[str, Article]:
    out = {}
    for article in ingested_store().articles():
        name = article.sightings[0].source.replace("\\", "/").split("/")[-1]
        out[name[:3]] = article
    return out


def seed_article(prefix: str) -> Article:
    """Seed `prefix` ("000".."004") as an Article, cleaned by the ingest stage."""
    return _ingested()[prefix]


def span(article: Article, phrase: str, nth: int = 0) -> Span:
    """The `nth` occurrence of `phrase` in the article's clean text, as evidence."""
    start = -1
    for _ in range(nth + 1):
        start = article.clean_text.index(phrase, start + 1)
    return Span(article.id, start, start + len(phrase), phrase)


def sentence(article: Article, phrase: str) -> Span:
    """The whole sentence of the clean text that contains `phrase`."""
    text = article.clean_text
    i = text.index(phrase)
    dot = text.rfind(". ", 0, i)
    start = max(dot + 2 if dot != -1 else 0, text.rfind("\n", 0, i) + 1)
    ends = [j for j in (text.find(". ", i + len(phrase)), text.find("\n", i + len(phrase))) if j != -1]
    end = min(ends) + 1 if ends else len(text)
    if text[end - 1] == "\n":
        end -= 1
    return Span(article.id, start, end, text[start:end])


def seed_records():
    """(articles, families, entities, events, quotes) of the seeds, as the other stages are
    specified to give them (issues 3, 4, 6), every span located in the real text."""
    from newsweave.records import Entity, Event, Mention, Quote, Role, TimeValue

    a = {p: seed_article(p) for p in ("000", "001", "002", "003", "004")}
    ids = {p: art.id for p, art in a.items()}
    families = {ids["000"]: "F1", ids["001"]: "F1", ids["003"]: "F1", ids["004"]: "F4", ids["002"]: "F2"}

    def role(p, surface, normalised):
        return Role(surface, normalised, span(a[p], surface))

    def mention(p, text, label="PERSON"):
        s = span(a[p], text)
        return Mention(s.article, s.start, s.end, s.text, label)

    singh = Entity("e-singh", "Rajnath Singh", "PERSON", aliases=["Singh"],
                   roles=[role("000", "Defence Minister", "defence minister"), role("004", "Defence Minister", "defence minister")],
                   mentions=[mention(p, "Rajnath Singh") for p in ("000", "001", "002", "003", "004")])
    hegseth = Entity("e-hegseth", "Pete Hegseth", "PERSON", aliases=["Hegseth"],
                     roles=[role("000", "US Secretary of War", "secretary of war"),
                            role("001", "US Secretary of War", "secretary of war"),
                            role("003", "US Secretary of War", "secretary of war"),
                            role("004", "US Secretary of War", "secretary of war"),
                            role("002", "US Secretary of Defence", "secretary of defence")],
                     mentions=[mention(p, "Pete Hegseth") for p in ("000", "001", "002", "003", "004")])
    nordin = Entity("e-nordin", "Mohamed Khaled Nordin", "PERSON", aliases=["Khaled Nordin", "Seri Mohamed Khaled Nordin"],
                    titles=["Dato' Seri"],
                    roles=[role("001", "Defence Minister of Malaysia", "defence minister"),
                           role("002", "Malaysian Defence Minister", "defence minister")],
                    mentions=[mention("001", "Mohamed Khaled Nordin"), mention("002", "Khaled Nordin")])
    dong = Entity("e-dong", "Dong Jun", "PERSON", titles=["Admiral"],
                  roles=[role("000", "Chinese Defence Minister", "defence minister"),
                         role("000", "China’s Minister of National Defence", "minister of national defence")],
                  mentions=[mention("000", "Dong Jun")])
    reddy = Entity("e-reddy", "B.N. Reddy", "PERSON", aliases=["B N Reddy"],
                   roles=[role("000", "India’s High Commissioner to Malaysia", "high commissioner to malaysia")],
                   mentions=[mention("000", "B.N. Reddy"), mention("001", "B N Reddy"), mention("003", "B.N. Reddy")])
    chan = Entity("e-chan", "Chan Chun Sing", "PERSON", roles=[role("004", "Singapore Defence Minister", "defence minister")],
                  mentions=[mention("004", "Chan Chun Sing")])
    entities = [singh, hegseth, nordin, dong, reddy, chan]

    d30 = TimeValue("2025-10-30", "on Thursday", "2025-10-31", "published")
    d31 = TimeValue("2025-10-31", "on Friday", "2025-10-31", "published")
    n1 = TimeValue("2025-11-01", "November 1", "2025-10-31", "published")
    meet = Event("ev-meet", "meet", ["e-singh"], ["e-hegseth"], place="Kuala Lumpur", date=d31, status="occurred", evidence=[
        sentence(a["000"], "Rajnath Singh on Friday held a meeting with US Secretary of War Pete Hegseth"),
        sentence(a["001"], "Earlier in the day, Singh met US Secretary of War Pete Hegseth"),
        sentence(a["003"], "Defence Minister Rajnath Singh on Friday met US Secretary of War Pete Hegseth"),
        sentence(a["004"], "Earlier in the day, Rajnath Singh met US Secretary of War Pete Hegseth"),
    ], linked=["ev-meet-planned"])
    meet_planned = Event("ev-meet-planned", "meet", ["e-singh"], ["e-hegseth"], place="Kuala Lumpur",
                         status="planned", evidence=[sentence(a["002"], "is scheduled to meet with US Secretary of Defence Pete Hegseth")],
                         linked=["ev-meet"])
    sign = Event("ev-sign", "sign", ["e-singh"], ["e-hegseth"], object="Framework for the US-India Major Defence Partnership",
                 place="Kuala Lumpur", date=d31, evidence=[
                     sentence(a["001"], "the two leaders signed a 10-year ‘Framework"),
                     sentence(a["003"], "the two leaders signed a 10-year ‘Framework"),
                     sentence(a["004"], "both leaders signed the 'Framework"),
                 ])
    arrive = Event("ev-arrive", "arrive", ["e-singh"], place="Malaysia", date=d30, evidence=[
        sentence(a["000"], "Earlier on Thursday, Defence Minister Rajnath Singh arrived in Malaysia"),
        sentence(a["001"], "Singh arrived in Malaysia on Thursday"),
        sentence(a["003"], "Earlier on Thursday, Singh arrived in Malaysia"),
    ])
    dong_meet = Event("ev-dong", "meet", ["e-hegseth"], ["e-dong"], date=d31, evidence=[
        sentence(a["000"], "Today, I met with China’s Minister of National Defence Admiral Dong Jun"),
    ])
    chan_meet = Event("ev-chan", "meet", ["e-singh"], ["e-chan"], place="Kuala Lumpur", date=d31, evidence=[
        sentence(a["004"], "Defence Minister Rajnath Singh held a bilateral meeting with Singapore Defence Minister Chan Chun Sing"),
    ])
    admm = Event("ev-admm", "convene", [], object="12th ADMM-Plus", place="Kuala Lumpur", date=n1, status="planned", evidence=[
        sentence(a["000"], "scheduled to begin on November 1"),
        sentence(a["003"], "scheduled to begin on November 1"),
        sentence(a["004"], "is scheduled to be held on November 1"),
    ])
    events = [meet, meet_planned, sign, arrive, dong_meet, chan_meet, admm]

    post = "Had a fruitful meeting with my US counterpart Secretary of War Pete Hegseth in Kuala Lumpur."
    quotes = [
        Quote("e-singh", post, "X", [span(a["001"], post)]),
        Quote("e-singh", post, "X", [span(a["003"], post)]),
        Quote("e-singh", "It is a signal of our growing strategic convergence and will herald a new decade of partnership.",
              "said", [span(a["004"], "It is a signal of our growing strategic convergence and will herald a new decade of partnership. Defence will remain as the major pillar of our bilateral relations. Our partnership is critical for ensuring a free, open and rules-bound Indo-Pacific region,")]),
        Quote("e-hegseth", "Today, I met with China’s Minister of National Defence Admiral Dong Jun", "X",
              [span(a["000"], "Today, I met with China’s Minister of National Defence Admiral Dong Jun")]),
    ]
    return list(a.values()), families, entities, events, quotes
