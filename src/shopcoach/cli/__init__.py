"""The ``shopcoach`` command line: a thin Typer layer over the library.

Each command parses its arguments, makes one library call, and renders the result with
Rich. Domain errors become a red message plus a hint and exit code 1 (see ``main``).
"""

from __future__ import annotations

import difflib
import importlib
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from shopcoach.errors import ShopcoachError

# Command name -> (module, attribute): a Typer sub-app, or a function for a single command.
# Modules load when their command runs, so `shopcoach ingest …` does not import the drift
# statistics or the agent, and neither do the import's worker processes, which run the
# console script again when they start (multiprocessing's spawn).
GROUPS = {
    "db": ("shopcoach.cli.db", "app"),
    "stores": ("shopcoach.cli.stores", "app"),
    "keys": ("shopcoach.cli.keys", "app"),
    "ingest": ("shopcoach.cli.capture", "ingest_app"),
    "kb": ("shopcoach.cli.kb", "app"),
    "agent": ("shopcoach.cli.agent", "app"),
    "intents": ("shopcoach.cli.intents", "app"),
    "orders": ("shopcoach.cli.orders", "app"),
    "search": ("shopcoach.cli.search", "app"),
    "review": ("shopcoach.cli.weekly", "app"),
    "fix": ("shopcoach.cli.review", "fix_app"),
    "dials": ("shopcoach.cli.review", "dials_app"),
    "score": ("shopcoach.cli.score", "app"),
    "drift": ("shopcoach.cli.drift", "app"),
    "metrics": ("shopcoach.cli.metrics", "app"),
    "alerts": ("shopcoach.cli.alerts", "app"),
}
COMMANDS = {
    "chat": ("shopcoach.cli.agent", "chat"),
    "init": ("shopcoach.cli.db", "init"),
    "demo": ("shopcoach.cli.demo", "demo"),
    "stats": ("shopcoach.cli.capture", "stats"),
    "show": ("shopcoach.cli.capture", "show"),
    "serve": ("shopcoach.cli.capture", "serve"),
    "audit": ("shopcoach.cli.keys", "audit_log"),
}


def load_command(name: str) -> Any:
    """The click command for ``name`` (Typer's own click), importing its module."""
    if name in GROUPS:
        module, attr = GROUPS[name]
        group = typer.main.get_group(getattr(importlib.import_module(module), attr))
        group.name = name
        return group
    module, attr = COMMANDS[name]
    single = typer.Typer(add_completion=False)
    single.command(name)(getattr(importlib.import_module(module), attr))
    command = typer.main.get_command(single)
    command.name = name
    return command


class LazyGroup(TyperGroup):
    """The root command: subcommands are loaded on first use (see ``GROUPS``)."""

    def list_commands(self, ctx: Any) -> list[str]:  # single commands first, as registered
        return list(dict.fromkeys([*super().list_commands(ctx), *COMMANDS, *GROUPS]))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is None and (cmd_name in GROUPS or cmd_name in COMMANDS):
            command = load_command(cmd_name)
            self.add_command(command, cmd_name)
        return command

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except Exception as exc:  # click's UsageError; suggest from every command, loaded or not
            message = getattr(exc, "message", "")
            if args and message.startswith("No such command") and "Did you mean" not in message:
                matches = difflib.get_close_matches(args[0], self.list_commands(ctx))
                if matches:
                    names = ", ".join(map(repr, matches))
                    exc.message = f"{message.rstrip('.')}. Did you mean {names}?"  # type: ignore[attr-defined]
            raise


app = typer.Typer(
    name="shopcoach",
    help="Keep your e-commerce AI support agent improving week after week.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=LazyGroup,
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
    from shopcoach.cli.common import state

    state.overrides = {"database_url": database_url, "home": home}
    state.ctx = ctx


def main() -> None:
    """Console-script entry point: run the app, turning domain errors into messages."""
    try:
        app()
    except ShopcoachError as exc:
        from shopcoach.cli.common import err_console

        err_console.print(f"[bold red]Error:[/] {exc.message}")
        if exc.hint:
            err_console.print(f"[yellow]Hint:[/] {exc.hint}")
        sys.exit(1)


def __getattr__(name: str) -> Any:
    if name == "console":  # re-exported, loaded on first use
        from shopcoach.cli.common import console

        return console
    raise AttributeError(name)


__all__ = ["app", "console", "load_command", "main"]
