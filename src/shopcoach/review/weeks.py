"""ISO weeks, the review's unit of time: ``"2026-W47"`` ↔ Monday 00:00 to the next Monday
00:00 (naive UTC, as stored). One parser for the pack, the fix list and gap mining."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from shopcoach.errors import ValidationFailed
from shopcoach.store.sql import utcnow

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)


def week_bounds(
    week: str | date | None, today: date | None = None
) -> tuple[str, datetime, datetime]:
    """``"2026-W47"``, ``"2026W47"`` or any date in the week → (label, Monday 00:00, next
    Monday 00:00). ``None``: the last complete week before ``today`` (default: now)."""
    if week is None:
        week = (today or utcnow().date()) - timedelta(days=7)
    if isinstance(week, str):
        m = _WEEK.match(week.strip())
        try:
            if m is None:
                raise ValueError(week)
            monday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
        except ValueError:
            raise ValidationFailed(f"Week {week!r} is not an ISO week like 2026-W47.",
                                   hint="Write the week as YYYY-Www.") from None  # fmt: skip
    else:
        monday = week - timedelta(days=week.weekday())
    start = datetime(monday.year, monday.month, monday.day)
    return week_name(start), start, start + timedelta(days=7)


def week_name(start: datetime | date) -> str:
    y, w, _ = start.isocalendar()
    return f"{y}-W{w:02d}"
