"""Import records for orders (with items and shipments) and inventory; see docs/orders.md."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

OrderStatus = Literal[
    "placed", "paid", "fulfilled", "shipped", "delivered", "cancelled", "returned"
]
PaymentStatus = Literal["pending", "paid", "failed", "refunded"]
AddressStatus = Literal["ok", "unverified", "invalid"]
ShipmentStatus = Literal[
    "label_created", "in_transit", "out_for_delivery", "delivered", "exception", "lost", "returned"
]
ShipmentException = Literal["address", "damaged", "weather", "customs", "other"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OrderItem(_Record):
    sku: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1)
    quantity: int = Field(1, ge=1)
    price: float | None = Field(None, ge=0)


class Shipment(_Record):
    carrier: str = Field(min_length=1, max_length=100)
    tracking_number: str = Field(min_length=1, max_length=200)
    status: ShipmentStatus = "label_created"
    exception: ShipmentException | None = None
    shipped_at: datetime | None = None
    eta: date | None = None
    delivered_at: datetime | None = None
    last_event_at: datetime | None = None
    last_event: str | None = None


class OrderRecord(_Record):
    """One order per line: ``external_id`` is the order number the customer sees."""

    external_id: str = Field(min_length=1, max_length=200)
    store: str | None = None
    customer_id: str | None = None
    status: OrderStatus
    payment_status: PaymentStatus = "paid"
    address_status: AddressStatus = "ok"
    placed_at: datetime
    total: float | None = Field(None, ge=0)
    currency: str = Field("USD", min_length=3, max_length=3)
    shipping_address: dict[str, Any] = Field(default_factory=dict)
    items: list[OrderItem] = Field(default_factory=list)
    shipments: list[Shipment] = Field(default_factory=list)


class InventoryRecord(_Record):
    sku: str = Field(min_length=1, max_length=200)
    on_hand: int
    restock_date: date | None = None
