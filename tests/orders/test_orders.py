"""Order tools and exception triage (R-AGT-5) on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from shopcoach.cli import app
from shopcoach.orders.connector import RecordingConnector, StoreConnector, save_tool_calls
from shopcoach.orders.importer import import_orders_file
from shopcoach.orders.triage import run_triage
from shopcoach.store.engine import Database
from shopcoach.store.tables import order_items, orders, tool_calls
from shopcoach.stores import Store

TODAY = datetime(2026, 11, 23, 12, 0)


def order(oid: str, **over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "external_id": oid, "customer_id": "cust-1", "status": "shipped",
        "payment_status": "paid", "placed_at": "2026-11-15T10:00:00Z", "total": 84.5,
        "shipping_address": {"city": "Leeds", "country": "GB"},
        "items": [{"sku": "MUG-1", "name": "Stoneware mug", "quantity": 2, "price": 12.25},
                  {"sku": "TEA-9", "name": "Assam tea 250 g", "quantity": 1, "price": 60.0}],
        "shipments": [{"carrier": "DPD", "tracking_number": f"TRK{oid}", "status": "in_transit",
                       "shipped_at": "2026-11-17T09:00:00Z", "eta": "2026-11-25",
                       "last_event_at": "2026-11-22T18:00:00Z",
                       "last_event": "At local depot"}],
    }  # fmt: skip
    base.update(over)
    return base


def shipment(**over: Any) -> list[dict[str, Any]]:
    s = order("x")["shipments"][0] | {"tracking_number": f"TRK-{len(over)}-{sorted(over)}"}
    return [s | over]


ORDERS = [
    order("A1"),  # fine
    order("A2", payment_status="failed", status="placed", shipments=[]),
    order("A3", address_status="invalid", status="paid", shipments=[]),
    order("A4", address_status="ok", shipments=shipment(status="exception", exception="address")),
    order("A5", status="paid", shipments=[]),  # tea is short: out of stock
    order("A6", shipments=shipment(status="delivered", exception="damaged")),
    order("A7", shipments=shipment(last_event_at="2026-11-10T08:00:00Z", eta="2026-11-14")),
    order("A8", shipments=shipment(eta="2026-11-20")),  # 3 days late, scanned yesterday
    order("A9", shipments=shipment(eta="2026-11-05", last_event_at="2026-11-19T08:00:00Z")),
    order("A10", shipments=shipment(status="lost")),
]
EXPECTED = {  # order: (primary exception, action, escalate)
    "A1": (None, "status_update", False),
    "A2": ("payment_failed", "send_payment_link", False),
    "A3": ("address_problem", "request_address_confirmation", False),
    "A4": ("address_problem", "escalate", True),
    "A5": ("out_of_stock", "offer_backorder_or_refund", False),
    "A6": ("damaged", "escalate", True),
    "A7": ("lost", "escalate", True),
    "A8": ("delayed", "apologize_with_new_eta", False),
    "A9": ("delayed", "escalate", True),
    "A10": ("lost", "escalate", True),
}
STOCK = "sku,on_hand,restock_date\nMUG-1,40,\nTEA-9,0,2026-12-01\n"


@pytest.fixture
def loaded(db: Database, store: Store, tmp_path: Path) -> Path:
    path = tmp_path / "orders.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(o) for o in ORDERS) + b"\n")
    (tmp_path / "stock.csv").write_text(STOCK)
    report = import_orders_file(db, path, "orders", store.slug)
    assert (report.counts.created, report.rejected) == (len(ORDERS), [])
    stock = import_orders_file(db, tmp_path / "stock.csv", "inventory", store.slug)
    assert stock.counts.created == 2 and not stock.rejected
    return path


@pytest.mark.parametrize("oid", sorted(EXPECTED))
def test_triage_classifies_and_resolves(db: Database, store: Store, loaded: Path, oid: str) -> None:
    result = run_triage(StoreConnector(db, store.id), oid, TODAY)
    assert (result.primary, result.action, result.escalate) == EXPECTED[oid], result.findings
    assert result.message and oid in result.message
    if result.escalate:
        assert result.context["order"]["order_id"] == oid and result.context["findings"]


def test_out_of_stock_names_the_item_and_restock_date(
    db: Database, store: Store, loaded: Path
) -> None:
    result = run_triage(StoreConnector(db, store.id), "A5", TODAY)
    [finding] = result.findings
    assert finding.details["items"] == [{"sku": "TEA-9", "name": "Assam tea 250 g", "ordered": 1,
                                         "on_hand": 0, "restock_date": "2026-12-01"}]  # fmt: skip
    assert "2026-12-01" in result.message


def test_unknown_order_escalates_with_a_hint(db: Database, store: Store, loaded: Path) -> None:
    result = run_triage(StoreConnector(db, store.id), "NOPE", TODAY)
    assert not result.found and result.escalate and "order number" in result.message


def test_every_tool_call_is_recorded(db: Database, store: Store, loaded: Path) -> None:
    tools = RecordingConnector(StoreConnector(db, store.id))
    run_triage(tools, "A8", TODAY)
    assert [c.tool for c in tools.calls] == ["get_order", "get_stock", "track"]
    assert tools.calls[0].result["order_id"] == "A8" and all(c.ok for c in tools.calls)
    with db.begin() as conn:
        save_tool_calls(conn, store.id, "turn-1", tools.calls)
    with db.connect() as conn:
        rows = conn.execute(sa.select(tool_calls).order_by(tool_calls.c.id)).all()
    assert [r.tool for r in rows] == ["get_order", "get_stock", "track"]
    assert rows[1].arguments == {"skus": ["MUG-1", "TEA-9"]} and rows[0].latency_ms >= 0

    class Broken(StoreConnector):
        def get_stock(self, skus: Any) -> Any:
            raise TimeoutError("inventory service timed out")

    failing = RecordingConnector(Broken(db, store.id))
    with pytest.raises(TimeoutError):
        run_triage(failing, "A8", TODAY)
    assert failing.calls[-1].ok is False and "timed out" in (failing.calls[-1].error or "")


def test_reimport_is_idempotent_and_changes_replace(
    db: Database, store: Store, loaded: Path, tmp_path: Path
) -> None:
    again = import_orders_file(db, loaded, "orders", store.slug)
    assert (again.counts.created, again.counts.updated, again.counts.unchanged) == (0, 0, 10)
    changed = tmp_path / "changed.jsonl"
    one = order("A1", items=[{"sku": "MUG-1", "name": "Stoneware mug", "quantity": 5}])
    changed.write_bytes(orjson.dumps(one) + b"\n")
    report = import_orders_file(db, changed, "orders", store.slug)
    assert report.counts.updated == 1
    with db.connect() as conn:
        n_orders = conn.scalar(sa.select(sa.func.count()).select_from(orders))
        items = conn.execute(sa.select(order_items.c.sku, order_items.c.quantity)
                             .join(orders).where(orders.c.external_id == "A1")).all()  # fmt: skip
    assert n_orders == 10 and [tuple(i) for i in items] == [("MUG-1", 5)]


def test_bad_rows_are_reported_and_good_rows_kept(
    db: Database, store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "mixed.jsonl"
    lines = [orjson.dumps(order("G1")), b"{not json", orjson.dumps(order("B1", status="shipd")),
             orjson.dumps(order("B2", total=-5)), orjson.dumps(order("G2"))]  # fmt: skip
    path.write_bytes(b"\n".join(lines) + b"\n")
    report = import_orders_file(db, path, "orders", store.slug)
    assert report.counts.created == 2
    got = [(e.index, e.field) for e in report.rejected]
    assert got == [(2, ""), (3, "status"), (4, "total")]
    assert "not valid JSON" in report.rejected[0].reason
    assert "placed" in report.rejected[1].reason  # names the allowed values


def test_cli_import_and_triage(db_url: str, db: Database, store: Store, tmp_path: Path) -> None:
    path = tmp_path / "orders.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(o) for o in ORDERS) + b"\n")
    (tmp_path / "stock.csv").write_text(STOCK)
    runner = CliRunner()
    r = runner.invoke(app, ["--db", db_url, "orders", "import", str(path)])
    assert r.exit_code == 0 and "10 created" in r.output, r.output
    r = runner.invoke(app, ["--db", db_url, "orders", "import", str(tmp_path / "stock.csv"),
                            "--kind", "inventory"])  # fmt: skip
    assert r.exit_code == 0 and "2 created" in r.output
    r = runner.invoke(app, ["--db", db_url, "orders", "triage", "A5", "--today", "2026-11-23",
                            "--json"])  # fmt: skip
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["primary"] == "out_of_stock" and data["trace_ref"].startswith("triage:")
    with db.connect() as conn:
        traced = conn.scalar(sa.select(sa.func.count()).select_from(tool_calls)
                             .where(tool_calls.c.trace_ref == data["trace_ref"]))  # fmt: skip
    assert traced == 2  # get_order, get_stock (no shipment to track)
