"""FAQ entries the simulated coach writes for a knowledge gap about a store policy.

When the weekly pack says "add an article for '<topic>'" and the examples are customers
asking one policy question the help centre answers badly (shipping times to a state, how
loyalty points work…), the coach writes a short FAQ entry, in the store's words, from the
policy in force that day — what a support lead would write from the policy system. Pure:
an intent and a :class:`~shopcoach.demo.policy.Policy` in, an
:class:`~shopcoach.demo.articles.Article` (or None: nothing the coach can state) out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from shopcoach.demo.articles import Article
from shopcoach.demo.policy import Policy, money

# intent -> (title: the question as customers ask it, answer from the policy)
ANSWERS: dict[str, tuple[str, Callable[[Policy], str]]] = {
    "shipping_time": (
        "How long does shipping take?",
        lambda p: (
            f"Standard shipping takes {p.standard_shipping} anywhere in the US, after "
            f"{p.dispatch} to pack the order. Express shipping takes {p.express_shipping}."
        ),
    ),
    "shipping_cost": (
        "How much is shipping?",
        lambda p: (
            f"Standard shipping costs {money(p.standard_fee)}, and it is free on orders "
            f"over {money(p.free_shipping_over)}. Express shipping costs {money(p.express_fee)}."
        ),
    ),
    "international_shipping": (
        "Do you ship internationally?",
        lambda p: (
            f"Yes: international shipping takes {p.international_shipping} and costs "
            f"{money(p.international_fee)}."
        ),
    ),
    "refund_time": (
        "How long do refunds take?",
        lambda p: (
            f"Refunds reach your original payment method {p.refund_processing} after "
            "the return arrives at our warehouse."
        ),
    ),
    "return_policy": (
        "How long do I have to return something?",
        lambda p: f"You can return items within {p.return_days} days of delivery.",
    ),
    "warranty": (
        "What does the warranty cover?",
        lambda p: f"Every product has a {p.warranty_years}-year warranty against defects.",
    ),
    "loyalty": (
        "How do Trailhead Rewards points work?",
        lambda p: (
            f"Members earn {p.points_per_dollar} point per dollar spent, and every "
            f"{p.points_for_reward} points make a {money(p.reward_value)} reward."
        ),
    ),
    "gift_card": (
        "Do gift cards expire?",
        lambda p: f"Our gift cards {p.gift_card_expiry} and have no fees.",
    ),
    "cancel_order": (
        "Can I cancel my order?",
        lambda p: (
            f"You can cancel or change an order within {p.change_window_hours} hour of placing it."
        ),
    ),
    "change_order": (
        "Can I change my order?",
        lambda p: (
            f"You can change or cancel an order within {p.change_window_hours} hour of placing it."
        ),
    ),
}


def faq_entry(intent: str, policy: Policy, day: date) -> Article | None:
    """The FAQ entry answering ``intent`` under ``policy`` (None: not a policy question)."""
    found = ANSWERS.get(intent)
    if found is None:
        return None
    title, answer = found
    body = f"## {title}\n\n{answer(policy)}\n"
    return Article(f"faq/{intent.replace('_', '-')}", title, "Help > FAQ", body,
                   reviewed_at=day)  # fmt: skip
