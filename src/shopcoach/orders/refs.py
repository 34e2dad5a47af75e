"""Order numbers a customer's message names: one parser for the agent and for scoring.

``order_refs(text)`` returns ``(number, named)`` pairs in the order they appear:

* named (``named=True``): after the word order — typos included ("ordr", "ordeer", "oder") —
  optionally "number" / "no." / "id", or after ``#``: "order 20274", "ordeer #20933",
  "order no. A-1043", "#20274";
* bare (``named=False``): a number of 4 to 12 digits in a message about an order or a
  delivery ("any eta on 21082?", "the number is 20274", "package 21168 hasn't shown up"), that
  is not an amount ("$1500"), a year ("2026"), a quantity ("5000 points", "1200 mAh") or
  part of a date or phone number.

A bare number is a guess: the agent looks it up and, when no such order exists, carries on as
if none was named instead of escalating (``docs/orders.md``). Pure: a string in, a list out.
"""

from __future__ import annotations

import re

# "order" and its common typos (dropped, doubled or swapped letters), then an optional
# "number"/"no."/"id" and separator, then the reference (must hold a digit).
_NAMED = re.compile(
    r"(?:\b(?:or?de?e?r|odrer|oder|orde)s?\b|#)\s*(?:number|num|no\.?|id)?\s*[:#]?\s*"
    r"(?P<ref>[A-Z]{1,4}-?\d[\dA-Z-]{0,19}|\d[\dA-Z-]{2,19})\b",
    re.I,
)
_BARE = re.compile(r"(?<![\w$€£.,/:+-])(?P<ref>\d{4,12})(?![\w/:%-]|[.,]\d|\s*(?:points?|pts|"
                   r"mah|mm|cm|ml|g|kg|lbs?|oz|gb|mb|w|v|days?|weeks?|hours?|items?|pcs)\b)",
                   re.I)  # fmt: skip
_DIGIT = re.compile(r"\d")
_ABOUT_AN_ORDER = re.compile(
    r"\b(?:or?de?e?r\w*|odrer|oder|eta|package|parcel|delivery|deliver\w*|arriv\w*|ship\w*|"
    r"track\w*|where\b.*\b(?:stuff|package|parcel|order|it)|number|purchase|bought|refund\w*|"
    r"return\w*|cancel\w*|status|shown up|show up|came|received?)\b",
    re.I,
)


def order_refs(text: str, *, bare: bool = True) -> list[tuple[str, bool]]:
    """``(reference, named)`` for every order reference in ``text`` (see the module doc);
    ``bare=False``: named ones only (what an agent's own reply says is always named)."""
    if not _DIGIT.search(text):
        return []  # every reference holds a digit: most messages stop here
    out: list[tuple[str, bool]] = []
    seen: set[str] = set()
    spans: list[tuple[int, int]] = []
    for m in _NAMED.finditer(text):
        ref = m.group("ref")
        spans.append(m.span("ref"))
        if ref not in seen:
            seen.add(ref)
            out.append((ref, True))
    if not bare:
        return out
    guesses = [m for m in _BARE.finditer(text)
               if not any(lo <= m.start() < hi for lo, hi in spans)]  # fmt: skip
    # Is it about an order at all? Asked last: the pattern is the costly one (scoring runs
    # this on every message).
    if not guesses or not _ABOUT_AN_ORDER.search(text):
        return out
    for m in guesses:
        ref = m.group("ref")
        if len(ref) == 4 and ref[:2] in ("19", "20"):
            continue  # a year
        if ref not in seen:
            seen.add(ref)
            out.append((ref, False))
    return out


def order_numbers(text: str, *, bare: bool = True) -> list[str]:
    """Just the references of :func:`order_refs`."""
    return [ref for ref, _ in order_refs(text, bare=bare)]
