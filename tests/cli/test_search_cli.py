"""``shopcoach search eval`` through Typer's CliRunner on small BEIR-shaped files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shopcoach.cli import app
from shopcoach.errors import ValidationFailed

runner = CliRunner()

DOCS = [
    {"id": "d1", "title": "Red running shoes", "text": "Light trainers for road running"},
    {"id": "d2", "title": "Blue rain boots", "text": "Waterproof rubber boots"},
    {"id": "d3", "title": "Wool hiking socks", "text": "Warm socks"},
    {"id": "d4", "title": "Garden hose", "text": "Fifty foot hose with nozzle"},
]
QUERIES = [
    {"id": "q1", "text": "rain boots"},
    {"id": "q2", "text": "running shoes"},
    {"id": "q3", "text": "socks for hiking"},
    {"id": "q4", "text": "umbrella"},  # no lexical match: a zero-result query for BM25
]
QRELS = [("q1", "d2", 1), ("q2", "d1", 1), ("q3", "d3", 1), ("q4", "d2", 1)]


def write_set(root: Path, qrels: list[tuple[str, str, int]] = QRELS) -> list[str]:
    (root / "docs.jsonl").write_text("".join(json.dumps(d) + "\n" for d in DOCS))
    (root / "queries.jsonl").write_text("".join(json.dumps(q) + "\n" for q in QUERIES))
    (root / "qrels.tsv").write_text(
        "query_id\tdoc_id\tgrade\n" + "".join(f"{q}\t{d}\t{g}\n" for q, d, g in qrels)
    )
    return [
        "--docs",
        str(root / "docs.jsonl"),
        "--queries",
        str(root / "queries.jsonl"),
        "--qrels",
        str(root / "qrels.tsv"),
    ]


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["search", "eval", *args], catch_exceptions=False)
    return result.exit_code, result.output


def test_eval_json_reports_every_mode(tmp_path: Path) -> None:
    code, out = invoke(*write_set(tmp_path), "--embedder", "hashing", "--json")
    assert code == 0, out
    data = json.loads(out)
    assert set(data["results"]) == {"lexical", "dense", "hybrid"}
    assert data["n_documents"] == 4 and data["n_queries"] == 4
    lexical = data["results"]["lexical"]
    # q1-q3 find their document first by BM25; q4 matches no term: 1 of 4 queries is empty.
    assert lexical["mrr@10"] == pytest.approx(0.75)
    assert lexical["zero_result_rate"] == pytest.approx(0.25)
    assert data["results"]["hybrid"]["zero_result_rate"] == 0.0
    assert data["results"]["hybrid"]["recall@100"] == 1.0


def test_eval_table_one_mode(tmp_path: Path) -> None:
    code, out = invoke(*write_set(tmp_path), "--embedder", "none", "--mode", "lexical")
    assert code == 0, out
    for column in ("nDCG@10", "MRR@10", "Recall@100", "zero-result rate"):
        assert column in out
    assert "lexical" in out and "hybrid" not in out.split("fusion")[-1]
    assert "0.7500" in out  # MRR@10


def test_eval_cross_validation_line(tmp_path: Path) -> None:
    code, out = invoke(*write_set(tmp_path), "--embedder", "hashing", "--mode", "hybrid", "--cv")
    assert code == 0, out
    assert "cross-validation" in out and "held-out" in out


def expect_error(args: list[str], message: str, hint: str) -> None:
    result = runner.invoke(app, ["search", "eval", *args])
    assert result.exit_code != 0
    exc = result.exception
    assert isinstance(exc, ValidationFailed), result.output
    assert message in exc.message, exc.message
    assert exc.hint and hint in exc.hint, exc.hint


def test_missing_file_is_named(tmp_path: Path) -> None:
    args = write_set(tmp_path)
    (tmp_path / "queries.jsonl").unlink()
    expect_error(args, "queries file not found", "--queries")


def test_qrels_naming_unknown_documents(tmp_path: Path) -> None:
    args = write_set(tmp_path, [*QRELS, ("q1", "d99", 1), ("q2", "nope", 1)])
    expect_error([*args, "--embedder", "none"], "2 document id(s)", "same set")
    result = runner.invoke(app, ["search", "eval", *args, "--embedder", "none"])
    assert "d99" in result.exception.message  # type: ignore[union-attr]


def test_bad_arguments(tmp_path: Path) -> None:
    args = write_set(tmp_path)
    expect_error(args[:2], "missing --queries, --qrels", "--dataset")
    expect_error([*args, "--mode", "fuzzy"], "unknown mode", "--mode")
    expect_error([*args, "--embedder", "bogus"], "unknown embedder bogus", "hashing")
    expect_error([*args, "--dataset", "esci"], "cannot be combined", "either")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "no id"}\n')
    expect_error(["--docs", str(bad), *args[2:]], "bad.jsonl:1", "JSONL")


def test_named_dataset_on_real_data() -> None:
    from shopcoach.search.datasets import data_dir

    if not (data_dir() / "bitext-customer-support").exists():
        pytest.skip(f"shared dataset 'bitext-customer-support' not found in {data_dir()}")
    code, out = invoke("--dataset", "bitext", "--embedder", "none", "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["n_documents"] == 27 and data["n_queries"] > 500
    assert data["results"]["lexical"]["ndcg@10"] > 0.7
