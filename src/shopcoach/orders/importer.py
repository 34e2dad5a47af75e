"""``shopcoach orders import``: orders (JSONL) and inventory (JSONL or CSV) files.

Records are validated one by one (bad ones are reported with line, field and fix; good ones
are kept) and written in chunks, each in its own transaction: a crash loses at most the
chunk in flight, and re-running the import is a no-op for everything already stored
(content hashes for orders, upserts for stock).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import orjson

from shopcoach.capture.validate import Problem, RecordError, validate_records
from shopcoach.errors import ValidationFailed
from shopcoach.orders.schema import InventoryRecord, OrderRecord
from shopcoach.orders.store import WriteCounts, write_inventory, write_orders
from shopcoach.store.engine import Database
from shopcoach.stores import get_store

Kind = Literal["orders", "inventory"]
CHUNK = 1000


@dataclass
class OrdersImport:
    path: str
    kind: Kind
    received: int = 0
    counts: WriteCounts = field(default_factory=WriteCounts)
    rejected: list[RecordError] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "received": self.received,
            "created": self.counts.created,
            "updated": self.counts.updated,
            "unchanged": self.counts.unchanged,
            "rejected": [e.to_dict() for e in self.rejected],
        }


def _records(path: Path) -> Iterator[tuple[int, Any]]:
    """(line number, parsed record); a line that is not JSON yields the error as a string."""
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for number, row in enumerate(csv.DictReader(fh), start=2):
                yield (
                    number,
                    {k: v for k, v in row.items() if k is not None and v not in ("", None)},
                )
        return
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                yield number, orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                yield number, f"not valid JSON: {exc}"


def import_orders_file(db: Database, path: Path, kind: Kind, store_slug: str) -> OrdersImport:
    if not path.is_file():
        raise ValidationFailed(f"No such file: {path}.", hint="Check the path.")
    if kind == "orders" and path.suffix.lower() == ".csv":
        raise ValidationFailed(
            f"{path.name}: orders are imported from JSONL (one order per line with its items "
            "and shipments).",
            hint="See docs/orders.md for the record shape.",
        )
    report = OrdersImport(str(path), kind)
    with db.connect() as conn:
        store = get_store(conn, store_slug)
    model = OrderRecord if kind == "orders" else InventoryRecord
    chunk: list[tuple[int, Any]] = []

    def flush() -> None:
        parsed = [(n, r) for n, r in chunk if not isinstance(r, str)]
        report.rejected += [
            RecordError(n, None, (Problem("", r),)) for n, r in chunk if isinstance(r, str)
        ]
        good, bad = validate_records(parsed, model)
        report.rejected += bad
        with db.begin() as conn:
            if kind == "orders":
                report.counts.add(write_orders(conn, store, [m for _, m, _ in good]))  # type: ignore[misc]
            else:
                report.counts.add(write_inventory(conn, store, [m for _, m, _ in good]))  # type: ignore[misc]
        chunk.clear()

    for item in _records(path):
        report.received += 1
        chunk.append(item)
        if len(chunk) >= CHUNK:
            flush()
    flush()
    report.rejected.sort(key=lambda e: e.index)
    return report
