"""Temperature scaling, the OOS detector and the threshold rule, on plain arrays."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import log_softmax
from sklearn.metrics import log_loss

from shopcoach.intents.calibration import (
    choose_threshold,
    fit_detector,
    fit_temperature,
    nll,
    oos_features,
    softmax,
)
from shopcoach.intents.metrics import ece
from shopcoach.intents.model import DEFAULT_OOS_PRIOR, resolve_oos_prior


def _sample(true_t: float, n: int = 6000, k: int = 10, seed: int = 0
            ) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Logits and labels drawn from softmax(logits / true_t): calibrated at T = true_t."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0.0, 3.0, size=(n, k))
    p = softmax(logits, true_t)
    y = (p.cumsum(axis=1) < rng.random((n, 1))).sum(axis=1).clip(0, k - 1)  # inverse CDF
    return logits, y


def test_softmax_rows_sum_to_one_and_handle_large_logits() -> None:
    p = softmax(np.array([[1000.0, 0.0, -1000.0], [1.0, 1.0, 1.0]]))
    assert np.allclose(p.sum(axis=1), 1.0)
    assert p[0, 0] == pytest.approx(1.0) and np.allclose(p[1], 1 / 3)
    assert np.allclose(softmax(np.array([[2.0, 0.0]]), 2.0), softmax(np.array([[1.0, 0.0]])))


def test_nll_matches_sklearn_log_loss() -> None:
    logits, y = _sample(1.0, n=500)
    for t in (0.5, 1.0, 3.0):
        want = log_loss(y, softmax(logits, t), labels=list(range(logits.shape[1])))
        assert nll(logits, y, t) == pytest.approx(want, rel=1e-6)


@pytest.mark.parametrize("true_t", [0.5, 1.0, 2.5])
def test_fit_temperature_recovers_the_generating_temperature(true_t: float) -> None:
    logits, y = _sample(true_t)
    t = fit_temperature(logits, y)
    assert t == pytest.approx(true_t, rel=0.1)
    # and it lowers the NLL and the calibration error versus the raw logits
    assert nll(logits, y, t) <= nll(logits, y, 1.0) + 1e-9
    raw, fitted = softmax(logits, 1.0), softmax(logits, t)
    ok = raw.argmax(axis=1) == y
    if true_t != 1.0:
        assert ece(fitted.max(axis=1), ok) < ece(raw.max(axis=1), ok)


def test_fit_temperature_edge_cases() -> None:
    assert fit_temperature(np.zeros((0, 3)), np.zeros(0, dtype=int)) == 1.0
    # unseen classes carry -inf-like scores in the out-of-fold matrix; still finite
    logits = np.array([[5.0, -np.inf, 0.0], [0.0, -np.inf, 4.0]])
    t = fit_temperature(logits, np.array([0, 2]))
    assert np.isfinite(t) and t > 0


def test_oos_features_columns() -> None:
    p = np.array([[0.9, 0.1], [0.5, 0.5]])
    f = oos_features(p, None, None)
    assert f.shape == (2, 2)
    assert f[0, 0] == pytest.approx(np.log(0.9))
    assert f[1, 1] == pytest.approx(np.log(2))  # entropy of a uniform 2-way distribution
    assert oos_features(p, np.array([0.7, 0.2]), np.array([0.01, 0.5])).shape == (2, 4)


def test_choose_threshold_hand_computed() -> None:
    s_in = np.array([0.1, 0.2, 0.3, 0.8])
    correct = np.array([True, True, True, False])
    s_oos = np.array([0.6, 0.9])
    # prior 0.5: any t in (0.3, 0.6] accepts the 3 correct in-scope rows (gain 0.5 * 3/4)
    # and rejects both OOS rows (0.5 * 1): the best. The rule returns the midpoint of the
    # chosen candidate 0.6 and the one below it, 0.3.
    t = choose_threshold(s_in, correct, s_oos, 0.5)
    assert t == pytest.approx(0.45)
    # prior 0: only accepted correct rows count, so every correct row (<= 0.3) is accepted;
    # rejecting the wrong one (0.8) costs nothing
    assert choose_threshold(s_in, correct, s_oos, 0.0) > 0.3
    # all rows correct and prior 0: nothing may be rejected
    assert choose_threshold(s_in, np.ones(4, dtype=bool), s_oos, 0.0) > 0.8


def test_threshold_falls_as_the_prior_rises() -> None:
    rng = np.random.default_rng(1)
    s_in, s_oos = rng.beta(2, 5, 500), rng.beta(5, 2, 100)
    ok = rng.random(500) < 0.9
    ts = [choose_threshold(s_in, ok, s_oos, p) for p in (0.01, 0.1, 0.3, 0.6)]
    assert ts == sorted(ts, reverse=True)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0, 1), min_size=1, max_size=30),
    st.lists(st.floats(0, 1), min_size=1, max_size=30),
    st.floats(0, 0.99),
)
def test_chosen_threshold_is_optimal(s_in: list[float], s_oos: list[float], prior: float) -> None:
    a, o = np.array(s_in), np.array(s_oos)
    ok = np.ones(len(a), dtype=bool)

    def gain(t: float) -> float:
        return (1 - prior) * float(np.mean(ok & (a < t))) + prior * float(np.mean(o >= t))

    t = choose_threshold(a, ok, o, prior)
    candidates = np.r_[np.unique(np.r_[a, o]), np.inf]
    assert gain(t) == pytest.approx(max(gain(c) for c in candidates), abs=1e-12)


def test_fit_detector_separates_and_falls_back() -> None:
    rng = np.random.default_rng(0)
    f_in = np.column_stack([rng.normal(-0.1, 0.05, 300), rng.normal(0.3, 0.1, 300)])
    f_oos = np.column_stack([rng.normal(-1.5, 0.3, 60), rng.normal(2.0, 0.3, 60)])
    det = fit_detector(f_in, np.ones(300, dtype=bool), f_oos, 0.2)
    assert det.method == "logistic"
    assert (det.score(f_oos) >= det.threshold).mean() > 0.95
    assert (det.score(f_in) < det.threshold).mean() > 0.95
    # no OOS rows at all: the max-prob rule rejecting ~5% of held-out in-scope rows
    fb = fit_detector(f_in, np.ones(300, dtype=bool), f_in[:0], 0.2)
    assert fb.method == "max-prob"
    assert (fb.score(f_in) >= fb.threshold).mean() == pytest.approx(0.05, abs=0.01)


def test_resolve_oos_prior() -> None:
    assert resolve_oos_prior(0.1, 50, 100) == (0.1, "config")
    assert resolve_oos_prior(None, 100, 15100) == (pytest.approx(100 / 15100), "train-share")
    assert resolve_oos_prior(None, 0, 100) == (DEFAULT_OOS_PRIOR, "default")


def test_log_softmax_consistency() -> None:
    logits, _ = _sample(1.0, n=20)
    assert np.allclose(np.log(softmax(logits, 2.0)), log_softmax(logits / 2.0, axis=1))
