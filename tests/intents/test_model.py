"""IntentModel on a small synthetic set: OOS detection, determinism, save/load round trip."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from shopcoach.intents.artifact import (
    ArtifactError,
    data_hash,
    load_model,
    read_manifest,
    save_model,
    stable_manifest,
)
from shopcoach.intents.data import Dataset
from shopcoach.intents.metrics import auroc
from shopcoach.intents.model import IntentModel, ModelConfig

FAST = dict(folds=3, embedder="hashing")


def _fit(train: Dataset, **kw: object) -> IntentModel:
    cfg = ModelConfig(**{**FAST, **kw})  # type: ignore[arg-type]
    return IntentModel(cfg).fit(train.texts, train.labels)


@pytest.mark.parametrize("variant", ["tfidf", "embedding", "combined"])
def test_detects_out_of_scope(variant: str, synthetic_train: Dataset,
                              synthetic_test: Dataset) -> None:
    model = _fit(synthetic_train, variant=variant)
    assert model.fit_info["pseudo_oos"] is True  # 8 intents >= 2 * 3 folds
    rep = model.evaluate(synthetic_test.texts, synthetic_test.labels)
    assert rep.in_scope_accuracy >= 0.9
    assert rep.auroc is not None and rep.auroc >= 0.9
    assert rep.oos_recall is not None and rep.oos_recall >= 0.5
    assert rep.accuracy >= 0.8


def test_prediction_objects(synthetic_train: Dataset) -> None:
    model = _fit(synthetic_train, variant="tfidf")
    preds = model.predict(["where is my order please", "what is the weather in tokyo"], top_k=3)
    assert preds[0].label == "track_order" and not preds[0].is_oos
    assert [p for _, p in preds[0].top_k] == sorted((p for _, p in preds[0].top_k), reverse=True)
    assert preds[0].confidence == preds[0].top_k[0][1]
    probs = model.predict_proba(["refund please"])
    assert probs.shape == (1, 8) and np.isclose(probs.sum(), 1.0)
    assert preds[1].is_oos and preds[1].label == "oos"


def test_real_oos_rows_are_used(synthetic_test: Dataset) -> None:
    from tests.intents.conftest import make_synthetic

    train = make_synthetic(20, 30, seed=5)
    model = _fit(train, variant="tfidf", oos_as_class=True)
    assert model.fit_info["oof_real_oos"] == 30 and model.fit_info["oos_class"] is True
    rep = model.evaluate(synthetic_test.texts, synthetic_test.labels)
    assert rep.auroc is not None and rep.auroc >= 0.95


def test_few_intents_fall_back_to_max_prob_rule() -> None:
    train = Dataset(["refund please", "money back", "i want a refund", "track order",
                     "where is my parcel", "order status"], ["refund"] * 3 + ["track"] * 3)
    model = IntentModel(ModelConfig(variant="tfidf", folds=2)).fit(train.texts, train.labels)
    assert model.fit_info["pseudo_oos"] is False and model.detector is not None
    assert model.detector.method == "max-prob"
    assert model.predict(["refund my money"])[0].intent == "refund"


def test_needs_two_intents() -> None:
    with pytest.raises(ValueError, match="two in-scope intents"):
        IntentModel(ModelConfig(variant="tfidf")).fit(["a", "b"], ["x", "x"])


def _save(model: IntentModel, d: Path, train: Dataset) -> dict[str, object]:
    return save_model(model, d, data_sha256=data_hash(train.texts, train.labels, "oos"),
                      training_seconds=1.0)


def test_same_inputs_same_model(tmp_path: Path, synthetic_train: Dataset,
                                synthetic_test: Dataset) -> None:
    m1 = _fit(synthetic_train, variant="combined", seed=3)
    m2 = _fit(synthetic_train, variant="combined", seed=3)
    b1, b2 = m1.predict_batch(synthetic_test.texts), m2.predict_batch(synthetic_test.texts)
    assert np.array_equal(b1.probs, b2.probs) and np.array_equal(b1.oos_score, b2.oos_score)
    assert b1.labels == b2.labels
    man1 = _save(m1, tmp_path / "a", synthetic_train)
    man2 = _save(m2, tmp_path / "b", synthetic_train)
    assert stable_manifest(man1) == stable_manifest(man2)
    assert stable_manifest(read_manifest(tmp_path / "a")) == stable_manifest(
        read_manifest(tmp_path / "b"))
    for key in ("data", "params", "seed", "libraries", "label_set", "training_seconds"):
        assert key in man1
    m3 = _fit(synthetic_train, variant="combined", seed=4)
    assert _save(m3, tmp_path / "c", synthetic_train)["model_id"] != man1["model_id"]


@pytest.mark.parametrize("variant", ["tfidf", "combined"])
def test_save_load_round_trip(variant: str, tmp_path: Path, synthetic_train: Dataset,
                              synthetic_test: Dataset) -> None:
    model = _fit(synthetic_train, variant=variant)
    _save(model, tmp_path / "m", synthetic_train)
    loaded = load_model(tmp_path / "m")
    a, b = model.predict_batch(synthetic_test.texts), loaded.predict_batch(synthetic_test.texts)
    assert np.allclose(a.probs, b.probs, atol=1e-6)
    assert a.labels == b.labels and loaded.intents == model.intents
    assert loaded.config == model.config
    assert not any(p.suffix == ".pkl" for p in (tmp_path / "m").iterdir())


def test_load_refuses_bad_artifacts(tmp_path: Path, synthetic_train: Dataset) -> None:
    model = _fit(synthetic_train, variant="embedding")
    d = tmp_path / "m"
    _save(model, d, synthetic_train)
    man = json.loads((d / "manifest.json").read_text())

    man["libraries"]["embedder"] = "hashing-0"
    (d / "manifest.json").write_text(json.dumps(man))
    with pytest.raises(ArtifactError, match="trained with embedder hashing-0"):
        load_model(d)

    man["libraries"]["embedder"] = "hashing-1"
    man["libraries"]["scikit-learn"] = "0.0.1"
    (d / "manifest.json").write_text(json.dumps(man))
    with pytest.warns(RuntimeWarning, match="scikit-learn 0.0.1"):
        load_model(d)

    meta = json.loads((d / "model.json").read_text())
    meta["temperature"] = 99.0
    (d / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ArtifactError, match="does not match"):
        load_model(d, check_versions=False)

    man["format_version"] = 999
    (d / "manifest.json").write_text(json.dumps(man))
    with pytest.raises(ArtifactError, match="format version 999"):
        load_model(d)
    with pytest.raises(ArtifactError, match="no manifest"):
        load_model(tmp_path)


def test_oos_score_orders_synthetic(synthetic_train: Dataset, synthetic_test: Dataset) -> None:
    model = _fit(synthetic_train, variant="embedding")
    b = model.predict_batch(synthetic_test.texts)
    is_oos = np.array([lab == "oos" for lab in synthetic_test.labels])
    assert auroc(b.oos_score, is_oos) >= 0.9


def test_load_refuses_tampered_weights_and_pickles(tmp_path: Path,
                                                   synthetic_train: Dataset) -> None:
    d = tmp_path / "m"
    _save(_fit(synthetic_train, variant="tfidf"), d, synthetic_train)
    with np.load(d / "arrays.npz") as z:
        original = {k: z[k] for k in z.files}

    edited = {k: v.copy() for k, v in original.items()}
    edited["linear_w_tfidf"][0, 0] += np.float32(1e-3)
    np.savez(d / "arrays.npz", **edited)  # type: ignore[arg-type]
    with pytest.raises(ArtifactError, match="does not match manifest model_id"):
        load_model(d)

    np.savez(d / "arrays.npz", evil=np.array([{"x": 1}], dtype=object),  # type: ignore[arg-type]
             **original)
    with pytest.raises(ArtifactError, match="unreadable model files"):
        load_model(d)

    np.savez(d / "arrays.npz", **original)  # type: ignore[arg-type]
    assert load_model(d).intents == sorted(set(synthetic_train.labels))
    (d / "model.json").unlink()
    with pytest.raises(ArtifactError, match="unreadable model files"):
        load_model(d)


def test_set_oos_prior_survives_save_and_load(tmp_path: Path, synthetic_train: Dataset,
                                              synthetic_test: Dataset) -> None:
    model = _fit(synthetic_train, variant="tfidf")
    assert model.oos_prior == 0.2 and model.oos_prior_source == "default"
    _save(model, tmp_path / "m", synthetic_train)
    loaded = load_model(tmp_path / "m")
    for prior in (0.02, 0.5):
        a = model.set_oos_prior(prior).predict_batch(synthetic_test.texts)
        b = loaded.set_oos_prior(prior).predict_batch(synthetic_test.texts)
        assert a.labels == b.labels and loaded.detector is not None
        assert model.detector is not None
        assert loaded.detector.threshold == pytest.approx(model.detector.threshold)
    low = model.set_oos_prior(0.02).predict_batch(synthetic_test.texts).is_oos.sum()
    high = model.set_oos_prior(0.5).predict_batch(synthetic_test.texts).is_oos.sum()
    assert high >= low
    with pytest.raises(ValueError, match="oos_prior"):
        model.set_oos_prior(1.0)
