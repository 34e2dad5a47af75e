"""The order tools the agent calls: a connector interface, the built-in one, and recording.

``OrderConnector`` is what a store's systems implement (Shopify, a WMS, a carrier API…):
``get_order``, ``get_stock``, ``track``. ``StoreConnector`` answers from Shopcoach's own
tables (filled by ``shopcoach orders import``). ``RecordingConnector`` wraps any connector and
keeps every call — tool, arguments, result, error, latency — which ``save_tool_calls`` writes
to ``tool_calls`` so each agent turn or triage run can be audited and replayed (R-AGT-5).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import orjson
import sqlalchemy as sa

from shopcoach.orders.store import (
    OrderView,
    ShipmentView,
    StockView,
    find_shipments,
    load_order,
    load_stock,
)
from shopcoach.store.engine import Database
from shopcoach.store.sql import utcnow
from shopcoach.store.tables import tool_calls

T = TypeVar("T")


class OrderConnector(Protocol):
    def get_order(self, order_id: str) -> OrderView | None: ...

    def get_stock(self, skus: Sequence[str]) -> dict[str, StockView]: ...

    def track(self, tracking_number: str) -> list[tuple[str, ShipmentView]]: ...


class StoreConnector:
    """Orders, stock and tracking from this Shopcoach store's own tables."""

    def __init__(self, db: Database, store_id: int) -> None:
        self.db = db
        self.store_id = store_id

    def get_order(self, order_id: str) -> OrderView | None:
        with self.db.connect() as conn:
            return load_order(conn, self.store_id, order_id)

    def get_stock(self, skus: Sequence[str]) -> dict[str, StockView]:
        with self.db.connect() as conn:
            return load_stock(conn, self.store_id, skus)

    def track(self, tracking_number: str) -> list[tuple[str, ShipmentView]]:
        with self.db.connect() as conn:
            return find_shipments(conn, self.store_id, tracking_number)


@dataclass
class ToolCall:
    tool: str
    arguments: dict[str, Any]
    result: Any
    ok: bool
    error: str | None
    latency_ms: float
    called_at: Any = field(default_factory=utcnow)


def _plain(value: Any) -> Any:
    """JSON-ready form of a connector result (dataclasses, tuples, dates)."""
    return orjson.loads(orjson.dumps(value, default=_default, option=orjson.OPT_NON_STR_KEYS))


def _default(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


class RecordingConnector:
    """Wraps a connector; every call is kept in ``calls`` (also when it raises)."""

    def __init__(self, inner: OrderConnector) -> None:
        self.inner = inner
        self.calls: list[ToolCall] = []

    def _call(self, tool: str, arguments: dict[str, Any], fn: Callable[[], T]) -> T:
        started = time.perf_counter()
        try:
            result = fn()
        except Exception as exc:
            self.calls.append(
                ToolCall(
                    tool,
                    arguments,
                    None,
                    False,
                    f"{type(exc).__name__}: {exc}",
                    (time.perf_counter() - started) * 1000,
                )
            )
            raise
        self.calls.append(
            ToolCall(
                tool, arguments, _plain(result), True, None, (time.perf_counter() - started) * 1000
            )
        )
        return result

    def get_order(self, order_id: str) -> OrderView | None:
        return self._call(
            "get_order", {"order_id": order_id}, lambda: self.inner.get_order(order_id)
        )

    def get_stock(self, skus: Sequence[str]) -> dict[str, StockView]:
        return self._call("get_stock", {"skus": list(skus)}, lambda: self.inner.get_stock(skus))

    def track(self, tracking_number: str) -> list[tuple[str, ShipmentView]]:
        return self._call(
            "track", {"tracking_number": tracking_number}, lambda: self.inner.track(tracking_number)
        )


def save_tool_calls(
    conn: sa.Connection, store_id: int, trace_ref: str, calls: Sequence[ToolCall]
) -> int:
    """Write recorded calls (one statement) under ``trace_ref``; returns how many."""
    if not calls:
        return 0
    conn.execute(
        tool_calls.insert(),
        [
            {
                "store_id": store_id,
                "trace_ref": trace_ref,
                "tool": c.tool,
                "arguments": c.arguments,
                "result": c.result,
                "ok": c.ok,
                "error": c.error,
                "latency_ms": c.latency_ms,
                "called_at": c.called_at,
            }
            for c in calls
        ],
    )
    return len(calls)
