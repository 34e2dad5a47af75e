"""Order exception triage (R-AGT-5): check status, stock, tracking; classify; resolve or escalate.

:func:`classify` is pure: an order (with its shipments) and the stock of its SKUs in, every
exception found out, each with its evidence. :func:`resolve` picks the primary exception and
either a known automatic resolution or an escalation with full context. :func:`run_triage`
is the workflow over an :class:`~shopcoach.orders.connector.OrderConnector`: it calls the
tools (order, stock, tracking per shipment), so a recording connector keeps every call.

The exceptions, their rules and the known resolutions are listed in docs/orders.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

from shopcoach.orders.connector import OrderConnector
from shopcoach.orders.store import OrderView, ShipmentView, StockView

ExceptionKind = Literal[
    "payment_failed", "address_problem", "out_of_stock", "damaged", "lost", "delayed"
]
# Most severe first: the primary exception is the first found in this order.
SEVERITY: tuple[ExceptionKind, ...] = (
    "lost",
    "damaged",
    "payment_failed",
    "address_problem",
    "out_of_stock",
    "delayed",
)
NOT_SHIPPED = ("placed", "paid", "fulfilled")


@dataclass(frozen=True)
class TriageConfig:
    lost_after_days: int = 7  # no carrier scan for this long while in transit: lost
    auto_delay_days: int = 5  # late by at most this many days: resolve automatically
    recent_scan_days: int = 3  # ... if the carrier scanned it within this many days


@dataclass(frozen=True)
class Finding:
    kind: ExceptionKind
    evidence: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class TriageResult:
    order_id: str
    found: bool
    findings: list[Finding]
    primary: ExceptionKind | None
    action: str  # the resolution: e.g. send_payment_link, escalate, status_update
    automatic: bool  # resolved without a person
    escalate: bool
    message: str  # what to tell the customer (or the human agent)
    context: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def classify(
    order: OrderView,
    stock: Mapping[str, StockView],
    today: datetime,
    config: TriageConfig = TriageConfig(),
) -> list[Finding]:
    """Every exception of the order, with evidence. Pure."""
    found: list[Finding] = []
    shipped = order.status not in NOT_SHIPPED or any(
        s.status not in ("label_created",) for s in order.shipments
    )
    if order.payment_status == "failed":
        found.append(Finding("payment_failed", "the payment for this order failed"))
    address_exc = [s for s in order.shipments if s.exception == "address"]
    if order.address_status == "invalid" or address_exc:
        why = (
            f"carrier {address_exc[0].carrier} reported an address exception"
            if address_exc
            else "the shipping address failed validation"
        )
        found.append(Finding("address_problem", why, {"shipped": shipped}))
    if order.status in ("placed", "paid") and order.status != "cancelled":
        short = []
        for item in order.items:
            level = stock.get(item.sku)
            if level is not None and item.quantity > level.on_hand:
                short.append(
                    {
                        "sku": item.sku,
                        "name": item.name,
                        "ordered": item.quantity,
                        "on_hand": level.on_hand,
                        "restock_date": level.restock_date.isoformat()
                        if level.restock_date
                        else None,
                    }
                )
        if short:
            names = ", ".join(
                f"{s['name']} ({s['on_hand']} of {s['ordered']} in stock)" for s in short
            )
            found.append(Finding("out_of_stock", f"not enough stock: {names}", {"items": short}))
    for s in order.shipments:
        found.extend(_shipment_findings(s, today, config))
    return found


def _shipment_findings(s: ShipmentView, today: datetime, config: TriageConfig) -> list[Finding]:
    base = {
        "carrier": s.carrier,
        "tracking_number": s.tracking_number,
        "status": s.status,
        "eta": s.eta.isoformat() if s.eta else None,
        "last_event": s.last_event,
    }
    if s.status == "delivered" and s.exception != "damaged":
        return []
    if s.exception == "damaged":
        return [
            Finding("damaged", f"{s.carrier} reported the parcel {s.tracking_number} damaged", base)
        ]
    quiet = (today - s.last_event_at).days if s.last_event_at else None
    if s.status == "lost" or (
        s.status in ("in_transit", "exception")
        and quiet is not None
        and quiet >= config.lost_after_days
    ):
        why = (
            f"{s.carrier} reports {s.tracking_number} lost"
            if s.status == "lost"
            else f"no carrier scan for {quiet} days ({s.tracking_number})"
        )
        return [Finding("lost", why, {**base, "days_since_scan": quiet})]
    late = (today.date() - s.eta).days if s.eta else None
    if (late is not None and late > 0) or s.exception in ("weather", "customs"):
        why = (
            f"{late} day(s) past the estimated delivery {s.eta}"
            if late and late > 0
            else f"carrier exception: {s.exception}"
        )
        return [Finding("delayed", why, {**base, "days_late": late, "days_since_scan": quiet})]
    return []


def resolve(
    order: OrderView, findings: list[Finding], config: TriageConfig = TriageConfig()
) -> TriageResult:
    """The primary exception and its resolution: automatic for known patterns, else escalate."""
    context = {"order": asdict(order), "findings": [asdict(f) for f in findings]}
    if not findings:
        where = next(
            (
                f"{s.carrier} {s.tracking_number}: {s.status}"
                + (f", expected {s.eta}" if s.eta else "")
                for s in order.shipments
            ),
            "",
        )
        msg = f"Order {order.order_id} is {order.status}" + (f" ({where})" if where else "") + "."
        return TriageResult(
            order.order_id, True, [], None, "status_update", True, False, msg, context
        )
    by_kind = {f.kind: f for f in findings}
    primary = next(k for k in SEVERITY if k in by_kind)
    f = by_kind[primary]
    oid = order.order_id
    auto: tuple[str, str] | None = None
    if primary == "payment_failed":
        auto = (
            "send_payment_link",
            f"The payment for order {oid} didn't go through. We've sent "
            "you a secure link to retry it; your items stay reserved for 48 hours.",
        )
    elif primary == "address_problem" and not f.details.get("shipped"):
        auto = (
            "request_address_confirmation",
            f"Before we ship order {oid}, please confirm "
            "your shipping address: the one we have could not be verified.",
        )
    elif primary == "out_of_stock":
        items = f.details["items"]
        dates = [i["restock_date"] for i in items if i["restock_date"]]
        when = f" (expected back on {max(dates)})" if len(dates) == len(items) else ""
        auto = (
            "offer_backorder_or_refund",
            f"Part of order {oid} is out of stock{when}. You "
            "can wait for it, or we refund that item right away. Which do you prefer?",
        )
    elif primary == "delayed":
        late = f.details.get("days_late") or 0
        scan = f.details.get("days_since_scan")
        if late <= config.auto_delay_days and scan is not None and scan <= config.recent_scan_days:
            auto = (
                "apologize_with_new_eta",
                f"Sorry, order {oid} is running {late} day(s) "
                f"late. {f.details['carrier']} last scanned it: "
                f"{f.details.get('last_event') or 'in transit'}.",
            )
    if auto:
        return TriageResult(oid, True, findings, primary, auto[0], True, False, auto[1], context)
    msg = f"Order {oid}: {f.evidence}. Needs a person: " + {
        "lost": "open a carrier claim and reship or refund.",
        "damaged": "offer a replacement or refund; ask for photos if policy requires.",
        "address_problem": "the parcel is already with the carrier; arrange a redirect.",
        "delayed": "the delay is long or the carrier has no recent scan; contact the carrier.",
    }.get(primary, "review the order.")
    return TriageResult(oid, True, findings, primary, "escalate", False, True, msg, context)


def run_triage(
    connector: OrderConnector,
    order_id: str,
    today: datetime | None = None,
    config: TriageConfig = TriageConfig(),
) -> TriageResult:
    """The workflow: look up the order, its stock and its tracking, classify, resolve."""
    now = today or datetime.now()
    order = connector.get_order(order_id)
    if order is None:
        return TriageResult(
            order_id,
            False,
            [],
            None,
            "escalate",
            False,
            True,
            f"No order {order_id!r} was found; ask the customer to check the "
            "order number, or look it up by e-mail.",
        )
    stock = connector.get_stock([i.sku for i in order.items]) if order.items else {}
    fresh: list[ShipmentView] = []
    for s in order.shipments:
        tracked = [t for oid, t in connector.track(s.tracking_number) if oid == order.order_id]
        fresh.append(tracked[0] if tracked else s)
    if fresh:
        order = OrderView(**{**asdict_shallow(order), "shipments": tuple(fresh)})
    return resolve(order, classify(order, stock, now, config), config)


def asdict_shallow(obj: Any) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in obj.__dataclass_fields__}
