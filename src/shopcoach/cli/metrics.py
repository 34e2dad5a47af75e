"""``shopcoach metrics``: daily/weekly series, baselines (pin, list, delete) and compare."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from shopcoach.cli.common import console, store_conn, store_db
from shopcoach.metrics import (
    Filters,
    MetricSeries,
    compare_baseline,
    default_window,
    delete_baseline,
    list_baselines,
    metric_series,
    pin_baseline,
)
from shopcoach.metrics.periods import parse_when
from shopcoach.stores import get_store

app = typer.Typer(
    help="Metrics per day or week; pin baselines and compare with them.",
    invoke_without_command=True,
)
baseline_app = typer.Typer(help="Pinned baselines: pin, list, delete.", no_args_is_help=True)
app.add_typer(baseline_app, name="baseline")

StoreOpt = Annotated[str | None, typer.Option(help="Store slug (default: the default store).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
SinceOpt = Annotated[str | None, typer.Option(help="Start (YYYY-MM-DD or ISO time, UTC).")]
UntilOpt = Annotated[str | None, typer.Option(help="End, exclusive (YYYY-MM-DD or ISO time).")]
ChannelOpt = Annotated[str | None, typer.Option(help="Only this channel.")]
IntentOpt = Annotated[str | None, typer.Option(help="Only this intent.")]
VersionOpt = Annotated[str | None, typer.Option("--agent-version", help="Only this version.")]

SHOWN = (
    ("conversations", "convs", "{:,.0f}"),
    ("automated_resolution_rate", "auto-res", "{:.1%}"),
    ("escalation_rate", "escal.", "{:.1%}"),
    ("csat_ai", "CSAT ai", "{:.2f}"),
    ("csat_human", "CSAT hum", "{:.2f}"),
    ("repeat_contact_rate", "repeat", "{:.1%}"),
    ("ttr_median_s", "TTR p50 s", "{:,.0f}"),
    ("score_total", "score", "{:.1f}"),
    ("score_accuracy", "acc", "{:.1f}"),
    ("confidence_mean", "conf", "{:.2f}"),
    ("latency_p95_ms", "lat p95 ms", "{:,.0f}"),
)


def _fmt(fmt: str, value: Any) -> str:
    return "–" if value is None else fmt.format(value)


def _print_series(series: MetricSeries) -> None:
    grain = {"day": "Daily", "week": "Weekly"}.get(series.grain, "Period")
    title = f"{grain} metrics, {series.since:%Y-%m-%d} to {series.until:%Y-%m-%d}"
    if series.filters.to_dict():
        title += " (" + ", ".join(f"{k}={v}" for k, v in series.filters.to_dict().items()) + ")"
    columns = ["period"] + (["segment"] if series.by else []) + [h for _, h, _ in SHOWN]
    table = Table(*columns, title=title)
    for p in series.points:
        cells = [p.period_start.isoformat()] + ([str(p.segment)] if series.by else [])
        table.add_row(*cells, *[_fmt(f, getattr(p, m)) for m, _, f in SHOWN])
    console.print(table)


@app.callback()
def metrics(
    ctx: typer.Context,
    daily: Annotated[bool, typer.Option("--daily", help="One row per day.")] = False,
    weekly: Annotated[
        bool, typer.Option("--weekly", help="One row per ISO week (default).")
    ] = False,
    days: Annotated[int, typer.Option(help="Window in days up to the latest conversation.")] = 28,
    since: SinceOpt = None,
    until: UntilOpt = None,
    by: Annotated[
        str | None, typer.Option(help="Group by channel, intent or agent_version.")
    ] = None,
    channel: ChannelOpt = None,
    intent: IntentOpt = None,
    agent_version: VersionOpt = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Automated resolution, escalation, CSAT, repeat contacts, time to resolution, scores,
    confidence and latency, per day or ISO week (UTC)."""
    if ctx.invoked_subcommand is not None:
        return
    grain = "day" if daily and not weekly else "week"
    settings, db = store_db()
    filters = Filters(channel=channel, intent=intent, agent_version=agent_version)
    with db.connect() as conn:
        target = get_store(conn, store or settings.default_store)
        start, end = default_window(
            conn, target.id, days=days, since=parse_when(since, field="--since"),
            until=parse_when(until, field="--until"),
        )  # fmt: skip
        series = metric_series(conn, target.id, grain=grain, since=start, until=end, by=by,
                               filters=filters)  # fmt: skip
    if as_json:
        console.print_json(json.dumps(series.to_dict()))
    else:
        _print_series(series)


def _required(value: str | None, name: str) -> datetime:
    parsed = parse_when(value, field=name)
    if parsed is None:
        raise typer.BadParameter(f"{name} is required (YYYY-MM-DD).")
    return parsed


@baseline_app.command("pin")
def pin(
    name: Annotated[str, typer.Argument(help="Baseline name, e.g. pre-launch.")],
    since: SinceOpt = None,
    until: UntilOpt = None,
    channel: ChannelOpt = None,
    intent: IntentOpt = None,
    agent_version: VersionOpt = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Freeze the metrics of [--since, --until) under NAME."""
    settings, db = store_db()
    filters = Filters(channel=channel, intent=intent, agent_version=agent_version)
    with db.begin() as conn:
        target = get_store(conn, store or settings.default_store)
        base = pin_baseline(conn, target.id, name, since=_required(since, "--since"),
                            until=_required(until, "--until"), filters=filters,
                            actor="cli")  # fmt: skip
    if as_json:
        console.print_json(json.dumps(base.to_dict()))
        return
    v = base.metric_values
    console.print(
        f"Pinned baseline [bold]{base.name}[/]: {base.period_start:%Y-%m-%d} to "
        f"{base.period_end:%Y-%m-%d}, {v['conversations']:,} conversations, automated "
        f"resolution {_fmt('{:.1%}', v['automated_resolution_rate'])}, score "
        f"{_fmt('{:.1f}', v['score_total'])}."
    )


@baseline_app.command("list")
def list_(store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """The store's baselines."""
    with store_conn(store) as (conn, target):
        bases = list_baselines(conn, target.id)
    if as_json:
        console.print_json(json.dumps({"baselines": [b.to_dict() for b in bases]}))
        return
    table = Table("name", "from", "to (excl.)", "filters", "conversations", "by", title="Baselines")
    for b in bases:
        table.add_row(b.name, f"{b.period_start:%Y-%m-%d}", f"{b.period_end:%Y-%m-%d}",
                      json.dumps(b.filters.to_dict()) if b.filters.to_dict() else "",
                      f"{b.metric_values.get('conversations', 0):,}", b.created_by)  # fmt: skip
    console.print(table)


@baseline_app.command("delete")
def delete(name: Annotated[str, typer.Argument()], store: StoreOpt = None) -> None:
    """Delete a baseline."""
    with store_conn(store, write=True) as (conn, target):
        delete_baseline(conn, target.id, name, actor="cli")
    console.print(f"Deleted baseline {name}.")


@app.command("compare")
def compare(
    name: Annotated[str, typer.Argument(help="The baseline to compare with.")],
    since: SinceOpt = None,
    until: UntilOpt = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A period (default: the latest week with data) against a pinned baseline."""
    with store_conn(store) as (conn, target):
        result = compare_baseline(conn, target.id, name, since=parse_when(since, field="--since"),
                                  until=parse_when(until, field="--until"))  # fmt: skip
    if as_json:
        console.print_json(json.dumps(result.to_dict()))
        return
    table = Table(
        "metric", "baseline", "current", "change", "",
        title=f"{result.period_start:%Y-%m-%d} to {result.period_end:%Y-%m-%d} vs "
        f"baseline {name}",
    )  # fmt: skip
    for d in result.deltas:
        mark = "" if d.better is None else ("[green]better[/]" if d.better else "[red]worse[/]")
        change = _fmt("{:+,.4g}", d.delta) + (f" ({d.delta_pct:+.1f}%)" if d.delta_pct else "")
        table.add_row(d.metric, _fmt("{:,.4g}", d.baseline), _fmt("{:,.4g}", d.current),
                      change, mark)  # fmt: skip
    console.print(table)
