"""The one validation path: raw records in, (valid models, per-record errors) out.

Used by the HTTP API, the SDK (through the API) and the file importers, so every path
reports the same problem the same way: which record (batch index or file line), which
field, what is wrong and how to fix it. Nothing here touches storage.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

# Per pydantic error type: what to do about it.
_FIXES = {
    "missing": "add the field",
    "extra_forbidden": "remove it, check its spelling, or put custom data under 'metadata' "
    "(conversations) or 'context' (signals)",
    "timezone_aware": "add a timezone, e.g. 2026-11-02T10:15:00Z",
    "datetime_parsing": "use ISO 8601 with a timezone, e.g. 2026-11-02T10:15:00Z",
    "datetime_from_date_parsing": "use ISO 8601 with a timezone, e.g. 2026-11-02T10:15:00Z",
    "datetime_type": "use ISO 8601 with a timezone, e.g. 2026-11-02T10:15:00Z",
    "too_short": "send at least one item",
    "string_too_long": "shorten it",
    "model_type": "send a JSON object",
    "dict_type": "send a JSON object",
}


@dataclass(frozen=True)
class Problem:
    field: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "reason": self.reason}


@dataclass(frozen=True)
class RecordError:
    """Why one record was rejected. ``index`` is the batch position or the file line."""

    index: int
    external_id: str | None
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    @property
    def field(self) -> str:
        return self.problems[0].field if self.problems else ""

    @property
    def reason(self) -> str:
        return self.problems[0].reason if self.problems else ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "external_id": self.external_id,
            "field": self.field,
            "reason": self.reason,
            "problems": [p.to_dict() for p in self.problems],
        }


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def problems_from(exc: ValidationError) -> tuple[Problem, ...]:
    """Readable problems from a pydantic error: dotted field path, message and fix."""
    found = []
    for err in exc.errors(include_url=False):
        reason = err["msg"].removeprefix("Value error, ")
        fix = _FIXES.get(err["type"])
        if err["type"] == "missing":
            reason = "required field is missing"
        if fix:
            reason = f"{reason}; {fix}"
        found.append(Problem(_path(err["loc"]), reason))
    return tuple(found)


def _external_id(raw: Any) -> str | None:
    if isinstance(raw, dict):
        value = raw.get("external_id")
        return str(value)[:200] if value is not None else None
    return None


def validate_one(index: int, raw: Any, model: type[M]) -> M | RecordError:
    """Validate one raw record: the model, or why it was rejected."""
    if not isinstance(raw, dict):
        return RecordError(index, None, (Problem("", "each record must be a JSON object"),))
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        return RecordError(index, _external_id(raw), problems_from(exc))


def validate_records(
    items: Iterable[tuple[int, Any]], model: type[M]
) -> tuple[list[tuple[int, M, Any]], list[RecordError]]:
    """Validate ``(index, raw)`` pairs; returns ``[(index, model, raw)]`` and the errors."""
    good: list[tuple[int, M, Any]] = []
    bad: list[RecordError] = []
    for index, raw in items:
        checked = validate_one(index, raw, model)
        if isinstance(checked, RecordError):
            bad.append(checked)
        else:
            good.append((index, checked, raw))
    return good, bad
