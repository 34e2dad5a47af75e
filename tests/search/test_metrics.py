from __future__ import annotations

import math

import pytest

from shopcoach.search.metrics import dcg, evaluate_run, mrr_at_k, ndcg_at_k, recall_at_k

JUDGED = {"a": 1.0, "c": 2.0, "d": 1.0, "x": 0.0}


def test_dcg_by_hand() -> None:
    # 3/log2(2) + 0/log2(3) + 1/log2(4) = 3 + 0 + 0.5
    assert dcg([3, 0, 1], 10) == pytest.approx(3.5)
    assert dcg([3, 0, 1], 1) == pytest.approx(3.0)
    assert dcg([], 10) == 0.0
    # exponential gain: (2**2 - 1)/1 + (2**1 - 1)/log2(3)
    assert dcg([2, 1], 10, "exponential") == pytest.approx(3 + 1 / math.log2(3))


def test_ndcg_linear_and_exponential_by_hand() -> None:
    ranked = ["a", "b", "c"]
    # DCG = 1/1 + 0 + 2/log2(4) = 2; IDCG over [2, 1, 1] = 2 + 1/log2(3) + 1/2
    idcg = 2 + 1 / math.log2(3) + 0.5
    assert ndcg_at_k(ranked, JUDGED, 10) == pytest.approx(2 / idcg)
    # exponential: DCG = 1 + 3/2; IDCG = 3 + 1/log2(3) + 1/2
    assert ndcg_at_k(ranked, JUDGED, 10, "exponential") == pytest.approx(
        2.5 / (3 + 1 / math.log2(3) + 0.5)
    )
    # cut at k=1: DCG 1 vs IDCG 2
    assert ndcg_at_k(ranked, JUDGED, 1) == pytest.approx(0.5)
    assert ndcg_at_k(["c", "a", "d"], JUDGED, 10) == pytest.approx(1.0)
    assert ndcg_at_k([], JUDGED, 10) == 0.0
    assert ndcg_at_k(["a"], {"a": 0.0}, 10) == 0.0


def test_mrr_and_recall_by_hand() -> None:
    ranked = ["b", "x", "c", "a"]
    assert mrr_at_k(ranked, JUDGED, 10) == pytest.approx(1 / 3)
    assert mrr_at_k(ranked, JUDGED, 2) == 0.0
    assert mrr_at_k(ranked, JUDGED, 10, relevance_threshold=2.0) == pytest.approx(1 / 3)
    assert mrr_at_k(["a", "c"], JUDGED, 10, relevance_threshold=2.0) == pytest.approx(1 / 2)
    # relevant (grade > 0): a, c, d -> top 3 holds c only
    assert recall_at_k(ranked, JUDGED, 3) == pytest.approx(1 / 3)
    assert recall_at_k(ranked, JUDGED, 100) == pytest.approx(2 / 3)
    assert recall_at_k(ranked, JUDGED, 100, relevance_threshold=2.0) == pytest.approx(1.0)


def test_evaluate_run_averages_skips_and_zero_results() -> None:
    qrels = {
        "q1": {"a": 1.0},
        "q2": {"b": 1.0, "c": 1.0},
        "q3": {"z": 0.0},  # nothing relevant: skipped
        "q4": {"d": 1.0},  # no entry in the run: an empty result
    }
    run = {"q1": ["a"], "q2": ["x", "c"], "q3": ["z"], "extra": ["a"]}
    m = evaluate_run(run, qrels)
    assert m.n_queries == 3 and m.n_skipped == 1
    q2 = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    assert m.per_query_ndcg == pytest.approx({"q1": 1.0, "q2": q2, "q4": 0.0})
    assert m.ndcg_at_10 == pytest.approx((1 + q2 + 0) / 3)
    assert m.mrr_at_10 == pytest.approx((1 + 0.5 + 0) / 3)
    assert m.recall_at_100 == pytest.approx((1 + 0.5 + 0) / 3)
    assert m.zero_result_rate == pytest.approx(1 / 3)
    assert m.as_dict()["n_queries"] == 3


def test_threshold_skips_queries_without_relevant_documents() -> None:
    qrels = {"q1": {"a": 0.1}, "q2": {"b": 1.0}}
    m = evaluate_run({"q1": ["a"], "q2": ["b"]}, qrels, relevance_threshold=1.0)
    assert m.n_queries == 1 and m.n_skipped == 1
    assert m.mrr_at_10 == 1.0
