from __future__ import annotations

from datetime import date

import pytest

from shopcoach.search.documents import Document
from shopcoach.search.filters import AttributeTable, Filters, select

DOCS = [
    Document(
        id="shoe",
        title="Shoe",
        category=("Shoes", "Running"),
        brand="Acme",
        price=50,
        in_stock=True,
    ),
    Document(
        id="boot",
        title="Boot",
        category=("Shoes", "Boots"),
        brand="Bolt",
        price=120,
        in_stock=False,
    ),
    Document(id="sock", title="Sock", category=("Clothing",), price=None, in_stock=None),
    Document(
        id="promo",
        title="Sale",
        kind="article",
        valid_from=date(2025, 1, 1),
        valid_to=date(2025, 1, 31),
    ),
]


def ids(f: Filters) -> list[str]:
    return [d.id for d in select(DOCS, f)]


def test_each_filter() -> None:
    assert ids(Filters()) == ["shoe", "boot", "sock", "promo"]
    assert ids(Filters(category="shoes")) == ["shoe", "boot"]
    assert ids(Filters(category=("Boots", "Clothing"))) == ["boot", "sock"]
    assert ids(Filters(brand="acme")) == ["shoe"]
    assert ids(Filters(kind="article")) == ["promo"]
    assert ids(Filters(in_stock=True)) == ["shoe", "sock", "promo"]  # unknown stock stays
    assert ids(Filters(in_stock=False)) == ["boot"]
    assert ids(Filters(min_price=60)) == ["boot"]  # unknown price dropped
    assert ids(Filters(max_price=50)) == ["shoe"]
    assert ids(Filters(min_price=40, max_price=130, in_stock=True)) == ["shoe"]
    assert ids(Filters(valid_at=date(2025, 1, 15))) == ["shoe", "boot", "sock", "promo"]
    assert ids(Filters(valid_at=date(2025, 2, 1))) == ["shoe", "boot", "sock"]


def test_from_mapping() -> None:
    f = Filters.from_mapping({"category": ["a", "b"], "valid_at": "2025-01-02", "max_price": 5})
    assert f == Filters(category=("a", "b"), valid_at=date(2025, 1, 2), max_price=5)
    assert Filters.from_mapping(None).is_empty()
    with pytest.raises(ValueError):
        Filters.from_mapping({"colour": "red"})


def test_table_rows_are_reusable() -> None:
    t = AttributeTable(capacity=1)
    t.set(0, DOCS[0])
    t.set(3, DOCS[1])  # grows
    m = t.mask(Filters(category="shoes"), 4)
    assert m is not None and m.tolist() == [True, False, False, True]
    t.clear(0)
    t.set(0, DOCS[2])
    m = t.mask(Filters(category="shoes"), 4)
    assert m is not None and m.tolist() == [False, False, False, True]
