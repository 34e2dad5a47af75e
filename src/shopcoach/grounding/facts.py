"""Checkable facts in free text: amounts of money, durations with their policy subject.

Pure functions over strings. The grounding check (``grounding/check.py``) extracts these from
a draft answer and from the articles that back it; the knowledge-base audit can use the same
extraction to find articles that disagree ("30-day returns" in one, "14 days" in another).

A duration is normalised to days (weeks x 7, months x 30, years x 365; hours / 24) and keeps
whether it counts business days. A range ("3-5 business days") keeps both ends. Its subject
(``returns``, ``refunds``, ``exchanges``, ``warranty``, ``delivery``, ``cancellation``,
``price_match``, ``promo``) is the policy keyword before the number in its sentence, else the
first one after it, else ``None``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

WORD_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fourteen": 14, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45,
    "sixty": 60, "ninety": 90, "hundred": 100,
}  # fmt: skip
UNIT_DAYS = {"hour": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365}

# Policy subjects and the words that name them (stems; matched at word starts).
SUBJECTS: dict[str, tuple[str, ...]] = {
    "returns": ("return",),
    "refunds": ("refund", "money back", "reimburse"),
    "exchanges": ("exchange",),
    "warranty": ("warrant", "guarantee"),
    "delivery": ("deliver", "shipping", "ship", "arriv", "transit", "dispatch", "shipped"),
    "cancellation": ("cancel",),
    "price_match": ("price match", "price adjust", "price protection"),
    "promo": ("promo", "coupon", "discount code", "voucher"),
}
_SUBJECT_RE = re.compile(
    r"\b(" + "|".join(re.escape(w) for ws in SUBJECTS.values() for w in ws) + r")", re.I
)
_STEM_TO_SUBJECT = {w: s for s, ws in SUBJECTS.items() for w in ws}

_NUM = r"(?:\d+(?:\.\d+)?|" + "|".join(sorted(WORD_NUMBERS, key=len, reverse=True)) + r")"
_DURATION_RE = re.compile(
    rf"\b(?P<lo>{_NUM})(?:\s*(?:-|–|—|to|or)\s*(?P<hi>{_NUM}))?"
    r"[\s-]*(?P<biz>business[\s-]+|working[\s-]+|calendar[\s-]+)?"
    r"(?P<unit>hour|day|week|month|year)s?\b",
    re.I,
)
_MONEY_RE = re.compile(
    r"(?P<cur>[$€£])\s?(?P<amount>\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+(?:\.\d{1,2})?)"
    r"|(?P<amount2>\d+(?:\.\d{1,2})?)\s?(?P<cur2>USD|EUR|GBP|dollars?|euros?|pounds?)\b",
    re.I,
)
_CURRENCIES = {"$": "USD", "€": "EUR", "£": "GBP", "usd": "USD", "eur": "EUR", "gbp": "GBP",
               "dollar": "USD", "dollars": "USD", "euro": "EUR", "euros": "EUR",
               "pound": "GBP", "pounds": "GBP"}  # fmt: skip
_SENTENCE_RE = re.compile(r"(?:[^.!?\n]|[.!?](?=[^\s.!?]))+[.!?]*")

# Words one of which a text must contain (lower-cased) before the case-insensitive,
# alternation-heavy patterns above can match: the checks run on every answer of the scoring
# bulk path, and most answers state no duration or amount. A plain substring test costs a few
# dozen nanoseconds; a failed search of ``_DURATION_RE`` costs about 8 microseconds.
UNIT_WORDS = ("hour", "day", "week", "month", "year")
MONEY_WORDS = ("$", "€", "£", "usd", "eur", "gbp", "dollar", "pound")


def mentions_any(lower: str, words: tuple[str, ...]) -> bool:
    """Whether lower-cased ``lower`` contains any of ``words`` (a cheap pre-filter)."""
    for w in words:  # a plain loop: any() over a generator costs more than the tests here
        if w in lower:
            return True
    return False


@dataclass(frozen=True)
class Duration:
    """A length of time in a sentence: ``lo``..``hi`` days (equal when not a range)."""

    subject: str | None
    lo: float
    hi: float
    business: bool
    text: str  # the matched words, e.g. "3-5 business days"
    start: int  # character offset in the text it came from
    sentence: str

    def same_value(self, other: Duration, tolerance: float = 0.01) -> bool:
        """Whether two durations state the same window (business/calendar days not told apart:
        "5 days" for a "5 business days" policy is imprecise, not false)."""
        return abs(self.lo - other.lo) <= tolerance and abs(self.hi - other.hi) <= tolerance

    def within(self, other: Duration, tolerance: float = 0.01) -> bool:
        """Whether this window lies inside ``other``'s (a promise no longer than the policy)."""
        return self.lo >= other.lo - tolerance and self.hi <= other.hi + tolerance


@dataclass(frozen=True)
class Money:
    """An amount of money in a sentence, with the policy subject named near it (if any)."""

    amount: float
    currency: str
    text: str
    start: int
    sentence: str
    subject: str | None


@lru_cache(maxsize=2048)
def sentences(text: str) -> tuple[tuple[int, str], ...]:
    """(offset, sentence) pairs; decimals like "$12.99" do not split a sentence. Cached: one
    answer is split by every claim extractor of the grounding check."""
    return tuple((m.start(), m.group()) for m in _SENTENCE_RE.finditer(text) if m.group().strip())


def _number(token: str) -> float:
    token = token.lower()
    return float(WORD_NUMBERS[token]) if token in WORD_NUMBERS else float(token)


def subject_near(sentence: str, position: int) -> str | None:
    """The policy subject a number at ``position`` is about: the nearest keyword before it
    ("Shipping takes 3-5 days", "Returns are accepted within 30 days of delivery"), else the
    nearest after it ("a 30-day return window")."""
    before: str | None = None
    for start, subject in _subject_marks(sentence):
        if start >= position:
            return before or subject
        before = subject
    return before


@lru_cache(maxsize=8192)
def _subject_marks(sentence: str) -> tuple[tuple[int, str], ...]:
    """(offset, subject) of every policy keyword in ``sentence``; cached, as a sentence is
    asked about once per number and date in it."""
    return tuple((m.start(), _STEM_TO_SUBJECT[m.group(1).lower()])
                 for m in _SUBJECT_RE.finditer(sentence))  # fmt: skip


def durations(text: str) -> list[Duration]:
    """Every duration in ``text`` with its subject. "a 30-day return window" → returns, 30."""
    found: list[Duration] = []
    if not mentions_any(text.lower(), UNIT_WORDS) or not _DURATION_RE.search(text):
        return found
    for offset, sentence in sentences(text):
        for m in _DURATION_RE.finditer(sentence):
            lo_token = m.group("lo")
            if lo_token.lower() in ("a", "an") and m.group("hi"):
                continue
            per_unit = UNIT_DAYS[m.group("unit").lower()]
            lo = _number(lo_token) * per_unit
            hi = _number(m.group("hi")) * per_unit if m.group("hi") else lo
            biz = (m.group("biz") or "").lower().startswith(("business", "working"))
            subject = subject_near(sentence, m.start())
            found.append(Duration(subject, min(lo, hi), max(lo, hi), biz, m.group().strip(),
                                  offset + m.start(), sentence.strip()))  # fmt: skip
    return found


def amounts(text: str) -> list[Money]:
    """Every amount of money in ``text`` ("$1,299.00", "15 EUR"), with its nearby subject."""
    found: list[Money] = []
    if not mentions_any(text.lower(), MONEY_WORDS) or not _MONEY_RE.search(text):
        return found
    for offset, sentence in sentences(text):
        for m in _MONEY_RE.finditer(sentence):
            raw = m.group("amount") or m.group("amount2")
            cur = (m.group("cur") or m.group("cur2") or "$").lower()
            found.append(Money(float(raw.replace(",", "")), _CURRENCIES.get(cur, "USD"),
                               m.group().strip(), offset + m.start(), sentence.strip(),
                               subject_near(sentence, m.start())))  # fmt: skip
    return found
