"""Near-duplicate groups of texts by TF-IDF cosine, exact and sub-quadratic in practice.

Used by the knowledge-base audit for articles and products. Needs scikit-learn and scipy
(the ``intents`` extra); they are imported when the check runs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from shopcoach.errors import ShopcoachError


def _similar_pairs(x: Any, threshold: float, chunk: int = 2048) -> tuple[Any, Any, Any]:
    """Every pair (i < j) of L2-normalised rows of ``x`` with cosine >= ``threshold``, exactly.

    Common terms (in more than 0.5% of rows, at least 20) make ``X @ X.T`` quadratic, so
    candidates come from rare terms. Splitting each row into a rare and a common part,
    cos(i, j) <= rare_i . rare_j + |common_i| |common_j|: pairs sharing a rare term are kept
    when that bound passes; pairs sharing none have cos = common_i . common_j, which can pass
    only when both common norms are >= threshold (a small set, multiplied on its common
    terms). Survivors get their exact cosine, so the result equals the full product's.
    """
    import numpy as np

    n = x.shape[0]
    df = np.bincount(x.indices, minlength=x.shape[1])
    common = df > max(20, n // 200)
    rare = x[:, np.flatnonzero(~common)].tocsr()
    cnorm = np.sqrt(np.asarray(x[:, np.flatnonzero(common)].power(2).sum(axis=1)).ravel())
    rare_t = rare.T.tocsc()
    cand_r: list[Any] = []
    cand_c: list[Any] = []
    for start in range(0, n, chunk):
        part = (rare[start:start + chunk] @ rare_t).tocoo()
        i, j = part.row + start, part.col
        ok = (i < j) & (part.data + cnorm[i] * cnorm[j] >= threshold - 1e-6)
        cand_r.append(i[ok])
        cand_c.append(j[ok])
    heavy = np.flatnonzero(cnorm >= threshold - 1e-6)
    if len(heavy) > 1:  # sharing no rare term, such a pair passes only on its common terms
        common_h = x[heavy][:, np.flatnonzero(common)].tocsr()
        for start in range(0, len(heavy), chunk):
            part = (common_h[start:start + chunk] @ common_h.T).tocoo()
            ok = (part.row + start < part.col) & (part.data >= threshold - 1e-6)
            cand_r.append(heavy[part.row[ok] + start])
            cand_c.append(heavy[part.col[ok]])
    pairs = np.unique(np.concatenate(cand_r).astype(np.int64) * n + np.concatenate(cand_c))
    r, c = pairs // n, pairs % n
    sims = np.empty(len(r), dtype=np.float32)
    for start in range(0, len(r), 65536):
        rr, cc = r[start:start + 65536], c[start:start + 65536]
        sims[start:start + len(rr)] = np.asarray(
            x[rr].multiply(x[cc]).sum(axis=1)).ravel()
    keep = sims >= threshold - 1e-6
    return r[keep], c[keep], sims[keep]


def near_duplicate_groups(texts: Sequence[str], threshold: float) -> list[tuple[list[int], float]]:
    """Groups of indices linked by TF-IDF cosine ``>= threshold`` (connected components of
    the similarity graph), each with the lowest similarity among its linking pairs.
    Word TF-IDF (English stop words removed, sublinear tf), L2-normalised rows; empty texts
    are never duplicates. Example: ``near_duplicate_groups(["red mug", "red mug", "tea"], 0.9)``
    is ``[([0, 1], 1.0)]``.
    """
    try:
        import numpy as np
        import scipy.sparse as sp
        from scipy.sparse.csgraph import connected_components
        from sklearn.feature_extraction.text import TfidfVectorizer
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ShopcoachError(
            f"The near-duplicate check needs scikit-learn and scipy ({exc.name} is missing).",
            hint="Install them with: pip install 'shopcoach[intents]'.") from exc
    keep = [i for i, t in enumerate(texts) if t.strip()]
    if len(keep) < 2:
        return []
    vec = TfidfVectorizer(lowercase=True, sublinear_tf=True, dtype=np.float32,
                          token_pattern=r"(?u)\b\w+\b", stop_words="english")
    try:
        x = vec.fit_transform([texts[i] for i in keep]).tocsr()
    except ValueError:  # nothing but stop words
        return []
    r, c, v = _similar_pairs(x, threshold)
    if not len(r):
        return []
    n = x.shape[0]
    graph = sp.coo_matrix((np.ones(len(r)), (r, c)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    low: dict[int, float] = {}
    for label, sim in zip(labels[r].tolist(), v.tolist(), strict=True):
        low[label] = min(low.get(label, 1.0), sim)
    members: dict[int, list[int]] = defaultdict(list)
    for i in np.unique(np.concatenate([r, c])).tolist():
        members[int(labels[i])].append(keep[i])
    groups = [(sorted(ix), round(min(1.0, low[label]), 4)) for label, ix in members.items()]
    return sorted(groups, key=lambda g: (-len(g[0]), g[0][0]))
