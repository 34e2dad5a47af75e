"""Write the sample store's data files (``demo/data/``) from the tables in this package.

Deterministic: the same seed writes the same bytes, and ``tests/demo`` checks that the
committed files equal :func:`render`'s output. Regenerate after changing a table::

    .venv/bin/python -m shopcoach.demo.build_data

Files (all in formats the importers accept, see ``docs/demo.md``): ``products.csv``
(knowledge-base products), ``articles/**.md`` (help articles with front matter),
``categories.txt`` (the store's category list, for the hygiene audit), ``orders.jsonl`` and
``inventory.csv`` (``shopcoach orders import``) and ``customers.jsonl`` (the simulator's
customers; Shopcoach itself only ever stores their ids hashed).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import orjson

from shopcoach.demo.articles import articles
from shopcoach.demo.catalog import CATEGORIES, products
from shopcoach.demo.changes import inventory_csv, products_csv, scenario_changes
from shopcoach.demo.orders_data import customers, orders
from shopcoach.demo.paths import DATA_DIR
from shopcoach.demo.policy import BASE_POLICY

SEED = 7


def _jsonl(rows: list[dict[str, object]]) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in rows)


def render(seed: int = SEED) -> dict[str, bytes]:
    """Every data file, by path relative to ``data/``."""
    catalog = products(seed)
    launches = [(c.starts, c.products) for c in scenario_changes(seed) if c.products]
    files = {
        "products.csv": products_csv(catalog),
        "categories.txt": "".join(c + "\n" for c in CATEGORIES).encode(),
        "inventory.csv": inventory_csv(catalog),
        "orders.jsonl": _jsonl(orders(catalog, launches, seed)),
        "customers.jsonl": _jsonl(customers(seed)),
    }
    for a in articles(BASE_POLICY):
        files[f"articles/{a.key}.md"] = a.markdown().encode()
    return files


def write(target: Path = DATA_DIR, seed: int = SEED) -> int:
    """Replace ``target`` with freshly rendered files; returns how many were written."""
    files = render(seed)
    if (target / "articles").is_dir():
        shutil.rmtree(target / "articles")
    for rel, data in files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return len(files)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else DATA_DIR
    print(f"wrote {write(target)} files to {target}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
