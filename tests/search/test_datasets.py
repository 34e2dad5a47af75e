from __future__ import annotations

import csv
from pathlib import Path

import pytest

from shopcoach.search.datasets import (
    ESCI_GRADES_3210,
    EvalSet,
    Query,
    load_bitext,
    load_esci,
    load_hint3,
    read_documents_jsonl,
    read_esci_qrels,
    read_qrels_tsv,
    read_queries_jsonl,
    stratified_holdout,
    write_eval_set,
)
from shopcoach.search.documents import Document

from .conftest import data_path


def test_file_round_trip(tmp_path: Path) -> None:
    es = EvalSet(
        name="tiny",
        documents=[Document(id="d1", title="Red shoe", category=("Shoes",), price=3.5)],
        queries=[Query("q1", "shoe", {"category": "Shoes"}), Query("q2", "hat")],
        qrels={"q1": {"d1": 1.0}, "q2": {"d1": 0.0}},
    )
    paths = write_eval_set(es, tmp_path)
    assert read_documents_jsonl(paths["docs"]) == es.documents
    assert read_queries_jsonl(paths["queries"]) == es.queries
    assert read_qrels_tsv(paths["qrels"]) == es.qrels


def test_qrels_formats(tmp_path: Path) -> None:
    p = tmp_path / "q.tsv"
    p.write_text("query-id\tcorpus-id\tscore\nq1\td1\t2\nq1 0 d2 1\n\n")
    assert read_qrels_tsv(p) == {"q1": {"d1": 2.0, "d2": 1.0}}
    p.write_text("q1\td1\n")
    with pytest.raises(ValueError):
        read_qrels_tsv(p)


def test_stratified_holdout_is_deterministic_and_per_label() -> None:
    labels = ["a"] * 10 + ["b"] * 5 + ["c"]
    held = stratified_holdout(labels, 0.2, seed=1)
    assert held == stratified_holdout(labels, 0.2, seed=1)
    assert sum(held[:10]) == 2 and sum(held[10:15]) == 1 and held[15] is False


def test_esci_loader(esci: EvalSet) -> None:
    es = esci
    assert len(es.documents) == 6764 and len(es.queries) == 120
    assert sum(len(j) for j in es.qrels.values()) == 5286
    assert set(es.qrels) == {q.id for q in es.queries}
    assert {g for j in es.qrels.values() for g in j.values()} == {1.0, 0.1, 0.01, 0.0}
    doc_ids = {d.id for d in es.documents}
    assert all(d in doc_ids for j in es.qrels.values() for d in j)
    grades3 = read_esci_qrels(data_path("esci-us-150") / "judgments_shared.tsv", ESCI_GRADES_3210)
    assert grades3.keys() == es.qrels.keys()
    assert {g for j in grades3.values() for g in j.values()} == {3.0, 2.0, 1.0, 0.0}
    with pytest.raises(ValueError):
        load_esci(grading="5")


def test_bitext_articles_use_training_rows_only() -> None:
    path = data_path("bitext-customer-support") / "bitext_train.csv"
    es = load_bitext()
    with open(path, encoding="utf-8", newline="") as fh:
        rows = {r["row_id"]: r for r in csv.DictReader(fh)}
    assert len(es.documents) == 27
    assert 600 < len(es.queries) < 800
    body = "\n".join(d.text for d in es.documents)
    for q in es.queries:
        row = rows[q.id.split(":", 1)[1]]
        assert es.qrels[q.id] == {f"article:{row['intent']}": 1.0}
        assert row["response"] not in body  # held-out responses never reach the articles


def test_hint3_shop_bots() -> None:
    data_path("hint3")
    es = load_hint3()
    bots = {d.category[0] for d in es.documents}
    assert bots == {"sofmattress", "curekart"}
    article_text = {d.id: d.text.split("\n") for d in es.documents}
    for q in es.queries:
        (target,) = es.qrels[q.id]
        bot = q.filters["category"]
        assert target.startswith(bot + ":")
        assert q.text not in article_text[target]  # held-out phrase not in its article
