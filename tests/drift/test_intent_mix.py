"""intent_mix on CLINC150 intents: resampled mix fires, two random halves do not."""

from __future__ import annotations

import random

from shopcoach.drift import get_detector


def test_resampled_intent_mix_fires_and_names_the_intents(clinc) -> None:
    texts, intents = clinc
    ref = intents[:6000]
    # Current window: the same traffic, but three intents now make up ~30% of it.
    boosted = {"order_status", "lost_luggage", "card_declined"}
    pool = list(zip(texts[6000:], intents[6000:], strict=True))
    hot = [p for p in pool if p[1] in boosted]
    rest = [p for p in pool if p[1] not in boosted]
    rng = random.Random(1)
    cur = rng.sample(rest, 2800) + rng.choices(hot, k=1200)
    rng.shuffle(cur)
    r = get_detector("intent_mix")(ref, [c[1] for c in cur], current_texts=[c[0] for c in cur])
    assert r.drifted and r.severity in {"medium", "high"}
    assert {m.item for m in r.moved[:3]} == boosted
    assert all(m.after > m.before for m in r.moved[:3])
    assert r.examples and r.examples[0].reason.startswith("intent ")
    assert any(e.text in texts for e in r.examples)
    assert r.moved[0].item in r.summary


def test_two_random_halves_do_not_fire(clinc) -> None:
    _, intents = clinc
    half = len(intents) // 2
    r = get_detector("intent_mix")(intents[:half], intents[half:])
    assert not r.drifted and r.severity == "none"
    assert r.statistic("chi2_p_value").value > 0.01
    assert r.examples == []
