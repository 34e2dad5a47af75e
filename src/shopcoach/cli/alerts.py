"""``shopcoach alerts``: list, show, check, ack, resolve, diagnose; rules list|add|disable."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from shopcoach.alerts import (
    acknowledge,
    add_rule,
    check_alerts,
    diagnose,
    get_alert,
    list_alerts,
    list_rules,
    resolve,
    set_rule_enabled,
)
from shopcoach.cli import alert_sinks
from shopcoach.cli.common import console, store_conn, store_db
from shopcoach.metrics.periods import parse_when
from shopcoach.stores import get_store

app = typer.Typer(help="Alerts: check the rules, list and handle alerts.", no_args_is_help=True)
rules_app = typer.Typer(help="Alert rules: list, add a threshold rule, enable/disable.",
                        no_args_is_help=True)  # fmt: skip
app.add_typer(rules_app, name="rules")
app.add_typer(alert_sinks.app, name="sinks")  # `shopcoach alerts sinks …`

StoreOpt = Annotated[str | None, typer.Option(help="Store slug (default: the default store).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
IdArg = Annotated[int, typer.Argument(help="The alert's id (see `shopcoach alerts list`).")]
ByOpt = Annotated[str, typer.Option("--by", help="Who is doing this (kept in the audit log).")]


def _print_json(data: Any) -> None:
    console.print_json(json.dumps(data, default=str))


@app.command("list")
def list_(
    state: Annotated[str | None, typer.Option(help="open, acknowledged or resolved.")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Alerts, newest first."""
    with store_conn(store) as (conn, target):
        rows = list_alerts(conn, target.id, state=state)
    if as_json:
        _print_json({"alerts": rows})
        return
    table = Table("id", "state", "severity", "rule", "period", "title", title="Alerts")
    for a in rows:
        table.add_row(str(a["id"]), a["state"], a["severity"], a["rule"],
                      (a["period_start"] or "")[:10], a["title"])  # fmt: skip
    console.print(table)


@app.command("show")
def show(alert_id: IdArg, store: StoreOpt = None) -> None:
    """One alert with its evidence, as JSON."""
    with store_conn(store) as (conn, target):
        _print_json(get_alert(conn, target.id, alert_id))


@app.command("check")
def check(
    now: Annotated[
        str | None, typer.Option(help="Judge the periods before this time (default: now).")
    ] = None,
    deliver: Annotated[bool, typer.Option(help="Send new/resolved alerts to the sinks.")] = True,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Evaluate every enabled rule on the last complete day/week; open, update, resolve."""
    settings, db = store_db()
    with db.begin() as conn:
        target = get_store(conn, store or settings.default_store)
        result = check_alerts(conn, target.id, now=parse_when(now, field="--now"), actor="cli")
    data = result.to_dict()
    if deliver:
        from shopcoach.alerts.delivery import deliver_pending_db

        data["delivery"] = deliver_pending_db(db, target.id, settings=settings).to_dict()
    if as_json:
        _print_json(data)
        return
    console.print(
        f"Checked {result.evaluated} rule evaluations: [red]{len(result.opened)} opened[/], "
        f"{len(result.updated)} updated, [green]{len(result.resolved)} resolved[/]."
    )
    for b in result.breaches:
        console.print(f"  • {b['title']}")
    if "delivery" in data:
        d = data["delivery"]
        console.print(f"Delivered {d['sent']} notification(s), {d['failed']} failed.")


@app.command("ack")
def ack(alert_id: IdArg, by: ByOpt = "cli", store: StoreOpt = None) -> None:
    """Acknowledge an open alert (it will not be auto-resolved)."""
    with store_conn(store, write=True) as (conn, target):
        acknowledge(conn, target.id, alert_id, actor=by)
    console.print(f"Alert {alert_id} acknowledged.")


@app.command("resolve")
def resolve_(alert_id: IdArg, by: ByOpt = "cli", store: StoreOpt = None) -> None:
    """Resolve an open or acknowledged alert."""
    with store_conn(store, write=True) as (conn, target):
        resolve(conn, target.id, alert_id, actor=by)
    console.print(f"Alert {alert_id} resolved.")


@app.command("diagnose")
def diagnose_(
    alert_id: IdArg,
    diagnosis: Annotated[str | None, typer.Option(help="What caused it.")] = None,
    remediation: Annotated[str | None, typer.Option(help="What was done about it.")] = None,
    by: ByOpt = "cli",
    store: StoreOpt = None,
) -> None:
    """Record the diagnosis and/or remediation of an alert."""
    with store_conn(store, write=True) as (conn, target):
        diagnose(conn, target.id, alert_id, diagnosis=diagnosis, remediation=remediation,
                 actor=by)  # fmt: skip
    console.print(f"Alert {alert_id} updated.")


@rules_app.command("list")
def rules_list(store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Built-in and user-defined rules."""
    with store_conn(store) as (conn, target):
        rules = list_rules(conn, target.id)
    if as_json:
        _print_json({"rules": [r.to_dict() for r in rules]})
        return
    table = Table("name", "kind", "enabled", "params", title="Alert rules")
    for r in rules:
        shown = {k: v for k, v in r.params.items() if k != "dimensions"}
        table.add_row(r.name + (" (built-in)" if r.builtin else ""), r.kind,
                      "yes" if r.enabled else "no", json.dumps(shown))  # fmt: skip
    console.print(table)


@rules_app.command("add")
def rules_add(
    name: Annotated[str, typer.Argument(help="Rule name.")],
    metric: Annotated[str, typer.Option(help="A metric name (docs/metrics.md).")],
    op: Annotated[str, typer.Option("--op", help="Comparator: < <= > >=.")],
    threshold: Annotated[float, typer.Option(help="Alert when metric OP threshold.")],
    window: Annotated[str, typer.Option(help="day or week.")] = "week",
    channel: Annotated[str | None, typer.Option(help="Only this channel.")] = None,
    intent: Annotated[str | None, typer.Option(help="Only this intent.")] = None,
    agent_version: Annotated[str | None, typer.Option(help="Only this agent version.")] = None,
    severity: Annotated[str, typer.Option(help="info, warning or critical.")] = "warning",
    min_conversations: Annotated[int, typer.Option(help="Skip smaller periods.")] = 1,
    store: StoreOpt = None,
) -> None:
    """Add a threshold rule, e.g. `--metric csat_ai --op '<' --threshold 4`."""
    settings, db = store_db()
    filters = {k: v for k, v in (("channel", channel), ("intent", intent),
                                 ("agent_version", agent_version)) if v}  # fmt: skip
    with db.begin() as conn:
        target = get_store(conn, store or settings.default_store)
        rule = add_rule(conn, target.id, name, metric=metric, op=op, threshold=threshold,
                        window=window, filters=filters, severity=severity,
                        min_conversations=min_conversations, actor="cli")  # fmt: skip
    console.print(f"Added rule {rule.name}: {metric} {op} {threshold:g} per {window}.")


def _set_enabled(name: str, enabled: bool, store: str | None) -> None:
    with store_conn(store, write=True) as (conn, target):
        set_rule_enabled(conn, target.id, name, enabled, actor="cli")
    console.print(f"Rule {name} {'enabled' if enabled else 'disabled'}.")


@rules_app.command("disable")
def rules_disable(name: Annotated[str, typer.Argument()], store: StoreOpt = None) -> None:
    """Disable a rule (built-in ones too)."""
    _set_enabled(name, False, store)


@rules_app.command("enable")
def rules_enable(name: Annotated[str, typer.Argument()], store: StoreOpt = None) -> None:
    """Enable a rule again."""
    _set_enabled(name, True, store)
