from __future__ import annotations

import logging

import numpy as np
import pytest

from shopcoach.search import hybrid
from shopcoach.search.dense import VectorIndex, usearch_available
from shopcoach.search.documents import Document
from shopcoach.search.embedders import EmbeddingCache, HashingEmbedder
from shopcoach.search.filters import Filters
from shopcoach.search.hybrid import SearchIndex
from shopcoach.search.lexical import available_backends

CATALOG = [
    Document(
        id="p1",
        title="Red running shoes",
        text="Light trainers for road running",
        category=("Shoes", "Running"),
        price=59.0,
        in_stock=True,
    ),
    Document(
        id="p2",
        title="Blue rain boots",
        text="Waterproof rubber boots",
        category=("Shoes", "Boots"),
        price=30.0,
        in_stock=False,
    ),
    Document(
        id="p3",
        title="Wool hiking socks",
        text="Warm socks for boots",
        category=("Clothing", "Socks"),
        price=12.0,
        in_stock=True,
    ),
    Document(
        id="a1",
        title="Returns and refunds",
        text="How to return shoes for a refund",
        kind="article",
    ),
]


def make(backend: str | None = None, cache: EmbeddingCache | None = None) -> SearchIndex:
    index = SearchIndex(embedder=HashingEmbedder(), lexical_backend=backend, cache=cache)
    index.upsert(CATALOG)
    return index


@pytest.mark.parametrize("backend", available_backends())
@pytest.mark.parametrize("mode", ["lexical", "dense", "hybrid"])
def test_modes_find_the_obvious_document(backend: str, mode: str) -> None:
    index = make(backend)
    hits = index.search("rain boots", k=3, mode=mode)  # type: ignore[arg-type]
    assert hits[0].doc_id == "p2"
    if mode == "lexical":
        assert hits[0].lexical_rank == 1 and hits[0].dense_rank is None
    if mode == "hybrid":
        assert hits[0].lexical_rank == 1 and hits[0].dense_rank == 1
        assert all(h.dense_score is not None for h in hits)


@pytest.mark.parametrize("backend", available_backends())
def test_filters_apply_to_every_mode(backend: str) -> None:
    index = make(backend)
    for mode in ("lexical", "dense", "hybrid"):
        hits = index.search("boots", k=10, filters=Filters(in_stock=True), mode=mode)  # type: ignore[arg-type]
        assert "p2" not in {h.doc_id for h in hits}
        hits = index.search("shoes", k=10, filters=Filters(kind="article"), mode=mode)  # type: ignore[arg-type]
        assert [h.doc_id for h in hits] == ["a1"]
        assert index.search("shoes", filters=Filters(max_price=1), mode=mode) == []  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", available_backends())
def test_selective_filter_reaches_deep_lexical_matches(backend: str) -> None:
    docs = [
        Document(id=f"d{i}", title=f"lamp model {i}", category=("Lighting",)) for i in range(300)
    ]
    docs.append(Document(id="odd", title="lamp", text="lamp lamp", category=("Garden",)))
    index = SearchIndex(embedder=None, lexical_backend=backend)
    index.upsert(docs)
    hits = index.search("lamp model", k=5, filters=Filters(category="garden"))
    assert [h.doc_id for h in hits] == ["odd"]


@pytest.mark.parametrize("backend", available_backends())
def test_incremental_add_update_remove(backend: str) -> None:
    cache = EmbeddingCache()
    index = make(backend, cache)
    assert len(index) == 4 and cache.misses == 4
    r = index.upsert(CATALOG)  # nothing changed
    assert (r.added, r.updated, r.unchanged, r.embedded) == (0, 0, 4, 0)
    changed = Document(
        id="p3",
        title="Wool hiking socks",
        text="Warm socks for boots",
        category=("Clothing", "Socks"),
        price=9.0,
        in_stock=True,
    )
    r = index.upsert([changed, Document(id="p4", title="Green umbrella")])
    assert (r.added, r.updated) == (1, 1)
    assert r.embedded == 1
    assert index.search("umbrella", k=1)[0].doc_id == "p4"
    assert index.search("socks", k=1, filters=Filters(max_price=10))[0].doc_id == "p3"
    assert index.remove(["p2", "nope"]).removed == 1
    for mode in ("lexical", "dense", "hybrid"):
        assert "p2" not in {h.doc_id for h in index.search("rain boots", k=10, mode=mode)}  # type: ignore[arg-type]
    r = index.upsert([CATALOG[1]])  # re-add reuses the freed row and the cached vector
    assert (r.added, r.embedded) == (1, 0)
    assert index.search("rain boots", k=1)[0].doc_id == "p2"
    r = index.sync(CATALOG[:2])
    assert r.removed == 3 and len(index) == 2
    assert {h.doc_id for h in index.search("socks umbrella returns", k=10, mode="lexical")} == set()


def test_cache_shared_between_indexes_embeds_nothing_twice() -> None:
    cache = EmbeddingCache()
    make(cache=cache)
    r = SearchIndex(embedder=HashingEmbedder(), cache=cache).upsert(CATALOG)
    assert r.added == 4 and r.embedded == 0
    assert cache.hits >= 4


def test_fallback_warns_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(hybrid, "installed_embedders", list)
    hybrid.reset_fallback_warning()
    with caplog.at_level(logging.WARNING, logger="shopcoach.search.hybrid"):
        a = SearchIndex()
        b = SearchIndex()
        a.upsert(CATALOG)
        b.upsert(CATALOG)
        hits = a.search("rain boots", mode="hybrid")
        b.search("rain boots")
    assert not a.semantic and hits[0].doc_id == "p2" and hits[0].dense_rank is None
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "falls back to lexical" in warnings[0].getMessage()
    hybrid.reset_fallback_warning()


def test_search_edge_cases() -> None:
    index = make()
    assert index.search("boots", k=0) == []
    assert SearchIndex(embedder=HashingEmbedder()).search("x") == []
    assert index.search("%%% ***", mode="lexical") == []  # no terms left after cleaning
    assert len(index.search("%%% ***", mode="hybrid")) == 4  # dense still answers
    with pytest.raises(ValueError):
        index.search("x", mode="fuzzy")  # type: ignore[arg-type]
    many = index.search_many(["rain boots", "socks"], k=1, mode="hybrid")
    assert [h[0].doc_id for h in many] == ["p2", "p3"]


@pytest.mark.skipif(not usearch_available(), reason="usearch is not installed")
def test_hnsw_agrees_with_exact_search() -> None:
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(2000, 32)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    exact = VectorIndex(32, backend="exact")
    hnsw = VectorIndex(32, backend="hnsw")
    exact.set(np.arange(2000), vecs)
    hnsw.set(np.arange(2000), vecs)
    assert hnsw.uses_hnsw and not exact.uses_hnsw
    overlap = []
    for q in vecs[:20] + 0.1 * rng.normal(size=(20, 32)).astype(np.float32):
        a = {r for r, _ in exact.search(q, 10)}
        b = {r for r, _ in hnsw.search(q, 10)}
        overlap.append(len(a & b) / 10)
    assert np.mean(overlap) > 0.9
    hnsw.delete([0, 1])
    exact.delete([0, 1])
    assert all(r not in (0, 1) for r, _ in hnsw.search(vecs[0], 10))
    mask = np.zeros(2000, dtype=bool)
    mask[[5, 7, 9]] = True  # selective filter: exact fallback
    assert {r for r, _ in hnsw.search(vecs[5], 10, mask)} == {5, 7, 9}
