"""Failure clusters on new query patterns (prompt brittleness).

The texts of failed conversations (first customer message, say) from a reference window and a
current window are vectorised (given embeddings, or TF-IDF over words and bigrams fitted on
both windows), pooled and clustered with k-means, so clusters are shared by both windows. A
cluster is flagged when its share of *current* failures reaches ``min_share``, grew by
``min_increase`` over its reference share, and a two-proportion z-test gives ``p < alpha``;
it is ``new`` when the reference had (almost) none of it. Each flagged cluster comes with its
top TF-IDF terms and the current failures nearest its centre.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from scipy import stats as sps

from shopcoach.drift.registry import register_detector
from shopcoach.drift.result import DriftResult, Example, Movement, severity_of, stat


@dataclass(frozen=True)
class FailureClustersConfig:
    n_clusters: int = 0
    """0 = automatic: sqrt(n / 2) clamped to [2, 30]."""
    min_share: float = 0.05
    min_increase: float = 0.05
    alpha: float = 0.01
    new_if_reference_share_below: float = 0.01
    top_terms: int = 6
    max_examples: int = 3
    seed: int = 0


def _tfidf(texts: Sequence[str]) -> tuple[Any, np.ndarray]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(
        ngram_range=(1, 2), min_df=2, sublinear_tf=True, stop_words="english",
        token_pattern=r"(?u)\b[^\W\d_][^\W\d_]+\b",
    )
    try:
        x = vec.fit_transform(texts)
    except ValueError:  # every term is rarer than min_df (tiny inputs)
        vec.set_params(min_df=1)
        x = vec.fit_transform(texts)
    return x, np.asarray(vec.get_feature_names_out())


@register_detector(
    "failure_clusters", FailureClustersConfig,
    "Clusters of failed conversations that are new or grew (k-means on TF-IDF/embeddings).",
)
def detect_failure_clusters(
    reference: Sequence[str],
    current: Sequence[str],
    *,
    reference_embeddings: Any = None,
    current_embeddings: Any = None,
    config: FailureClustersConfig,
) -> DriftResult:
    from sklearn.cluster import KMeans

    n_ref, n_cur = len(reference), len(current)
    if n_ref < 2 or n_cur < 2:
        raise ValueError(
            f"failure_clusters: need at least 2 failures per window (reference {n_ref}, "
            f"current {n_cur})."
        )
    texts = list(reference) + list(current)
    terms_x, vocab = _tfidf(texts)
    if reference_embeddings is None:
        x: Any = terms_x
    else:
        x = np.vstack((np.asarray(reference_embeddings), np.asarray(current_embeddings)))
        if x.shape[0] != len(texts):
            raise ValueError(
                f"failure_clusters: got {x.shape[0]} embedding rows for {len(texts)} texts; "
                "embed every failure text, in order."
            )
    n = len(texts)
    k = config.n_clusters or int(np.clip(round(np.sqrt(n / 2)), 2, 30))
    k = min(k, n - 1)
    km = KMeans(n_clusters=k, n_init=4, random_state=config.seed)
    labels = km.fit_predict(x)
    ref_counts = np.bincount(labels[:n_ref], minlength=k)
    cur_counts = np.bincount(labels[n_ref:], minlength=k)
    a, b = ref_counts / n_ref, cur_counts / n_cur
    pooled = (ref_counts + cur_counts) / n
    se = np.sqrt(pooled * (1 - pooled) * (1 / n_ref + 1 / n_cur))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, (b - a) / se, 0.0)
    p = sps.norm.sf(z)  # one-sided: grew
    flagged = (b >= config.min_share) & (b - a >= config.min_increase) & (p < config.alpha)
    increase = b - a
    best = int(np.argmax(np.where(flagged, increase, -np.inf))) if flagged.any() else int(
        np.argmax(increase))
    statistics = [
        stat("max_cluster_increase", float(increase[best]), config.min_increase),
        stat("cluster_share", float(b[best]), config.min_share, role="guard"),
        stat("cluster_p_value", float(p[best]), config.alpha, op="<", role="guard"),
        stat("flagged_clusters", int(flagged.sum()), None, role="info"),
        stat("n_clusters", k, None, role="info"),
    ]
    drifted = bool(flagged.any())
    centres = km.cluster_centers_
    cur_rows = terms_x[n_ref:]
    moved: list[Movement] = []
    examples: list[Example] = []
    order = sorted(range(k), key=lambda c: (not flagged[c], -increase[c]))
    for c in order[: max(int(flagged.sum()), 3)]:
        members = np.flatnonzero(labels[n_ref:] == c)
        if members.size:
            weights = np.asarray(cur_rows[members].mean(axis=0)).ravel()
            top = [str(vocab[i]) for i in np.argsort(-weights)[: config.top_terms]
                   if weights[i] > 0]
        else:
            top = []
        is_new = a[c] < config.new_if_reference_share_below
        label = ("new" if is_new else "grew") if flagged[c] else "steady"
        moved.append(Movement(
            item=f"cluster {c}: {' / '.join(top[:3]) or '(no terms)'}",
            before=float(a[c]), after=float(b[c]), change=float(increase[c]),
            unit="share of failures", drifted=bool(flagged[c]),
            detail=f"{label}; {int(cur_counts[c])} current vs {int(ref_counts[c])} reference "
            f"failures; top terms: {', '.join(top)}",
        ))
        if flagged[c] and members.size:
            rows = x[n_ref:][members]
            dist = _distances(rows, centres[c])
            for i in members[np.argsort(dist, kind="stable")[: config.max_examples]]:
                examples.append(Example(text=current[i], id=str(i),
                                        reason=f"near the centre of {label} cluster {c}"))
    if drifted:
        m = moved[0]
        summary = (
            f"{int(flagged.sum())} failure cluster(s) new or growing; biggest: {m.item} "
            f"({m.before:.1%} -> {m.after:.1%} of failures)."
        )
    else:
        summary = f"No failure cluster grew ({k} clusters over {n} failures)."
    return DriftResult(
        detector="failure_clusters", drifted=drifted, severity=severity_of(statistics, drifted),
        statistics=statistics, moved=moved, examples=examples, summary=summary,
        n_reference=n_ref, n_current=n_cur, config=dataclasses.asdict(config),
    )


def _distances(rows: Any, centre: np.ndarray) -> np.ndarray:
    if sparse.issparse(rows):
        sq = np.asarray(rows.multiply(rows).sum(axis=1)).ravel()
        return sq - 2 * np.asarray(rows @ centre).ravel() + float(centre @ centre)
    diff = np.asarray(rows) - centre
    return np.einsum("ij,ij->i", diff, diff)
