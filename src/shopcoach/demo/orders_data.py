"""Customers, orders with items and shipments, and inventory for the sample store.

Orders are placed from three weeks before the scenario to its end. Each is written as the
order system shows it on the days its customer is likely to ask about it (its *contact
window*, :func:`contact_window`): a parcel in transit, one delivered last week, one the
carrier lost, one stuck on a bad address, a declined payment… The mix of these
``KINDS`` is a small weight table; everything else is drawn from a seeded ``random.Random``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from shopcoach.demo.catalog import Product
from shopcoach.demo.policy import SCENARIO_START, WEEKS, week_start

FIRST = (
    "Dana",
    "Marcus",
    "Priya",
    "Jordan",
    "Aiko",
    "Elena",
    "Grace",
    "Kwame",
    "Hannah",
    "Luis",
    "Mei",
    "Owen",
    "Fatima",
    "Noah",
    "Chloe",
    "Ravi",
    "Zoe",
    "Ben",
    "Imani",
    "Liam",
    "Sofia",
    "Ethan",
    "Nadia",
    "Caleb",
    "Harper",
    "Mateo",
    "Ivy",
    "Tyler",
    "Rosa",
    "Omar",
)
LAST = (
    "Whitfield",
    "Nguyen",
    "Patel",
    "Okafor",
    "Tanaka",
    "Rivera",
    "Brooks",
    "Mensah",
    "Kowalski",
    "Garcia",
    "Chen",
    "Murphy",
    "Haddad",
    "Foster",
    "Lindqvist",
    "Shah",
    "Bailey",
    "Ortiz",
    "Nakamura",
    "Reyes",
    "Coleman",
    "Ward",
    "Ellis",
)
PLACES = (
    ("Portland", "OR", "97214"),
    ("Bend", "OR", "97701"),
    ("Seattle", "WA", "98103"),
    ("Boulder", "CO", "80302"),
    ("Denver", "CO", "80205"),
    ("Austin", "TX", "78704"),
    ("Asheville", "NC", "28801"),
    ("Burlington", "VT", "05401"),
    ("Missoula", "MT", "59801"),
    ("Brooklyn", "NY", "11215"),
)
STREETS = (
    "Maple Street",
    "Alder Ave",
    "Birch Lane",
    "Cedar Court",
    "Willow Road",
    "Summit Drive",
    "Juniper Way",
    "Riverside Drive",
)
CARRIERS = (("UPS", "1Z{:016d}"), ("USPS", "9400{:018d}"), ("FedEx", "{:012d}"))

#: What happened to an order, and how often (weights).
KINDS = {
    "delivered": 48, "in_transit": 16, "processing": 7, "late": 4, "weather": 3, "lost": 3,
    "damaged": 3, "address": 3, "payment_failed": 3, "cancelled": 3, "returned": 3,
    "out_of_stock": 2,
}  # fmt: skip
N_CUSTOMERS = 400
N_ORDERS = 1300
FIRST_ORDER_NUMBER = 20001


def customers(seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(f"{seed}:customers")
    out = []
    for i in range(1, N_CUSTOMERS + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        city, state, zip_code = rng.choice(PLACES)
        out.append({
            "customer_id": f"cust-{i:04d}", "name": f"{first} {last}",
            "email": f"{first.lower()}.{last.lower()}{i}@example.com",
            "city": city, "state": state, "zip": zip_code,
            "member": rng.random() < 0.35, "points": rng.randint(0, 640),
        })  # fmt: skip
    return out


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(7, 22), rng.randint(0, 59)), tzinfo=UTC)


def _iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    return value.isoformat().replace("+00:00", "Z")


def _order(number: int, kind: str, placed: datetime, customer: dict[str, Any],
           items: list[dict[str, Any]], rng: random.Random) -> dict[str, Any]:  # fmt: skip
    carrier, pattern = rng.choice(CARRIERS)
    tracking = pattern.format(rng.randrange(10**11, 10**12))
    shipped = placed + timedelta(days=1, hours=rng.randint(1, 8))
    eta = (shipped + timedelta(days=rng.randint(3, 5))).date()
    ship: dict[str, Any] = {"carrier": carrier, "tracking_number": tracking,
                            "shipped_at": _iso(shipped), "eta": eta.isoformat()}  # fmt: skip
    status, payment, address = "shipped", "paid", "ok"
    if kind in ("delivered", "damaged", "returned"):
        delivered = shipped + timedelta(days=rng.randint(2, 4), hours=rng.randint(0, 6))
        ship.update(
            status="delivered",
            delivered_at=_iso(delivered),
            last_event_at=_iso(delivered),
            last_event="Delivered, front door",
        )
        status = "returned" if kind == "returned" else "delivered"
        if kind == "damaged":
            ship.update(exception="damaged", last_event="Delivered; carrier noted damage")
        if kind == "returned":
            payment = "refunded"
    elif kind in ("in_transit", "late"):
        scan = shipped + timedelta(days=rng.randint(1, 2))
        ship.update(
            status="in_transit",
            last_event_at=_iso(scan),
            last_event=f"Departed facility, {rng.choice(PLACES)[0]}",
        )
        if kind == "late":  # the ETA was earlier than the carrier managed
            ship["eta"] = (shipped + timedelta(days=2)).date().isoformat()
    elif kind == "weather":
        ship.update(status="exception", exception="weather", last_event_at=_iso(shipped
                    + timedelta(days=2)), last_event="Delayed by severe weather")  # fmt: skip
    elif kind == "lost":
        ship.update(
            status="lost",
            last_event_at=_iso(shipped + timedelta(hours=9)),
            last_event="Carrier cannot locate the parcel; investigation opened",
        )
    elif kind == "address":
        ship.update(
            status="exception",
            exception="address",
            last_event="Address incomplete",
            last_event_at=_iso(shipped + timedelta(days=2)),
        )
        address = "unverified"
    else:  # processing, payment_failed, cancelled, out_of_stock: nothing has shipped
        ship = {}
        status = {"cancelled": "cancelled", "payment_failed": "placed"}.get(kind, "paid")
        payment = {"cancelled": "refunded", "payment_failed": "failed"}.get(kind, "paid")
    total = round(sum(i["price"] * i["quantity"] for i in items), 2)
    return {
        "external_id": str(number), "customer_id": customer["customer_id"], "status": status,
        "payment_status": payment, "address_status": address, "placed_at": _iso(placed),
        "total": total, "currency": "USD",
        "shipping_address": {"name": customer["name"], "city": customer["city"],
                             "state": customer["state"], "zip": customer["zip"],
                             "line1": f"{rng.randint(10, 9999)} {rng.choice(STREETS)}"},
        "items": items, "shipments": [ship] if ship else [],
    }  # fmt: skip


def orders(products: Sequence[Product], launches: Sequence[tuple[date, Sequence[Product]]] = (),
           seed: int = 7) -> list[dict[str, Any]]:  # fmt: skip
    """Order records (``docs/orders.md`` shape). ``launches`` adds product lines that can be
    ordered from a date on (the week-6 trail-running line)."""
    rng = random.Random(f"{seed}:orders")
    people = customers(seed)
    first_day = SCENARIO_START - timedelta(days=21)
    days = (week_start(WEEKS + 1) - first_day).days
    stocked = [p for p in products if p.on_hand > 0]
    kinds, weights = list(KINDS), list(KINDS.values())
    out = []
    for n in range(N_ORDERS):
        placed = _at(first_day + timedelta(days=rng.randrange(days)), rng)
        pool = list(stocked)
        for launch, line in launches:
            if placed.date() >= launch:
                pool += list(line) * 4  # a new line sells well
        kind = rng.choices(kinds, weights)[0]
        chosen = rng.sample(pool, k=rng.choice((1, 1, 1, 2, 2, 3)))
        if kind == "out_of_stock":
            chosen = [rng.choice([p for p in products if p.on_hand == 0])]
        items = [{"sku": p.sku, "name": p.title, "quantity": rng.choice((1, 1, 1, 2)),
                  "price": p.price} for p in chosen]  # fmt: skip
        out.append(_order(FIRST_ORDER_NUMBER + n, kind, placed, rng.choice(people), items, rng))
    out.sort(key=lambda o: (o["placed_at"], o["external_id"]))
    for n, o in enumerate(out):  # order numbers follow the order they were placed in
        o["external_id"] = str(FIRST_ORDER_NUMBER + n)
    return out


def inventory(products: Sequence[Product]) -> list[dict[str, Any]]:
    return [{"sku": p.sku, "on_hand": p.on_hand, "restock_date": p.restock_date}
            for p in products]  # fmt: skip


def _day(value: str | None) -> date | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).date() if value else None


def contact_window(order: dict[str, Any]) -> tuple[date, date]:
    """The days a customer would plausibly ask about this order, as it is recorded: while a
    parcel travels, just after delivery, once a lost parcel has gone quiet for a week…"""
    placed = _day(order["placed_at"])
    assert placed is not None
    ship = order["shipments"][0] if order["shipments"] else None
    if ship is None:
        return (placed, placed + timedelta(days=3 if order["status"] == "cancelled" else 1))
    delivered = _day(ship.get("delivered_at"))
    last = _day(ship.get("last_event_at")) or placed
    if order["status"] == "returned":
        return placed + timedelta(days=14), placed + timedelta(days=25)
    if ship["status"] == "delivered" and delivered:
        return delivered, delivered + timedelta(days=3 if ship.get("exception") else 10)
    if ship["status"] == "lost":
        return last + timedelta(days=7), last + timedelta(days=10)
    if ship.get("exception"):
        return last, last + timedelta(days=2)
    eta = date.fromisoformat(ship["eta"])
    shipped = _day(ship["shipped_at"]) or placed
    if (eta - shipped).days <= 2:  # a late parcel: asked about after its ETA
        return eta + timedelta(days=1), eta + timedelta(days=3)
    return shipped + timedelta(days=1), eta
