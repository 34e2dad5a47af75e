"""Vector index over L2-normalised float32 rows: exact numpy search, HNSW (usearch) when large.

Rows are assigned by the caller (the hybrid index shares row numbers with its attribute table).
Exact search is one matrix-vector product (single-threaded BLAS; ~1 ms at 10k x 384) and is
always used under a selective filter. With ``usearch`` installed and at least
``hnsw_threshold`` live rows, an HNSW graph (inner product, f16 storage) answers unfiltered and
mildly filtered queries; a filtered HNSW query over-fetches and falls back to exact search if
too few candidates pass. Updates are incremental in both modes (deleted rows are tombstoned,
and HNSW nodes removed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from shopcoach.search.minilm import blas_threads

DEFAULT_HNSW_THRESHOLD = 50_000


def usearch_available() -> bool:
    try:
        import usearch.index  # noqa: F401
    except ImportError:
        return False
    return True


class VectorIndex:
    def __init__(
        self,
        dim: int,
        *,
        backend: str = "auto",
        hnsw_threshold: int = DEFAULT_HNSW_THRESHOLD,
        connectivity: int = 16,
        expansion_add: int = 128,
        expansion_search: int = 96,
    ) -> None:
        if backend not in ("auto", "exact", "hnsw"):
            raise ValueError("dense backend must be 'auto', 'exact' or 'hnsw'")
        if backend == "hnsw" and not usearch_available():
            raise ImportError("dense backend 'hnsw' needs usearch (pip install usearch)")
        self.dim = dim
        self.backend = backend
        self.hnsw_threshold = (
            hnsw_threshold if backend == "auto" else (0 if backend == "hnsw" else -1)
        )
        self._hnsw_params = (connectivity, expansion_add, expansion_search)
        self._vectors = np.zeros((0, dim), dtype=np.float32)
        self._alive = np.zeros(0, dtype=bool)
        self._n = 0  # rows 0.._n may be used
        self._hnsw: Any = None

    # ------------------------------------------------------------------ storage

    def __len__(self) -> int:
        return int(self._alive[: self._n].sum())

    @property
    def uses_hnsw(self) -> bool:
        return self._hnsw is not None

    def _grow(self, rows: int) -> None:
        cap = self._vectors.shape[0]
        if rows <= cap:
            return
        new = max(rows, cap * 2, 1024)
        vec = np.zeros((new, self.dim), dtype=np.float32)
        vec[:cap] = self._vectors
        alive = np.zeros(new, dtype=bool)
        alive[:cap] = self._alive
        self._vectors, self._alive = vec, alive

    def set(self, rows: np.ndarray | list[int], vectors: np.ndarray) -> None:
        """Insert or replace the vectors of ``rows``."""
        rows_arr = np.asarray(rows, dtype=np.int64)
        if rows_arr.size == 0:
            return
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.shape != (rows_arr.size, self.dim):
            raise ValueError(f"expected vectors of shape ({rows_arr.size}, {self.dim})")
        self._grow(int(rows_arr.max()) + 1)
        replaced = rows_arr[self._alive[rows_arr]]
        self._vectors[rows_arr] = vectors
        self._alive[rows_arr] = True
        self._n = max(self._n, int(rows_arr.max()) + 1)
        if self._hnsw is not None:
            if replaced.size:
                self._hnsw.remove(replaced.astype(np.uint64))
            self._hnsw.add(rows_arr.astype(np.uint64), vectors)
        else:
            self._maybe_build_hnsw()

    def delete(self, rows: np.ndarray | list[int]) -> None:
        rows_arr = np.asarray(rows, dtype=np.int64)
        rows_arr = rows_arr[(rows_arr < self._n)]
        rows_arr = rows_arr[self._alive[rows_arr]]
        if rows_arr.size == 0:
            return
        self._alive[rows_arr] = False
        self._vectors[rows_arr] = 0.0
        if self._hnsw is not None:
            self._hnsw.remove(rows_arr.astype(np.uint64))

    def vectors(self, rows: np.ndarray | list[int]) -> np.ndarray:
        return self._vectors[np.asarray(rows, dtype=np.int64)]

    def restore(self, rows: np.ndarray, vectors: np.ndarray, hnsw_path: Path | None = None) -> None:
        """Load saved rows into an empty index; with ``hnsw_path`` the saved HNSW graph is
        loaded instead of rebuilt (the slow part of opening a large index)."""
        if self._n:
            raise ValueError("restore needs an empty VectorIndex")
        rows = np.asarray(rows, dtype=np.int64)
        if rows.size == 0:
            return
        self._grow(int(rows.max()) + 1)
        self._vectors[rows] = vectors
        self._alive[rows] = True
        self._n = int(rows.max()) + 1
        if hnsw_path is not None and self.hnsw_threshold >= 0 and usearch_available():
            from usearch.index import Index

            self._hnsw = Index.restore(str(hnsw_path))
            if self._hnsw is None or len(self._hnsw) != rows.size:
                self._hnsw = None  # unreadable or stale: rebuild below
        if self._hnsw is None:
            self._maybe_build_hnsw()

    def save_hnsw(self, path: Path) -> bool:
        """Write the HNSW graph to ``path``; False (nothing written) when there is none."""
        if self._hnsw is None:
            return False
        self._hnsw.save(str(path))
        return True

    def _maybe_build_hnsw(self) -> None:
        if self.hnsw_threshold < 0 or len(self) < self.hnsw_threshold or not usearch_available():
            return
        from usearch.index import Index

        conn, exp_add, exp_search = self._hnsw_params
        index = Index(
            ndim=self.dim,
            metric="ip",
            dtype="f16",
            connectivity=conn,
            expansion_add=exp_add,
            expansion_search=exp_search,
        )
        live = np.flatnonzero(self._alive[: self._n])
        if live.size:
            index.add(live.astype(np.uint64), self._vectors[live])
        self._hnsw = index

    # ------------------------------------------------------------------ search

    def scores(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Exact cosine of ``query`` with the given rows."""
        with blas_threads(1):
            return self._vectors[rows] @ np.asarray(query, dtype=np.float32)

    def search(
        self, query: np.ndarray, k: int, mask: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Top ``k`` live rows by inner product, restricted to ``mask`` (rows 0..n) if given."""
        n = self._n
        if k <= 0 or n == 0:
            return []
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        allowed = self._alive[:n] if mask is None else (self._alive[:n] & mask[:n])
        n_allowed = int(allowed.sum()) if mask is not None else len(self)
        if n_allowed == 0:
            return []
        if self._hnsw is not None and n_allowed >= 0.05 * len(self) and n_allowed > 4 * k:
            hits = self._search_hnsw(q, k, allowed if mask is not None else None, n_allowed)
            if hits is not None:
                return hits
        return self._search_exact(q, k, allowed, n_allowed)

    def _search_exact(
        self, q: np.ndarray, k: int, allowed: np.ndarray, n_allowed: int
    ) -> list[tuple[int, float]]:
        n = self._n
        with blas_threads(1):
            if n_allowed < n // 4:
                rows = np.flatnonzero(allowed)
                scores = self._vectors[rows] @ q
            else:
                rows = None
                scores = self._vectors[:n] @ q
                scores[~allowed] = -np.inf
        k = min(k, n_allowed)
        top = np.argpartition(-scores, k - 1)[:k] if k < scores.shape[0] else np.arange(k)
        top = top[np.argsort(-scores[top], kind="stable")]
        ids = top if rows is None else rows[top]
        return [(int(r), float(scores[t])) for r, t in zip(ids, top, strict=True)]

    def _search_hnsw(
        self, q: np.ndarray, k: int, allowed: np.ndarray | None, n_allowed: int
    ) -> list[tuple[int, float]] | None:
        fetch = (
            k if allowed is None else min(len(self), int(np.ceil(k * len(self) / n_allowed * 2)))
        )
        matches = self._hnsw.search(q, fetch)
        keys = np.asarray(matches.keys, dtype=np.int64)
        sims = 1.0 - np.asarray(matches.distances, dtype=np.float32)
        if allowed is not None:
            keep = allowed[keys]
            keys, sims = keys[keep], sims[keep]
            if keys.size < k:
                return None  # too few passed the filter: let exact search answer
        return [(int(r), float(s)) for r, s in zip(keys[:k], sims[:k], strict=True)]
