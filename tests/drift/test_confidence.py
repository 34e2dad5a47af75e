"""confidence: a drop in confidence fires, two samples of one distribution do not."""

from __future__ import annotations

import numpy as np

from shopcoach.drift import get_detector


def test_confidence_drop_fires_with_lowest_examples() -> None:
    rng = np.random.default_rng(5)
    ref = rng.beta(8, 2, size=2000)  # mean 0.8
    cur = rng.beta(5, 3, size=2000)  # mean 0.625
    texts = [f"query {i}" for i in range(cur.size)]
    r = get_detector("confidence")(ref, cur, current_texts=texts)
    assert r.drifted
    assert r.statistic("mean_shift").value < -0.1
    low = r.moved[0]
    assert low.after > low.before + 0.1 and low.drifted
    assert [e.score for e in r.examples] == sorted(cur)[:5]
    assert "moved down" in r.summary


def test_same_distribution_does_not_fire() -> None:
    rng = np.random.default_rng(6)
    r = get_detector("confidence")(rng.beta(8, 2, size=2000), rng.beta(8, 2, size=2000))
    assert not r.drifted and r.examples == []


def test_only_the_low_share_moving_still_fires() -> None:
    rng = np.random.default_rng(7)
    ref = rng.uniform(0.55, 1.0, size=3000)
    cur = ref.copy()
    cur[:450] = rng.uniform(0.3, 0.49, size=450)  # 15% fall under 0.5
    r = get_detector("confidence")(ref, cur, config={"ks_threshold": 0.5, "psi_threshold": 5})
    assert r.drifted
    assert r.statistic("low_share_change").fired
