"""Two-sample drift statistics, vectorised with numpy/scipy (scikit-learn for the classifier).

All functions take plain arrays (or label sequences) for a *reference* and a *current* sample
and return plain numbers or small frozen dataclasses. No thresholds live here: detectors decide.

* :func:`psi` / :func:`psi_sorted`: Population Stability Index on quantile bins of the
  reference, proportions smoothed with ``eps`` so empty bins do not blow up.
* :func:`ks` / :func:`ks_sorted`: two-sample Kolmogorov–Smirnov. Small samples go to
  ``scipy.stats.ks_2samp``; large ones get the exact distance from one binary search of the
  sorted current sample into the sorted reference, and the p-value from scipy's ``kstwo`` as
  ``ks_2samp(method="asymp")`` computes it.
* :func:`categorical`: chi-square test of homogeneity, Jensen–Shannon distance (base 2, in
  [0, 1]) and PSI over the union of categories.
* :func:`mmd_rbf`: maximum mean discrepancy with an RBF kernel (median heuristic bandwidth),
  permutation test with a seed, on a subsample.
* :func:`domain_classifier_auc`: cross-validated ROC AUC of a logistic regression told to
  separate reference from current rows (0.5 = indistinguishable).
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse, stats
from scipy.spatial.distance import jensenshannon

PSI_EPS = 1e-4
DEFAULT_BINS = 10
# Below this many rows per side, scipy's exact/auto KS is cheap and more accurate.
KS_SCIPY_MAX = 10_000


# --------------------------------------------------------------------------- numeric


def _finite(values: Any) -> np.ndarray:
    a = np.asarray(values, dtype=np.float64).ravel()
    if a.size and not np.isfinite(a).all():
        a = a[np.isfinite(a)]
    return a


def _sorted_quantiles(sorted_a: np.ndarray, qs: np.ndarray) -> np.ndarray:
    """Linear-interpolation quantiles of an already sorted array (numpy's default method)."""
    pos = qs * (sorted_a.size - 1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, sorted_a.size - 1)
    frac = pos - lo
    return sorted_a[lo] * (1 - frac) + sorted_a[hi] * frac


def quantile_edges(sorted_reference: np.ndarray, n_bins: int = DEFAULT_BINS) -> np.ndarray:
    """Inner bin edges at the reference's quantiles (duplicates dropped, so ties merge bins)."""
    qs = np.linspace(0.0, 1.0, n_bins + 1)[1:-1]
    return np.unique(_sorted_quantiles(sorted_reference, qs))


def binned_shares(sorted_values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Share of values in each bin ``(-inf, e0), [e0, e1), ..., [e_last, inf)``."""
    cut = np.searchsorted(sorted_values, edges, side="left")
    counts = np.diff(np.concatenate(([0], cut, [sorted_values.size])))
    return counts / max(sorted_values.size, 1)


def psi_from_shares(p: np.ndarray, q: np.ndarray, eps: float = PSI_EPS) -> float:
    """``sum((q - p) * ln(q / p))`` with both proportions floored at ``eps``."""
    p = np.clip(np.asarray(p, dtype=np.float64), eps, None)
    q = np.clip(np.asarray(q, dtype=np.float64), eps, None)
    return float(np.sum((q - p) * np.log(q / p)))


@dataclass(frozen=True)
class PSIResult:
    psi: float
    edges: np.ndarray
    reference_shares: np.ndarray
    current_shares: np.ndarray


def psi_sorted(
    sorted_reference: np.ndarray,
    sorted_current: np.ndarray,
    n_bins: int = DEFAULT_BINS,
    eps: float = PSI_EPS,
) -> PSIResult:
    """PSI of two already sorted, finite samples (bins: reference quantiles)."""
    edges = quantile_edges(sorted_reference, n_bins)
    p = binned_shares(sorted_reference, edges)
    q = binned_shares(sorted_current, edges)
    return PSIResult(psi_from_shares(p, q, eps), edges, p, q)


def psi(reference: Any, current: Any, n_bins: int = DEFAULT_BINS, eps: float = PSI_EPS) -> float:
    """Population Stability Index of a numeric sample against its reference.

    >>> round(psi([1, 2, 3, 4] * 50, [1, 2, 3, 4] * 50), 6)
    0.0
    """
    ref, cur = np.sort(_finite(reference)), np.sort(_finite(current))
    _need(ref, cur)
    return psi_sorted(ref, cur, n_bins, eps).psi


@dataclass(frozen=True)
class KSResult:
    statistic: float
    p_value: float


def ks_sorted(sorted_a: np.ndarray, sorted_b: np.ndarray) -> KSResult:
    """Two-sample KS of two sorted samples in linear time (asymptotic p-value, as scipy's)."""
    n, m = sorted_a.size, sorted_b.size
    _need(sorted_a, sorted_b)
    if n <= KS_SCIPY_MAX and m <= KS_SCIPY_MAX:
        with warnings.catch_warnings():
            # scipy falls back to the asymptotic p-value when the exact one fails; that's fine.
            warnings.filterwarnings("ignore", "ks_2samp: Exact calculation", RuntimeWarning)
            r = stats.ks_2samp(sorted_a, sorted_b)
        return KSResult(float(r.statistic), float(r.pvalue))
    d = _ks_distance_sorted(sorted_a, sorted_b)
    # The same tail probability scipy's ks_2samp(method="asymp") uses.
    p = float(stats.kstwo.sf(d, np.round(n * m / (n + m))))
    return KSResult(d, min(max(p, 0.0), 1.0))


def _ks_distance_sorted(sa: np.ndarray, sb: np.ndarray) -> float:
    """Exact sup |F_a - F_b| from one binary search of ``sb`` into ``sa`` (ties handled).

    Between two consecutive values of ``b`` only ``F_a`` moves, monotonically, so the extremes
    sit at each ``b`` value (right-continuous CDFs) or just before it (left limits).
    """
    n, m = sa.size, sb.size
    lt_a = np.searchsorted(sa, sb, side="left")  # #a < b_j
    le_a = lt_a.copy()
    cross = sa[np.minimum(lt_a, n - 1)] == sb
    if cross.any():
        le_a[cross] = np.searchsorted(sa, sb[cross], side="right")
    if np.any(sb[1:] == sb[:-1]):
        lt_b = np.searchsorted(sb, sb, side="left")
        le_b = np.searchsorted(sb, sb, side="right")
    else:
        lt_b = np.arange(m)
        le_b = lt_b + 1
    d_right = np.max(np.abs(le_a / n - le_b / m))
    d_left = np.max(np.abs(lt_a / n - lt_b / m))
    return float(max(d_right, d_left))


def ks(reference: Any, current: Any) -> KSResult:
    """Two-sample Kolmogorov–Smirnov statistic and p-value."""
    return ks_sorted(np.sort(_finite(reference)), np.sort(_finite(current)))


def _need(a: np.ndarray, b: np.ndarray) -> None:
    if a.size == 0 or b.size == 0:
        raise ValueError(
            f"drift statistics need values on both sides: reference has {a.size}, current "
            f"{b.size} finite values. Check that the column is filled in both windows."
        )


# --------------------------------------------------------------------------- categorical


@dataclass(frozen=True)
class CategoricalResult:
    categories: list[Hashable]
    reference_counts: np.ndarray
    current_counts: np.ndarray
    chi2: float
    p_value: float
    js: float
    psi: float

    @property
    def reference_shares(self) -> np.ndarray:
        return self.reference_counts / max(self.reference_counts.sum(), 1)

    @property
    def current_shares(self) -> np.ndarray:
        return self.current_counts / max(self.current_counts.sum(), 1)


def _counts(values: Any) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(values)
    if a.dtype.kind in "iub" and a.size and a.min() >= 0 and a.max() < 1_000_000:
        counts = np.bincount(a.astype(np.int64))
        keys = np.flatnonzero(counts)
        return keys, counts[keys]
    if a.dtype.kind == "O":
        a = a.astype(str)
    keys, counts = np.unique(a, return_counts=True)
    return keys, counts


def category_counts(
    reference: Sequence[Hashable] | np.ndarray, current: Sequence[Hashable] | np.ndarray
) -> tuple[list[Hashable], np.ndarray, np.ndarray]:
    """The union of categories (sorted) and each side's counts over it."""
    rk, rc = _counts(reference)
    ck, cc = _counts(current)
    keys = np.union1d(rk, ck)
    ref = np.zeros(keys.size, dtype=np.int64)
    cur = np.zeros(keys.size, dtype=np.int64)
    ref[np.searchsorted(keys, rk)] = rc
    cur[np.searchsorted(keys, ck)] = cc
    return keys.tolist(), ref, cur


def categorical_from_counts(
    categories: list[Hashable], ref: np.ndarray, cur: np.ndarray, eps: float = PSI_EPS
) -> CategoricalResult:
    if ref.sum() == 0 or cur.sum() == 0:
        raise ValueError(
            f"drift statistics need labels on both sides: reference has {int(ref.sum())}, "
            f"current {int(cur.sum())}."
        )
    p, q = ref / ref.sum(), cur / cur.sum()
    if len(categories) < 2:
        chi2, pv = 0.0, 1.0
    else:
        res = stats.chi2_contingency(np.vstack((ref, cur)), correction=False)
        chi2, pv = float(res.statistic), float(res.pvalue)
    js = float(jensenshannon(p, q, base=2))
    return CategoricalResult(
        categories, ref, cur, chi2, pv, 0.0 if np.isnan(js) else js, psi_from_shares(p, q, eps)
    )


def categorical(
    reference: Sequence[Hashable] | np.ndarray, current: Sequence[Hashable] | np.ndarray
) -> CategoricalResult:
    """Chi-square (homogeneity), Jensen–Shannon distance (base 2) and PSI of two label samples."""
    return categorical_from_counts(*category_counts(reference, current))


# --------------------------------------------------------------------------- embeddings


def _rows(x: Any) -> Any:
    return x if sparse.issparse(x) else np.asarray(x, dtype=np.float64)


def _subsample(x: Any, k: int, rng: np.random.Generator) -> Any:
    n = x.shape[0]
    if n <= k:
        return x
    return x[np.sort(rng.choice(n, size=k, replace=False))]


def _squared_distances(z: Any) -> np.ndarray:
    if sparse.issparse(z):
        z = sparse.csr_matrix(z)
        sq = np.asarray(z.multiply(z).sum(axis=1)).ravel()
        gram = (z @ z.T).toarray()
    else:
        sq = np.einsum("ij,ij->i", z, z)
        gram = z @ z.T
    d = sq[:, None] + sq[None, :] - 2.0 * gram
    return np.maximum(d, 0.0)


@dataclass(frozen=True)
class MMDResult:
    mmd2: float
    p_value: float
    bandwidth: float
    n_reference: int
    n_current: int


def mmd_rbf(
    reference: Any,
    current: Any,
    *,
    max_samples: int = 500,
    n_permutations: int = 200,
    seed: int = 0,
) -> MMDResult:
    """MMD² (biased V-statistic) with an RBF kernel and a seeded permutation p-value.

    Each side is subsampled to ``max_samples`` rows; the bandwidth is the median heuristic
    (``k(x, y) = exp(-|x - y|² / median |.|²)`` over the pooled subsample). Accepts dense arrays
    or scipy sparse matrices (e.g. TF-IDF rows).
    """
    rng = np.random.default_rng(seed)
    x = _subsample(_rows(reference), max_samples, rng)
    y = _subsample(_rows(current), max_samples, rng)
    n, m = x.shape[0], y.shape[0]
    if n < 2 or m < 2:
        raise ValueError(f"MMD needs at least 2 rows per side (reference {n}, current {m}).")
    z = sparse.vstack((x, y)) if sparse.issparse(x) or sparse.issparse(y) else np.vstack((x, y))
    d = _squared_distances(z)
    upper = d[np.triu_indices(n + m, k=1)]
    med = float(np.median(upper[upper > 0])) if np.any(upper > 0) else 1.0
    k = np.exp(-d / med)
    a = np.concatenate((np.full(n, 1.0 / n), np.full(m, -1.0 / m)))
    observed = float(a @ k @ a)
    perms = np.stack([rng.permutation(a) for _ in range(n_permutations)])
    null = np.einsum("pi,pi->p", perms @ k, perms)
    p = (1.0 + float(np.sum(null >= observed))) / (1.0 + n_permutations)
    return MMDResult(max(observed, 0.0), p, float(np.sqrt(med / 2.0)), n, m)


def domain_classifier_auc(
    reference: Any,
    current: Any,
    *,
    max_samples: int = 2000,
    folds: int = 5,
    seed: int = 0,
) -> float:
    """Cross-validated ROC AUC of a logistic regression separating reference from current.

    0.5 means the two samples cannot be told apart; 1.0 means every row gives itself away.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    rng = np.random.default_rng(seed)
    x = _subsample(_rows(reference), max_samples, rng)
    y = _subsample(_rows(current), max_samples, rng)
    n, m = x.shape[0], y.shape[0]
    if min(n, m) < folds:
        raise ValueError(
            f"the domain classifier needs at least {folds} rows per side (reference {n}, "
            f"current {m}); use method='mmd' for small samples."
        )
    z = sparse.vstack((x, y)).tocsr() if sparse.issparse(x) else np.vstack((x, y))
    target = np.concatenate((np.zeros(n), np.ones(m)))
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    model = LogisticRegression(solver="liblinear", max_iter=2000)
    proba = cross_val_predict(model, z, target, cv=cv, method="predict_proba")[:, 1]
    return float(roc_auc_score(target, proba))
