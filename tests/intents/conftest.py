"""Shared fixtures: a small synthetic shop-support intent set built deterministically."""

from __future__ import annotations

import random

import pytest

from shopcoach.intents.data import Dataset

INTENT_PHRASES: dict[str, list[str]] = {
    "track_order": ["where is my order", "track my package", "has my parcel shipped",
                    "when will my delivery arrive", "order status please"],
    "cancel_order": ["cancel my order", "i want to cancel the purchase", "stop my order",
                     "please cancel what i bought", "undo my order"],
    "refund": ["i want my money back", "refund please", "how do i get a refund",
               "return money to my card", "when is my refund coming"],
    "change_address": ["change my shipping address", "update delivery address",
                       "ship to a different address", "wrong address on my order",
                       "edit the address"],
    "payment_issue": ["my card was declined", "payment failed", "cannot pay with paypal",
                      "charged twice for my payment", "problem with checkout payment"],
    "contact_agent": ["talk to a human", "speak with an agent", "connect me to support staff",
                      "i need a real person", "customer service representative please"],
    "reset_password": ["reset my password", "forgot my password", "cannot log in",
                       "password recovery", "locked out of my account"],
    "invoice": ["send me the invoice", "where is my receipt", "download my bill",
                "i need an invoice copy", "get my invoice"],
}
FILLERS = ["", "hi", "hello", "please", "asap", "thanks", "quick question", "urgent", "hey there"]
OOS_PHRASES = ["what is the weather tomorrow", "tell me a joke", "who won the football game",
               "recipe for banana bread", "play some jazz music", "how tall is mount everest",
               "translate hello into french", "what time is it in tokyo", "book a flight to rome",
               "what is the capital of peru", "set an alarm for seven",
               "how many legs has a spider"]


def make_synthetic(n_per_intent: int = 24, n_oos: int = 0, seed: int = 0) -> Dataset:
    rng = random.Random(seed)
    texts: list[str] = []
    labels: list[str] = []
    for intent, phrases in INTENT_PHRASES.items():
        for _ in range(n_per_intent):
            p = rng.choice(phrases)
            a, b = rng.choice(FILLERS), rng.choice(FILLERS)
            texts.append(" ".join(x for x in (a, p, b) if x))
            labels.append(intent)
    for _ in range(n_oos):
        p = rng.choice(OOS_PHRASES)
        texts.append(" ".join(x for x in (rng.choice(FILLERS), p) if x))
        labels.append("oos")
    return Dataset(texts, labels)


@pytest.fixture(scope="session")
def synthetic_train() -> Dataset:
    return make_synthetic(24, 0, seed=1)


@pytest.fixture(scope="session")
def synthetic_test() -> Dataset:
    return make_synthetic(6, 24, seed=2)
