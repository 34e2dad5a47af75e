"""Checkable facts in help articles, for the audit's conflicting-facts check.

A fact is (subject, qualifiers, unit, value) stated in one sentence of one article, so the
audit can report "30-day returns" in one article against "14 days" in another. Durations and
amounts are found by :mod:`shopcoach.grounding.facts` (the grounding check's extraction);
this module gives them finer subjects (dispatch vs delivery, refund processing vs the refund
window), scope qualifiers ("express", "electronics") and money subjects (free-shipping
threshold, shipping fee, restocking fee, item price). Pure functions over strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shopcoach.grounding.facts import amounts, durations, sentences

# (pattern, subject). The keyword nearest before a number names its subject, else the first
# after it. "ship"/"dispatch" is when an order leaves; "shipping"/"deliver" how long it travels.
_FACT_SUBJECTS: tuple[tuple[str, str], ...] = (
    (r"returns?|returned|returning", "returns"),
    (r"refund\w*|money back|reimburse\w*", "refunds"),
    (r"exchang\w*", "exchanges"),
    (r"warrant\w*|guarantee\w*", "warranty"),
    (r"shipping|deliver\w*|arriv\w*|transit", "delivery"),
    (r"ships?|shipped|dispatch\w*|processing time|handling time", "dispatch"),
    (r"cancel\w*", "cancellation"),
    (r"price match\w*|price adjustment|price protection", "price_match"),
    (r"restocking", "restocking_fee"),
)
_SUBJECT_RE = re.compile(
    r"\b(?:" + "|".join(f"(?P<s{i}>{p})" for i, (p, _) in enumerate(_FACT_SUBJECTS)) + r")\b",
    re.I)
_PROCESSING_RE = re.compile(r"\b(?:process\w*|issued?|credited|appear|post(?:ed|s)?|reflect\w*)\b",
                            re.I)
_QUALIFIERS = (
    "express", "expedited", "overnight", "next day", "same day", "standard", "economy", "ground",
    "international", "domestic", "electronics", "furniture", "mattress", "appliance", "apparel",
    "clothing", "sale", "clearance", "final sale", "holiday", "gift card", "custom",
    "personali[sz]ed", "opened", "unopened", "defective", "damaged", "oversized", "bulky",
    "members?", "prime", "plus", "premium", "vip", "extended", "limited", "lifetime",
    "manufacturer", "store credit", "in[- ]store", "marketplace", "third[- ]party", "perishable",
    "grocery", "alaska", "hawaii", "canada", "eu", "uk",
)
_QUALIFIER_RE = re.compile(r"\b(" + "|".join(_QUALIFIERS) + r")\b", re.I)
_CLAUSE_RE = re.compile(r"[^,;:()]+(?:,(?=\d{3}))?[^,;:()]*")
_FREQUENCY_RE = re.compile(r"^\s*(?:a|per|each|every)\s+(?:day|week|month|year)\b", re.I)
_FREE_SHIPPING_RE = re.compile(r"\bfree\s+(?:\w+\s+)?(?:shipping|delivery)\b|\bships?\s+free\b",
                               re.I)
_THRESHOLD_WORDS_RE = re.compile(r"(?:over|above|more than|at least|of|from|exceeding|minimum"
                                 r"|orders?)\s*$", re.I)
_FEE_RE = re.compile(r"\b(?:costs?|fee|charge[ds]?|flat rate|is|are)\b", re.I)
_PRICE_RE = re.compile(
    r"(?:price of (?:the |a |an |our )?(?P<a>[\w' -]{2,40}?) is"
    r"|(?:the |a |an |our )?(?P<b>[\w' -]{2,40}?) (?:costs?|is priced at|sells? for|retails? for"
    r"|is just|is only))\s*$", re.I)
_PERCENT_RE = re.compile(r"\b(?P<n>\d+(?:\.\d+)?)\s?(?:%|percent\b)", re.I)
_GENERIC = {"the", "a", "an", "our", "your", "this", "service", "option", "fee", "each", "now",
            "only", "just", "of", "for"}


@dataclass(frozen=True)
class Fact:
    """One checkable statement: a value of a subject, in the article that states it."""

    item: str
    subject: str
    qualifiers: tuple[str, ...]
    unit: str
    low: float
    high: float
    text: str
    sentence: str


def _subject_at(sentence: str, position: int) -> str | None:
    before = after = None
    for m in _SUBJECT_RE.finditer(sentence):
        subject = next(_FACT_SUBJECTS[int(k[1:])][1] for k, v in m.groupdict().items() if v)
        if m.start() < position:
            before = subject
        elif after is None:
            after = subject
    return before or after


def _clause_at(sentence: str, position: int) -> str:
    for m in _CLAUSE_RE.finditer(sentence):
        if m.start() <= position < m.end():
            return m.group()
    return sentence


def _qualifiers(clause: str, subject: str) -> tuple[str, ...]:
    found = {re.sub(r"[- ]+", " ", q.lower()) for q in _QUALIFIER_RE.findall(clause)}
    if subject in ("delivery", "shipping_fee") and re.search(r"\breturn", clause, re.I):
        found.add("return")
    return tuple(sorted(found))


def extract_facts(item: str, text: str) -> list[Fact]:
    """Subject-tagged durations, amounts and percentages in ``text``.

    Durations are in days (weeks x 7, "a month" = 30, years x 365; ranges keep both ends,
    business days count as days). A refund/return/exchange sentence about processing
    ("refunds are issued within 5 days") gets its own ``*_processing`` subject. Frequencies
    ("7 days a week") and numbers with no subject are skipped. Money is kept for free-shipping
    thresholds, shipping fees, restocking fees and item prices ("Gift wrap costs $4.99").
    """
    facts: list[Fact] = []
    for _, sentence in sentences(text):
        sent = sentence.strip()
        for d in durations(sentence):
            pos = d.start
            if _FREQUENCY_RE.match(sentence[pos + len(d.text):]):
                continue
            subject = _subject_at(sentence, pos)
            if subject is None or subject == "restocking_fee":
                continue
            clause = _clause_at(sentence, pos)
            if subject in ("refunds", "returns", "exchanges") and _PROCESSING_RE.search(clause):
                subject = f"{subject.rstrip('s')}_processing"
            facts.append(Fact(item, subject, _qualifiers(clause, subject), "days", d.lo, d.hi,
                              d.text, sent))
        for money in amounts(sentence):
            key = _money_subject(sentence, money.start, money.text)
            if key is not None:
                subject, quals = key
                facts.append(Fact(item, subject, quals, money.currency, money.amount,
                                  money.amount, money.text, sent))
        for m in _PERCENT_RE.finditer(sentence):
            if re.search(r"restocking", sentence, re.I):
                value = float(m.group("n"))
                facts.append(Fact(item, "restocking_fee", (), "percent", value, value,
                                  m.group().strip(), sent))
    return facts


def _money_subject(sentence: str, pos: int, text: str) -> tuple[str, tuple[str, ...]] | None:
    clause = _clause_at(sentence, pos)
    head = sentence[:pos]
    if _FREE_SHIPPING_RE.search(sentence) and _THRESHOLD_WORDS_RE.search(head):
        return "free_shipping_threshold", ()
    subject = _subject_at(sentence, pos)
    if subject == "restocking_fee":
        return subject, ()
    if subject in ("delivery", "dispatch") and _FEE_RE.search(clause):
        return "shipping_fee", _qualifiers(clause, "shipping_fee")
    if subject is None and (m := _PRICE_RE.search(head)):
        words = [w for w in re.findall(r"[\w']+", (m.group("a") or m.group("b")).lower())
                 if w not in _GENERIC]
        if words:
            return "price", (" ".join(words[-3:]),)
    return None
