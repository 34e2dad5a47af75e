"""The store's policies as data, and the scenario calendar.

One :class:`Policy` holds every fact the help articles state (return window, shipping times
and fees, warranty, gift cards, loyalty, holiday cut-offs). The articles are written from it
(``articles.py``) and the simulator judges answers against it (``world.py``), so the two
cannot disagree by accident; a scenario change is a new ``Policy`` from a given date.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

#: Monday of week 1 of the twelve-week scenario (weeks 8-10 run Nov 30 - Dec 20).
SCENARIO_START = date(2026, 10, 12)
WEEKS = 12


def week_start(week: int) -> date:
    """First day (a Monday) of scenario week ``week`` (1-based)."""
    return SCENARIO_START + timedelta(days=7 * (week - 1))


def week_of(day: date) -> int:
    """The scenario week a day falls in (days before the start are week 0 or less)."""
    return (day - SCENARIO_START).days // 7 + 1


@dataclass(frozen=True)
class Policy:
    """Every policy fact a customer can ask about, as the store's policy system holds it."""

    return_days: int = 30
    refund_processing: str = "5-7 business days"
    standard_shipping: str = "3-5 business days"
    standard_fee: float = 6.95
    free_shipping_over: float = 75.0
    express_shipping: str = "1-2 business days"
    express_fee: float = 19.95
    international_shipping: str = "7-14 business days"
    international_fee: float = 24.95
    dispatch: str = "1 business day"
    warranty_years: int = 2
    change_window_hours: int = 1
    damaged_report_days: int = 7
    price_match_days: int = 14
    points_per_dollar: int = 1
    points_for_reward: int = 100
    reward_value: float = 5.0
    gift_card_expiry: str = "never expire"
    # Holiday season (the seasonal articles state these; see changes.py).
    holiday_standard_cutoff: date = date(2026, 12, 17)
    holiday_express_cutoff: date = date(2026, 12, 21)
    gift_wrap_fee: float = 4.99
    holiday_returns_until: date = date(2027, 1, 15)
    holiday_purchase_from: date = date(2026, 11, 15)
    holiday_purchase_to: date = date(2026, 12, 24)

    def with_(self, **changes: object) -> Policy:
        return replace(self, **changes)  # type: ignore[arg-type]


BASE_POLICY = Policy()


def money(value: float) -> str:
    """``$6.95``; whole amounts without cents (``$75``), as the articles write them."""
    return f"${value:,.0f}" if value == int(value) else f"${value:,.2f}"


def long_date(day: date) -> str:
    """``December 17``."""
    return f"{day:%B} {day.day}"
