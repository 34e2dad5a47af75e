"""Embedders for gap mining: MiniLM when installed, else a TF-IDF + LSA fallback fitted on the data.

Gap mining compares questions with each other (clustering), with last week's questions
(topic matching) and with article chunks (the near-article link), so every text of one run
must land in *one* vector space. MiniLM gives that by construction; the fallback is fitted
once on all the texts of the run (:meth:`LsaEmbedder.fit`) before anything is embedded.
Nothing downloads a model: ``minilm`` loads from its installed wheel.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from shopcoach.errors import ConfigError
from shopcoach.search.embedders import (
    Embedder,
    EmbedderUnavailable,
    TextKind,
    get_embedder,
    l2_normalize,
)

log = logging.getLogger(__name__)

# Which family a vector space belongs to decides the default similarity thresholds
# (cosines of a sentence model and of LSA are on different scales; see docs/gaps.md).
FAMILY_MINILM = "minilm"
FAMILY_LSA = "lsa"


class LsaEmbedder:
    """TF-IDF (words 1-2 and character 3-5 grams, sublinear) reduced by truncated SVD (LSA).

    Fitted on the texts of one mining run, so its vectors are comparable only within that run
    (``name`` includes a fingerprint of the fit). Deterministic for a given ``seed``.
    """

    family = FAMILY_LSA

    def __init__(self, dim: int = 128, seed: int = 0) -> None:
        self.target_dim = dim
        self.dim = dim
        self.seed = seed
        self.name = f"lsa-{dim}:unfitted"
        self._word: Any = None
        self._char: Any = None
        self._svd: Any = None

    @property
    def fitted(self) -> bool:
        return self._word is not None

    def fit(self, texts: Sequence[str]) -> LsaEmbedder:
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        if not texts:
            raise ValueError("LsaEmbedder.fit needs at least one text")
        common: dict[str, Any] = {"sublinear_tf": True, "dtype": np.float32, "min_df": 1}
        self._word = TfidfVectorizer(
            ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b", stop_words="english", **common
        )
        self._char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), **common)
        x = self._tfidf(texts, fit=True)
        k = max(1, min(self.target_dim, x.shape[1] - 1, x.shape[0] - 1))
        self._svd = TruncatedSVD(
            n_components=k, algorithm="randomized", n_iter=4, random_state=self.seed
        ).fit(x)
        self.dim = k
        self.name = f"lsa-{k}:{len(texts)}:{x.nnz}"
        return self

    def _tfidf(self, texts: Sequence[str], fit: bool = False) -> Any:
        import scipy.sparse as sp

        try:
            w = self._word.fit_transform(texts) if fit else self._word.transform(texts)
        except ValueError:  # only stop words / empty texts: fall back to characters alone
            w = sp.csr_matrix((len(texts), 0), dtype=np.float32)
        c = self._char.fit_transform(texts) if fit else self._char.transform(texts)
        return sp.hstack([w, c], format="csr", dtype=np.float32)

    def embed(self, texts: Sequence[str], kind: TextKind = "document") -> np.ndarray:
        if not self.fitted:
            raise RuntimeError("LsaEmbedder is not fitted: call fit(texts) with every text first")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return l2_normalize(self._svd.transform(self._tfidf(texts)))


def family_of(embedder: Embedder) -> str:
    """``minilm`` for sentence models (MiniLM, e5, any registered one), ``lsa`` for LSA."""
    return str(getattr(embedder, "family", FAMILY_MINILM))


def resolve_embedder(embedder: str | Embedder | None = "auto", *, seed: int = 0) -> Embedder:
    """``auto``/``None``: ``minilm`` if installed, else ``lsa``; ``lsa``; any registered name
    (``minilm``, ``e5-small``, ``hashing``); or an :class:`Embedder` instance as is."""
    if embedder is None or embedder == "auto":
        try:
            return get_embedder("minilm")
        except EmbedderUnavailable:
            log.info("gap mining: minilm is not installed; using the TF-IDF + LSA fallback")
            return LsaEmbedder(seed=seed)
    if isinstance(embedder, str):
        if embedder in ("lsa", "none"):
            return LsaEmbedder(seed=seed)
        try:
            return get_embedder(embedder)
        except (EmbedderUnavailable, ValueError) as exc:
            raise ConfigError(
                f"gap mining cannot use embedder {embedder!r}: {exc}",
                hint="Use auto, lsa, minilm or e5-small (install the embeddings extra for the "
                "last two).",
            ) from exc
    return embedder


def embed_all(
    embedder: Embedder, questions: Sequence[str], documents: Sequence[str] = ()
) -> tuple[np.ndarray, np.ndarray]:
    """Question vectors (``kind="query"``) and document vectors, in one space.

    Identical question texts are embedded once (real traffic repeats itself). An unfitted
    :class:`LsaEmbedder` is fitted on the distinct questions and documents first.
    """
    unique: dict[str, int] = {}
    index = np.fromiter(
        (unique.setdefault(q, len(unique)) for q in questions), dtype=np.int64, count=len(questions)
    )
    distinct = list(unique)
    if not distinct and not documents:
        return np.zeros((0, embedder.dim), dtype=np.float32), np.zeros(
            (0, embedder.dim), dtype=np.float32
        )
    if isinstance(embedder, LsaEmbedder) and not embedder.fitted:
        embedder.fit(distinct + list(documents))
    q = embedder.embed(distinct, kind="query") if distinct else np.zeros((0, embedder.dim))
    d = (
        embedder.embed(list(documents), kind="document")
        if documents
        else np.zeros((0, embedder.dim), dtype=np.float32)
    )
    return np.asarray(q, dtype=np.float32)[index], np.asarray(d, dtype=np.float32)
