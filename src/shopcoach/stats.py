"""Capture statistics: counts by day, outcome, channel — computed in SQL.

``conversation_stats`` takes a connection first and returns a plain, serialisable object;
the CLI and the API only render it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from shopcoach.store.tables import conversations, messages, signals


@dataclass
class Stats:
    store: str
    since: datetime | None
    until: datetime | None
    conversations: int = 0
    messages: int = 0
    signals: int = 0
    by_day: list[dict[str, Any]] = field(default_factory=list)
    by_outcome: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    by_handled_by: dict[str, int] = field(default_factory=dict)
    signals_by_type: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("since", "until"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


def _day(value: Any) -> str:
    # SQLite's date() returns text; PostgreSQL returns a date.
    return value.isoformat() if isinstance(value, date) else str(value)


def conversation_stats(
    conn: sa.Connection,
    store_id: int,
    store_slug: str,
    *,
    days: int | None = 30,
    until: datetime | None = None,
) -> Stats:
    """Counts over the ``days`` days up to ``until`` (default: the latest conversation)."""
    c = conversations
    if until is None:
        until = conn.execute(
            sa.select(sa.func.max(c.c.started_at)).where(c.c.store_id == store_id)
        ).scalar()
    since = None
    if until is not None and days is not None:
        day_start = datetime(until.year, until.month, until.day)
        since = day_start - timedelta(days=days - 1)
        until_excl = day_start + timedelta(days=1)
    else:
        until_excl = None
    where = [c.c.store_id == store_id]
    if since is not None:
        where += [c.c.started_at >= since, c.c.started_at < until_excl]
    stats = Stats(store=store_slug, since=since, until=until_excl)

    def grouped(col: Any) -> dict[str, int]:
        rows = conn.execute(
            sa.select(col, sa.func.count()).where(*where).group_by(col).order_by(col)
        )
        return {str(k) if k is not None else "unknown": n for k, n in rows}

    stats.conversations = conn.execute(sa.select(sa.func.count()).where(*where)).scalar() or 0
    stats.messages = (
        conn.execute(
            sa.select(sa.func.count()).select_from(messages.join(c)).where(*where)
        ).scalar()
        or 0
    )
    day = sa.func.date(c.c.started_at)
    stats.by_day = [
        {"day": _day(d), "conversations": n}
        for d, n in conn.execute(
            sa.select(day, sa.func.count()).where(*where).group_by(day).order_by(day)
        )
    ]
    stats.by_outcome = grouped(c.c.outcome)
    stats.by_channel = grouped(c.c.channel)
    stats.by_handled_by = grouped(c.c.handled_by)
    s_where = [signals.c.store_id == store_id]
    if since is not None:
        s_where += [signals.c.occurred_at >= since, signals.c.occurred_at < until_excl]
    stats.signals_by_type = {
        t: n
        for t, n in conn.execute(
            sa.select(signals.c.type, sa.func.count())
            .where(*s_where)
            .group_by(signals.c.type)
            .order_by(signals.c.type)
        )
    }
    stats.signals = sum(stats.signals_by_type.values())
    return stats
