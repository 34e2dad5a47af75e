from __future__ import annotations

import pytest

from shopcoach.search.fusion import FusionConfig, fuse


def test_rrf_by_hand() -> None:
    lex = [("a", 9.0), ("b", 5.0)]
    dense = [("b", 0.9), ("c", 0.8)]
    out = fuse(lex, [dense], FusionConfig(method="rrf", rrf_k=60))
    scores = {f.key: f.score for f in out}
    assert scores["a"] == pytest.approx(1 / 61)
    assert scores["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert scores["c"] == pytest.approx(1 / 62)
    assert [f.key for f in out] == ["b", "a", "c"]
    b = out[0]
    assert (b.lexical_rank, b.dense_rank) == (2, 1)


def test_convex_by_hand() -> None:
    lex = [("a", 10.0), ("b", 6.0), ("d", 2.0)]
    dense = [("c", 0.75), ("b", 0.5)]
    cos = {"a": 0.25, "b": 0.5, "c": 0.75, "d": 0.25}
    out = fuse(lex, [dense], FusionConfig(alpha=0.5), [cos])
    scores = {f.key: f.score for f in out}
    # lexical min-max over its list: a=1, b=0.5, d=0 (c not retrieved: 0)
    # dense min-max over all candidates {0.25, 0.5, 0.75}: a=0, b=0.5, c=1, d=0
    assert scores == pytest.approx({"a": 0.5, "b": 0.5, "c": 0.5, "d": 0.0})
    # ties broken by the best single-list rank, then first appearance: a (lex 1), c (dense 1),
    # b (best rank 2)
    assert [f.key for f in out] == ["a", "c", "b", "d"]
    assert out[0].dense_score == pytest.approx(0.25) and out[0].dense_rank is None
    only_dense = fuse(lex, [dense], FusionConfig(alpha=1.0), [cos])
    assert [f.key for f in only_dense][:2] == ["c", "b"]
    only_lex = fuse(lex, [dense], FusionConfig(alpha=0.0), [cos])
    assert [f.key for f in only_lex][:2] == ["a", "b"]


def test_convex_averages_several_dense_retrievers() -> None:
    lex = [("a", 2.0), ("b", 1.0)]
    d1 = [("b", 0.9), ("a", 0.1)]
    d2 = [("c", 0.8), ("a", 0.2)]
    cos1 = {"a": 0.1, "b": 0.9, "c": 0.5}
    cos2 = {"a": 0.2, "b": 0.2, "c": 0.8}
    out = fuse(lex, [d1, d2], FusionConfig(alpha=0.6), [cos1, cos2])
    scores = {f.key: f.score for f in out}
    # lexical a=1, b=0; d1: a=0, b=1, c=0.5; d2: a=0, b=0, c=1; weights 0.4, 0.3, 0.3
    assert scores == pytest.approx({"a": 0.4, "b": 0.3, "c": 0.45})
    assert [f.key for f in out] == ["c", "a", "b"]
    assert out[0].dense_rank == 1  # best over the dense lists
    with pytest.raises(ValueError):
        fuse(lex, [d1, d2], FusionConfig(), [cos1])


def test_convex_without_lexical_hits_ranks_by_dense() -> None:
    out = fuse([], [[("x", 0.7), ("y", 0.2)]], FusionConfig(alpha=0.3))
    assert [f.key for f in out] == ["x", "y"]
    assert out[0].score == pytest.approx(0.3)
    lexical_only = fuse([("x", 1.0)], [], FusionConfig(alpha=0.3))
    assert lexical_only[0].score == pytest.approx(1.0)


def test_fuse_empty_and_config_validation() -> None:
    assert fuse([], [], FusionConfig()) == []
    with pytest.raises(ValueError):
        FusionConfig(alpha=1.5)
    with pytest.raises(ValueError):
        FusionConfig(method="max")  # type: ignore[arg-type]
