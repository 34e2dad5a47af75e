"""Importing into the store (SQLite, and PostgreSQL with SHOPCOACH_TEST_DATABASE_URL):
versions, no-op re-imports, supersession, prune/restore, documents and answer sources."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from shopcoach.errors import NotFound
from shopcoach.kb.api import current_documents, document_ids, import_articles, import_products
from shopcoach.kb.usage import answer_sources, record_answer_sources
from shopcoach.store.engine import Database
from shopcoach.store.sql import utcnow
from shopcoach.store.tables import kb_answer_sources, kb_chunks, kb_items, kb_versions
from shopcoach.stores import Store
from tests.kb.conftest import (
    abcd_markdown,
    bitext_articles_jsonl,
    esci_products,
    need,
    write_products_csv,
    write_shopify_csv,
)


def counts(db: Database) -> dict[str, int]:
    with db.connect() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in (kb_items, kb_versions, kb_chunks, kb_answer_sources)
        }


def test_full_esci_catalog_imports_once_and_reimport_is_a_noop(db: Database, store: Store) -> None:
    path = need("esci-us-150") / "products.jsonl"
    first = import_products(db, path)
    assert (first.created, first.updated, first.unchanged, len(first.rejected)) == (6764, 0, 0, 0)
    assert len(first.near_duplicates) > 100 and not first.skipped
    before = counts(db)
    assert before["kb_items"] == before["kb_versions"] == 6764
    again = import_products(db, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6764)
    assert counts(db) == before
    with db.connect() as conn:
        docs = current_documents(conn, store.id)
    assert len(docs) == 6764
    by_id = {d.id: d for d in docs}
    rows = {r["product_id"]: r for r in esci_products()}
    sample = rows["B0777K9RGX"]
    doc = by_id["B0777K9RGX"]
    assert doc.title == sample["title"] and doc.brand == sample["brand"]
    assert doc.category == tuple(sample["category"]) and doc.kind == "product"
    priced = next(k for k, r in rows.items() if r["price"] is not None)
    assert by_id[priced].price == pytest.approx(rows[priced]["price"])


def test_changed_product_gets_a_new_version_and_old_one_is_superseded(
    db: Database, store: Store, tmp_path: Path
) -> None:
    rows = esci_products(120)
    path = write_products_csv(tmp_path / "p.csv", rows)
    first = import_products(db, path)
    assert first.created == 120
    rows[5] = dict(rows[5], price=(rows[5]["price"] or 0) + 1.0)
    rows[9] = dict(rows[9], title=rows[9]["title"] + " (2026 model)")
    write_products_csv(path, rows)
    second = import_products(db, path)
    assert (second.created, second.updated, second.unchanged) == (0, 2, 118)
    key = rows[5]["product_id"]
    with db.connect() as conn:
        versions = conn.execute(
            sa.select(kb_versions.c.version_no, kb_versions.c.price, kb_versions.c.superseded_at)
            .join(kb_items, kb_items.c.id == kb_versions.c.item_id)
            .where(kb_items.c.key == key).order_by(kb_versions.c.version_no)
        ).all()  # fmt: skip
        current = conn.execute(
            sa.select(kb_items.c.current_version_id).where(kb_items.c.key == key)
        ).scalar_one()
    assert [v.version_no for v in versions] == [1, 2]
    assert versions[0].superseded_at is not None and versions[1].superseded_at is None
    assert versions[1].price == pytest.approx(rows[5]["price"])
    assert current == second.new_versions[key]


def test_shopify_import_prune_and_restore(db: Database, store: Store, tmp_path: Path) -> None:
    rows = esci_products(40)
    path = write_shopify_csv(tmp_path / "export.csv", rows)
    assert import_products(db, path).created == 40
    write_shopify_csv(path, rows[:30])
    kept = import_products(db, path)  # without --prune nothing is archived
    assert (kept.unchanged, kept.archived) == (30, 0)
    pruned = import_products(db, path, prune=True)
    assert (pruned.unchanged, pruned.archived) == (30, 10)
    with db.connect() as conn:
        assert len(current_documents(conn, store.id, kinds=["product"])) == 30
    write_shopify_csv(path, rows)
    back = import_products(db, path)
    assert (back.restored, back.unchanged, back.created) == (10, 30, 0)
    assert counts(db)["kb_versions"] == 40  # restoring unchanged content adds no version


def test_prune_keeps_products_whose_row_was_rejected(
    db: Database, store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "p.csv"
    path.write_text("sku,title,price\nA,Alpha,1\nB,Beta,2\n")
    import_products(db, path)
    path.write_text("sku,title,price\nA,Alpha,1\nB,Beta,two\n")
    result = import_products(db, path, prune=True)
    assert result.archived == 0 and [e.external_id for e in result.rejected] == ["B"]


def test_articles_markdown_chunks_versions_and_seasonal_window(
    db: Database, store: Store, tmp_path: Path
) -> None:
    folder = abcd_markdown(tmp_path / "help")
    holiday = folder / "holiday-returns.md"
    holiday.write_text("---\ntitle: Holiday returns\nvalid_from: 2026-11-15\n"
                       "valid_to: 2027-01-15\n---\n## Window\nGifts bought from November 15 "
                       "can be returned until January 15.\n")  # fmt: skip
    first = import_articles(db, folder)
    assert (first.created, len(first.rejected)) == (11, 0)
    assert first.chunks > 50
    with db.connect() as conn:
        docs = current_documents(conn, store.id, kinds=["article"])
    assert len(docs) == first.chunks
    season = [d for d in docs if d.id.startswith("holiday-returns#")]
    assert [(d.valid_from, d.valid_to) for d in season] == [(date(2026, 11, 15),
                                                            date(2027, 1, 15))]  # fmt: skip
    assert season[0].title == "Holiday returns › Window"
    refund = [d for d in docs if d.id.startswith("product-defect#")]
    assert any(d.title.startswith("Product Defect › Initiate Refund") for d in refund)

    again = import_articles(db, folder)
    assert (again.created, again.updated, again.unchanged, again.chunks) == (0, 0, 11, 0)

    mark = utcnow()
    holiday.write_text(holiday.read_text().replace("January 15", "January 31"))
    changed = import_articles(db, folder)
    assert (changed.updated, changed.unchanged) == (1, 10)
    with db.connect() as conn:
        fresh = current_documents(conn, store.id, changed_since=mark)
        assert [d.id for d in fresh] == ["holiday-returns#0"]
        assert "January 31" in fresh[0].text
        old = conn.execute(
            sa.select(kb_versions.c.superseded_at, kb_versions.c.body)
            .where(kb_versions.c.version_no == 1, kb_versions.c.body.contains("January 15"))
        ).one()  # fmt: skip
    assert old.superseded_at is not None


def test_exact_copies_are_skipped_and_repeated_keys_rejected(
    db: Database, store: Store, tmp_path: Path
) -> None:
    path = bitext_articles_jsonl(tmp_path / "a.jsonl")
    lines = path.read_text().splitlines()
    copy = json.loads(lines[0]) | {"id": "copy-of-first"}
    repeat = json.loads(lines[1]) | {"title": "Same key again"}
    path.write_text("\n".join([*lines, json.dumps(copy), json.dumps(repeat)]) + "\n")
    result = import_articles(db, path)
    assert result.created == 27
    assert [(s.key, s.line) for s in result.skipped] == [("copy-of-first", 28)]
    assert "exact copy of" in result.skipped[0].reason
    [err] = result.rejected
    assert (err.index, err.field) == (29, "key") and "already appears on line 2" in err.reason


def test_failed_import_leaves_nothing_and_retry_succeeds(
    db: Database, store: Store, tmp_path: Path
) -> None:
    path = write_products_csv(tmp_path / "p.csv", esci_products(30))
    with pytest.raises(NotFound):
        import_products(db, path, store="no-such-store")
    assert counts(db)["kb_items"] == 0
    assert import_products(db, path).created == 30
    assert import_products(db, path).unchanged == 30  # retrying a finished import: no-op


def test_answer_sources_record_the_versions_used(
    db: Database, store: Store, tmp_path: Path
) -> None:
    folder = abcd_markdown(tmp_path / "help")
    import_articles(db, folder)
    products = write_products_csv(tmp_path / "p.csv", esci_products(5))
    import_products(db, products)
    sku = esci_products(1)[0]["product_id"]
    with db.connect() as conn:
        ids = document_ids(conn, store.id)
    assert sku in ids and "product-defect#0" in ids
    with db.begin() as conn:
        assert record_answer_sources(conn, store.id, "conv-1/2", ["product-defect#0", sku]) == 2
        assert record_answer_sources(conn, store.id, "conv-1/2", ["product-defect#0", sku]) == 0
    # the article changes afterwards: the answer still points at the version it used
    page = folder / "product-defect.md"
    page.write_text(page.read_text().replace("Product Defect", "Product Defects", 1))
    assert import_articles(db, folder).updated == 1
    with db.connect() as conn:
        used = answer_sources(conn, store.id, "conv-1/2")
    assert {(u.kind, u.key, u.version_no) for u in used} == {
        ("article", "product-defect", 1), ("product", sku, 1)}  # fmt: skip
    article = next(u for u in used if u.kind == "article")
    assert article.superseded_at is not None and article.title == "Product Defect"
    with pytest.raises(NotFound) as exc, db.begin() as conn:
        record_answer_sources(conn, store.id, "conv-1/3", ["nope#0", 999999])
    assert "nope#0" in exc.value.message and "999999" in exc.value.message
    with db.begin() as conn:
        assert record_answer_sources(conn, store.id, "conv-1/4", [article.version_id]) == 1
