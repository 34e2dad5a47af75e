"""Fusing one lexical and one or more dense rankings into one. Pure functions.

Two methods:

* ``convex`` (default): a weighted sum of min-max normalised scores,
  ``(1 - alpha) * lexical + alpha / m * (dense_1 + ... + dense_m)`` for ``m`` dense retrievers,
  with ``alpha`` by document kind (``product_alpha`` for products, ``alpha`` for the rest).
  Lexical BM25 scores are min-max scaled over the lexical list (a candidate that BM25 did not
  return scores 0). Dense scores are the exact cosine of *every* candidate (the hybrid index
  computes it for candidates found only by another retriever), min-max scaled over all
  candidates. Bruch, Gai & Ingber (2023, "An Analysis of Fusion Functions for Hybrid
  Retrieval") show that such a normalised convex combination beats RRF and that its one
  parameter can be fit from few queries. ``alpha`` was chosen by cross-validation
  (docs/search.md); with several dense retrievers it is split equally (CombSUM-style, no extra
  parameters).
* ``rrf``: reciprocal rank fusion, ``sum 1 / (rrf_k + rank)`` over the lists a document is in.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

FusionMethod = Literal["convex", "rrf"]

# Dense share of the convex mix. Articles (support-article routing on Bitext and HINT3) and
# products (ESCI) want different mixes: product titles are keyword-dense, so BM25 deserves more
# weight there. Both were chosen by 5-fold cross-validation (docs/search.md).
DEFAULT_ALPHA = 0.7
PRODUCT_ALPHA = 0.55

Ranked = Sequence[tuple[Hashable, float]]


@dataclass(frozen=True, slots=True)
class FusionConfig:
    method: FusionMethod = "convex"
    alpha: float = DEFAULT_ALPHA
    rrf_k: int = 60
    candidates: int = 100  # documents taken from each retriever before fusion
    # The dense share for product documents; None: ``alpha`` for every kind.
    product_alpha: float | None = PRODUCT_ALPHA

    def __post_init__(self) -> None:
        if self.method not in ("convex", "rrf"):
            raise ValueError(f"unknown fusion method {self.method!r}")
        if not 0.0 <= self.alpha <= 1.0:
            raise ValueError("alpha must be within [0, 1]")
        if self.product_alpha is not None and not 0.0 <= self.product_alpha <= 1.0:
            raise ValueError("product_alpha must be within [0, 1]")
        if self.candidates < 1:
            raise ValueError("candidates must be positive")

    def describe(self) -> str:
        """``convex(alpha=0.7, products 0.55)`` / ``rrf(k=60)``, for reports."""
        if self.method == "rrf":
            return f"rrf(k={self.rrf_k})"
        products = "" if self.product_alpha is None else f", products {self.product_alpha:g}"
        return f"convex(alpha={self.alpha:g}{products})"

    def alpha_for(self, kind: str) -> float:
        """The dense share for a document of ``kind``."""
        if kind == "product" and self.product_alpha is not None:
            return self.product_alpha
        return self.alpha


@dataclass(frozen=True, slots=True)
class Fused:
    key: Hashable
    score: float
    lexical_rank: int | None
    dense_rank: int | None  # best rank over the dense retrievers
    lexical_score: float | None
    dense_score: float | None  # cosine of the first dense retriever


def _ranks(items: Ranked) -> dict[Hashable, int]:
    out: dict[Hashable, int] = {}
    for i, (key, _) in enumerate(items, 1):
        out.setdefault(key, i)
    return out


def _minmax(values: Mapping[Hashable, float]) -> dict[Hashable, float]:
    if not values:
        return {}
    lo, hi = min(values.values()), max(values.values())
    span = hi - lo
    if span <= 0:
        return {k: 1.0 for k in values}
    return {k: (v - lo) / span for k, v in values.items()}


def fuse(
    lexical: Ranked,
    dense: Sequence[Ranked],
    config: FusionConfig,
    dense_scores: Sequence[Mapping[Any, float]] | None = None,
    kind_of: Callable[[Any], str] | None = None,
) -> list[Fused]:
    """Fuse a lexical list with the lists of zero or more dense retrievers, each best first.

    ``dense_scores`` (one mapping per dense list) gives the cosine of every candidate for
    convex fusion; without it a candidate missing from a dense list gets 0 for that list.
    ``kind_of`` (a candidate → its document kind) lets convex fusion weigh each candidate with
    :meth:`FusionConfig.alpha_for` its kind; without it every candidate gets ``alpha``.
    Ties are broken by the best single-list rank, then by first appearance.
    """
    dense_lists = list(dense)
    all_scores = [dict(d) for d in dense_lists] if dense_scores is None else list(dense_scores)
    if len(all_scores) != len(dense_lists):
        raise ValueError("one dense_scores mapping per dense list is needed")

    lex_rank = _ranks(lexical)
    lex_score = dict(lexical)
    den_ranks = [_ranks(d) for d in dense_lists]
    keys = list(dict.fromkeys([k for k, _ in lexical] + [k for d in dense_lists for k, _ in d]))
    if not keys:
        return []
    big = 1 << 30
    best_dense = {k: min((r.get(k, big) for r in den_ranks), default=big) for k in keys}

    scores: dict[Hashable, float] = {}
    if config.method == "rrf":
        for k in keys:
            s = 1.0 / (config.rrf_k + lex_rank[k]) if k in lex_rank else 0.0
            for r in den_ranks:
                if k in r:
                    s += 1.0 / (config.rrf_k + r[k])
            scores[k] = s
    else:
        lex_norm = _minmax(lex_score)
        m = max(1, len(dense_lists))
        dense_norms = [_minmax({k: float(sc[k]) for k in keys if k in sc}) for sc in all_scores]
        for k in keys:
            alpha = config.alpha_for(kind_of(k)) if kind_of is not None else config.alpha
            w_dense = alpha / m if dense_lists else 0.0
            s = (1.0 - alpha if dense_lists else 1.0) * lex_norm.get(k, 0.0)
            for dn in dense_norms:
                s += w_dense * dn.get(k, 0.0)
            scores[k] = s

    order = {k: i for i, k in enumerate(keys)}

    def sort_key(k: Hashable) -> tuple[float, int, int]:
        return (-scores[k], min(lex_rank.get(k, big), best_dense[k]), order[k])

    first_scores = all_scores[0] if all_scores else {}
    return [
        Fused(
            key=k,
            score=scores[k],
            lexical_rank=lex_rank.get(k),
            dense_rank=best_dense[k] if best_dense[k] < big else None,
            lexical_score=lex_score.get(k),
            dense_score=float(first_scores[k]) if k in first_scores else None,
        )
        for k in sorted(keys, key=sort_key)
    ]
