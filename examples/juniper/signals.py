"""The signals about the generated conversations, and the whole generation."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from juniper.dialogue import build
from juniper.plan import (
    Built,
    Stats,
    follow_up_plan,
    iso,
    luhn_ok,
    make_customers,
    new_plan,
)
from juniper.settings import (
    CHANGEOVER,
    CSAT_WEIGHTS,
    N_CONVERSATIONS,
    N_FOLLOW_UPS,
    ORDER_INTENTS,
    PRODUCTS,
    SALES_INTENTS,
    TEST_CARDS,
)
from juniper.wording import (
    COMPLAINT_REASONS,
    ESCALATION_QUEUES,
    REVIEW_NOTES,
    SIGNAL_SOURCES,
)

Signal = dict[str, Any]


def signal(kind: str, b: Built, when: datetime, *, value: float | None = None,
           message_index: int | None = None, source: str = "helpdesk",
           context: dict[str, Any] | None = None) -> Signal:
    out: Signal = {"type": kind, "conversation_id": b.external_id}
    if message_index is not None:
        out["message_index"] = message_index
    if value is not None:
        out["value"] = value
    out.update(occurred_at=max(when, b.plan.start + timedelta(seconds=1)), source=source)
    if context:
        out["context"] = context
    return out


def widget(b: Built) -> str:
    return "chat-widget" if b.plan.channel == "chat" else "helpdesk"


def minutes(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(minutes=rng.uniform(low, high))


def csat_signals(b: Built, rng: random.Random) -> list[Signal]:
    score = b.record.get("csat")
    if score is None:  # a few late survey answers the conversation record never got
        if b.plan.outcome == "abandoned" or rng.random() >= 0.04:
            return []
        score = rng.choices([1, 2, 3, 4, 5], weights=CSAT_WEIGHTS[b.plan.outcome])[0]
    return [signal("csat", b, b.ended + minutes(rng, 3, 2880), value=score, source="survey")]


def thumbs_signals(b: Built, rng: random.Random) -> list[Signal]:
    source = SIGNAL_SOURCES.get(b.plan.channel)
    wrong = b.plan.planted is not None
    if source is None or b.key_ai is None or rng.random() >= (0.7 if wrong else 0.24):
        return []
    down = 0.8 if wrong else {"resolved": 0.12, "escalated": 0.65, "abandoned": 0.5}[
        b.plan.outcome]
    value = -1 if rng.random() < down else 1
    when = b.times[b.key_ai] + timedelta(seconds=rng.uniform(4, 180))
    return [signal("thumbs", b, when, value=value, message_index=b.key_ai, source=source)]


def human_request_signals(b: Built, rng: random.Random) -> list[Signal]:
    if b.human_request_index is None:
        return []
    i = b.human_request_index
    return [signal("human_request", b, b.times[i], message_index=i, source=widget(b))]


def escalation_signals(b: Built, rng: random.Random) -> list[Signal]:
    if b.handoff_index is None or b.escalation_reason is None:
        return []
    reason = b.escalation_reason
    context = {"reason": reason, "queue": ESCALATION_QUEUES.get(reason, "tier1")}
    return [signal("escalation", b, b.times[b.handoff_index], message_index=b.handoff_index,
                   context=context)]


def repeat_contact_signals(b: Built, rng: random.Random) -> list[Signal]:
    previous = b.plan.previous
    if previous is None:
        return []
    return [signal("repeat_contact", b, b.plan.start + timedelta(seconds=2),
                   value=b.plan.gap_hours,
                   context={"previous_conversation_id": previous.external_id})]


def resolution_signals(b: Built, rng: random.Random) -> list[Signal]:
    outcome, wrong = b.plan.outcome, b.plan.planted is not None
    rate = {"resolved": 0.18, "escalated": 0.12, "abandoned": 0.06}[outcome]
    if rng.random() >= rate:
        return []
    if outcome == "resolved":
        value = 0 if wrong and rng.random() < 0.5 else 1
    else:
        value = 0 if rng.random() < 0.75 else 1
    return [signal("resolution", b, b.ended + minutes(rng, 1, 30), value=value,
                   source=widget(b))]


def abandonment_signals(b: Built, rng: random.Random) -> list[Signal]:
    if b.plan.outcome != "abandoned":
        return []
    return [signal("abandonment", b, b.ended, source=widget(b),
                   context={"stage": b.abandon_stage})]


def agent_edit_signals(b: Built, rng: random.Random) -> list[Signal]:
    i = b.first_human_index
    rate = {"hybrid": 0.35, "human": 0.15, "ai": 0.0}[b.plan.handled_by]
    if i is None or rng.random() >= rate:
        return []
    share = rng.uniform(0.6, 1.0) if b.plan.planted else rng.betavariate(2, 5)
    return [signal("agent_edit", b, b.times[i], value=round(share, 2), message_index=i)]


def commerce_signals(b: Built, rng: random.Random) -> list[Signal]:
    """Orders, returns and refunds that followed the conversation (from the shop's events)."""
    plan, out = b.plan, []
    if plan.intent in SALES_INTENTS and plan.outcome == "resolved" and b.in_stock and (
            rng.random() < 0.45):
        amount = plan.product.price_at(b.ended) * rng.choice([1, 1, 1, 2])
        if rng.random() < 0.3:
            amount += rng.choice(PRODUCTS).price_at(b.ended)
        context = {"order_number": str(rng.randint(14000, 14999)), "sku": plan.product.sku}
        out.append(signal("conversion", b, b.ended + minutes(rng, 4, 2880),
                          value=round(amount, 2), source="shop-events", context=context))
    order = plan.order
    if b.return_started and order is not None:
        amount = plan.product.price_at(order.placed)
        returned = b.ended + timedelta(days=rng.uniform(1, 4))
        context = {"order_number": order.number, "sku": plan.product.sku}
        if plan.planted == "stale_return_window" and (returned - order.delivered_at).days > 14:
            reason = COMPLAINT_REASONS["stale_return_window"]
            out.append(signal("complaint", b, returned, context={"reason": reason,
                                                                 "via": "email"}))
            return out
        out.append(signal("return", b, returned, value=amount, source="shop-events",
                          context=context))
        if rng.random() < 0.55:
            out.append(signal("refund", b, returned + timedelta(days=rng.uniform(6, 12)),
                              value=amount, source="shop-events", context=context))
    elif b.refund_due and order is not None:
        out.append(signal("refund", b, b.ended + timedelta(days=rng.uniform(0.2, 5)),
                          value=round(b.refund_due, 2), source="shop-events",
                          context={"order_number": order.number}))
    return out


def click_signals(b: Built, rng: random.Random) -> list[Signal]:
    source = SIGNAL_SOURCES.get(b.plan.channel)
    if source is None or not b.links or rng.random() >= 0.14:
        return []
    index, url = rng.choice(b.links)
    return [signal("click", b, b.times[index] + timedelta(seconds=rng.uniform(5, 240)),
                   message_index=index, source=source, context={"url": url})]


def complaint_signals(b: Built, rng: random.Random) -> list[Signal]:
    plan = b.plan
    if plan.planted and plan.planted != "stale_return_window" and rng.random() < 0.3:
        reason = COMPLAINT_REASONS[plan.planted]
    elif plan.mood == "angry" and plan.outcome != "resolved" and rng.random() < 0.15:
        reason = COMPLAINT_REASONS["service"]
    else:
        return []
    via = rng.choice(["email", "phone", "review-site"])
    return [signal("complaint", b, b.ended + timedelta(hours=rng.uniform(1, 72)),
                   context={"reason": reason, "via": via})]


SIGNAL_MAKERS: list[Callable[[Built, random.Random], list[Signal]]] = [
    csat_signals, thumbs_signals, human_request_signals, escalation_signals,
    repeat_contact_signals, resolution_signals, abandonment_signals, agent_edit_signals,
    commerce_signals, click_signals, complaint_signals,
]


def review_label_signals(built: list[Built], rng: random.Random) -> list[Signal]:
    """A reviewer's verdicts on three answers: two planted errors and one correct answer."""
    picks: list[tuple[Built, str, str]] = []
    for kind in ("stale_return_window", "contradicts_tool_result"):
        found = next((b for b in built if b.plan.planted == kind and b.key_ai is not None), None)
        if found:
            picks.append((found, "fail", REVIEW_NOTES[kind]))
    correct = [b for b in built if b.plan.handled_by == "ai" and not b.plan.planted
               and b.plan.language == "en" and b.key_ai is not None]
    returns = [b for b in correct if b.plan.intent == "return_request"
               and b.plan.start >= CHANGEOVER]
    if returns:
        picks.append((returns[0], "pass", "Correct 14-day window, cites the current policy."))
    else:
        picks.append((correct[0], "pass", "Accurate and grounded in the cited source."))
    out = []
    for b, label, note in picks:
        context = {"dimension": "accuracy", "label": label, "reviewer": "maria", "note": note}
        out.append(signal("review_label", b, b.ended + timedelta(days=rng.uniform(1, 3)),
                          message_index=b.key_ai, source="review-queue", context=context))
    return out


def make_signals(built: list[Built], rng: random.Random) -> list[Signal]:
    signals = [s for b in built for maker in SIGNAL_MAKERS for s in maker(b, rng)]
    signals += review_label_signals(built, rng)
    signals.sort(key=lambda s: (s["occurred_at"], s["conversation_id"], s["type"]))
    numbered = []
    for i, s in enumerate(signals, 1):
        s["occurred_at"] = iso(s["occurred_at"])
        numbered.append({"external_id": f"sig-{i:06d}", **s})
    return numbered


# ============================================================================ generation


def pick_follow_up_bases(built: list[Built], rng: random.Random) -> list[Built]:
    candidates = [b for b in built if not b.plan.anonymous and b.plan.channel != "email"
                  and (b.plan.intent in ORDER_INTENTS or b.plan.planted)]
    weights = [3.0 if b.plan.planted or b.plan.outcome != "resolved" else 1.0
               for b in candidates]
    chosen: list[Built] = []
    while len(chosen) < N_FOLLOW_UPS * 2 and candidates:
        i = rng.choices(range(len(candidates)), weights=weights)[0]
        chosen.append(candidates.pop(i))
        weights.pop(i)
    return chosen


def generate(rng: random.Random, stats: Stats) -> tuple[list[Built], list[Signal]]:
    assert all(luhn_ok(card) for card in TEST_CARDS)
    customers = make_customers(rng)
    built = [build(new_plan(rng, customers), rng, stats)
             for _ in range(N_CONVERSATIONS - N_FOLLOW_UPS)]
    follow_ups: list[Built] = []
    for base in pick_follow_up_bases(built, rng):
        plan = follow_up_plan(rng, base)
        if plan is not None and len(follow_ups) < N_FOLLOW_UPS:
            follow_ups.append(build(plan, rng, stats))
    if len(follow_ups) != N_FOLLOW_UPS:
        raise SystemExit(f"only {len(follow_ups)} follow-ups fit in the window")
    built = sorted(built + follow_ups, key=lambda b: b.plan.start)
    for i, b in enumerate(built, 1):
        b.record["external_id"] = f"conv-{i:04d}"
    return built, make_signals(built, rng)
