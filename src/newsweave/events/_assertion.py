"""Does the sentence assert the activity a trigger names? Read from the dependency parse.

    assertion(trigger) -> Assertion(asserted, reason, reporter)

A trigger word is an event of the news only when its clause, and every clause above it,
states it as what happened (or is planned). It is not asserted inside:

- a restrictive relative clause or participle modifier, which describes a noun ("the church
  attended by Sarah Palin", "the contract he signed", "plans announced in January") — a
  non-restrictive one set off by a comma still states its clause ("Bank of America and
  JPMorgan, who announced …"; "the ADMM-Plus, being held in Kuala Lumpur, …");
- a conditional or purpose clause ("if they visit", "unless … agree", "in order to meet");
- a clause under a demand, wish or belief ("urged X to attend", "called for talks",
  "insisted that the union agree", "believes the Nationals do not expect to sign") or a
  modal of obligation or possibility ("must take part", "should visit", "may be signed");
- the content of a noun ("reports that his talks …", "calls for the prime minister to …");
- a clause under a denial or a negated verb ("denied that he met", "did not say whether");
- a question.

A clause under a verb of saying ("a spokesman said X met Y", "Kader claimed that he had
visited") is asserted by its reporter, not by the news: `reporter` is that verb's subject
token and `claimed` says whether the verb doubts its clause (claim, allege, insist); the
events stage makes it a `reported` claim with its source, except a participant's own plain
account ("Hegseth posted: 'I met with …'").

A nominal trigger ("talks", "meeting") is an event only where the sentence presents the
happening itself: carried by a light verb (read as a verbal trigger), the subject of a verb
of taking place ("the meeting ended"), a time or place phrase ("at a 1972 meeting with …",
"after talks with …"), or a headline. As the object of another verb ("brokering talks
between Lisbon and Jakarta", "calls for talks") it is that verb's business, not news.
"""

from __future__ import annotations

from dataclasses import dataclass

SAYING = {"say", "tell", "state", "claim", "allege", "report", "add", "confirm", "insist", "write", "note", "explain",
          "announce", "declare", "reveal", "disclose", "acknowledge", "admit", "assert", "maintain", "contend", "argue",
          "testify", "quote", "indicate", "recall", "stress", "tweet", "post"}  # fmt: skip
# a clause under these is not stated as fact by anyone
NOT_STATED = {"deny", "dispute", "reject", "doubt", "believe", "think", "suspect", "fear", "predict", "speculate",
              "wonder", "question", "imagine", "suppose", "guess", "rumour", "rumor", "urge", "demand", "ask", "want",
              "wish", "require", "need", "order", "press", "push", "encourage", "request", "force", "invite",
              "call", "appeal", "beg", "advise", "recommend", "suggest", "propose", "try", "attempt", "threaten",
              "warn", "vow", "pledge", "promise", "offer", "hesitate", "consider",
              "discuss", "debate", "mull", "weigh"}  # fmt: skip
CLAIMING = {"claim", "allege", "insist", "contend", "maintain", "assert", "purport", "testify"}
MODALS = {"must", "should", "could", "may", "might", "ought", "can", "need", "shall"}
CONDITION_MARKS = {"if", "unless", "whether", "lest", "provided", "providing", "once", "until", "til", "till"}
PURPOSE_MARKS = {"so", "order", "for"}  # "so that", "in order to", "for X to"
# where a nominal trigger presents the happening itself
TIME_PLACE_PREPS = {"at", "during", "after", "following", "since", "in", "on", "from", "throughout", "amid", "ahead"}
# "details of his talks with …", "on the sidelines of the summit": the happening is presupposed
ABOUT_A_HAPPENING = {"detail", "details", "outcome", "result", "results", "readout", "sideline", "sidelines", "margin",
                     "margins", "end", "start", "beginning", "conclusion", "course", "wake", "aftermath", "photo",
                     "photos", "picture", "pictures", "video", "footage", "transcript", "record", "minutes"}  # fmt: skip
# verbs whose object happened: "today's meeting followed our September 9 call with …"
PRESUPPOSING = {"follow", "precede", "conclude", "end", "wrap", "cap", "chair", "host", "attend", "open", "close",
                "continue", "resume", "complete"}  # fmt: skip
PLAN_NOUNS = {"plan", "plans", "intention", "intent", "schedule", "programme", "program", "itinerary"}
TAKING_PLACE = {"hold", "convene", "begin", "open", "start", "take", "kick", "commence", "conclude", "end", "happen",
                "occur", "continue", "resume", "close", "last", "break", "finish", "produce", "yield"}  # fmt: skip


@dataclass(frozen=True)
class Assertion:
    asserted: bool
    reason: str = ""  # why not: relative | condition | purpose | demand | modal | content | denied | question | object
    reporter: object = None  # the subject token of the verb of saying, for a reported claim
    claimed: bool = False  # the verb of saying doubts its clause: claim, allege, insist


def _restrictive(clause) -> bool:
    """A relative clause or participle modifier with no comma before it describes its noun."""
    left = clause.left_edge.i
    doc = clause.doc
    return not (left > 0 and doc[left - 1].text in (",", "—", "–", "(", "-"))


def _marks(tok) -> set[str]:
    return {c.lower_ for c in tok.children if c.dep_ in ("mark", "advmod", "aux") and c.i < tok.i}


def _negated(tok) -> bool:
    return any(c.dep_ == "neg" for c in tok.children)


def _modal(tok) -> str | None:
    for c in tok.children:
        if c.dep_ == "aux" and c.lower_ in MODALS:
            return c.lower_
    # "has to attend", "had to go"
    if tok.dep_ == "xcomp" and tok.head.lemma_ == "have" and any(c.lower_ == "to" for c in tok.children):
        return "have to"
    return None


def _nominal_presented(noun) -> bool:
    """Whether a nominal trigger presents the happening itself (see the module docstring)."""
    head = noun.head
    if noun.dep_ == "ROOT" or noun.head.i == noun.i:
        return True
    if noun.dep_ in ("nsubj", "nsubjpass"):
        return head.lemma_.lower() in TAKING_PLACE
    if noun.dep_ == "pobj":
        if head.lower_ == "of" and head.head.lower_ in ABOUT_A_HAPPENING:
            return True
        return head.lower_ in TIME_PLACE_PREPS
    if noun.dep_ in ("conj", "appos"):
        return _nominal_presented(head)
    if noun.dep_ == "dobj":
        return head.lemma_.lower() in PRESUPPOSING
    return False


def assertion(trigger, noun=None) -> Assertion:
    """Whether the sentence asserts the activity of `trigger` (a verb token; for a nominal
    trigger without a light verb, pass the noun as `noun` and the trigger as None)."""
    sent = (trigger if trigger is not None else noun).sent
    if sent.text.rstrip(" \"'”’)").endswith("?"):
        return Assertion(False, "question")
    if trigger is None:
        if not _nominal_presented(noun):
            return Assertion(False, "object")
        tok = noun
    else:
        tok = trigger
    reporter, claimed = None, False
    first = True
    aside = False  # inside a non-restrictive relative clause: its own statement
    while True:
        if tok.pos_ in ("VERB", "AUX") and not aside:
            modal = _modal(tok)
            if modal and not (first and modal == "shall"):
                return Assertion(False, "modal")
        if tok.head.i == tok.i:
            break
        dep, head = tok.dep_, tok.head
        if aside and dep not in ("ccomp", "xcomp", "csubj"):
            pass  # "settings captured by Yeager, who met Page in 1954": the aside states its news
        elif dep == "relcl" and tok.pos_ in ("VERB", "AUX") and head.pos_ in ("NOUN", "PROPN", "PRON") and not _restrictive(tok):
            aside = True  # only a verb of saying or a demand above it still decides
        elif dep in ("relcl", "acl") and tok.pos_ in ("VERB", "AUX"):
            if dep == "acl" and head.lemma_.lower() in PLAN_NOUNS and any(c.lower_ == "to" for c in tok.children):
                pass  # "announced plans to meet": a plan (status decides), not the plan's description
            elif head.pos_ in ("NOUN", "PROPN", "PRON") and _restrictive(tok):
                # "plans to meet", "the decision to sign": an infinitive on a noun is its content
                return Assertion(False, "relative" if dep == "relcl" or tok.tag_ in ("VBN", "VBG") else "content")
        elif dep == "advcl":
            marks = _marks(tok)
            if marks & CONDITION_MARKS:
                return Assertion(False, "condition")
            if marks & PURPOSE_MARKS and "to" in marks | {c.lower_ for c in tok.children if c.dep_ == "aux"}:
                return Assertion(False, "purpose")
        elif dep in ("ccomp", "xcomp", "csubj"):
            lemma = head.lemma_.lower()
            if head.pos_ in ("NOUN", "PROPN"):
                return Assertion(False, "content")
            if lemma in NOT_STATED:
                return Assertion(False, "demand")
            if _negated(head) and dep == "ccomp":
                return Assertion(False, "denied")  # "did not say whether they met" ("did not agree to meet": negated)
            if lemma in SAYING and dep == "ccomp" and reporter is None:
                subj = [c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")]
                reporter = subj[0] if subj else head
                claimed = lemma in CLAIMING
        elif dep == "acl" and head.pos_ in ("NOUN", "PROPN"):
            return Assertion(False, "content")
        tok = head
        first = False
    return Assertion(True, reporter=reporter, claimed=claimed)
