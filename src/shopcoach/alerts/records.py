"""Alert records (R-MON-3/5): rules in the store, checking, and the alert state machine.

``check_alerts`` computes the series the rules need, evaluates them (``rules.py``, pure) and
upserts ``alerts`` rows by fingerprint (rule + subject + period): a new breach opens an alert,
the same period checked again updates it (never a duplicate), and a clear result for a later
period resolves the rule's earlier *open* alerts (``resolved_by = "system"``). Acknowledged
alerts stay with the person who took them; resolved ones are never reopened.

States: ``open`` → ``acknowledged`` → ``resolved`` (or ``open`` → ``resolved``). Every change
is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from shopcoach import audit
from shopcoach.alerts.rules import BUILTIN, Evaluation, Rule, evaluate, threshold_params
from shopcoach.errors import NotFound, ValidationFailed
from shopcoach.metrics import metric_series
from shopcoach.metrics.model import Filters, MetricPoint
from shopcoach.metrics.periods import week_start
from shopcoach.store.sql import utcnow
from shopcoach.store.tables import alert_rules, alerts, conversation_scores, conversations

STATES = ("open", "acknowledged", "resolved")
EXAMPLES = 5


# -- rules -----------------------------------------------------------------------------


def list_rules(conn: sa.Connection, store_id: int) -> list[Rule]:
    """Built-in rules (with any stored override) then the store's own, by name."""
    rows = {
        r.name: r
        for r in conn.execute(sa.select(alert_rules).where(alert_rules.c.store_id == store_id))
    }
    out = []
    for name, (kind, params) in BUILTIN.items():
        row = rows.pop(name, None)
        merged = {**params, **(dict(row.params) if row is not None else {})}
        out.append(Rule(name, kind, merged, row.enabled if row is not None else True, True))
    out += [Rule(r.name, r.kind, dict(r.params), r.enabled) for r in rows.values()]
    return sorted(out, key=lambda r: (not r.builtin, r.name))


def get_rule(conn: sa.Connection, store_id: int, name: str) -> Rule:
    for rule in list_rules(conn, store_id):
        if rule.name == name:
            return rule
    raise NotFound(
        f"There is no alert rule {name!r}.", hint="List them with `shopcoach alerts rules list`."
    )


def add_rule(
    conn: sa.Connection,
    store_id: int,
    name: str,
    *,
    metric: str,
    op: str,
    threshold: float,
    window: str = "week",
    filters: dict[str, Any] | None = None,
    severity: str = "warning",
    min_conversations: int = 1,
    actor: str,
) -> Rule:
    """Store a user-defined threshold rule (enabled)."""
    name = name.strip()
    if not name or len(name) > 200:
        raise ValidationFailed("A rule needs a name of 1-200 characters.", hint="e.g. 'csat-low'.")
    if (
        name in BUILTIN
        or conn.execute(
            sa.select(alert_rules.c.id).where(
                alert_rules.c.store_id == store_id, alert_rules.c.name == name
            )
        ).first()
    ):
        raise ValidationFailed(
            f"There is already an alert rule named {name!r}.", hint="Pick another name."
        )
    params = threshold_params(metric, op, threshold, window=window, filters=filters,
                              severity=severity, min_conversations=min_conversations)  # fmt: skip
    now = utcnow()
    conn.execute(
        alert_rules.insert().values(
            store_id=store_id,
            name=name,
            kind="threshold",
            params=params,
            enabled=True,
            created_at=now,
            created_by=actor,
            updated_at=now,
        )  # fmt: skip
    )
    audit.record(conn, actor, "alerts.rule.add", store_id=store_id, target=f"rule:{name}",
                 details=params)  # fmt: skip
    return get_rule(conn, store_id, name)


def set_rule_enabled(
    conn: sa.Connection, store_id: int, name: str, enabled: bool, *, actor: str
) -> Rule:
    """Enable or disable a rule; a built-in one gets an override row the first time."""
    rule = get_rule(conn, store_id, name)
    now = utcnow()
    where = (alert_rules.c.store_id == store_id, alert_rules.c.name == name)
    if conn.execute(sa.select(alert_rules.c.id).where(*where)).first():
        conn.execute(alert_rules.update().where(*where).values(enabled=enabled, updated_at=now))
    else:
        conn.execute(
            alert_rules.insert().values(
                store_id=store_id,
                name=name,
                kind=rule.kind,
                params={},
                enabled=enabled,
                created_at=now,
                created_by=actor,
                updated_at=now,
            )  # fmt: skip
        )
    audit.record(conn, actor, "alerts.rule." + ("enable" if enabled else "disable"),
                 store_id=store_id, target=f"rule:{name}")  # fmt: skip
    return get_rule(conn, store_id, name)


def delete_rule(conn: sa.Connection, store_id: int, name: str, *, actor: str) -> None:
    rule = get_rule(conn, store_id, name)
    if rule.builtin:
        raise ValidationFailed(
            f"{name!r} is a built-in rule and cannot be deleted.",
            hint=f"Disable it instead: `shopcoach alerts rules disable {name}`.",
        )
    conn.execute(
        alert_rules.delete().where(alert_rules.c.store_id == store_id, alert_rules.c.name == name)
    )
    audit.record(conn, actor, "alerts.rule.delete", store_id=store_id, target=f"rule:{name}")


# -- alert rows ------------------------------------------------------------------------


def alert_dict(row: Any) -> dict[str, Any]:
    data = dict(row._mapping)
    for key, value in data.items():
        if isinstance(value, datetime):
            data[key] = value.isoformat() + "Z"
    return data


def list_alerts(
    conn: sa.Connection, store_id: int, *, state: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """Newest first."""
    stmt = sa.select(alerts).where(alerts.c.store_id == store_id)
    if state is not None:
        if state not in STATES:
            raise ValidationFailed(
                f"{state!r} is not an alert state.", hint=f"Use one of: {', '.join(STATES)}."
            )
        stmt = stmt.where(alerts.c.state == state)
    rows = conn.execute(stmt.order_by(alerts.c.opened_at.desc(), alerts.c.id.desc()).limit(limit))
    return [alert_dict(r) for r in rows]


def get_alert(conn: sa.Connection, store_id: int, alert_id: int) -> dict[str, Any]:
    row = conn.execute(
        sa.select(alerts).where(alerts.c.store_id == store_id, alerts.c.id == alert_id)
    ).first()
    if row is None:
        raise NotFound(
            f"There is no alert {alert_id} in this store.",
            hint="List alerts with `shopcoach alerts list`.",
        )
    return alert_dict(row)


def _change(
    conn: sa.Connection, store_id: int, alert_id: int, action: str, actor: str, **values: Any
) -> dict[str, Any]:
    conn.execute(
        alerts.update()
        .where(alerts.c.store_id == store_id, alerts.c.id == alert_id)
        .values(updated_at=utcnow(), **values)
    )
    details = {k: v for k, v in values.items() if not isinstance(v, datetime)}
    audit.record(
        conn, actor, f"alerts.{action}", store_id=store_id, target=f"alert:{alert_id}",
        details=details,
    )  # fmt: skip
    return get_alert(conn, store_id, alert_id)


def acknowledge(conn: sa.Connection, store_id: int, alert_id: int, *, actor: str) -> dict[str, Any]:
    """open → acknowledged (someone is on it; the system will not auto-resolve it)."""
    alert = get_alert(conn, store_id, alert_id)
    if alert["state"] != "open":
        raise ValidationFailed(
            f"Alert {alert_id} is {alert['state']}; only an open alert can be acknowledged.",
            hint="Resolved alerts stay resolved; a new breach opens a new alert.",
        )
    now = utcnow()
    return _change(conn, store_id, alert_id, "acknowledge", actor, state="acknowledged",
                   acknowledged_at=now, acknowledged_by=actor)  # fmt: skip


def resolve(conn: sa.Connection, store_id: int, alert_id: int, *, actor: str) -> dict[str, Any]:
    """open or acknowledged → resolved."""
    alert = get_alert(conn, store_id, alert_id)
    if alert["state"] == "resolved":
        raise ValidationFailed(f"Alert {alert_id} is already resolved.", hint="Nothing to do.")
    return _change(conn, store_id, alert_id, "resolve", actor, state="resolved",
                   resolved_at=utcnow(), resolved_by=actor)  # fmt: skip


def diagnose(
    conn: sa.Connection,
    store_id: int,
    alert_id: int,
    *,
    diagnosis: str | None,
    remediation: str | None,
    actor: str,
) -> dict[str, Any]:
    """Record what caused it and what was done (either may be left as it is with None)."""
    get_alert(conn, store_id, alert_id)
    values = {k: v for k, v in (("diagnosis", diagnosis), ("remediation", remediation)) if v}
    if not values:
        raise ValidationFailed(
            "Give a diagnosis, a remediation, or both.",
            hint="e.g. --diagnosis 'returns article v4 dropped the 30-day window'.",
        )
    return _change(conn, store_id, alert_id, "diagnose", actor, **values)


# -- checking --------------------------------------------------------------------------


@dataclass
class CheckResult:
    evaluated: int = 0
    opened: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)
    breaches: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _series_for(
    conn: sa.Connection, store_id: int, rules: list[Rule], now: datetime
) -> dict[str, list[MetricPoint]]:
    """Complete periods before ``now`` for each enabled rule, one series per window/filter."""
    this_monday = datetime.combine(week_start(now.date()), datetime.min.time())
    today = datetime(now.year, now.month, now.day)
    cache: dict[tuple[str, Filters], list[MetricPoint]] = {}
    out = {}
    for rule in (r for r in rules if r.enabled):
        weeks = int(rule.params.get("weeks", 1)) + 1
        key = (rule.window, rule.filters)
        if key not in cache or len(cache[key]) < weeks:
            if rule.window == "week":
                since, until = this_monday - timedelta(days=7 * weeks), this_monday
            else:
                since, until = today - timedelta(days=7), today
            cache[key] = metric_series(conn, store_id, grain=rule.window, since=since,
                                       until=until, filters=rule.filters).points  # fmt: skip
        out[rule.name] = cache[key]
    return out


def _examples(conn: sa.Connection, store_id: int, ev: Evaluation) -> list[dict[str, Any]]:
    """The worst-scored conversations of the week on the dimension that dropped."""
    s, c = conversation_scores, conversations
    col = s.c[ev.subject["dimension"]]
    start = datetime.combine(ev.period_start, datetime.min.time())
    end = datetime.combine(ev.period_end, datetime.min.time())
    rows = conn.execute(
        sa.select(c.c.external_id, col, s.c.total)
        .select_from(s.join(c, c.c.id == s.c.conversation_id))
        .where(s.c.store_id == store_id, s.c.started_at >= start, s.c.started_at < end)
        .where(col.is_not(None))
        .order_by(col, s.c.total, c.c.external_id)
        .limit(EXAMPLES)
    )
    return [{"conversation": r[0], "score": r[1], "total": r[2]} for r in rows]


def _when(d: date) -> datetime:
    return datetime.combine(d, datetime.min.time())


def check_alerts(
    conn: sa.Connection, store_id: int, *, now: datetime | None = None, actor: str = "system"
) -> CheckResult:
    """Evaluate every enabled rule on the last complete period before ``now`` and upsert.
    A given ``now`` also dates what the check writes (a replay or simulation keeps its time)."""
    stamp = now or utcnow()
    now = stamp
    rules = list_rules(conn, store_id)
    evaluations = evaluate(rules, _series_for(conn, store_id, rules, now))
    result = CheckResult(evaluated=len(evaluations))
    for ev in evaluations:
        if not ev.breached:
            result.resolved += _auto_resolve(conn, store_id, ev, stamp)
            continue
        if ev.rule == "dimension-drop" and "dimension" in ev.subject:
            ev.details["examples"] = _examples(conn, store_id, ev)
        values = {
            "rule": ev.rule, "severity": ev.severity, "title": ev.title, "message": ev.message,
            "subject": ev.subject, "value": ev.value, "threshold": ev.threshold,
            "period_start": _when(ev.period_start), "period_end": _when(ev.period_end),
            "details": ev.details, "updated_at": stamp,
        }  # fmt: skip
        existing = conn.execute(
            sa.select(alerts.c.id).where(
                alerts.c.store_id == store_id, alerts.c.fingerprint == ev.fingerprint
            )
        ).scalar()
        if existing is None:
            new_id = conn.execute(
                alerts.insert()
                .values(
                    store_id=store_id,
                    fingerprint=ev.fingerprint,
                    state="open",
                    opened_at=stamp,
                    **values,
                )  # fmt: skip
                .returning(alerts.c.id)
            ).scalar_one()
            result.opened.append(int(new_id))
            audit.record(
                conn, actor, "alerts.open", store_id=store_id, target=f"alert:{new_id}",
                details={"fingerprint": ev.fingerprint},
            )  # fmt: skip
        else:
            conn.execute(alerts.update().where(alerts.c.id == existing).values(**values))
            result.updated.append(int(existing))
        result.breaches.append({"fingerprint": ev.fingerprint, "title": ev.title})
    return result


def _auto_resolve(conn: sa.Connection, store_id: int, ev: Evaluation, stamp: datetime) -> list[int]:
    """Resolve this rule's open alerts on the same subject from earlier periods."""
    prefix = ev.fingerprint.rsplit("|", 1)[0] + "|"
    rows = conn.execute(
        sa.select(alerts.c.id, alerts.c.fingerprint).where(
            alerts.c.store_id == store_id,
            alerts.c.rule == ev.rule,
            alerts.c.state == "open",
            alerts.c.period_start < _when(ev.period_start),
        )
    )
    ids = [int(r.id) for r in rows if r.fingerprint.startswith(prefix)]
    for alert_id in ids:
        _change(conn, store_id, alert_id, "auto_resolve", "system", state="resolved",
                resolved_at=stamp, resolved_by="system")  # fmt: skip
    return ids
