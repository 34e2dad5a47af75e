"""Search filters and the columnar attribute table they are evaluated on.

:class:`Filters` is plain data. :class:`AttributeTable` keeps one row per indexed document
(numpy columns for price, stock and validity dates; an inverted map for category levels, brand
and kind) so a filter becomes a boolean mask over rows in well under a millisecond at 100k
documents. Semantics:

* ``category``: matches a document whose category path contains that level (case-insensitive),
  e.g. ``"Furniture"`` matches ``("Home & Kitchen", "Furniture", "Beds")``; a list matches any.
* ``brand``: case-insensitive equality; a list matches any.
* ``kind``: ``"product"`` or ``"article"``.
* ``in_stock=True``: drops documents known to be out of stock (``in_stock is False``); documents
  with unknown stock (e.g. articles) stay. ``in_stock=False``: only documents known to be out.
* ``min_price``/``max_price``: inclusive; a document with no price is dropped by either bound.
* ``valid_at``: a date; keeps documents with ``valid_from <= valid_at <= valid_to`` (an open end
  always passes).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, get_args

import numpy as np

from shopcoach.search.documents import Document, DocumentKind

_NO_DAY_MIN = np.int32(-(2**31))
_NO_DAY_MAX = np.int32(2**31 - 1)


@dataclass(frozen=True, slots=True)
class Filters:
    category: str | tuple[str, ...] | None = None
    brand: str | tuple[str, ...] | None = None
    kind: str | None = None
    in_stock: bool | None = None
    min_price: float | None = None
    max_price: float | None = None
    valid_at: date | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, f) is None for f in self.__slots__)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> Filters:
        """From plain JSON-ish data (``valid_at`` as an ISO date, lists for any-of)."""
        if not data:
            return cls()
        unknown = set(data) - set(cls.__slots__)
        if unknown:
            raise ValueError(f"unknown filter(s): {', '.join(sorted(unknown))}")
        values = dict(data)
        for key in ("category", "brand"):
            if isinstance(values.get(key), list):
                values[key] = tuple(values[key])
        if isinstance(values.get("valid_at"), str):
            values["valid_at"] = date.fromisoformat(values["valid_at"])
        return cls(**values)


def _as_tuple(value: str | tuple[str, ...] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


class AttributeTable:
    """Per-row filter attributes for rows ``0..capacity``; rows are assigned by the caller."""

    def __init__(self, capacity: int = 1024) -> None:
        self.price = np.full(capacity, np.nan, dtype=np.float64)
        self.stock = np.full(capacity, -1, dtype=np.int8)  # -1 unknown, 0 out, 1 in
        self.valid_from = np.full(capacity, _NO_DAY_MIN, dtype=np.int32)
        self.valid_to = np.full(capacity, _NO_DAY_MAX, dtype=np.int32)
        self._postings: dict[str, set[int]] = defaultdict(set)  # "c:level", "b:brand", "k:kind"
        self._row_terms: dict[int, tuple[str, ...]] = {}

    @property
    def capacity(self) -> int:
        return int(self.price.shape[0])

    def _grow(self, needed: int) -> None:
        cap = self.capacity
        if needed <= cap:
            return
        new = max(needed, cap * 2)

        def grow(arr: np.ndarray, fill: Any) -> np.ndarray:
            out = np.full(new, fill, dtype=arr.dtype)
            out[:cap] = arr
            return out

        self.price = grow(self.price, np.nan)
        self.stock = grow(self.stock, -1)
        self.valid_from = grow(self.valid_from, _NO_DAY_MIN)
        self.valid_to = grow(self.valid_to, _NO_DAY_MAX)

    def set(self, row: int, doc: Document) -> None:
        self._grow(row + 1)
        self.clear(row)
        self.price[row] = np.nan if doc.price is None else doc.price
        self.stock[row] = -1 if doc.in_stock is None else int(doc.in_stock)
        self.valid_from[row] = doc.valid_from.toordinal() if doc.valid_from else _NO_DAY_MIN
        self.valid_to[row] = doc.valid_to.toordinal() if doc.valid_to else _NO_DAY_MAX
        terms = tuple(
            {f"c:{c.lower()}" for c in doc.category}
            | ({f"b:{doc.brand.lower()}"} if doc.brand else set())
            | {f"k:{doc.kind}"}
        )
        for t in terms:
            self._postings[t].add(row)
        self._row_terms[row] = terms

    def has_kind_other_than(self, kind: str) -> bool:
        """Whether any live row is of another kind than ``kind``."""
        return any(self._postings.get(f"k:{k}") for k in get_args(DocumentKind) if k != kind)

    def clear(self, row: int) -> None:
        for t in self._row_terms.pop(row, ()):
            rows = self._postings.get(t)
            if rows is not None:
                rows.discard(row)
                if not rows:
                    del self._postings[t]
        if row < self.capacity:
            self.price[row] = np.nan
            self.stock[row] = -1
            self.valid_from[row] = _NO_DAY_MIN
            self.valid_to[row] = _NO_DAY_MAX

    def _any_of(self, prefix: str, values: Iterable[str], n: int) -> np.ndarray:
        mask = np.zeros(n, dtype=bool)
        for v in values:
            rows = self._postings.get(f"{prefix}:{v.lower()}")
            if rows:
                idx = np.fromiter(rows, dtype=np.int64, count=len(rows))
                mask[idx[idx < n]] = True
        return mask

    def mask(self, filters: Filters, n: int) -> np.ndarray | None:
        """Boolean mask over rows ``0..n`` (None when the filters select everything)."""
        if filters.is_empty():
            return None
        mask = np.ones(n, dtype=bool)
        cats = _as_tuple(filters.category)
        if cats:
            mask &= self._any_of("c", cats, n)
        brands = _as_tuple(filters.brand)
        if brands:
            mask &= self._any_of("b", brands, n)
        if filters.kind is not None:
            mask &= self._any_of("k", (filters.kind,), n)
        if filters.in_stock is True:
            mask &= self.stock[:n] != 0
        elif filters.in_stock is False:
            mask &= self.stock[:n] == 0
        if filters.min_price is not None:
            with np.errstate(invalid="ignore"):
                mask &= self.price[:n] >= filters.min_price
        if filters.max_price is not None:
            with np.errstate(invalid="ignore"):
                mask &= self.price[:n] <= filters.max_price
        if filters.valid_at is not None:
            day = filters.valid_at.toordinal()
            mask &= (self.valid_from[:n] <= day) & (self.valid_to[:n] >= day)
        return mask


def matches(doc: Document, filters: Filters) -> bool:
    """Reference (slow, per-document) evaluation of ``filters``; used by tests."""
    table = AttributeTable(1)
    table.set(0, doc)
    m = table.mask(filters, 1)
    return True if m is None else bool(m[0])


def select(docs: Sequence[Document], filters: Filters) -> list[Document]:
    return [d for d in docs if matches(d, filters)]
