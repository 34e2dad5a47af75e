"""What simulated customers want: the intent mix by week, and the first message they write.

``intent_weights(week, …)`` is the base mix plus the season (gift and delivery-deadline
questions in the holiday weeks) and the new product line once it launches.
:class:`Composer` turns an intent into a question (:class:`~shopcoach.demo.judge.Question`,
built from the truth on that day) and a message: a template or, with ``utterances``, a real
phrasing from a data set, then drift, mood and typos.
"""

from __future__ import annotations

import csv
import random
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from shopcoach.demo import phrases as ph
from shopcoach.demo.judge import Question, order_question, policy_question, product_question
from shopcoach.demo.world import TrueProduct, World
from shopcoach.errors import ValidationFailed

BASE_WEIGHTS: dict[str, float] = {
    "track_order": 18, "return_policy": 10, "refund_time": 4, "shipping_time": 7,
    "shipping_cost": 5, "international_shipping": 2, "warranty": 3, "gift_card": 3,
    "loyalty": 3, "payment_methods": 3, "cancel_order": 4, "change_order": 3,
    "damaged_item": 3, "complaint": 2, "human_request": 3, "chitchat": 3,
    "product_price": 9, "product_stock": 6, "product_size": 4, "product_material": 3,
}  # fmt: skip
SEASONAL_WEIGHTS = {"holiday_deadline": 9, "gift_wrap": 5, "holiday_returns": 4}
ORDER_INTENTS = frozenset({"track_order", "damaged_item", "complaint"})
PRODUCT_INTENTS = frozenset({"product_price", "product_stock", "product_size",
                             "product_material"})  # fmt: skip
# Bitext intent → simulator intent, for ``utterances=``.
BITEXT: dict[str, str] = {
    "track_order": "track_order", "delivery_period": "shipping_time",
    "delivery_options": "shipping_cost", "check_refund_policy": "return_policy",
    "track_refund": "refund_time", "cancel_order": "cancel_order", "change_order": "change_order",
    "check_payment_methods": "payment_methods", "complaint": "complaint",
    "contact_human_agent": "human_request",
}  # fmt: skip
_PLACEHOLDER = re.compile(r"\{\{[^}]*\}\}")


def intent_weights(week: int, seasonal: bool, launched: bool) -> dict[str, float]:
    weights = dict(BASE_WEIGHTS)
    if seasonal:
        weights.update(SEASONAL_WEIGHTS)
        weights["gift_card"] *= 2
        weights["shipping_time"] *= 1.5
    if launched:  # a new line brings product questions
        for intent in PRODUCT_INTENTS:
            weights[intent] *= 1.3
    return weights


def load_utterances(path: str | Path) -> dict[str, list[str]]:
    """Phrasings by simulator intent from a Bitext-style CSV (``instruction``, ``intent``)."""
    source = Path(path)
    if not source.is_file():
        raise ValidationFailed(
            f"Utterances file {source} does not exist.",
            hint="Point it at e.g. bitext-customer-support/bitext_train.csv.",
        )
    out: dict[str, list[str]] = {}
    with source.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if not {"instruction", "intent"} <= set(reader.fieldnames or ()):
            raise ValidationFailed(
                f"{source.name} has no 'instruction' and 'intent' columns.",
                hint="Use the Bitext customer-support CSV layout.",
            )
        for row in reader:
            intent = BITEXT.get(row["intent"])
            if intent:
                out.setdefault(intent, []).append(row["instruction"].strip())
    return out


@dataclass
class Ask:
    """One customer's need: the question (with its expected answer) and the first message."""

    intent: str
    question: Question
    text: str
    customer_id: str
    change: str | None  # the injected change this touches
    drifted: bool
    from_dataset: bool


class Composer:
    def __init__(self, world: World, utterances: dict[str, list[str]] | None = None) -> None:
        self.world = world
        self.utterances = utterances or {}
        self._customer_ids = [c["customer_id"] for c in world.customers]

    def ask(self, rng: random.Random, intent: str, day: date, drift: float,
            dataset_share: float) -> Ask | None:  # fmt: skip
        w = self.world
        slots: dict[str, str] = {"method": rng.choice(ph.PAYMENT_METHODS)}
        customer = rng.choice(self._customer_ids)
        change = None
        needs_order = intent in ORDER_INTENTS or (intent in ("cancel_order", "change_order")
                                                  and rng.random() < 0.4)  # fmt: skip
        if needs_order:
            pool = w.orders_to_ask_about(day)
            if not pool:
                return None
            order = w.orders[rng.choice(pool)]
            slots["order"] = order["external_id"]
            customer = order["customer_id"] or customer
            item = order["items"][0]
            slots["product"] = _casual(w.product(item["sku"]), item["name"])
        if intent in PRODUCT_INTENTS:
            product = self._pick_product(rng, intent, day)
            slots.update(
                product=_casual(product, product.title),
                colour=product.colour.lower(),
                size=(rng.choice(product.sizes) if product.sizes else ""),
            )
            question = product_question(intent, product, slots)
            change = product.change
        elif intent == "track_order":
            question = order_question(intent, w.orders[slots["order"]], day)
        else:
            question = policy_question(intent, w.policy_at(day), slots)
            if intent in ("damaged_item", "complaint") and "order" in slots:
                question.order_id = slots["order"]
        if intent == "return_policy" and w.policy_at(day) != w.base_policy:
            change = next((c.key for c in w.changes if c.policy and c.active(day)), None)
        if intent in SEASONAL_WEIGHTS:
            season = w.seasonal(day)
            change = season.key if season else None
        text, drifted, from_dataset = self._text(rng, intent, slots, drift, dataset_share)
        return Ask(intent, question, text, customer, change, drifted, from_dataset)

    def _pick_product(self, rng: random.Random, intent: str, day: date) -> TrueProduct:
        catalog = self.world.catalog_at(day)
        if intent == "product_size":
            catalog = [p for p in catalog if p.sizes] or catalog
        new = [p for p in catalog if p.launched is not None]
        if new and rng.random() < 0.35:  # the new line is what people ask about
            return rng.choice(new)
        return rng.choice(catalog)

    def _text(self, rng: random.Random, intent: str, slots: dict[str, str], drift: float,
              dataset_share: float) -> tuple[str, bool, bool]:  # fmt: skip
        drifted = rng.random() < drift
        pool = self.utterances.get(intent)
        if pool and rng.random() < dataset_share:
            text = _PLACEHOLDER.sub(lambda m: slots.get("order", "it") if "Order" in m.group(0)
                                    else "it", rng.choice(pool))  # fmt: skip
            if "order" in slots and slots["order"] not in text:
                text = f"{text.rstrip('?.! ')} (order {slots['order']})"
            return (ph.slangify(text, rng) if drifted else text), drifted, True
        templates = ph.ASK[intent]
        if drifted and intent in ph.DRIFT_ASK and rng.random() < 0.6:
            templates = ph.DRIFT_ASK[intent]
        usable = [
            t
            for t in templates
            if all(f"{{{s}}}" not in t or slots.get(s) for s in ("order", "product", "size"))
        ]
        text = rng.choice(usable or list(templates)).format_map(_Slots(slots))
        if drifted:
            text = ph.slangify(text, rng)
        return text, drifted, False


class _Slots(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "it"


def _casual(product: TrueProduct | None, fallback: str) -> str:
    """How a customer names a product: its model, often lower-case, sometimes with the noun."""
    if product is None:
        return fallback.split(" - ")[0]
    name = product.title.split(" - ")[0]
    return name if len(name) < 40 else product.model
