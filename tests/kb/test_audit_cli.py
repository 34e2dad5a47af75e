"""`shopcoach kb import` keeps the search index in step; `shopcoach kb audit` reads the store."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
from typer.testing import CliRunner

from shopcoach.cli import app
from shopcoach.settings import Settings
from shopcoach.store.engine import Database
from shopcoach.stores import Store


def test_import_indexes_and_audit_finds_planted_problems(
    db_url: str, db: Database, store: Store, settings: Settings, tmp_path: Path
) -> None:
    help_dir = tmp_path / "help"
    help_dir.mkdir()
    (help_dir / "returns.md").write_text(
        "---\ntitle: Returns\nreviewed_at: 2026-11-01\n---\n"
        "You can return most items within 30 days of delivery.\n")  # fmt: skip
    (help_dir / "faq.md").write_text(
        "---\ntitle: FAQ\nreviewed_at: 2025-01-10\n---\n"
        "Changed your mind? Returns are accepted within 14 days of delivery.\n")  # fmt: skip
    products = tmp_path / "products.jsonl"
    copy = "Imported from supplier. High quality product."
    products.write_bytes(b"\n".join(orjson.dumps(p) for p in [
        {"id": f"P{i}", "title": f"Widget {i}", "description": copy, "price": 10 + i}
        for i in range(4)
    ] + [{"id": "P9", "title": "Gadget", "description": "", "price": 5}]) + b"\n")  # fmt: skip
    base = ["--db", db_url, "--home", str(settings.home), "kb"]
    runner = CliRunner()
    r = runner.invoke(app, [*base, "import", str(help_dir), "--kind", "articles"])
    assert r.exit_code == 0, r.output
    assert "Search index: 2 added" in r.output
    r = runner.invoke(app, [*base, "import", str(products), "--kind", "products", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["index"]["added"] == 5
    r = runner.invoke(app, [*base, "audit", "--today", "2026-11-23", "--json"])
    assert r.exit_code == 0, r.output
    report = json.loads(r.output)
    conflicts = report["conflicting_facts"]["findings"]
    assert conflicts and {"returns", "faq"} <= set(conflicts[0]["items"])
    assert [f["items"] for f in report["stale_articles"]["findings"]] == [["faq"]]
    assert report["missing_descriptions"]["count"] == 1
    r = runner.invoke(app, [*base, "audit", "--today", "2026-11-23"])
    assert r.exit_code == 0 and "conflicting_facts" in r.output
