"""Orders, shipments and inventory in the store: set-based idempotent writes, plain-data reads.

An order is keyed by (store, external_id) and carries a content hash: re-importing it
unchanged is a no-op, a changed order replaces its row, items and shipments. Inventory is
keyed by (store, sku) and simply upserted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import orjson
import sqlalchemy as sa

from shopcoach.capture.prepare import customer_hash
from shopcoach.orders.schema import InventoryRecord, OrderRecord
from shopcoach.store.sql import in_chunks, insert_for, member_of, utcnow
from shopcoach.store.tables import inventory, order_items, orders, shipments
from shopcoach.stores import Store


@dataclass
class WriteCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: WriteCounts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged


def write_orders(conn: sa.Connection, store: Store, records: Sequence[OrderRecord]) -> WriteCounts:
    """Insert new orders, replace changed ones, skip unchanged ones (by content hash)."""
    counts = WriteCounts()
    latest = {r.external_id: r for r in records}
    counts.unchanged += len(records) - len(latest)
    digests = {
        ext: hashlib.sha256(
            orjson.dumps(r.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
        ).hexdigest()
        for ext, r in latest.items()
    }
    existing: dict[str, tuple[int, str]] = {}
    for part in in_chunks(conn, list(latest)):
        found = conn.execute(
            sa.select(orders.c.external_id, orders.c.id, orders.c.content_hash).where(
                orders.c.store_id == store.id, member_of(conn, orders.c.external_id, part)
            )
        )
        existing.update({r.external_id: (r.id, r.content_hash) for r in found})
    todo = [ext for ext in latest if existing.get(ext, (0, ""))[1] != digests[ext]]
    counts.unchanged += len(latest) - len(todo)
    if not todo:
        return counts
    changed_ids = [existing[ext][0] for ext in todo if ext in existing]
    for id_part in in_chunks(conn, changed_ids):
        conn.execute(sa.delete(order_items).where(member_of(conn, order_items.c.order_id, id_part)))
        conn.execute(sa.delete(shipments).where(member_of(conn, shipments.c.order_id, id_part)))
    now = utcnow()
    rows = []
    for ext in todo:
        r = latest[ext]
        rows.append(
            {
                "store_id": store.id,
                "external_id": ext,
                "customer_hash": customer_hash(store.customer_salt, r.customer_id),
                "status": r.status,
                "payment_status": r.payment_status,
                "address_status": r.address_status,
                "placed_at": _utc(r.placed_at),
                "total": r.total,
                "currency": r.currency.upper(),
                "shipping_address": r.shipping_address,
                "content_hash": digests[ext],
                "updated_at": now,
            }
        )
    stmt = insert_for(conn, orders)
    update_cols = {c: stmt.excluded[c] for c in rows[0] if c not in ("store_id", "external_id")}
    conn.execute(
        stmt.on_conflict_do_update(index_elements=["store_id", "external_id"], set_=update_cols),
        rows,
    )
    ids: dict[str, int] = {}
    for part in in_chunks(conn, todo):
        found = conn.execute(
            sa.select(orders.c.external_id, orders.c.id).where(
                orders.c.store_id == store.id, member_of(conn, orders.c.external_id, part)
            )
        )
        ids.update({r.external_id: r.id for r in found})
    item_rows = [
        {"order_id": ids[ext], "seq": i, **item.model_dump()}
        for ext in todo
        for i, item in enumerate(latest[ext].items)
    ]
    ship_rows = [
        {"order_id": ids[ext], "seq": i, **_shipment(s.model_dump())}
        for ext in todo
        for i, s in enumerate(latest[ext].shipments)
    ]
    if item_rows:
        conn.execute(order_items.insert(), item_rows)
    if ship_rows:
        conn.execute(shipments.insert(), ship_rows)
    counts.updated += len(changed_ids)
    counts.created += len(todo) - len(changed_ids)
    return counts


def _utc(value: datetime | None) -> datetime | None:
    """Aware datetimes to naive UTC (how times are stored)."""
    if value is None or value.tzinfo is None:
        return value
    offset = value.utcoffset()
    return (value - offset).replace(tzinfo=None) if offset is not None else value


def _shipment(data: dict[str, Any]) -> dict[str, Any]:
    for key in ("shipped_at", "delivered_at", "last_event_at"):
        data[key] = _utc(data[key])
    return data


def write_inventory(
    conn: sa.Connection, store: Store, records: Sequence[InventoryRecord]
) -> WriteCounts:
    """Upsert stock levels by SKU (the last record for a SKU wins)."""
    latest = {r.sku: r for r in records}
    if not latest:
        return WriteCounts()
    before: set[str] = set()
    for part in in_chunks(conn, list(latest)):
        before |= set(
            conn.execute(
                sa.select(inventory.c.sku).where(
                    inventory.c.store_id == store.id, member_of(conn, inventory.c.sku, part)
                )
            ).scalars()
        )
    now = utcnow()
    stmt = insert_for(conn, inventory)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["store_id", "sku"],
            set_={
                "on_hand": stmt.excluded.on_hand,
                "restock_date": stmt.excluded.restock_date,
                "updated_at": stmt.excluded.updated_at,
            },
        ),
        [
            {
                "store_id": store.id,
                "sku": r.sku,
                "on_hand": r.on_hand,
                "restock_date": r.restock_date,
                "updated_at": now,
            }
            for r in latest.values()
        ],
    )
    return WriteCounts(created=len(latest) - len(before), updated=len(before))


# --- reads: plain data for the connector and triage ------------------------------------------


@dataclass(frozen=True)
class ItemView:
    sku: str
    name: str
    quantity: int
    price: float | None


@dataclass(frozen=True)
class ShipmentView:
    carrier: str
    tracking_number: str
    status: str
    exception: str | None
    shipped_at: datetime | None
    eta: date | None
    delivered_at: datetime | None
    last_event_at: datetime | None
    last_event: str | None


@dataclass(frozen=True)
class OrderView:
    order_id: str
    status: str
    payment_status: str
    address_status: str
    placed_at: datetime
    total: float | None
    currency: str
    shipping_address: dict[str, Any]
    customer_hash: str | None = None
    items: tuple[ItemView, ...] = ()
    shipments: tuple[ShipmentView, ...] = ()


@dataclass(frozen=True)
class StockView:
    sku: str
    on_hand: int
    restock_date: date | None


@dataclass
class OrderBundle:
    """An order with the stock of its SKUs: what triage needs."""

    order: OrderView
    stock: dict[str, StockView] = field(default_factory=dict)


def load_order(conn: sa.Connection, store_id: int, order_id: str) -> OrderView | None:
    row = conn.execute(
        sa.select(orders).where(orders.c.store_id == store_id, orders.c.external_id == order_id)
    ).first()
    if row is None:
        return None
    items = conn.execute(
        sa.select(order_items).where(order_items.c.order_id == row.id).order_by(order_items.c.seq)
    )
    ships = conn.execute(
        sa.select(shipments).where(shipments.c.order_id == row.id).order_by(shipments.c.seq)
    )
    return OrderView(
        order_id=row.external_id,
        status=row.status,
        payment_status=row.payment_status,
        address_status=row.address_status,
        placed_at=row.placed_at,
        total=row.total,
        currency=row.currency,
        shipping_address=dict(row.shipping_address or {}),
        customer_hash=row.customer_hash,
        items=tuple(ItemView(i.sku, i.name, i.quantity, i.price) for i in items),
        shipments=tuple(
            ShipmentView(
                s.carrier,
                s.tracking_number,
                s.status,
                s.exception,
                s.shipped_at,
                s.eta,
                s.delivered_at,
                s.last_event_at,
                s.last_event,
            )
            for s in ships
        ),
    )


def load_stock(conn: sa.Connection, store_id: int, skus: Sequence[str]) -> dict[str, StockView]:
    found: dict[str, StockView] = {}
    for part in in_chunks(conn, list(skus)):
        rows = conn.execute(
            sa.select(inventory).where(
                inventory.c.store_id == store_id, member_of(conn, inventory.c.sku, part)
            )
        )
        found.update({r.sku: StockView(r.sku, r.on_hand, r.restock_date) for r in rows})
    return found


def find_shipments(
    conn: sa.Connection, store_id: int, tracking_number: str
) -> list[tuple[str, ShipmentView]]:
    """(order id, shipment) for a tracking number."""
    rows = conn.execute(
        sa.select(orders.c.external_id, shipments)
        .join(orders, orders.c.id == shipments.c.order_id)
        .where(orders.c.store_id == store_id, shipments.c.tracking_number == tracking_number)
    )
    return [
        (
            r.external_id,
            ShipmentView(
                r.carrier,
                r.tracking_number,
                r.status,
                r.exception,
                r.shipped_at,
                r.eta,
                r.delivered_at,
                r.last_event_at,
                r.last_event,
            ),
        )
        for r in rows
    ]
