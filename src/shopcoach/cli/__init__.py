"""The ``shopcoach`` command line: a thin Typer layer over the library.

Each command parses its arguments, makes one library call, and renders the result with
Rich. Domain errors become a red message plus a hint and exit code 1 (see ``main``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from shopcoach.cli import agent, capture, db, intents, kb, keys, orders, search, stores
from shopcoach.cli import alerts as alerts_cli
from shopcoach.cli import demo as demo_cli
from shopcoach.cli import drift as drift_cli
from shopcoach.cli import metrics as metrics_cli
from shopcoach.cli import review as review_cli
from shopcoach.cli import score as score_cli
from shopcoach.cli import weekly as weekly_cli
from shopcoach.cli.common import console, err_console, state
from shopcoach.errors import ShopcoachError

app = typer.Typer(
    name="shopcoach",
    help="Keep your e-commerce AI support agent improving week after week.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _global(
    ctx: typer.Context,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database URL (default: SQLite in the data dir).",
            envvar="SHOPCOACH_DATABASE_URL",
            show_envvar=True,
        ),
    ] = None,
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            help="Data folder (default .shopcoach).",
            envvar="SHOPCOACH_HOME",
            show_envvar=True,
        ),
    ] = None,
) -> None:
    state.overrides = {"database_url": database_url, "home": home}
    state.ctx = ctx


app.add_typer(db.app, name="db")
app.add_typer(stores.app, name="stores")
app.add_typer(keys.app, name="keys")
app.add_typer(capture.ingest_app, name="ingest")
app.add_typer(kb.app, name="kb")
app.add_typer(agent.app, name="agent")
app.add_typer(intents.app, name="intents")
app.add_typer(orders.app, name="orders")
app.add_typer(search.app, name="search")
app.add_typer(weekly_cli.app, name="review")
app.add_typer(review_cli.fix_app, name="fix")
app.add_typer(review_cli.dials_app, name="dials")
app.add_typer(score_cli.app, name="score")
app.add_typer(drift_cli.app, name="drift")
app.add_typer(metrics_cli.app, name="metrics")
app.add_typer(alerts_cli.app, name="alerts")
app.command("chat")(agent.chat)
app.command("init")(db.init)
app.command("demo")(demo_cli.demo)
app.command("stats")(capture.stats)
app.command("show")(capture.show)
app.command("serve")(capture.serve)
app.command("audit")(keys.audit_log)


def main() -> None:
    """Console-script entry point: run the app, turning domain errors into messages."""
    try:
        app()
    except ShopcoachError as exc:
        err_console.print(f"[bold red]Error:[/] {exc.message}")
        if exc.hint:
            err_console.print(f"[yellow]Hint:[/] {exc.hint}")
        sys.exit(1)


__all__ = ["app", "console", "main"]
