"""Alert delivery (R-MON-3): the store's sinks (CRUD, test) and sending what is pending.

:func:`deliver_pending` is table-driven. For every enabled sink of the store it sends

* ``opened`` — each alert in state ``open`` with no successful ``opened`` delivery to that
  sink yet;
* ``resolved`` — each alert in state ``resolved`` whose ``opened`` notification did reach
  that sink and whose resolution has not (an alert resolved before anyone was told is not
  news; an acknowledged alert is not re-sent: a person has it);

and records one ``alert_deliveries`` row per attempt, with its ``event`` and a ``detail``
(``"opened: ok"``, ``"resolved: HTTP 500: ..."``). A failing sink never raises; it is retried
on the next call until ``max_attempts`` failed attempts for that alert, sink and event. A
second call sends nothing new.

Sending happens between two short database steps (plan, then record), so no transaction is
held open while a slow peer times out; :func:`deliver_pending_db` runs the three steps with
their own connections, under the lease ``alerts.deliver:<store id>`` (``store/leases.py``):
two runs at once (a cron job overlapping a click on "deliver now") would otherwise plan the
same messages and both send them. The second run raises :class:`~shopcoach.errors.Busy`
(HTTP 409) and sends nothing. The lease lasts the plan's worst case (every sink's timeout,
plus a minute), so a run that crashed frees it by itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa

from shopcoach import audit
from shopcoach.alerts.sinks import (
    Event,
    SendFailed,
    alert_payload,
    redacted,
    send,
    validate_config,
)
from shopcoach.errors import NotFound, ValidationFailed
from shopcoach.settings import Settings
from shopcoach.store import leases
from shopcoach.store.engine import Database
from shopcoach.store.sql import utcnow
from shopcoach.store.tables import alert_deliveries, alert_sinks, alerts, stores

MAX_ATTEMPTS = 5
DEFAULT_TIMEOUT = 10.0  # seconds per request, the sinks' default (alerts/sinks.py)


@dataclass(frozen=True)
class Sink:
    id: int
    name: str
    kind: str
    config: dict[str, Any]
    enabled: bool
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "config": redacted(self.config),
            "enabled": self.enabled,
            "created_at": self.created_at.isoformat() + "Z",
        }


def _sink(row: Any) -> Sink:
    return Sink(row.id, row.name, row.kind, dict(row.config), row.enabled, row.created_at)


def list_sinks(conn: sa.Connection, store_id: int) -> list[Sink]:
    rows = conn.execute(
        sa.select(alert_sinks)
        .where(alert_sinks.c.store_id == store_id)
        .order_by(alert_sinks.c.name)
    )
    return [_sink(r) for r in rows]


def get_sink(conn: sa.Connection, store_id: int, name: str) -> Sink:
    row = conn.execute(
        sa.select(alert_sinks).where(alert_sinks.c.store_id == store_id, alert_sinks.c.name == name)
    ).first()
    if row is None:
        raise NotFound(
            f"There is no alert sink named {name!r} in this store.",
            hint="List sinks with `shopcoach alerts sinks list`.",
        )
    return _sink(row)


def add_sink(
    conn: sa.Connection,
    store_id: int,
    name: str,
    kind: str,
    config: Mapping[str, Any],
    *,
    enabled: bool = True,
    actor: str,
) -> Sink:
    """Create a sink after validating its config; :class:`ValidationFailed` on a bad one."""
    name = name.strip()
    if not name or len(name) > 200:
        raise ValidationFailed(
            f"Sink name {name[:40]!r} must be 1-200 characters.",
            hint="Name it after where it goes, e.g. 'ops-slack'.",
        )
    clean = validate_config(kind, config)
    exists = conn.execute(
        sa.select(alert_sinks.c.id).where(
            alert_sinks.c.store_id == store_id, alert_sinks.c.name == name
        )
    ).first()
    if exists:
        raise ValidationFailed(
            f"An alert sink named {name!r} already exists.",
            hint="Remove it first or pick another name.",
        )
    conn.execute(
        alert_sinks.insert().values(
            store_id=store_id,
            name=name,
            kind=kind,
            config=clean,
            enabled=enabled,
            created_at=utcnow(),
        )
    )
    audit.record(
        conn,
        actor,
        "alert_sink.add",
        store_id=store_id,
        target=name,
        details={"kind": kind, "config": redacted(clean), "enabled": enabled},
    )
    return get_sink(conn, store_id, name)


def set_sink_enabled(
    conn: sa.Connection, store_id: int, name: str, enabled: bool, *, actor: str
) -> Sink:
    sink = get_sink(conn, store_id, name)
    conn.execute(alert_sinks.update().where(alert_sinks.c.id == sink.id).values(enabled=enabled))
    audit.record(
        conn,
        actor,
        "alert_sink.enable" if enabled else "alert_sink.disable",
        store_id=store_id,
        target=name,
    )
    return get_sink(conn, store_id, name)


def remove_sink(conn: sa.Connection, store_id: int, name: str, *, actor: str) -> Sink:
    sink = get_sink(conn, store_id, name)
    conn.execute(alert_sinks.delete().where(alert_sinks.c.id == sink.id))
    audit.record(conn, actor, "alert_sink.remove", store_id=store_id, target=name)
    return sink


def _with_defaults(sink: Sink, settings: Settings | None) -> dict[str, Any]:
    """E-mail credentials may come from settings (kept out of the database)."""
    config = dict(sink.config)
    if sink.kind == "email" and settings is not None and not config.get("username"):
        config["username"] = settings.smtp_username
        config["password"] = settings.smtp_password
    return config


def send_test_message(
    conn: sa.Connection, store_id: int, name: str, *, settings: Settings | None = None
) -> dict[str, Any]:
    """Send a test message through one sink (enabled or not); ``{"ok", "detail"}``."""
    sink = get_sink(conn, store_id, name)
    slug = conn.execute(sa.select(stores.c.slug).where(stores.c.id == store_id)).scalar_one()
    now = utcnow()
    row = {
        "id": 0,
        "rule": "test",
        "fingerprint": f"test:{name}",
        "state": "open",
        "severity": "info",
        "title": f"Test message for sink {name}",
        "message": "If you can read this, Shopcoach alerts reach this sink.",
        "subject": {},
        "value": None,
        "threshold": None,
        "period_start": None,
        "period_end": None,
        "details": {},
        "diagnosis": None,
        "remediation": None,
        "opened_at": now,
        "resolved_at": None,
    }
    with httpx.Client() as client:
        try:
            send(
                sink.kind, _with_defaults(sink, settings), alert_payload(row, "test", slug), client
            )
        except SendFailed as exc:
            return {"sink": name, "ok": False, "detail": str(exc)}
    return {"sink": name, "ok": True, "detail": "sent"}


@dataclass(frozen=True)
class Planned:
    alert_id: int
    sink: Sink
    event: Event
    payload: dict[str, Any]


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    gave_up: int = 0  # alert/sink/event pairs that reached max_attempts failures
    attempts: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "failed": self.failed,
            "gave_up": self.gave_up,
            "attempts": self.attempts,
        }


def plan_deliveries(
    conn: sa.Connection, store_id: int, *, max_attempts: int = MAX_ATTEMPTS
) -> tuple[list[Planned], int]:
    """What to send now, and how many alert/sink/event pairs were given up on."""
    sinks = [s for s in list_sinks(conn, store_id) if s.enabled]
    if not sinks:
        return [], 0
    d, a = alert_deliveries, alerts
    event = d.c.event
    history: dict[tuple[int, str, str], tuple[bool, int]] = {}
    rows = conn.execute(
        sa.select(
            d.c.alert_id,
            d.c.sink,
            event.label("event"),
            sa.func.max(sa.case((d.c.ok, 1), else_=0)),
            sa.func.count(),
        )
        .select_from(d.join(a, a.c.id == d.c.alert_id))
        .where(a.c.store_id == store_id, a.c.state.in_(("open", "resolved")))
        .group_by(d.c.alert_id, d.c.sink, event)
    )
    for alert_id, sink_name, kind, ok, count in rows:
        history[(alert_id, sink_name, kind)] = (bool(ok), int(count))
    slug = conn.execute(sa.select(stores.c.slug).where(stores.c.id == store_id)).scalar_one()
    candidates = (
        conn.execute(
            sa.select(a)
            .where(a.c.store_id == store_id, a.c.state.in_(("open", "resolved")))
            .order_by(a.c.id)
        )
        .mappings()
        .all()
    )
    plan: list[Planned] = []
    gave_up = 0
    for mapping in candidates:
        row = dict(mapping)
        for sink in sinks:
            if row["state"] == "open":
                ev: Event = "opened"
            else:
                opened = history.get((row["id"], sink.name, "opened"))
                if opened is None or not opened[0]:
                    continue
                ev = "resolved"
            done, tries = history.get((row["id"], sink.name, ev), (False, 0))
            if done:
                continue
            if tries >= max_attempts:
                gave_up += 1
                continue
            plan.append(Planned(row["id"], sink, ev, alert_payload(row, ev, slug)))
    return plan, gave_up


def send_planned(
    plan: list[Planned], *, settings: Settings | None = None, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Send each planned message; one attempt record each (never raises for a sink)."""
    out = []
    with httpx.Client() as client:
        for p in plan:
            try:
                send(p.sink.kind, _with_defaults(p.sink, settings), p.payload, client)
                ok, detail = True, f"{p.event}: ok"
            except SendFailed as exc:
                ok, detail = False, f"{p.event}: {exc}"[:2000]
            except Exception as exc:  # a sink bug must not stop the other deliveries
                ok, detail = False, f"{p.event}: {type(exc).__name__}: {exc}"[:2000]
            out.append(
                {
                    "alert_id": p.alert_id,
                    "sink": p.sink.name,
                    "event": p.event,
                    "ok": ok,
                    "detail": detail,
                    "attempted_at": now or utcnow(),
                }
            )
    return out


def record_attempts(
    conn: sa.Connection, attempts: list[dict[str, Any]], gave_up: int = 0
) -> DeliveryReport:
    if attempts:
        conn.execute(alert_deliveries.insert(), attempts)
    return DeliveryReport(
        sent=sum(a["ok"] for a in attempts),
        failed=sum(not a["ok"] for a in attempts),
        gave_up=gave_up,
        attempts=[{**a, "attempted_at": a["attempted_at"].isoformat() + "Z"} for a in attempts],
    )


def deliver_pending(
    conn: sa.Connection,
    store_id: int,
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
    max_attempts: int | None = None,
) -> DeliveryReport:
    """Send every pending notification of the store and record each attempt (see module doc).

    >>> deliver_pending(conn, store.id).sent  # doctest: +SKIP
    2
    """
    limit = max_attempts or (settings.alert_max_attempts if settings else MAX_ATTEMPTS)
    plan, gave_up = plan_deliveries(conn, store_id, max_attempts=limit)
    return record_attempts(conn, send_planned(plan, settings=settings, now=now), gave_up)


def deliver_pending_db(
    db: Database, store_id: int, *, now: datetime | None = None, settings: Settings | None = None
) -> DeliveryReport:
    """:func:`deliver_pending` with no transaction open while sending, under the store's
    delivery lease (:class:`~shopcoach.errors.Busy` if another run holds it)."""
    limit = settings.alert_max_attempts if settings else MAX_ATTEMPTS
    with leases.held(db, f"alerts.deliver:{store_id}", PLAN_LEASE) as lease:
        with db.connect() as conn:
            plan, gave_up = plan_deliveries(conn, store_id, max_attempts=limit)
        if plan:
            leases.extend(db, lease, sending_time(plan))
        attempts = send_planned(plan, settings=settings, now=now)
        with db.begin() as conn:
            return record_attempts(conn, attempts, gave_up)


PLAN_LEASE = timedelta(minutes=2)


def sending_time(plan: list[Planned]) -> timedelta:
    """The longest sending ``plan`` can take: every request times out, plus a minute."""
    worst = sum(float(p.sink.config.get("timeout") or DEFAULT_TIMEOUT) for p in plan)
    return timedelta(seconds=worst + 60)
