"""Import the sample store into a Shopcoach database with the ordinary importers.

``import_demo_store(db, store)`` imports ``products.csv`` and ``articles/`` into the
knowledge base (``shopcoach.kb.api``) and ``orders.jsonl`` and ``inventory.csv`` into the
order tables (``shopcoach.orders.importer``), and returns what each import reported. Running
it twice is a no-op (every importer is idempotent).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from shopcoach.demo.paths import DATA_DIR
from shopcoach.kb.api import import_articles, import_products
from shopcoach.orders.importer import import_orders_file
from shopcoach.store.engine import Database


def import_demo_store(db: Database, store: str = "default",
                      data_dir: str | Path | None = None,
                      now: datetime | None = None) -> dict[str, Any]:  # fmt: skip
    """Import the demo data (see the module docstring); ``{part: result dict}``. ``now``
    dates the knowledge versions (the scenario runner passes simulated time)."""
    folder = Path(data_dir) if data_dir is not None else DATA_DIR
    return {
        "products": import_products(db, folder / "products.csv", store=store,
                                    now=now).to_dict(),
        "articles": import_articles(db, folder / "articles", store=store, now=now).to_dict(),
        "orders": import_orders_file(db, folder / "orders.jsonl", "orders", store).to_dict(),
        "inventory": import_orders_file(db, folder / "inventory.csv", "inventory",
                                        store).to_dict(),
    }  # fmt: skip


def rejected(results: dict[str, Any]) -> int:
    """How many rows the imports rejected in total (the demo data should have none)."""
    return sum(len(r.get("rejected", [])) for r in results.values())
