"""``shopcoach kb import`` through Typer's CliRunner against a real database."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from shopcoach.cli import app
from tests.kb.conftest import abcd_markdown, esci_products, need, write_shopify_csv

runner = CliRunner()


def run(db_url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", db_url, *args], catch_exceptions=False)
    return result.exit_code, result.output


def test_kb_import_products_articles_and_errors(db_url: str, tmp_path: Path) -> None:
    assert run(db_url, "init")[0] == 0
    esci = need("esci-us-150") / "products.jsonl"
    code, out = run(db_url, "kb", "import", str(esci), "--json")
    assert code == 0, out
    data = json.loads(out)
    assert (data["kind"], data["format"], data["created"], data["rejected"]) == (
        "product", "jsonl", 6764, [])  # fmt: skip
    code, out = run(db_url, "kb", "import", str(esci))
    assert code == 0 and "0 created" in out and "6,764 unchanged" in out, out

    shop = write_shopify_csv(tmp_path / "export.csv", esci_products(20))
    code, out = run(db_url, "kb", "import", str(shop), "--kind", "products", "--json")
    assert json.loads(out)["format"] == "shopify" and json.loads(out)["created"] == 20

    code, out = run(db_url, "kb", "import", str(abcd_markdown(tmp_path / "help")))
    assert code == 0 and "10 created" in out and "chunks" in out, out

    bad = tmp_path / "bad.csv"
    bad.write_text("sku,title,price\nA1,Fine,3\nA2,,4\nA3,Priced,abc\n")
    code, out = run(db_url, "kb", "import", str(bad))
    assert code == 0, out
    assert "1 created" in out and "2 rejected" in out
    assert "Rejected rows" in out and "title" in out and "plain number like 19.99" in out

    all_bad = tmp_path / "allbad.csv"
    all_bad.write_text("sku,title,price\nB1,,3\n")
    code, out = run(db_url, "kb", "import", str(all_bad), "--json")
    assert code == 1 and json.loads(out)["rejected"][0]["line"] == 2


def test_kb_import_wrong_kind_and_missing_store_are_errors(db_url: str, tmp_path: Path) -> None:
    assert run(db_url, "init")[0] == 0
    page = tmp_path / "a.md"
    page.write_text("# Title\nText.\n")
    result = runner.invoke(app, ["--db", db_url, "kb", "import", str(page), "--kind", "products"])
    assert result.exit_code == 1 and "looks like articles" in str(result.exception)
    result = runner.invoke(app, ["--db", db_url, "kb", "import", str(page), "--store", "nope"])
    assert "There is no store 'nope'" in str(result.exception)
