"""``shopcoach orders …``: import orders and stock, triage an order's exceptions."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from shopcoach.cli.common import console, store_db
from shopcoach.orders.connector import RecordingConnector, StoreConnector, save_tool_calls
from shopcoach.orders.importer import Kind, import_orders_file
from shopcoach.orders.triage import run_triage
from shopcoach.stores import get_store

app = typer.Typer(help="Orders, stock and tracking: import, triage.", no_args_is_help=True)
StoreOpt = Annotated[str | None, typer.Option("--store", help="Store slug (default store).")]


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="orders.jsonl, or inventory .jsonl/.csv")],
    kind: Annotated[str, typer.Option(help="orders or inventory.")] = "orders",
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    store: StoreOpt = None,
) -> None:
    """Import orders (with items and shipments) or stock levels; idempotent."""
    if kind not in ("orders", "inventory"):
        raise typer.BadParameter("use --kind orders or --kind inventory", param_hint="--kind")
    settings, db = store_db()
    k: Kind = "orders" if kind == "orders" else "inventory"
    report = import_orders_file(db, path, k, store or settings.default_store)
    if as_json:
        console.print_json(json.dumps(report.to_dict()))
        return
    c = report.counts
    console.print(f"{path.name}: {report.received} {kind} records, {c.created} created, "
                  f"{c.updated} updated, {c.unchanged} unchanged, "
                  f"{len(report.rejected)} rejected.")  # fmt: skip
    for err in report.rejected[:20]:
        console.print(f"  line {err.index}: {err.field or '(record)'}: {err.reason}")


@app.command("triage")
def triage(
    order_id: Annotated[str, typer.Argument(help="The order number.")],
    today: Annotated[
        str | None, typer.Option(help="Evaluate as of this date (YYYY-MM-DD); default now.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    store: StoreOpt = None,
) -> None:
    """Check an order's status, stock and tracking; classify its exception; resolve or escalate.
    Every tool call is recorded (table tool_calls, trace ``triage:<id>``)."""
    settings, db = store_db()
    with db.connect() as conn:
        s = get_store(conn, store or settings.default_store)
    when = datetime.combine(date.fromisoformat(today), datetime.min.time()) if today else None
    tools = RecordingConnector(StoreConnector(db, s.id))
    result = run_triage(tools, order_id, when)
    trace = f"triage:{uuid.uuid4().hex[:12]}"
    with db.begin() as conn:
        save_tool_calls(conn, s.id, trace, tools.calls)
    if as_json:
        console.print_json(json.dumps({**result.to_dict(), "trace_ref": trace}, default=str))
        return
    table = Table("exception", "evidence", title=f"Order {order_id}")
    for f in result.findings:
        table.add_row(f.kind, f.evidence)
    if result.findings:
        console.print(table)
    verdict = "escalate to a person" if result.escalate else f"automatic: {result.action}"
    console.print(f"[bold]{result.primary or 'no exception'}[/bold] → {verdict}")
    console.print(result.message)
    console.print(f"[dim]{len(tools.calls)} tool calls recorded as {trace}[/dim]")
