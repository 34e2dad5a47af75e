"""Judge an agent's reply against the truth, as the customer would: pure string checks.

A :class:`Question` is what the customer asked and what a right answer must contain on that
day (built by :func:`expectation` from the :class:`~shopcoach.demo.world.World`). ``judge``
returns one verdict:

* ``correct`` — the reply states the true fact (the 14-day window once returns change, the
  order's real status, the product's true price…), or the agent handed over when a person
  is the right answer (lost or damaged parcels, complaints, "get me a human");
* ``escalated`` — the agent handed over a question it could have answered: not wrong, but
  not automated either;
* ``wrong`` — the reply contradicts the truth or misses the point (a 30-day window after
  the change, another product, nothing about the order);
* ``unjudged`` — chit-chat, where there is nothing to get right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from shopcoach.demo.policy import Policy, long_date
from shopcoach.demo.world import TrueProduct

NUMBER_WORDS = {"seven": 7, "ten": 10, "fourteen": 14, "fifteen": 15, "twenty": 20,
                "thirty": 30, "sixty": 60, "ninety": 90}  # fmt: skip
_DAYS = re.compile(r"\b(\d{1,3}|" + "|".join(NUMBER_WORDS) + r")[\s-]*(?:calendar\s+)?days?\b",
                   re.I)  # fmt: skip
# Intents where a handover to a person is the right answer.
PERSON_INTENTS = frozenset({"human_request", "complaint", "damaged_item"})


@dataclass
class Question:
    intent: str
    any_of: tuple[str, ...] = ()  # regexes; one must match the reply
    subject: str | None = None  # "returns": check the stated day counts
    days: int | None = None
    order_id: str | None = None
    person_ok: bool = False  # escalating is the right answer
    product: TrueProduct | None = None
    facts: dict[str, Any] = field(default_factory=dict)  # what was expected, for the record


def _amount(value: float) -> str:
    whole = f"{value:,.0f}"
    return rf"\${whole}(?:\.00)?\b" if value == int(value) else rf"\${value:,.2f}"


def _range(text: str) -> str:  # "5-7 business days" → 5 <sep> 7
    lo, hi = re.findall(r"\d+", text)[:2]
    return rf"\b{lo}\s*(?:-|–|to)\s*{hi}\b"


def policy_question(intent: str, p: Policy, slots: dict[str, str]) -> Question:
    """What a right answer to a policy question contains under policy ``p``."""
    day_pat = lambda d: rf"\b{long_date(d)}|\b{d:%b}\.? {d.day}\b"  # noqa: E731
    table: dict[str, tuple[str, ...]] = {
        "refund_time": (_range(p.refund_processing),),
        "shipping_time": (_range(p.standard_shipping),),
        "shipping_cost": (_amount(p.standard_fee), _amount(p.free_shipping_over),
                          _amount(p.express_fee)),
        "international_shipping": (_range(p.international_shipping), _amount(p.international_fee)),
        "warranty": (rf"\b{p.warranty_years}[- ]year", r"\btwo[- ]year"),
        "gift_card": (r"never expire", r"no expiry", r"do not expire"),
        "loyalty": (rf"\b{p.points_per_dollar} point", rf"\b{p.points_for_reward} points",
                    _amount(p.reward_value)),
        "cancel_order": (rf"\b{p.change_window_hours} hour", r"\bone hour"),
        "change_order": (rf"\b{p.change_window_hours} hour", r"\bone hour"),
        "holiday_deadline": (day_pat(p.holiday_standard_cutoff), day_pat(p.holiday_express_cutoff)),
        "gift_wrap": (_amount(p.gift_wrap_fee),),
        "holiday_returns": (day_pat(p.holiday_returns_until),),
    }  # fmt: skip
    if intent == "return_policy":
        return Question(intent, subject="returns", days=p.return_days,
                        facts={"return_days": p.return_days})  # fmt: skip
    if intent == "payment_methods":
        method = slots.get("method", "PayPal")
        return Question(intent, any_of=(re.escape(method),), person_ok=False,
                        facts={"method": method})  # fmt: skip
    if intent in PERSON_INTENTS:
        return Question(intent, person_ok=True, order_id=slots.get("order"))
    if intent in table:
        return Question(intent, any_of=table[intent], facts={"expect": table[intent][0]})
    return Question(intent)  # chit-chat: nothing to check


def order_question(intent: str, order: dict[str, Any], day: date) -> Question:
    """What a right answer about an order says on ``day`` (from the order system's record)."""
    oid = order["external_id"]
    ship = order["shipments"][0] if order["shipments"] else None
    state = order["status"]
    if order["payment_status"] == "failed":
        state = "payment_failed"
    elif ship is not None and ship["status"] == "lost":
        state = "lost"
    elif ship is not None and ship.get("exception") in ("damaged", "address"):
        state = ship["exception"]
    elif ship is not None and ship["status"] in ("in_transit", "exception"):
        late = ship.get("exception") == "weather" or date.fromisoformat(ship["eta"]) < day
        state = "late" if late else "in_transit"
    patterns = {
        "payment_failed": (r"payment",), "address": (r"address",),
        "late": (r"\blate\b", r"delay"),
        "in_transit": (r"in[_ ]transit", r"shipped", r"on its way"),
        "delivered": (r"delivered",), "cancelled": (r"cancel",), "returned": (r"return",),
        "paid": (r"\bpaid\b", r"processing", r"being packed", r"out of stock"),
        "placed": (r"\bplaced\b", r"processing"), "shipped": (r"shipped",),
    }.get(state, ())  # fmt: skip
    person = state in ("lost", "damaged") or intent in PERSON_INTENTS
    return Question(intent, any_of=patterns, order_id=oid, person_ok=person,
                    facts={"order": oid, "state": state})  # fmt: skip


def product_question(intent: str, product: TrueProduct, slots: dict[str, str]) -> Question:
    aspect = intent.removeprefix("product_")
    if aspect == "price":
        pats: tuple[str, ...] = (_amount(product.price),)
    elif aspect == "stock":
        pats = (r"\bin stock",) if product.on_hand > 0 else (r"out of stock", r"sold out")
    elif aspect == "size":
        pats = (re.escape(product.sizes[-1]) + r"\b",) if product.sizes else ()
    else:
        word = re.split(r"[\s-]+", product.material)[-2 if " " in product.material else 0]
        pats = (re.escape(word),)
    return Question(
        intent,
        any_of=pats,
        product=product,
        facts={"sku": product.sku, "aspect": aspect, "expect": pats[0] if pats else ""},
    )


def _stated_days(text: str) -> set[int]:
    out = set()
    for m in _DAYS.finditer(text):
        raw = m.group(1).lower()
        out.add(int(raw) if raw.isdigit() else NUMBER_WORDS[raw])
    return out


def judge(q: Question, reply: str, action: str) -> str:
    """``correct`` | ``escalated`` | ``wrong`` | ``unjudged`` (see the module docstring)."""
    if action == "escalate":
        return "correct" if q.person_ok else ("unjudged" if q.intent == "chitchat"
                                              else "escalated")  # fmt: skip
    if q.intent == "chitchat":
        return "unjudged"
    if q.person_ok and q.intent in PERSON_INTENTS:
        return "wrong"  # they wanted a person, or a person's decision
    text = reply or ""
    if q.product is not None and q.product.model.lower() not in text.lower():
        return "wrong"  # another product, or none
    if q.order_id is not None and q.order_id not in text:
        return "wrong"
    if q.subject == "returns":
        stated = _stated_days(text) - {5, 7}  # refund processing days are not the window
        return "correct" if stated == {q.days} else "wrong"
    if q.person_ok:
        return "wrong"  # a lost or damaged parcel needs a person's decision
    if not q.any_of:
        return "wrong"
    return "correct" if any(re.search(p, text, re.I) for p in q.any_of) else "wrong"
