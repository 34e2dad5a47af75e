"""Exact and near-duplicate detection, on hand-made texts and the real ESCI catalog."""

from __future__ import annotations

import re
from itertools import combinations

import numpy as np

from shopcoach.kb.dedup import exact_duplicates, minhash_signatures, near_duplicates
from tests.kb.conftest import esci_products

BASE = (
    "Waterproof hiking boot with a padded collar, a grippy rubber outsole and a breathable "
    "mesh lining that keeps feet dry on long wet trails in autumn and winter weather"
)


def test_exact_duplicates_point_at_the_first_copy() -> None:
    assert exact_duplicates(["a", "b", "a", "c", "a", "b"]) == {2: 0, 4: 0, 5: 1}


def test_near_copy_found_and_unrelated_text_not() -> None:
    texts = [
        BASE,
        "Stainless steel chef knife, eight inch blade, full tang, pakkawood handle",
        BASE.replace("autumn", "spring"),  # one word changed
        BASE + " size 10",
        "",
    ]
    found = {(n.index, n.of_index) for n in near_duplicates(texts, threshold=0.7)}
    assert found == {(2, 0), (3, 0)}


def _shingles(text: str) -> set[tuple[str, ...]]:
    w = re.findall(r"\w+", text.casefold())[:256]
    return {tuple(w[i : i + 3]) for i in range(max(1, len(w) - 2))}


def test_minhash_estimates_jaccard_on_real_products() -> None:
    rows = esci_products(300)
    texts = [f"{r['title']}\n{r['bullet_points']}" for r in rows]
    sig = minhash_signatures(texts)
    errors = []
    for i, j in list(combinations(range(len(texts)), 2))[::97]:
        a, b = _shingles(texts[i]), _shingles(texts[j])
        true = len(a & b) / len(a | b)
        errors.append(abs(true - float((sig[i] == sig[j]).mean())))
    # 64 permutations: standard error <= 0.0625 per pair
    assert np.mean(errors) < 0.03 and max(errors) < 0.3


def test_esci_variants_are_near_duplicates_and_verified() -> None:
    rows = esci_products()
    texts = [f"{r['title']}\n{r['description']}\n{r['bullet_points']}" for r in rows]
    found = near_duplicates(texts, threshold=0.8)
    assert 100 < len(found) < 2000  # the catalog has size/colour variants, not 6.7k copies
    for nd in found[:200]:
        a, b = _shingles(texts[nd.index]), _shingles(texts[nd.of_index])
        assert len(a & b) / len(a | b) > 0.5, (rows[nd.index]["title"], rows[nd.of_index]["title"])
    assert all(nd.of_index < nd.index for nd in found)
