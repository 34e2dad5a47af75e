"""The ground truth the simulator knows and the loop does not: policies, catalog, orders.

``World.load()`` reads the shipped data files (or a folder written by ``build_data``) and the
scenario's changes. ``policy_at(day)``, ``catalog_at(day)`` and ``seasonal(day)`` answer what
is *true* on a simulated day, which may differ from what the store's knowledge base says:
that gap is what the loop has to notice.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import orjson

from shopcoach.demo.changes import Change, scenario_changes
from shopcoach.demo.orders_data import contact_window
from shopcoach.demo.paths import DATA_DIR
from shopcoach.demo.policy import BASE_POLICY, Policy
from shopcoach.errors import ValidationFailed


@dataclass(frozen=True)
class TrueProduct:
    sku: str
    title: str
    model: str
    price: float
    on_hand: int
    sizes: tuple[str, ...]
    material: str
    colour: str
    category: str
    launched: date | None = None  # None: in the catalog from the start
    change: str | None = None  # the change that brought it


def _product(row: dict[str, str], launched: date | None = None,
             change: str | None = None) -> TrueProduct:  # fmt: skip
    return TrueProduct(
        sku=row["sku"], title=row["title"], model=row["model"], price=float(row["price"]),
        on_hand=int(row["inventory"] or 0),
        sizes=tuple(s.strip() for s in row["size"].split(",") if s.strip()),
        material=row["material"], colour=row["colour"], category=row["category"],
        launched=launched, change=change,
    )  # fmt: skip


def _read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(data.decode("utf-8").splitlines()))


@dataclass
class World:
    """Everything true about the store over the scenario (see the module docstring)."""

    products: list[TrueProduct]
    orders: dict[str, dict[str, Any]]
    customers: list[dict[str, Any]]
    changes: tuple[Change, ...] = ()
    base_policy: Policy = BASE_POLICY
    _contacts: dict[date, list[str]] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, data_dir: str | Path | None = None, *, seed: int = 7,
             changes: Sequence[Change] | None = None) -> World:  # fmt: skip
        folder = Path(data_dir) if data_dir is not None else DATA_DIR
        try:
            products_raw = (folder / "products.csv").read_bytes()
            orders_raw = (folder / "orders.jsonl").read_bytes()
            customers_raw = (folder / "customers.jsonl").read_bytes()
        except FileNotFoundError as exc:
            raise ValidationFailed(
                f"The demo data folder {folder} lacks {Path(exc.filename or '').name}.",
                hint="Write it with `python -m shopcoach.demo.build_data FOLDER`.",
            ) from None
        chosen = tuple(scenario_changes(seed) if changes is None else changes)
        products = [_product(r) for r in _read_csv(products_raw)]
        for change in chosen:
            products += [_product(p.as_row(), change.starts, change.key) for p in change.products]
        orders = {o["external_id"]: o for o in map(orjson.loads, orders_raw.splitlines()) if o}
        customers = [orjson.loads(line) for line in customers_raw.splitlines() if line.strip()]
        return cls(products, orders, customers, chosen)

    def __post_init__(self) -> None:
        contacts: dict[date, list[str]] = defaultdict(list)
        for oid, order in self.orders.items():
            first, last = contact_window(order)
            day = first
            while day <= last:
                contacts[day].append(oid)
                day += timedelta(days=1)
        self._contacts = dict(contacts)
        self._by_sku = {p.sku: p for p in self.products}

    def policy_at(self, day: date) -> Policy:
        """The policy in force on ``day`` (every policy change that has started)."""
        updates: dict[str, Any] = {}
        for c in self.changes:
            if c.policy and c.starts <= day:
                updates.update(c.policy)
        return self.base_policy.with_(**updates) if updates else self.base_policy

    def catalog_at(self, day: date) -> list[TrueProduct]:
        return [p for p in self.products if p.launched is None or p.launched <= day]

    def product(self, sku: str) -> TrueProduct | None:
        return self._by_sku.get(sku)

    def seasonal(self, day: date) -> Change | None:
        """The seasonal change running on ``day``, if any."""
        return next((c for c in self.changes if c.kind == "seasonal" and c.active(day)), None)

    def change(self, key: str) -> Change | None:
        return next((c for c in self.changes if c.key == key), None)

    def orders_to_ask_about(self, day: date) -> list[str]:
        """Order numbers whose customers would plausibly ask about them on ``day``."""
        return self._contacts.get(day, [])
