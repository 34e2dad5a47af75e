"""Ranking metrics: graded nDCG@k, MRR@k, Recall@k and the zero-result rate. Pure numpy.

Conventions (those of ``trec_eval``/BEIR unless said otherwise):

* ``qrels`` maps query id to ``{doc_id: grade}``; a document that is not judged has grade 0.
* nDCG uses **linear gain** by default (``grade / log2(rank + 1)``), so graded scales such as
  ESCI's E=1, S=0.1, C=0.01 are used as given; ``gain="exponential"`` uses ``2**grade - 1``.
  The ideal ranking is built from all judged grades.
* MRR and Recall are binary: a document is *relevant* when ``grade >= relevance_threshold``
  (default: any positive grade). MRR@k is the reciprocal rank of the first relevant document
  within the top k (0 if none); Recall@k is the share of the query's relevant documents found in
  the top k.
* A query with no relevant document (no positive grade, or none at the threshold) cannot be
  scored and is left out of the averages; :class:`RunMetrics` reports how many were scored.
* A query that the run has no entry for counts as an empty result (0 for every metric).
* The zero-result rate is the share of scored queries whose result list is empty.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

Qrels = Mapping[str, Mapping[str, float]]
Run = Mapping[str, Sequence[str]]


Gain = Literal["linear", "exponential"]


def dcg(gains: Sequence[float] | np.ndarray, k: int, gain: Gain = "linear") -> float:
    """Discounted cumulative gain of the first ``k`` grades (rank 1 discounted by log2(2)).

    ``gain="exponential"`` uses ``2**grade - 1`` (Burges et al.) instead of the grade itself.
    """
    g = np.asarray(gains, dtype=np.float64)[:k]
    if gain == "exponential":
        g = np.exp2(g) - 1.0
    if g.size == 0:
        return 0.0
    discounts = np.log2(np.arange(2, g.size + 2, dtype=np.float64))
    return float(np.sum(g / discounts))


def ndcg_at_k(
    ranked: Sequence[str], judgements: Mapping[str, float], k: int = 10, gain: Gain = "linear"
) -> float:
    """Graded nDCG@k of one ranked list; unjudged documents have grade 0."""
    ideal = sorted((g for g in judgements.values() if g > 0), reverse=True)
    idcg = dcg(ideal, k, gain)
    if idcg <= 0:
        return 0.0
    grades = [float(judgements.get(d, 0.0)) for d in ranked[:k]]
    return dcg(grades, k, gain) / idcg


def _relevant(judgements: Mapping[str, float], threshold: float | None) -> set[str]:
    if threshold is None:
        return {d for d, g in judgements.items() if g > 0}
    return {d for d, g in judgements.items() if g >= threshold}


def mrr_at_k(
    ranked: Sequence[str],
    judgements: Mapping[str, float],
    k: int = 10,
    relevance_threshold: float | None = None,
) -> float:
    """Reciprocal rank of the first relevant document in the top k (0 when there is none)."""
    relevant = _relevant(judgements, relevance_threshold)
    for i, d in enumerate(ranked[:k]):
        if d in relevant:
            return 1.0 / (i + 1)
    return 0.0


def recall_at_k(
    ranked: Sequence[str],
    judgements: Mapping[str, float],
    k: int = 100,
    relevance_threshold: float | None = None,
) -> float:
    """Share of the query's relevant documents that appear in the top k."""
    relevant = _relevant(judgements, relevance_threshold)
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)


@dataclass(frozen=True, slots=True)
class RunMetrics:
    """Averages over the scored queries, plus per-query nDCG for paired comparisons."""

    ndcg_at_10: float
    mrr_at_10: float
    recall_at_100: float
    zero_result_rate: float
    n_queries: int
    n_skipped: int
    per_query_ndcg: Mapping[str, float]

    def as_dict(self) -> dict[str, float | int]:
        return {
            "ndcg@10": self.ndcg_at_10,
            "mrr@10": self.mrr_at_10,
            "recall@100": self.recall_at_100,
            "zero_result_rate": self.zero_result_rate,
            "n_queries": self.n_queries,
            "n_skipped": self.n_skipped,
        }


def evaluate_run(
    run: Run,
    qrels: Qrels,
    *,
    relevance_threshold: float | None = None,
    gain: Gain = "linear",
) -> RunMetrics:
    """Score a run (query id to ranked doc ids) against qrels.

    Queries are those of ``qrels`` that have at least one relevant document at
    ``relevance_threshold``; queries only in ``run`` are ignored.
    """
    ndcgs: dict[str, float] = {}
    mrrs: list[float] = []
    recalls: list[float] = []
    zero = 0
    skipped = 0
    for qid in sorted(qrels):
        judgements = qrels[qid]
        if not _relevant(judgements, relevance_threshold) or not any(
            g > 0 for g in judgements.values()
        ):
            skipped += 1
            continue
        ranked = list(run.get(qid, ()))
        if not ranked:
            zero += 1
        ndcgs[qid] = ndcg_at_k(ranked, judgements, 10, gain)
        mrrs.append(mrr_at_k(ranked, judgements, 10, relevance_threshold))
        recalls.append(recall_at_k(ranked, judgements, 100, relevance_threshold))
    n = len(ndcgs)

    def mean(values: Sequence[float]) -> float:
        return float(np.mean(values)) if values else math.nan

    return RunMetrics(
        ndcg_at_10=mean(list(ndcgs.values())),
        mrr_at_10=mean(mrrs),
        recall_at_100=mean(recalls),
        zero_result_rate=zero / n if n else math.nan,
        n_queries=n,
        n_skipped=skipped,
        per_query_ndcg=ndcgs,
    )
