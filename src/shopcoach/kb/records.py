"""One knowledge-base item as plain data, the coercion of raw fields, and its content hash.

Every file format (``kb/sources.py``) turns its rows into :class:`KbRecord` values through the
helpers here, so a bad price, date or flag is reported the same way whatever the format: a
:class:`shopcoach.capture.validate.RecordError` with the line, the field and what to write
instead. Text goes through the search library's normaliser (HTML to text, NFKC, whitespace),
so the stored text, the content hash and the search index all see the same string.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

import orjson

from shopcoach.capture.validate import Problem, RecordError
from shopcoach.search.documents import _norm_category, normalize_text

Kind = Literal["product", "article"]
KINDS: tuple[Kind, ...] = ("product", "article")
MAX_KEY = 300


@dataclass(frozen=True, slots=True)
class KbRecord:
    """A product or an article, normalised, ready to be versioned.

    ``body`` is plain text for products; for articles it keeps heading lines (``## Returns``)
    so that :mod:`shopcoach.kb.chunking` can split it. ``line`` and ``source`` say where the
    record came from (for errors and the version's ``source`` column); they are not content.
    """

    kind: Kind
    key: str
    title: str
    body: str = ""
    category: tuple[str, ...] = ()
    brand: str = ""
    price: float | None = None
    in_stock: bool | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    reviewed_at: date | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)
    metadata: Mapping[str, Any] = field(default_factory=dict)
    line: int = 0
    source: str = ""

    def content(self) -> dict[str, Any]:
        """Everything that makes a version: the fields hashed and stored (not key or source)."""
        return {
            "kind": self.kind,
            "title": self.title,
            "body": self.body,
            "category": list(self.category),
            "brand": self.brand,
            "price": self.price,
            "in_stock": self.in_stock,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "reviewed_at": self.reviewed_at.isoformat() if self.reviewed_at else None,
            "attributes": dict(self.attributes),
            "metadata": dict(self.metadata),
        }

    @property
    def content_hash(self) -> str:
        """SHA-256 of :meth:`content`: equal hashes mean an unchanged item (or an exact copy)."""
        raw = orjson.dumps(self.content(), option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
        return hashlib.sha256(raw).hexdigest()


class FieldProblems:
    """Collects the problems of one raw row; ``error()`` turns them into a RecordError."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, field_name: str, reason: str) -> None:
        self.problems.append(Problem(field_name, reason))

    def __bool__(self) -> bool:
        return bool(self.problems)

    def error(self, line: int, key: str | None) -> RecordError:
        return RecordError(line, key[:200] if key else None, tuple(self.problems))


def text(value: Any) -> str:
    """Normalised text of a raw value (``None`` → ``""``; lists joined by line breaks)."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return normalize_text("\n".join(str(v) for v in value if v is not None))
    return normalize_text(str(value))


def category(value: Any) -> tuple[str, ...]:
    """A category path from a list or a ``A > B > C`` (or ``A / B``) string."""
    if value is None or value == "":
        return ()
    if isinstance(value, list | tuple):
        return _norm_category([str(v) for v in value])
    return _norm_category(str(value))


def key(value: Any, field_name: str, problems: FieldProblems) -> str:
    out = "" if value is None else " ".join(str(value).split())
    if not out:
        problems.add(field_name, f"required field is missing; add a unique {field_name}")
    elif len(out) > MAX_KEY:
        problems.add(field_name, f"is {len(out)} characters long; keep it under {MAX_KEY}")
    return out


def title(value: Any, field_name: str, problems: FieldProblems) -> str:
    out = text(value)
    if not out:
        problems.add(field_name, "required field is missing or empty; add the item's title")
    return out


_CURRENCY = re.compile(r"[\s$€£¥]|(?:USD|EUR|GBP|CAD|AUD)", re.IGNORECASE)
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DECIMAL_COMMA = re.compile(r"\d+,\d{1,2}")


def price(value: Any, field_name: str, problems: FieldProblems) -> float | None:
    """A non-negative price from a number or a string such as ``$1,299.00`` or ``12,50``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        number: float | None = None
    elif isinstance(value, int | float):
        number = float(value)
    else:
        raw = _CURRENCY.sub("", str(value))
        if _THOUSANDS.fullmatch(raw):
            raw = raw.replace(",", "")
        elif _DECIMAL_COMMA.fullmatch(raw):
            raw = raw.replace(",", ".")
        try:
            number = float(raw)
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        problems.add(field_name, f"{value!r} is not a price; write a plain number like 19.99")
        return None
    if number < 0:
        problems.add(field_name, f"{value!r} is negative; a price must be 0 or more")
        return None
    return round(number, 4)


_TRUE = {"true", "t", "yes", "y", "1", "in stock", "instock", "in_stock", "available"}
_FALSE = {"false", "f", "no", "n", "0", "out of stock", "outofstock", "out_of_stock", "sold out"}


def flag(value: Any, field_name: str, problems: FieldProblems) -> bool | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value > 0
    low = str(value).strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    problems.add(field_name, f"{value!r} is not a yes/no value; write true or false")
    return None


def day(value: Any, field_name: str, problems: FieldProblems) -> date | None:
    """A calendar date from ``YYYY-MM-DD`` (an ISO datetime is cut to its date)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = str(value).strip()
    try:
        if len(raw) > 10 and raw[10] in "T ":
            return datetime.fromisoformat(raw.replace("Z", "+00:00")).date()
        return date.fromisoformat(raw)
    except ValueError:
        problems.add(field_name, f"{raw!r} is not a date; write YYYY-MM-DD, e.g. 2026-11-15")
        return None


def window(
    valid_from: date | None, valid_to: date | None, problems: FieldProblems
) -> tuple[date | None, date | None]:
    if valid_from and valid_to and valid_to < valid_from:
        problems.add(
            "valid_to",
            f"{valid_to.isoformat()} is before valid_from {valid_from.isoformat()}; "
            "swap them or fix the dates",
        )
        return None, None
    return valid_from, valid_to
