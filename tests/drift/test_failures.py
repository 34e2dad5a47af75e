"""failure_clusters: a new failure pattern (Bitext refund-policy questions) is found."""

from __future__ import annotations

import random

from shopcoach.drift import get_detector

OLD = ["cancel_order", "track_order", "payment_issue", "delivery_period",
       "change_shipping_address", "get_refund"]


def _pool(by_intent: dict[str, list[str]]) -> list[str]:
    pool = [t for intent in OLD for t in by_intent[intent]]
    random.Random(0).shuffle(pool)
    return pool


def test_new_failure_pattern_is_reported_with_terms_and_examples(bitext_by_intent) -> None:
    pool = _pool(bitext_by_intent)
    new = random.Random(1).sample(bitext_by_intent["check_refund_policy"], 60)
    current = pool[300:540] + new
    r = get_detector("failure_clusters")(pool[:300], current)
    assert r.drifted
    top = r.moved[0]
    assert top.drifted and top.after - top.before >= 0.05
    assert top.detail.startswith(("new", "grew"))
    # The flagged cluster is made of the planted pattern: its examples come from it.
    cluster = top.item.split()[1].rstrip(":")
    examples = [e.text for e in r.examples if e.reason.endswith(f"cluster {cluster}")]
    assert examples and all(t in new for t in examples)
    assert "top terms:" in top.detail


def test_same_mix_of_failures_does_not_fire(bitext_by_intent) -> None:
    pool = _pool(bitext_by_intent)
    r = get_detector("failure_clusters")(pool[:300], pool[300:600])
    assert not r.drifted, r.summary
    assert r.examples == []
