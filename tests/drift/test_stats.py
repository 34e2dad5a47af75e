"""The statistics against scipy and against planted/absent shifts."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from shopcoach.drift.stats import (
    _ks_distance_sorted,
    categorical,
    domain_classifier_auc,
    ks,
    mmd_rbf,
    psi,
)

small_samples = st.lists(st.integers(-5, 5) | st.floats(-3, 3, allow_nan=False), min_size=1,
                         max_size=40)


@given(small_samples, small_samples)
@settings(max_examples=200, deadline=None)
def test_ks_distance_equals_scipy_with_ties(a: list[float], b: list[float]) -> None:
    x, y = np.sort(np.array(a, dtype=float)), np.sort(np.array(b, dtype=float))
    with warnings.catch_warnings():  # only the statistic is compared, not scipy's p-value
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = sps.ks_2samp(x, y).statistic
    assert _ks_distance_sorted(x, y) == pytest.approx(expected, abs=1e-12)


def test_small_sample_ks_with_ties_does_not_warn() -> None:
    assert ks([0, 0, 0, 0, 0], [0, 0, 0, 0, 1]).statistic == pytest.approx(0.2)


def test_large_sample_ks_matches_scipy_asymptotic() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=30_000), rng.normal(0.03, 1, size=20_000)
    ours, ref = ks(a, b), sps.ks_2samp(a, b, method="asymp")
    assert ours.statistic == pytest.approx(ref.statistic, abs=1e-12)
    assert ours.p_value == pytest.approx(ref.pvalue, rel=1e-9)


def test_psi_zero_on_same_sample_and_large_on_shift() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=20_000)
    assert psi(a, a) == pytest.approx(0.0, abs=1e-12)
    assert psi(a, rng.normal(size=20_000)) < 0.01
    assert psi(a, rng.normal(1.0, 1, size=20_000)) > 0.5


def test_psi_refuses_empty_sides_with_a_reason() -> None:
    with pytest.raises(ValueError, match="reference has 0"):
        psi([np.nan], [1.0, 2.0])


def test_categorical_statistics() -> None:
    same = categorical(["a", "b", "c"] * 100, ["c", "b", "a"] * 100)
    assert same.js == pytest.approx(0.0, abs=1e-9) and same.p_value == pytest.approx(1.0)
    moved = categorical(["a"] * 100 + ["b"] * 100, ["a"] * 100 + ["b"] * 20 + ["new"] * 80)
    assert moved.categories == ["a", "b", "new"]
    assert list(moved.reference_counts) == [100, 100, 0]
    assert moved.p_value < 1e-6 and moved.js > 0.3 and moved.psi > 1.0


def test_mmd_permutation_test() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 8))
    clean = mmd_rbf(x, rng.normal(size=(200, 8)), n_permutations=100, seed=0)
    shifted = mmd_rbf(x, rng.normal(0.5, 1, size=(200, 8)), n_permutations=100, seed=0)
    assert clean.p_value > 0.05
    assert shifted.p_value < 0.02 and shifted.mmd2 > 5 * clean.mmd2
    assert mmd_rbf(x, x[::-1], n_permutations=50, seed=0).mmd2 == pytest.approx(0, abs=1e-12)


def test_domain_classifier_auc() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(300, 5))
    assert abs(domain_classifier_auc(x, rng.normal(size=(300, 5))) - 0.5) < 0.1
    assert domain_classifier_auc(x, rng.normal(1.0, 1, size=(300, 5))) > 0.85
