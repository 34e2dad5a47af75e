"""``shopcoach alerts sinks …``: where alerts go (webhook, Slack, e-mail), and ``deliver``."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from shopcoach.alerts.delivery import (
    add_sink,
    deliver_pending_db,
    list_sinks,
    remove_sink,
    send_test_message,
    set_sink_enabled,
)
from shopcoach.alerts.sinks import SINK_KINDS
from shopcoach.cli.common import console, store_conn, store_db
from shopcoach.errors import ValidationFailed
from shopcoach.stores import get_store

app = typer.Typer(
    help="Alert sinks: add, list, test, remove; deliver pending alerts.", no_args_is_help=True
)
StoreOpt = Annotated[str | None, typer.Option(help="Store slug (default: the default store).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Sink name, e.g. ops-slack.")],
    kind: Annotated[str, typer.Option(help=f"One of: {', '.join(SINK_KINDS)}.")],
    url: Annotated[str | None, typer.Option(help="Webhook URL (webhook, slack).")] = None,
    header: Annotated[
        list[str] | None, typer.Option(help="Extra webhook header 'Name: value'; repeatable.")
    ] = None,
    smtp_host: Annotated[str | None, typer.Option(help="SMTP server (email).")] = None,
    smtp_port: Annotated[int, typer.Option(help="SMTP port (email).")] = 587,
    security: Annotated[str, typer.Option(help="starttls, ssl or none (email).")] = "starttls",
    username: Annotated[
        str | None, typer.Option(help="SMTP login (email; default SHOPCOACH_SMTP_USERNAME).")
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(
            help="SMTP password (email; better: SHOPCOACH_SMTP_PASSWORD, kept out of the database)."
        ),
    ] = None,
    from_addr: Annotated[str | None, typer.Option("--from", help="Sender (email).")] = None,
    to: Annotated[list[str] | None, typer.Option(help="Recipient (email); repeatable.")] = None,
    timeout: Annotated[float, typer.Option(help="Seconds per send.")] = 10.0,
    disabled: Annotated[bool, typer.Option("--disabled", help="Add it switched off.")] = False,
    store: StoreOpt = None,
) -> None:
    """Add a sink; its config is checked before it is stored."""
    config: dict[str, Any] = {"timeout": timeout}
    if kind in ("webhook", "slack"):
        config["url"] = url
        if header and kind == "webhook":
            pairs = [h.split(":", 1) for h in header]
            if any(len(p) != 2 for p in pairs):
                raise ValidationFailed(
                    "--header must look like 'Name: value'.", hint="e.g. --header 'X-Token: abc'."
                )
            config["headers"] = {k.strip(): v.strip() for k, v in pairs}
    elif kind == "email":
        config.update(
            smtp_host=smtp_host,
            smtp_port=smtp_port,
            security=security,
            username=username,
            password=password,
            from_addr=from_addr,
            to=to or [],
        )
    with store_conn(store, write=True) as (conn, target):
        sink = add_sink(conn, target.id, name, kind, config, enabled=not disabled, actor="cli")
    console.print(
        f"Added {sink.kind} sink [bold]{sink.name}[/]{' (disabled)' if not sink.enabled else ''}."
    )


@app.command("list")
def list_(store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """List the store's sinks (secrets hidden)."""
    settings, db = store_db()
    with db.connect() as conn:
        sinks = list_sinks(conn, get_store(conn, store or settings.default_store).id)
    if as_json:
        console.print_json(json.dumps({"sinks": [s.to_dict() for s in sinks]}))
        return
    table = Table("name", "kind", "enabled", "config")
    for s in sinks:
        table.add_row(
            s.name, s.kind, "yes" if s.enabled else "no", json.dumps(s.to_dict()["config"])
        )
    console.print(table)


@app.command("remove")
def remove(name: Annotated[str, typer.Argument()], store: StoreOpt = None) -> None:
    """Remove a sink (its delivery history stays with the alerts)."""
    settings, db = store_db()
    with db.begin() as conn:
        remove_sink(conn, get_store(conn, store or settings.default_store).id, name, actor="cli")
    console.print(f"Removed sink {name}.")


@app.command("enable")
def enable(name: Annotated[str, typer.Argument()], store: StoreOpt = None) -> None:
    """Switch a sink on."""
    _toggle(name, True, store)


@app.command("disable")
def disable(name: Annotated[str, typer.Argument()], store: StoreOpt = None) -> None:
    """Switch a sink off (nothing is sent to it; pending alerts wait)."""
    _toggle(name, False, store)


def _toggle(name: str, enabled: bool, store: str | None) -> None:
    with store_conn(store, write=True) as (conn, target):
        set_sink_enabled(conn, target.id, name, enabled, actor="cli")
    console.print(f"Sink {name} {'enabled' if enabled else 'disabled'}.")


@app.command("test")
def test(name: Annotated[str, typer.Argument()], store: StoreOpt = None) -> None:
    """Send a test message through a sink."""
    settings, db = store_db()
    with db.connect() as conn:
        result = send_test_message(
            conn, get_store(conn, store or settings.default_store).id, name, settings=settings
        )
    if not result["ok"]:
        console.print(f"[red]Test message to {name} failed:[/] {result['detail']}")
        raise typer.Exit(1)
    console.print(f"Test message sent to {name}.")


@app.command("deliver")
def deliver(store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Send pending alert notifications (opened, resolved) to every enabled sink."""
    settings, db = store_db()
    with db.connect() as conn:
        store_id = get_store(conn, store or settings.default_store).id
    report = deliver_pending_db(db, store_id, settings=settings)
    if as_json:
        console.print_json(json.dumps(report.to_dict()))
        return
    console.print(
        f"Sent {report.sent}, failed {report.failed} (retried next time), "
        f"given up {report.gave_up}."
    )
    for a in report.attempts:
        if not a["ok"]:
            console.print(f"  alert #{a['alert_id']} → {a['sink']}: {a['detail']}")
