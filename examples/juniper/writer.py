"""Writer: turns a plan into messages, tool calls and citations."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from juniper.plan import (
    ASK_ORDER,
    CUSTOMER_THINK_S,
    EMAIL_SIGN_OFF,
    HUMAN_WAIT_S,
    PHONE_LABELS,
    PII_LABELS,
    Order,
    Plan,
    Stats,
    add_typo,
    attach,
    in_shift,
    iso,
    link_for,
    make_context,
    next_shift,
    tool,
    weighted,
)
from juniper.wording import (
    ANGRY_PREFIXES,
    CARD_INTENTS,
    HUMAN_GREETINGS,
    ORDER_REPLIES,
    PII_KIND_WEIGHTS,
    PII_RATE,
    PII_SNIPPETS,
    POLITE_PREFIXES,
)


class Writer:
    """Writes one conversation message by message, keeping the clock and the bookkeeping."""

    def __init__(self, plan: Plan, rng: random.Random, stats: Stats) -> None:
        self.plan, self.rng, self.stats = plan, rng, stats
        self.ctx = make_context(plan, rng)
        self.now = plan.start
        self.messages: list[dict[str, Any]] = []
        self.times: list[datetime] = []
        self.key_ai: int | None = None
        self.links: list[tuple[int, str]] = []
        self.human_request_index: int | None = None
        self.handoff_index: int | None = None
        self.first_human_index: int | None = None
        self.escalation_reason: str | None = None
        self.abandon_stage = "after_answer"
        self.opener_template = ""
        self.opener_has_order = False
        self.done = False  # the answer already closed the conversation
        self.return_started = False
        self.refund_due: float | None = None
        self.in_stock = True

    def fill(self, template: str) -> str:
        return template.format(**self.ctx)

    def _push(self, message: dict[str, Any]) -> int:
        message["sent_at"] = iso(self.now)
        self.messages.append(message)
        self.times.append(self.now)
        return len(self.messages) - 1

    def _wait(self, seconds: float) -> None:
        self.now += timedelta(seconds=max(1, round(seconds)))

    # ------------------------------------------------------------------ customer messages

    def customer(self, template: str, *, opener: bool = False, chatter: bool = False) -> int:
        plan, rng = self.plan, self.rng
        if self.messages:
            self._wait(rng.triangular(*CUSTOMER_THINK_S[plan.channel]))
        natural = [k for k in ("email", "phone", "address", "card") if f"{{{k}}}" in template]
        text = self.style(self.fill(template), opener)
        extra = None if chatter else self.pii_snippet(opener, bool(natural))
        if extra:
            natural.append(extra[0])
            text = attach(text, extra[1])
        if plan.channel == "email" and plan.language == "en":
            text, signed = self.email_wrap(text, opener)
            natural += signed
        self.stats.customer_messages += 1
        if natural:
            self.stats.pii_messages += 1
            for kind in natural:
                self.stats.pii[self.pii_label(kind)] += 1
        return self._push({"role": "customer", "text": text})

    def pii_label(self, kind: str) -> str:
        if kind == "phone":
            return PHONE_LABELS.get(self.plan.locale, "phone (EU)")
        return PII_LABELS[kind]

    def style(self, text: str, opener: bool) -> str:
        plan, rng = self.plan, self.rng
        if plan.language != "en":
            return text
        greeted = text.lower().startswith(("hi", "hello", "hey", "good", "hola", "hallo"))
        opener = opener and plan.previous is None  # follow-ups have their own opening words
        if opener and plan.mood == "polite" and not greeted and plan.channel != "email":
            text = rng.choice(POLITE_PREFIXES) + text
        if opener and plan.mood == "angry":
            text = rng.choice(ANGRY_PREFIXES) + text.rstrip(".") + rng.choice(["", "!!", "!"])
        lower = {"sms": 0.45, "whatsapp": 0.4, "chat": 0.2, "email": 0.03}[plan.channel]
        if plan.mood == "terse":
            lower += 0.4
        if rng.random() < lower:
            text = text.lower()
        if plan.mood == "terse":
            text = text.rstrip(".!")
        if plan.channel != "email" and rng.random() < 0.16:
            text = add_typo(text, rng)
        return text

    def pii_snippet(self, opener: bool, has_pii: bool) -> tuple[str, str] | None:
        rate = PII_RATE["first" if opener else "later"]
        if has_pii or self.plan.language != "en" or self.rng.random() >= rate:
            return None
        weights = dict(PII_KIND_WEIGHTS)
        if self.plan.intent in CARD_INTENTS:
            weights["card"] = 25  # people paste card numbers where payment comes up
        kind = weighted(self.rng, weights)
        return kind, self.fill(self.rng.choice(PII_SNIPPETS[kind]))

    def email_wrap(self, text: str, opener: bool) -> tuple[str, list[str]]:
        first = self.ctx["first"]
        if not opener:
            return f"{text}\n\n{first}", []
        greeting = self.rng.choice(["Hi,", "Hello,", "Hi there,", "To whom it may concern,"])
        if self.rng.random() < 0.2:
            return f"{greeting}\n\n{text}\n\nThanks,\n{first}\n{self.ctx['phone']}", ["phone"]
        return f"{greeting}\n\n{text}\n\nThanks,\n{first}", []

    # ------------------------------------------------------------- ai and human messages

    def ai(self, text: str, citations: Sequence[dict[str, str]] = (),
           tool_calls: Sequence[dict[str, Any]] = (), *, key: bool = False) -> int:
        plan, rng = self.plan, self.rng
        mode = 1300 if plan.agent_version == "v1" else 900
        tools_ms = sum(float(call["latency_ms"]) for call in tool_calls)
        latency = min(4000.0, rng.triangular(300, 3600, mode) + tools_ms)
        calls = list(tool_calls)
        if calls and plan.channel == "chat" and rng.random() < 0.15:
            self._wait(tools_ms / 1000)  # logged as a separate tool message instead
            result = {"tool": calls[0]["name"], "result": calls[0]["result"]}
            self._push({"role": "tool", "text": json.dumps(result, ensure_ascii=False)})
            calls = []
        self._wait(latency / 1000)
        if plan.channel == "email" and plan.language == "en":
            text = f"Hi {self.ctx['first']},\n\n{text}{EMAIL_SIGN_OFF}"
        message: dict[str, Any] = {"role": "ai", "text": text, "latency_ms": round(latency)}
        if citations:
            message["citations"] = list(citations)
        if calls:
            message["tool_calls"] = calls
        index = self._push(message)
        if key:
            self.key_ai = index
        self.links += [(index, link_for(c)) for c in citations if c["source"] != "order"]
        return index

    def human(self, text: str, *, greet: bool = True) -> int:
        plan, rng = self.plan, self.rng
        low, high, mode = HUMAN_WAIT_S[plan.channel]
        factor = 1.6 if self.first_human_index is None else 1.0  # queue wait after a handoff
        before = self.now
        self._wait(rng.triangular(low, high, mode) * factor)
        if not in_shift(self.now):
            self.now = next_shift(self.now) + timedelta(seconds=rng.randint(300, 5400))
        wait = (self.now - before).total_seconds()
        if greet and self.first_human_index is None:
            text = self.fill(rng.choice(HUMAN_GREETINGS)) + text
        if plan.channel == "email":
            text = f"{text}\n\n{self.ctx['agent']}\nJuniper & Pine Customer Care"
        index = self._push({"role": "human", "text": text, "latency_ms": round(wait * 1000)})
        if self.first_human_index is None:
            self.first_human_index = index
        return index

    def ask_human(self, template: str) -> int:
        index = self.customer(template, chatter=True)
        self.human_request_index = index
        return index


# ========================================================================== intent answers


def order_cite(order: Order) -> dict[str, str]:
    return {"source": "order", "id": order.number}


def lookup(w: Writer, order: Order) -> dict[str, Any]:
    status = order.status(w.now)
    result: dict[str, Any] = {"status": status, "carrier": order.carrier}
    if status != "processing":
        result["tracking_number"] = order.tracking
    result["estimated_delivery"] = order.delivered_at.date().isoformat()
    return tool("lookup_order", {"order_number": order.number}, result, w.rng)


def need_order(w: Writer) -> bool:
    """Ask for the order number unless the customer gave it; False if they never answer."""
    if w.opener_has_order:
        return True
    index = w.ai(w.rng.choice(ASK_ORDER), key=True)
    if w.plan.outcome == "abandoned" and w.plan.handled_by == "ai" and w.rng.random() < 0.45:
        w.abandon_stage = "awaiting_order_number"
        w.key_ai = index
        return False
    w.customer(w.rng.choice(ORDER_REPLIES))
    w.opener_has_order = True
    return True


def the_order(w: Writer) -> Order:
    assert w.plan.order is not None, f"{w.plan.intent} needs an order"
    return w.plan.order


TRACK_TEXTS = {
    "processing": ["Order #{order} is being packed at our Portland warehouse and should ship "
                   "within 1 business day. You'll get a tracking email as soon as it leaves.",
                   "It hasn't shipped yet: order #{order} is in the packing queue and should "
                   "go out within 1 business day."],
    "shipped": ["Order #{order} shipped with {carrier} on {ship_date} (tracking {tracking}). "
                "{carrier} expects to deliver it on {eta}."],
    "in_transit": ["Order #{order} is on its way with {carrier}, tracking number {tracking}. "
                   "The current estimate is {eta}.",
                   "Good news: #{order} is in transit with {carrier} and due on {eta}. You can "
                   "follow it with tracking number {tracking}."],
    "out_for_delivery": ["Order #{order} is out for delivery with {carrier} today!"],
    "delivered": ["{carrier} shows order #{order} as delivered on {delivered}. If you can't "
                  "find it, check with neighbours or your mailroom, and let me know if it "
                  "hasn't turned up within 48 hours."],
}
WRONG_SHIPPED = ("Good news: order #{order} has shipped with {carrier} and should arrive by "
                 "{eta}. You'll get the tracking link by email shortly.")
