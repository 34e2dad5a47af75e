"""Order numbers in customers' messages (orders/refs.py): typos, bare numbers, non-orders."""

from __future__ import annotations

import pytest

from shopcoach.orders.refs import order_refs

CASES = [
    ("Where is my order #20274?", [("20274", True)]),
    ("hiya, Where is my ordeer 20933? cheers", [("20933", True)]),
    ("hey wehn will ordr 21077 arrive?", [("21077", True)]),
    ("order no. 20274", [("20274", True)]),
    ("Order 20274.", [("20274", True)]),
    ("where is order #A8", [("A8", True)]),
    ("order #A-1043 please", [("A-1043", True)]),
    ("any eta on 21082? lowkey need it this weekend", [("21082", False)]),
    ("the number is 20274, thanks", [("20274", False)]),
    ("my package 21168 hasn't shown up", [("21168", False)]),
    ("I paid $1500 for order 20001", [("20001", True)]),
    # not orders
    ("hello 20274", []),  # nothing about an order
    ("I want to order 12 pairs", []),
    ("5000 points when my order arrives", []),
    ("what is the return window for 2025 purchases", []),
    ("call me at 555-1234 about delivery", []),
    ("it costs 1,500.00 with delivery", []),
    ("Order 21187 is delivered (USPS 9400000000146368095705: delivered)", [("21187", True)]),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_order_refs(text: str, expected: list[tuple[str, bool]]) -> None:
    assert order_refs(text) == expected


def test_named_only() -> None:
    assert order_refs("any eta on 21082? order #A8 too", bare=False) == [("A8", True)]
    assert order_refs("any eta on 21082? order #A8 too") == [("A8", True), ("21082", False)]
