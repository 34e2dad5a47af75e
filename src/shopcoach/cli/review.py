"""``shopcoach fix …`` (the AI fix list, R-REV-2) and ``shopcoach dials …`` (R-AGT-3)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from shopcoach.cli.common import console, store_conn
from shopcoach.review import fixlist
from shopcoach.review.dials import DialsConfig
from shopcoach.review.dials_store import apply_for, recommendations, whatif_for

fix_app = typer.Typer(help="The AI fix list: flagged conversations to fix.", no_args_is_help=True)
dials_app = typer.Typer(help="Threshold recommendations, what-if curves.", no_args_is_help=True)
StoreOpt = Annotated[str | None, typer.Option("--store", help="Store slug (default store).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ByOpt = Annotated[str, typer.Option("--by", help="Who makes the change (audit log).")]


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else "—"


def _print_item(item: fixlist.FixItem, verb: str) -> None:
    extra = f" · fix {item.fix_ref}" if item.fix_ref else ""
    console.print(f"Fix item {item.id} {verb}: conversation {item.conversation_id} · "
                  f"{item.status} · owner {item.owner or '—'}{extra}")  # fmt: skip


@fix_app.command("add")
def fix_add(
    conversation_id: Annotated[str, typer.Argument(help="The conversation's external id.")],
    note: Annotated[str, typer.Option(help="What went wrong / what to fix.")],
    owner: Annotated[str | None, typer.Option(help="Who will fix it.")] = None,
    by: ByOpt = "cli",
    store: StoreOpt = None,
) -> None:
    """Add a conversation to the fix list with a note."""
    with store_conn(store, write=True) as (conn, s):
        item = fixlist.add_item(conn, s.id, conversation_id, note, actor=by, owner=owner)
    _print_item(item, "added")


@fix_app.command("list")
def fix_list(
    status: Annotated[str | None, typer.Option(help="open|in_progress|done|wont_fix")] = None,
    as_json: JsonOpt = False,
    store: StoreOpt = None,
) -> None:
    """List fix items, newest first."""
    with store_conn(store) as (conn, s):
        items = fixlist.list_items(conn, s.id, status=status)
    if as_json:
        console.print_json(json.dumps([i.to_dict() for i in items]))
        return
    table = Table("id", "conversation", "status", "owner", "note", "added", "fix", title="Fix list")
    for i in items:
        table.add_row(str(i.id), i.conversation_id or "—", i.status, i.owner or "—",
                      i.note, _when(i.created_at), i.fix_ref or "—")  # fmt: skip
    console.print(table)


@fix_app.command("assign")
def fix_assign(
    item_id: Annotated[int, typer.Argument(help="Fix item id.")],
    owner: Annotated[str, typer.Argument(help="The new owner.")],
    by: ByOpt = "cli",
    store: StoreOpt = None,
) -> None:
    """Give a fix item an owner."""
    with store_conn(store, write=True) as (conn, s):
        item = fixlist.assign(conn, s.id, item_id, owner, actor=by)
    _print_item(item, "assigned")


@fix_app.command("status")
def fix_status(
    item_id: Annotated[int, typer.Argument(help="Fix item id.")],
    status: Annotated[str, typer.Argument(help="open|in_progress|wont_fix (done: use close)")],
    by: ByOpt = "cli",
    store: StoreOpt = None,
) -> None:
    """Change a fix item's status."""
    with store_conn(store, write=True) as (conn, s):
        item = fixlist.set_status(conn, s.id, item_id, status, actor=by)
    _print_item(item, "updated")


@fix_app.command("close")
def fix_close(
    item_id: Annotated[int, typer.Argument(help="Fix item id.")],
    fix_ref: Annotated[
        str, typer.Option("--fix-ref", help="What fixed it: agent_version:v7, kb:…, a commit.")
    ],
    by: ByOpt = "cli",
    store: StoreOpt = None,
) -> None:
    """Close a fix item as done, linking the change that fixed it."""
    with store_conn(store, write=True) as (conn, s):
        item = fixlist.close(conn, s.id, item_id, fix_ref, actor=by)
    _print_item(item, "closed")


# --- dials ----------------------------------------------------------------------------------

DaysOpt = Annotated[int, typer.Option(help="Window in days, ending at the latest conversation.")]
TargetOpt = Annotated[
    float, typer.Option(help="Recommended point: lowest threshold with expected error ≤ this.")
]
VersionOpt = Annotated[
    str | None, typer.Option("--version", help="Compare with this agent version's dials.")
]


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


@dials_app.command("recommend")
def dials_recommend(
    days: DaysOpt = 28,
    since: Annotated[
        datetime | None, typer.Option(help="Window start (UTC); overrides --days.")
    ] = None,
    target_error: TargetOpt = 0.05,
    version: VersionOpt = None,
    as_json: JsonOpt = False,
    store: StoreOpt = None,
) -> None:
    """Per intent: tighten (AI answers more) or loosen (escalate more), with evidence."""
    with store_conn(store) as (conn, s):
        report = recommendations(conn, s.id, since=since, days=days, version=version,
                                 cfg=DialsConfig(target_error=target_error))  # fmt: skip
    if as_json:
        console.print_json(json.dumps(report.to_dict()))
        return
    console.print(f"[bold]Threshold dials[/] vs version {report.version or '(defaults)'} · "
                  f"target expected error {report.target_error:.0%}")  # fmt: skip
    if not report.recommendations:
        console.print("No threshold changes recommended.")
    for r in report.recommendations:
        colour = "green" if r.direction == "tighten" else "yellow"
        console.print(f"[{colour}]{r.direction.upper()}[/] {r.reason}")
        console.print(f"  examples: {', '.join(r.examples) or '—'}", highlight=False)
    if report.clean:
        console.print(f"[dim]No change: {', '.join(report.clean)}[/dim]")
    if report.too_few:
        console.print(f"[dim]Too few conversations: {', '.join(report.too_few)}[/dim]")


@dials_app.command("whatif")
def dials_whatif(
    intent: Annotated[str, typer.Argument(help="The intent.")],
    days: DaysOpt = 28,
    target_error: TargetOpt = 0.05,
    version: VersionOpt = None,
    as_json: JsonOpt = False,
    store: StoreOpt = None,
) -> None:
    """Automation rate vs expected error rate across thresholds 0.00..1.00 for one intent."""
    with store_conn(store) as (conn, s):
        curve = whatif_for(conn, s.id, intent, days=days, version=version,
                           cfg=DialsConfig(target_error=target_error))  # fmt: skip
    if as_json:
        console.print_json(json.dumps(curve.to_dict()))
        return
    table = Table("threshold", "answered", "automation", "errors", "expected error", "",
                  title=f"What-if for {intent} ({curve.conversations} conversations)")  # fmt: skip
    for i, t in enumerate(curve.thresholds):
        marks = []
        if curve.current is not None and abs(t - curve.current) < 1e-9:
            marks.append("current")
        if curve.recommended is not None and abs(t - curve.recommended) < 1e-9:
            marks.append("recommended")
        row = (str(curve.answered[i]), _pct(curve.automation_rate[i]), str(curve.errors[i]))
        table.add_row(f"{t:.2f}", *row, _pct(curve.error_rate[i]), ", ".join(marks))
    console.print(table)
    rec = "none reaches the target" if curve.recommended is None else f"{curve.recommended:.2f}"
    console.print(f"Recommended point (expected error ≤ {curve.target_error:.0%}): {rec}")


@dials_app.command("apply")
def dials_apply(
    intent: Annotated[str, typer.Argument(help="The intent whose threshold changes.")],
    threshold: Annotated[
        float | None, typer.Option(help="Set this threshold (default: the recommendation).")
    ] = None,
    from_version: Annotated[
        str | None, typer.Option("--from-version", help="Copy this version (default: current).")
    ] = None,
    as_version: Annotated[
        str | None, typer.Option("--as-version", help="Label of the new draft version.")
    ] = None,
    days: DaysOpt = 28,
    by: ByOpt = "cli",
    store: StoreOpt = None,
) -> None:
    """Create a new draft agent version with the intent's threshold changed (audited)."""
    with store_conn(store, write=True) as (conn, s):
        result = apply_for(conn, s.id, intent, actor=by, threshold=threshold,
                           from_version=from_version, as_version=as_version, days=days)  # fmt: skip
    console.print(
        f"Draft version {result['new_version']} created from "
        f"{result['from_version'] or '(defaults)'}: threshold for {intent} "
        f"{result['before']:.2f} → {result['after']:.2f}. Nothing changes until it is activated."
    )
