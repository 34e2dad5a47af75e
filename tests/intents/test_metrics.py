"""Metrics checked against hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

from shopcoach.intents.metrics import (
    accuracy,
    auroc,
    confusion_matrix,
    ece,
    evaluate,
    macro_f1,
    per_label_prf,
    reliability_bins,
)


def test_auroc_hand_computed() -> None:
    # positives 0.35, 0.8 vs negatives 0.1, 0.4: pairs won 1+1+2 of... (0.35>0.1, 0.35<0.4,
    # 0.8>0.1, 0.8>0.4) = 3 of 4
    assert auroc([0.1, 0.4, 0.35, 0.8], [False, False, True, True]) == pytest.approx(0.75)


def test_auroc_ties_count_half() -> None:
    assert auroc([0.5, 0.5], [False, True]) == pytest.approx(0.5)
    # one tie (0.5 vs 0.5) = 0.5, one win (0.9 > 0.5) = 1 -> 1.5 / 2
    assert auroc([0.5, 0.5, 0.9], [False, True, True]) == pytest.approx(0.75)


def test_auroc_perfect_and_missing_class() -> None:
    assert auroc([0.1, 0.2, 0.9], [False, False, True]) == 1.0
    assert auroc([0.9, 0.8, 0.1], [False, False, True]) == 0.0
    assert math.isnan(auroc([0.1, 0.2], [False, False]))


def test_ece_hand_computed() -> None:
    # 10 bins. Bin (0.8,0.9]: conf 0.9,0.9 acc 1/2 -> gap 0.4, weight 2/4.
    # Bin (0.5,0.6]: conf 0.6 acc 1 -> gap 0.4, weight 1/4. Bin (0.2,0.3]: conf 0.3, acc 0 ->
    # gap 0.3, weight 1/4. ECE = 0.2 + 0.1 + 0.075 = 0.375
    conf = np.array([0.9, 0.9, 0.6, 0.3])
    ok = np.array([True, False, True, False])
    assert ece(conf, ok, n_bins=10) == pytest.approx(0.375)


def test_ece_perfectly_calibrated_is_zero() -> None:
    conf = np.array([1.0, 1.0, 0.5, 0.5])
    ok = np.array([True, True, True, False])
    assert ece(conf, ok, n_bins=10) == pytest.approx(0.0)


def test_accuracy_f1_prf() -> None:
    t = ["a", "a", "b", "b"]
    p = ["a", "b", "b", "b"]
    assert accuracy(t, p) == 0.75
    prf = per_label_prf(t, p)
    assert prf["a"] == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(2 / 3),
                        "support": 2}
    assert prf["b"]["precision"] == pytest.approx(2 / 3)
    assert prf["b"]["recall"] == 1.0
    assert macro_f1(t, p) == pytest.approx((2 / 3 + 0.8) / 2)


def test_confusion_matrix() -> None:
    m = confusion_matrix(["a", "a", "b"], ["a", "b", "b"], ["a", "b"])
    assert m.tolist() == [[1, 1], [0, 1]]


def test_evaluate_oos_metrics() -> None:
    y = ["a", "b", "oos", "oos"]
    final = ["a", "oos", "oos", "a"]
    closed = ["a", "b", "a", "a"]
    rep = evaluate(y, final, closed, np.array([0.9, 0.6, 0.5, 0.8]),
                   np.array([0.1, 0.7, 0.9, 0.2]), "oos", known_labels=["a", "b"])
    assert rep.accuracy == 0.5
    assert rep.oos_recall == 0.5
    assert rep.oos_precision == 0.5
    assert rep.in_scope_accuracy == 1.0
    # OOS scores 0.9, 0.2 vs in-scope 0.1, 0.7: wins 0.9>0.1, 0.9>0.7, 0.2>0.1 -> 3/4
    assert rep.auroc == pytest.approx(0.75)
    assert rep.n_oos == 2 and rep.unknown_labels == 0
    d = rep.to_dict()
    assert d["per_intent"]["oos"]["recall"] == 0.5


def test_evaluate_without_oos_rows() -> None:
    rep = evaluate(["a", "b"], ["a", "b"], ["a", "b"], np.array([0.9, 0.9]),
                   np.array([0.1, 0.1]), "oos")
    assert rep.oos_recall is None and rep.auroc is None and rep.oos_precision is None


# --------------------------------------------------------------------------- against sklearn

LABELS = ["a", "b", "c", "oos"]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(LABELS), st.sampled_from(LABELS)), min_size=1,
                max_size=60))
def test_classification_metrics_match_sklearn(pairs: list[tuple[str, str]]) -> None:
    t = [a for a, _ in pairs]
    p = [b for _, b in pairs]
    assert accuracy(t, p) == pytest.approx(skm.accuracy_score(t, p))
    present = sorted(set(t))
    want_f1 = skm.f1_score(t, p, labels=present, average="macro", zero_division=0)
    assert macro_f1(t, p) == pytest.approx(want_f1)
    prec, rec, f1, sup = skm.precision_recall_fscore_support(t, p, labels=LABELS,
                                                             zero_division=0)
    ours = per_label_prf(t, p, LABELS)
    for i, lab in enumerate(LABELS):
        assert ours[lab]["precision"] == pytest.approx(prec[i])
        assert ours[lab]["recall"] == pytest.approx(rec[i])
        assert ours[lab]["f1"] == pytest.approx(f1[i])
        assert ours[lab]["support"] == sup[i]
    assert confusion_matrix(t, p, LABELS).tolist() == skm.confusion_matrix(
        t, p, labels=LABELS).tolist()


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.booleans()), min_size=2, max_size=60))
def test_auroc_matches_sklearn(rows: list[tuple[int, bool]]) -> None:
    scores = [s / 5 for s, _ in rows]  # few distinct values: many ties
    pos = [b for _, b in rows]
    if len(set(pos)) < 2:
        assert math.isnan(auroc(scores, pos))
    else:
        assert auroc(scores, pos) == pytest.approx(skm.roc_auc_score(pos, scores))


def test_reliability_bins_and_ece_against_a_direct_computation() -> None:
    rng = np.random.default_rng(4)
    conf = rng.random(1000)
    ok = rng.random(1000) < conf  # calibrated by construction
    bins = reliability_bins(conf, ok, 10)
    assert sum(b["count"] for b in bins) == 1000
    edges = np.linspace(0, 1, 11)
    for b, lo, hi in zip(bins, edges[:-1], edges[1:], strict=True):
        m = (conf > lo) & (conf <= hi) if lo > 0 else (conf <= hi)
        assert b["count"] == int(m.sum())
        assert b["accuracy"] == pytest.approx(ok[m].mean())
        assert b["confidence"] == pytest.approx(conf[m].mean())
    direct = sum(m.sum() * abs(ok[m].mean() - conf[m].mean()) for m in (
        ((conf > lo) & (conf <= hi)) if lo > 0 else (conf <= hi)
        for lo, hi in zip(edges[:-1], edges[1:], strict=True))) / 1000
    assert ece(conf, ok, 10) == pytest.approx(direct)
    assert ece(conf, ok, 10) < 0.06  # calibrated data: small ECE
    assert ece(np.full(1000, 0.99), ok, 10) > 0.3  # over-confident: large ECE
