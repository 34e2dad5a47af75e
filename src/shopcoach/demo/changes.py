"""The scenario's knowledge changes, as data a runner can apply.

Each :class:`Change` says when the *truth* changes (the store's policy system, catalog or
season) and carries the files that bring the knowledge base up to date: new article
versions, new products and their stock. The simulator judges answers against the truth from
``starts`` on; the knowledge base only learns about it when a runner (or a coach acting on
the weekly pack) imports ``change.write(folder)``'s files with the ordinary importers.

==============  ====  ==========================================================
key             week  what changes
==============  ====  ==========================================================
returns_14      4     return window 30 -> 14 days (new returns article version)
trail_running   6     a 20-product trail-running line launches (products + stock)
holiday         8     gift wrapping, delivery cut-offs, holiday returns (weeks 8-10)
==============  ====  ==========================================================
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from shopcoach.demo.articles import Article, returns_article
from shopcoach.demo.catalog import Product, trail_running
from shopcoach.demo.policy import BASE_POLICY, Policy, long_date, money, week_start


@dataclass(frozen=True)
class Change:
    key: str
    week: int
    kind: str  # policy | catalog | seasonal
    description: str
    policy: dict[str, Any] = field(default_factory=dict)  # Policy fields from `starts` on
    articles: tuple[Article, ...] = ()
    products: tuple[Product, ...] = ()
    ends: date | None = None  # last day (seasonal changes)

    @property
    def starts(self) -> date:
        return week_start(self.week)

    def active(self, day: date) -> bool:
        return self.starts <= day and (self.ends is None or day <= self.ends)

    def files(self) -> dict[str, bytes]:
        """Import files by relative path: ``articles/<key>.md``, ``products.csv``,
        ``inventory.csv`` (import them with ``kb.api`` and ``orders.importer``)."""
        out = {f"articles/{a.key}.md": a.markdown().encode() for a in self.articles}
        if self.products:
            out["products.csv"] = products_csv(self.products)
            out["inventory.csv"] = inventory_csv(self.products)
        return out

    def write(self, folder: str | Path) -> dict[str, Path]:
        """Write :meth:`files` under ``folder``; returns ``{"articles": dir, "products": …}``
        for the parts present."""
        root = Path(folder)
        for rel, data in self.files().items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        found = {"articles": root / "articles", "products": root / "products.csv",
                 "inventory": root / "inventory.csv"}  # fmt: skip
        return {k: p for k, p in found.items() if p.exists()}


PRODUCT_COLUMNS = ("sku", "title", "description", "brand", "category", "price", "inventory",
                   "colour", "size", "material", "weight_g", "model")  # fmt: skip


def _csv(header: tuple[str, ...], rows: list[dict[str, Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode()


def products_csv(products: tuple[Product, ...] | list[Product]) -> bytes:
    return _csv(PRODUCT_COLUMNS, [p.as_row() for p in products])


def inventory_csv(products: tuple[Product, ...] | list[Product]) -> bytes:
    return _csv(("sku", "on_hand", "restock_date"),
                [{"sku": p.sku, "on_hand": p.on_hand, "restock_date": p.restock_date}
                 for p in products])  # fmt: skip


def holiday_articles(p: Policy, starts: date, ends: date) -> tuple[Article, ...]:
    cat = "Help > Holidays"
    return (
        Article(
            "seasonal/holiday-delivery-deadlines",
            "Holiday delivery deadlines",
            cat,
            f"""
## Order by these dates for delivery before Christmas

To arrive by December 24 in the US, order by {long_date(p.holiday_standard_cutoff)} with
standard shipping or by {long_date(p.holiday_express_cutoff)} with express shipping.
Pickup orders placed by December 22 are ready the next business day.

## After the cut-off

Gift cards are delivered by e-mail within minutes, right up to Christmas Day.
""",
            reviewed_at=starts,
            valid_from=starts,
            valid_to=ends,
        ),
        Article(
            "seasonal/gift-wrapping",
            "Gift wrapping and gift messages",
            cat,
            f"""
## Wrapping

Add gift wrapping at checkout for {money(p.gift_wrap_fee)} per item: recycled kraft paper,
a cotton ribbon and a handwritten tag. Gift messages are free.

## Gift receipts

Every gift-wrapped item gets a gift receipt without prices, so the recipient can exchange it.
""",
            reviewed_at=starts,
            valid_from=starts,
            valid_to=ends,
        ),
        Article(
            "seasonal/holiday-returns",
            "Holiday returns",
            cat,
            f"""
## More time for gifts

Items bought between {long_date(p.holiday_purchase_from)} and
{long_date(p.holiday_purchase_to)} can be returned until
{long_date(p.holiday_returns_until)}, {p.holiday_returns_until.year}, so gifts can be
swapped after the holidays. Gift recipients get a gift card for the value.
""",
            reviewed_at=starts,
            valid_from=starts,
            valid_to=p.holiday_returns_until,
        ),
    )


def scenario_changes(seed: int = 7) -> tuple[Change, ...]:
    """The three injected changes of the twelve-week scenario (see the module docstring)."""
    returns = BASE_POLICY.with_(return_days=14)
    holiday_start = week_start(8)
    holiday_end = week_start(11) - timedelta(days=1)
    return (
        Change("returns_14", 4, "policy",
               "The return window changes from 30 to 14 days in the policy system; the "
               "knowledge base still says 30 until the new returns article is imported.",
               policy={"return_days": 14},
               articles=(returns_article(returns, reviewed_at=week_start(4)),)),
        Change("trail_running", 6, "catalog",
               "A trail-running line (20 products) launches; the knowledge base lacks it "
               "until its products are imported.",
               products=tuple(trail_running(seed))),
        Change("holiday", 8, "seasonal",
               "Holiday season: gift wrapping, delivery cut-offs and extended holiday returns "
               "(weeks 8-10); customers ask about them before the articles exist.",
               articles=holiday_articles(BASE_POLICY, holiday_start, holiday_end),
               ends=holiday_end),
    )  # fmt: skip
