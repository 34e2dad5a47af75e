"""Prometheus exposition of a store's health (R-MON-3): ``GET /metrics``.

:func:`collect` reads the figures with a handful of set-based queries (identical SQL on SQLite
and PostgreSQL) and returns plain :class:`Family` objects; :func:`render` turns them into the
text exposition format 0.0.4 with ``prometheus_client``'s ``generate_latest`` and a collector
that yields them. Every sample carries a ``store`` label (the slug). Metric names and meaning
are listed in ``docs/alert-sinks.md``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

import sqlalchemy as sa

from shopcoach.store.sql import utcnow
from shopcoach.store.tables import alerts, conversation_scores, conversations, drift_findings

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
DIMENSIONS = ("accuracy", "relevance", "tone", "resolution", "total")


@dataclass
class Family:
    name: str
    help: str
    kind: Literal["gauge", "counter"]
    labels: tuple[str, ...]
    samples: list[tuple[tuple[str, ...], float]] = field(default_factory=list)


def _rate(conn: sa.Connection, store_id: int, since: datetime, until: datetime) -> tuple[int, int]:
    """(conversations, AI-resolved conversations) started in [since, until)."""
    c = conversations.c
    automated = sa.case(((c.handled_by == "ai") & (c.outcome == "resolved"), 1), else_=0)
    n, ok = conn.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(automated), 0)).where(
            c.store_id == store_id, c.started_at >= since, c.started_at < until
        )
    ).one()
    return int(n), int(ok)


def collect(
    conn: sa.Connection,
    store_id: int,
    *,
    now: datetime | None = None,
    detectors: tuple[str, ...] = (),
) -> list[Family]:
    """The store's metric families at ``now`` (naive UTC; default: the current time).

    ``detectors`` (registered drift detector names) get a 0 sample when nothing drifted, so
    alert expressions do not see a missing series.
    """
    now = now or utcnow()
    c = conversations.c
    convs = Family(
        "shopcoach_conversations",
        "Conversations stored, by outcome and channel.",
        "counter",
        ("outcome", "channel"),
    )
    # A literal, not a bound parameter: PostgreSQL matches GROUP BY expressions textually.
    outcome = sa.func.coalesce(c.outcome, sa.literal_column("'unknown'"))
    rows = conn.execute(
        sa.select(outcome, c.channel, sa.func.count())
        .where(c.store_id == store_id)
        .group_by(outcome, c.channel)
        .order_by(outcome, c.channel)
    )
    convs.samples = [((str(o), str(ch)), float(n)) for o, ch, n in rows]

    rate = Family(
        "shopcoach_automated_resolution_rate",
        "Share of conversations started in the window that the AI resolved alone "
        "(handled_by ai, outcome resolved).",
        "gauge",
        ("window",),
    )
    volume = Family(
        "shopcoach_window_conversations",
        "Conversations started in the window.",
        "gauge",
        ("window",),
    )
    for label, days in (("24h", 1), ("7d", 7)):
        n, ok = _rate(conn, store_id, now - timedelta(days=days), now)
        volume.samples.append(((label,), float(n)))
        if n:
            rate.samples.append(((label,), ok / n))

    s = conversation_scores.c
    week = now - timedelta(days=7)
    avgs = conn.execute(
        sa.select(*(sa.func.avg(getattr(s, d)) for d in DIMENSIONS), sa.func.count()).where(
            s.store_id == store_id, s.started_at >= week, s.started_at < now
        )
    ).one()
    scores = Family(
        "shopcoach_score_average",
        "Average rubric score (0-100) per dimension over conversations started in the last 7 days.",
        "gauge",
        ("dimension",),
    )
    scores.samples = [
        ((d,), float(v)) for d, v in zip(DIMENSIONS, avgs[:-1], strict=True) if v is not None
    ]
    scored = Family(
        "shopcoach_scored_conversations_7d",
        "Conversations started in the last 7 days that have a score.",
        "gauge",
        (),
    )
    scored.samples = [((), float(avgs[-1]))]

    a = alerts.c
    open_alerts = Family(
        "shopcoach_alerts_open",
        "Alerts in state open, by severity and rule.",
        "gauge",
        ("severity", "rule"),
    )
    rows = conn.execute(
        sa.select(a.severity, a.rule, sa.func.count())
        .where(a.store_id == store_id, a.state == "open")
        .group_by(a.severity, a.rule)
        .order_by(a.severity, a.rule)
    )
    open_alerts.samples = [((str(sev), str(rule)), float(n)) for sev, rule, n in rows]

    f = drift_findings.c
    drift = Family(
        "shopcoach_drift_findings_drifted",
        "Drift findings computed in the last 7 days that found drift, by detector.",
        "gauge",
        ("detector",),
    )
    counts = {name: 0.0 for name in detectors}
    rows = conn.execute(
        sa.select(f.detector, sa.func.count())
        .where(f.store_id == store_id, f.drifted.is_(True), f.computed_at >= week)
        .group_by(f.detector)
    )
    counts.update({str(d): float(n) for d, n in rows})
    drift.samples = [((d,), v) for d, v in sorted(counts.items())]
    return [convs, volume, rate, scores, scored, open_alerts, drift]


class _Collector:
    def __init__(self, families: list[Family], store: str) -> None:
        self.families, self.store = families, store

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

        for fam in self.families:
            cls = CounterMetricFamily if fam.kind == "counter" else GaugeMetricFamily
            metric = cls(fam.name, fam.help, labels=("store", *fam.labels))
            for labels, value in fam.samples:
                metric.add_metric([self.store, *labels], value)
            yield metric


def render(store: str, families: list[Family]) -> bytes:
    """Text exposition format 0.0.4 (serve with :data:`CONTENT_TYPE`)."""
    from prometheus_client import CollectorRegistry, generate_latest

    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector(families, store))  # type: ignore[arg-type]
    return generate_latest(registry)
