"""tabular: planted drift in known columns fires exactly there; clean tables do not."""

from __future__ import annotations

import numpy as np
import pytest

from shopcoach.drift import get_detector
from shopcoach.drift.tabular import drifted_columns


def _tables(n: int, seed: int, drift: bool) -> tuple[dict, dict]:
    rng = np.random.default_rng(seed)
    ref = {
        "price": rng.lognormal(3, 0.5, n),
        "items": rng.poisson(2, n),
        "latency": rng.gamma(2, 1, n),
        "channel": rng.choice(["web", "app", "email"], n, p=[0.5, 0.3, 0.2]),
        "country": rng.choice(["de", "fr", "it", "es"], n),
    }
    cur = {
        "price": rng.lognormal(3.4 if drift else 3, 0.5, n),
        "items": rng.poisson(2, n),
        "latency": rng.gamma(2, 1, n),
        "channel": rng.choice(["web", "app", "email"], n, p=[0.2, 0.3, 0.5] if drift
                              else [0.5, 0.3, 0.2]),
        "country": rng.choice(["de", "fr", "it", "es"], n),
    }
    return ref, cur


def test_planted_columns_drift_and_only_those() -> None:
    ref, cur = _tables(5000, 1, drift=True)
    r = get_detector("tabular")(ref, cur, categorical=["items"])
    assert r.drifted
    assert sorted(drifted_columns(r)) == ["channel", "price"]
    assert r.moved[0].drifted and r.moved[2].drifted is False
    channel = next(m for m in r.moved if m.item == "channel")
    assert "web: 5" in channel.detail and channel.change < -0.25  # web lost most
    assert {e.text.split()[0] for e in r.examples} == {"channel", "price"}


def test_clean_tables_do_not_drift() -> None:
    ref, cur = _tables(5000, 2, drift=False)
    r = get_detector("tabular")(ref, cur)
    assert not r.drifted and drifted_columns(r) == []
    assert r.statistic("psi", scope="price").value < 0.05


def test_mismatched_columns_are_named() -> None:
    with pytest.raises(ValueError, match=r"\['extra'\]"):
        get_detector("tabular")({"a": [1.0]}, {"a": [1.0], "extra": [2.0]})
