"""Periods: days and ISO weeks (Monday start, UTC), and the dialect-aware time arithmetic.

A period is numbered by an integer bucket: the day number since 1970-01-01, or the week
number counted from Monday 1970-01-05; :func:`bucket_start` turns a bucket back into its first
day. The series queries do not compute buckets per row in SQL: each period is one range scan
of the ``(store_id, started_at)`` index (SQLite sorts for every GROUP BY; measured on 1M
conversations, grouping by a computed week took 1.3 s against 0.4 s for the range scans).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Literal

import sqlalchemy as sa

from shopcoach.errors import ValidationFailed

Grain = Literal["day", "week", "all"]
GRAINS: tuple[str, ...] = ("day", "week", "all")

EPOCH = date(1970, 1, 1)
FIRST_MONDAY = 4  # 1970-01-05, in days after EPOCH


def check_grain(grain: str) -> Grain:
    if grain not in GRAINS:
        raise ValidationFailed(
            f"{grain!r} is not a metrics grain.", hint="Use one of: day, week, all."
        )
    return grain  # type: ignore[return-value]


def seconds_between(conn: sa.Connection, later: Any, earlier: Any) -> Any:
    """``later - earlier`` in seconds, as a float."""
    if conn.dialect.name == "sqlite":
        return (sa.func.julianday(later) - sa.func.julianday(earlier)) * 86400.0
    return sa.func.extract("epoch", later - earlier)


def epoch_seconds(conn: sa.Connection, col: Any) -> Any:
    """The timestamp as fetched for numpy: whole epoch seconds on PostgreSQL, the julian day
    on SQLite (``queries._seconds`` turns both into whole epoch seconds)."""
    if conn.dialect.name == "sqlite":
        return sa.func.julianday(col)
    return sa.cast(sa.func.floor(sa.func.extract("epoch", col)), sa.BigInteger)


def week_start(d: date) -> date:
    """The Monday of ``d``'s ISO week."""
    return d - timedelta(days=d.weekday())


def bucket_start(grain: Grain, key: int, since: datetime) -> date:
    if grain == "all":
        return since.date()
    if grain == "day":
        return EPOCH + timedelta(days=int(key))
    return EPOCH + timedelta(days=FIRST_MONDAY + 7 * int(key))


def bucket_of(grain: Grain, day: date) -> int:
    days = (day - EPOCH).days
    if grain == "day":
        return days
    if grain == "week":
        return (days - FIRST_MONDAY) // 7
    return 0


def period_length(grain: Grain) -> timedelta:
    return timedelta(days=7 if grain == "week" else 1)


def align(grain: Grain, since: datetime, until: datetime) -> tuple[datetime, datetime]:
    """Widen [since, until) to whole days (and whole ISO weeks for the weekly grain)."""
    if until <= since:
        raise ValidationFailed(
            f"The period {since:%Y-%m-%d %H:%M} to {until:%Y-%m-%d %H:%M} is empty.",
            hint="Give --since earlier than --until (until is exclusive).",
        )
    if grain == "all":
        return since, until
    start = datetime(since.year, since.month, since.day)
    end = datetime(until.year, until.month, until.day)
    if end < until:
        end += timedelta(days=1)
    if grain == "week":
        start = datetime.combine(week_start(start.date()), datetime.min.time())
        monday = datetime.combine(week_start(end.date()), datetime.min.time())
        end = monday if monday == end else monday + timedelta(days=7)
    return start, end


def bucket_keys(grain: Grain, since: datetime, until: datetime) -> list[int]:
    """Every bucket in an aligned [since, until)."""
    if grain == "all":
        return [0]
    step = 7 if grain == "week" else 1
    first = bucket_of(grain, since.date())
    count = (until.date() - since.date()).days // step
    return list(range(first, first + count))


def parse_when(value: str | None, *, field: str) -> datetime | None:
    """'YYYY-MM-DD' or an ISO timestamp (aware ones are converted to naive UTC)."""
    if value is None or value == "":
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValidationFailed(
            f"{field} {value!r} is not a date.", hint="Use YYYY-MM-DD or an ISO 8601 timestamp."
        ) from exc
    if parsed.tzinfo is not None:
        from datetime import UTC

        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed
