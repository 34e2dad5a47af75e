"""Baselines (R-MET-3): pin a named period's metrics, compare any later period with it.

A baseline freezes the metrics of one period (say the four weeks before launch) into
``metric_baselines.metric_values``, so later changes to the data or to how a metric is computed
do not move the reference. Pinning and removing are audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from shopcoach import audit
from shopcoach.errors import NotFound, ValidationFailed
from shopcoach.metrics.model import METRICS, Filters
from shopcoach.metrics.periods import week_start
from shopcoach.metrics.series import metric_series
from shopcoach.store.sql import utcnow
from shopcoach.store.tables import conversations, metric_baselines


@dataclass(frozen=True)
class Baseline:
    id: int
    name: str
    period_start: datetime
    period_end: datetime  # exclusive
    filters: Filters
    metric_values: dict[str, Any]
    created_at: datetime
    created_by: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "filters": self.filters.to_dict(),
            "metric_values": self.metric_values,
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
        }


@dataclass(frozen=True)
class Delta:
    metric: str
    baseline: float | None
    current: float | None
    delta: float | None  # current - baseline, in the metric's unit
    delta_pct: float | None  # relative change, percent of the baseline
    better: bool | None  # moved the good way (None: no direction or no change)


@dataclass
class Comparison:
    baseline: Baseline
    period_start: datetime
    period_end: datetime
    current: dict[str, Any]
    deltas: list[Delta] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline.to_dict(),
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "current": self.current,
            "deltas": [d.__dict__ for d in self.deltas],
        }


def _row(r: Any) -> Baseline:
    return Baseline(
        id=r.id,
        name=r.name,
        period_start=r.period_start,
        period_end=r.period_end,
        filters=Filters.from_dict(r.filters),
        metric_values=dict(r.metric_values),
        created_at=r.created_at,
        created_by=r.created_by,
    )


def period_metrics(
    conn: sa.Connection, store_id: int, since: datetime, until: datetime, filters: Filters
) -> dict[str, Any]:
    """Every metric over the whole of [since, until) — one number each, not a series."""
    series = metric_series(conn, store_id, grain="all", since=since, until=until, filters=filters)
    return series.points[0].metric_values()


def pin_baseline(
    conn: sa.Connection,
    store_id: int,
    name: str,
    *,
    since: datetime,
    until: datetime,
    filters: Filters | None = None,
    actor: str,
) -> Baseline:
    """Compute and freeze the metrics of [since, until) under ``name``."""
    name = name.strip()
    if not name or len(name) > 200:
        raise ValidationFailed(
            "A baseline needs a name of 1-200 characters.", hint="e.g. 'pre-launch'."
        )
    filters = filters or Filters()
    exists = conn.execute(
        sa.select(metric_baselines.c.id).where(
            metric_baselines.c.store_id == store_id, metric_baselines.c.name == name
        )
    ).first()
    if exists:
        raise ValidationFailed(
            f"There is already a baseline named {name!r}.",
            hint="Pick another name, or delete it first (`shopcoach metrics baseline delete`).",
        )
    values = period_metrics(conn, store_id, since, until, filters)
    now = utcnow()
    conn.execute(
        metric_baselines.insert().values(
            store_id=store_id,
            name=name,
            period_start=since,
            period_end=until,
            filters=filters.to_dict(),
            metric_values=values,
            created_at=now,
            created_by=actor,
        )
    )
    audit.record(
        conn,
        actor,
        "metrics.baseline.pin",
        store_id=store_id,
        target=f"baseline:{name}",
        details={"since": since.isoformat(), "until": until.isoformat(), **filters.to_dict()},
    )
    return get_baseline(conn, store_id, name)


def get_baseline(conn: sa.Connection, store_id: int, name: str) -> Baseline:
    row = conn.execute(
        sa.select(metric_baselines).where(
            metric_baselines.c.store_id == store_id, metric_baselines.c.name == name
        )
    ).first()
    if row is None:
        raise NotFound(
            f"There is no baseline named {name!r}.",
            hint="List them with `shopcoach metrics baseline list`; pin one with "
            "`shopcoach metrics baseline pin NAME --since … --until …`.",
        )
    return _row(row)


def list_baselines(conn: sa.Connection, store_id: int) -> list[Baseline]:
    rows = conn.execute(
        sa.select(metric_baselines)
        .where(metric_baselines.c.store_id == store_id)
        .order_by(metric_baselines.c.created_at, metric_baselines.c.id)
    )
    return [_row(r) for r in rows]


def delete_baseline(conn: sa.Connection, store_id: int, name: str, *, actor: str) -> None:
    base = get_baseline(conn, store_id, name)
    conn.execute(metric_baselines.delete().where(metric_baselines.c.id == base.id))
    audit.record(
        conn, actor, "metrics.baseline.delete", store_id=store_id, target=f"baseline:{name}"
    )


def latest_week(conn: sa.Connection, store_id: int) -> tuple[datetime, datetime]:
    """The ISO week of the store's latest conversation (the default period to compare)."""
    latest = conn.execute(
        sa.select(sa.func.max(conversations.c.started_at)).where(
            conversations.c.store_id == store_id
        )
    ).scalar()
    if latest is None:
        raise NotFound(
            "This store has no conversations to compare yet.",
            hint="Import some with `shopcoach ingest conversations FILE`.",
        )
    start = datetime.combine(week_start(latest.date()), datetime.min.time())
    return start, start + timedelta(days=7)


def compare_baseline(
    conn: sa.Connection,
    store_id: int,
    name: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Comparison:
    """The metrics of [since, until) (default: the latest week) beside the baseline's."""
    base = get_baseline(conn, store_id, name)
    if since is None or until is None:
        week = latest_week(conn, store_id)
        since, until = since or week[0], until or week[1]
    current = period_metrics(conn, store_id, since, until, base.filters)
    return Comparison(base, since, until, current, metric_deltas(base.metric_values, current))


def metric_deltas(before: dict[str, Any], after: dict[str, Any]) -> list[Delta]:
    """Every metric of :data:`METRICS` before and after, with the change and its direction."""
    out = []
    for metric, info in METRICS.items():
        b, a = before.get(metric), after.get(metric)
        delta = pct = better = None
        if b is not None and a is not None:
            delta = round(a - b, 6)
            pct = round(100 * delta / b, 3) if b else None
            if info.better != "none" and delta != 0:
                better = (delta > 0) == (info.better == "up")
        out.append(Delta(metric, b, a, delta, pct, better))
    return out
