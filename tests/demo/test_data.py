"""The sample store's data files: in sync with the generator, importing cleanly through the
real importers (SQLite and PostgreSQL), and carrying the flaws the hygiene audit must find."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from shopcoach.demo import build_data, scenario_changes
from shopcoach.demo.catalog import CATEGORIES, products
from shopcoach.demo.load import import_demo_store, rejected
from shopcoach.demo.policy import week_start
from shopcoach.demo.world import World
from shopcoach.kb.api import import_articles, import_products
from shopcoach.kb.audit import audit_kb
from shopcoach.kb.audit_load import load_audit_inputs
from shopcoach.orders.importer import import_orders_file
from shopcoach.store.engine import Database
from shopcoach.store.tables import kb_items, orders, shipments
from shopcoach.stores import Store


def test_committed_files_equal_the_generator_output() -> None:
    rendered = build_data.render()
    on_disk = {p.relative_to(build_data.DATA_DIR).as_posix(): p.read_bytes()
               for p in build_data.DATA_DIR.rglob("*") if p.is_file()}  # fmt: skip
    assert set(on_disk) == set(rendered), "run python -m shopcoach.demo.build_data"
    stale = [k for k in rendered if rendered[k] != on_disk[k]]
    assert not stale, f"out of date (run python -m shopcoach.demo.build_data): {stale}"
    assert build_data.render() == rendered  # deterministic


def test_the_store_has_the_promised_shape() -> None:
    catalog = products()
    assert 280 <= len(catalog) <= 320
    assert len({p.category for p in catalog if p.category}) >= 10
    articles = list((build_data.DATA_DIR / "articles").rglob("*.md"))
    assert len(articles) >= 30
    world = World.load()
    kinds = Counter(s["status"] for o in world.orders.values() for s in o["shipments"])
    assert {"delivered", "in_transit", "lost", "exception"} <= set(kinds)
    assert any(o["payment_status"] == "failed" for o in world.orders.values())
    assert len(world.customers) >= 300


def test_imports_with_zero_rejects(db: Database, store: Store) -> None:
    results = import_demo_store(db, store.slug)
    assert rejected(results) == 0
    assert results["products"]["created"] == 300 and results["articles"]["created"] >= 30
    assert results["orders"]["created"] == len(World.load().orders)
    assert results["inventory"]["created"] == 300
    with db.connect() as conn:
        n_items = conn.scalar(sa.select(sa.func.count()).select_from(kb_items))
        assert n_items == 300 + results["articles"]["created"]
        assert conn.scalar(sa.select(sa.func.count()).select_from(orders)) == 1300
        assert conn.scalar(sa.select(sa.func.count()).select_from(shipments)) > 1000
    again = import_demo_store(db, store.slug)  # idempotent
    assert again["products"]["unchanged"] == 300 and again["orders"]["unchanged"] == 1300


def test_changes_import_through_the_same_importers(
    db: Database, store: Store, tmp_path: Path
) -> None:
    import_demo_store(db, store.slug)
    changes = {c.key: c for c in scenario_changes()}
    paths = changes["returns_14"].write(tmp_path / "returns")
    r = import_articles(db, paths["articles"], store=store.slug)
    assert (r.updated, r.created, r.rejected) == (1, 0, [])  # a new version of the article
    paths = changes["trail_running"].write(tmp_path / "trail")
    r = import_products(db, paths["products"], store=store.slug)
    assert (r.created, r.rejected) == (20, [])
    inv = import_orders_file(db, paths["inventory"], "inventory", store.slug)
    assert inv.rejected == [] and inv.counts.created == 20
    paths = changes["holiday"].write(tmp_path / "holiday")
    r = import_articles(db, paths["articles"], store=store.slug)
    assert (r.created, r.rejected) == (3, [])
    holiday = changes["holiday"]
    assert holiday.starts == week_start(8) and holiday.ends == week_start(11).fromordinal(
        week_start(11).toordinal() - 1
    )


def test_hygiene_audit_finds_the_planted_flaws(db: Database, store: Store) -> None:
    import_demo_store(db, store.slug)
    with db.connect() as conn:
        arts, prods = load_audit_inputs(conn, store.id, today=date(2026, 10, 12))
    report = audit_kb(arts, prods, categories=list(CATEGORIES), today=date(2026, 10, 12))
    flaws: dict[str, set[str]] = {}
    for p in products():
        for f in p.flaws:
            flaws.setdefault(f, set()).add(p.sku)

    def keys(section: object) -> set[str]:
        return {k for f in section.findings for k in f.items}  # type: ignore[attr-defined]

    assert keys(report.missing_descriptions) == flaws["missing_description"]
    assert keys(report.short_descriptions) == flaws["short_description"]
    assert keys(report.supplier_copied_descriptions) == flaws["supplier_copy"]
    internal = keys(report.internal_terms)
    assert flaws["internal_terms"] <= internal
    assert "orders/damaged-items" in internal  # the escalation code in an article
    assert internal - flaws["internal_terms"] == {"orders/damaged-items"}, "no accidental jargon"
    assert flaws["missing_brand"] <= keys(report.missing_brands)
    orphans = {(f.problem, f.category) for f in report.orphaned_categories.findings}
    assert ("unused", "Climbing > Harnesses") in orphans
    assert ("unused", "Climbing > Ropes") in orphans
    assert sum(1 for p, _ in orphans if p == "uncategorised") >= 1
    assert keys(report.orphaned_categories) >= flaws["uncategorised"]
    assert {"care/tent-care", "orders/damaged-items"} <= keys(report.stale_articles)
    assert report.conflicting_facts.count == 0, "the shipped articles agree with each other"
