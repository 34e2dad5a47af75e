"""``shopcoach agent …``: agent versions and their escalation dials."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from shopcoach.agent.dials import create_version, get_policy, set_dials
from shopcoach.cli.common import console, store_conn, store_db
from shopcoach.errors import ValidationFailed
from shopcoach.stores import get_store

app = typer.Typer(help="Agent versions and escalation dials.", no_args_is_help=True)
StoreOpt = Annotated[str | None, typer.Option("--store", help="Store slug (default store).")]


@app.command("create-version")
def create_version_cmd(
    label: Annotated[str, typer.Argument(help="New version label, e.g. v7-returns-fix.")],
    copy_from: Annotated[
        str | None, typer.Option("--from", help="Copy config and dials of this version.")
    ] = None,
    model: Annotated[str | None, typer.Option(help="Generator model name.")] = None,
    store: StoreOpt = None,
) -> None:
    """Create a draft agent version (optionally a copy of another)."""
    with store_conn(store, write=True) as (conn, s):
        create_version(conn, s.id, label, actor="cli", model=model, copy_from=copy_from)
    console.print(f"Draft version {label} created" + (f" from {copy_from}." if copy_from else "."))


def _parse_threshold(item: str) -> tuple[str, float]:
    intent, sep, value = item.partition("=")
    try:
        if not sep or not intent:
            raise ValueError
        return intent.strip(), float(value)
    except ValueError:
        raise ValidationFailed(
            f"--threshold {item!r} is not INTENT=NUMBER.", hint="E.g. --threshold get_refund=0.9"
        ) from None


@app.command("dials")
def dials(
    label: Annotated[str, typer.Argument(help="Agent version label.")],
    threshold: Annotated[
        list[str] | None, typer.Option(help="Per-intent threshold INTENT=0.8; repeatable.")
    ] = None,
    default_threshold: Annotated[float | None, typer.Option(help="Default threshold.")] = None,
    always_human: Annotated[
        list[str] | None, typer.Option(help="Intent always handled by a person; repeatable.")
    ] = None,
    sensitive: Annotated[
        list[str] | None,
        typer.Option(help="Intent on which negative sentiment escalates; repeatable."),
    ] = None,
    negative_sentiment: Annotated[
        float | None, typer.Option(help="Sentiment at or below this is negative (-1..0).")
    ] = None,
    escalate_oos: Annotated[
        bool | None, typer.Option("--escalate-oos/--answer-oos", help="Out-of-scope handling.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the dials as JSON.")] = False,
    store: StoreOpt = None,
) -> None:
    """Show a version's escalation dials, or change them (draft versions only)."""
    changes: dict[str, Any] = {}
    if threshold:
        changes["thresholds"] = dict(_parse_threshold(t) for t in threshold)
    if default_threshold is not None:
        changes["default_threshold"] = default_threshold
    if always_human is not None:
        changes["always_human"] = always_human
    if sensitive is not None:
        changes["sensitive_intents"] = sensitive
    if negative_sentiment is not None:
        changes["negative_sentiment"] = negative_sentiment
    if escalate_oos is not None:
        changes["escalate_out_of_scope"] = escalate_oos
    with store_conn(store, write=True) as (conn, s):
        policy = (set_dials(conn, s.id, label, changes, actor="cli") if changes
                  else get_policy(conn, s.id, label))  # fmt: skip
    if as_json:
        console.print_json(json.dumps(policy.model_dump(mode="json")))
        return
    table = Table("dial", "value", title=f"Escalation dials of {label}")
    table.add_row("default threshold", f"{policy.default_threshold:.2f}")
    for intent, value in sorted(policy.thresholds.items()):
        table.add_row(f"threshold {intent}", f"{value:.2f}")
    table.add_row("always human", ", ".join(policy.always_human) or "-")
    table.add_row("sensitive intents", "all" if policy.sensitive_all
                  else ", ".join(policy.sensitive_intents) or "-")  # fmt: skip
    table.add_row("negative sentiment at or below", f"{policy.negative_sentiment:.2f}")
    table.add_row("out of scope", "escalate" if policy.escalate_out_of_scope else "answer")
    console.print(table)


def chat(
    message: Annotated[
        list[str] | None,
        typer.Option("--message", "-m", help="Say this and exit (repeatable); else interactive."),
    ] = None,
    conversation: Annotated[
        str | None, typer.Option(help="Conversation id (continue one); default a new one.")
    ] = None,
    version: Annotated[str | None, typer.Option(help="Agent version whose dials apply.")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show the trace.")] = False,
    store: StoreOpt = None,
) -> None:
    """Talk to the store's agent in the terminal; every turn is stored as a trace."""
    import uuid

    from shopcoach.agent.factory import build_agent, load_conversation
    from shopcoach.agent.traces import save_turn

    settings, db = store_db()
    with db.connect() as conn:
        s = get_store(conn, store or settings.default_store)
        conv = load_conversation(conn, s.id, conversation or f"chat-{uuid.uuid4().hex[:10]}")
    agent = build_agent(db, settings, s, version=version)
    how = "" if message else " · empty line or Ctrl-D ends"
    console.print(f"[dim]conversation {conv.conversation_id} · store {s.slug}{how}[/dim]")
    lines = iter(message) if message else None
    while True:
        if lines is not None:
            text = next(lines, None)
        else:
            try:
                text = console.input("[bold]you>[/bold] ")
            except EOFError:
                text = None
        if not text or not text.strip():
            break
        turn = agent.respond(conv, text.strip())
        with db.begin() as conn:
            save_turn(conn, s.id, turn)
        why = ", ".join(turn.reasons)
        tag = "" if turn.action == "answer" else f" [yellow](escalated: {why})[/]"
        console.print(f"[bold green]agent>[/bold green] {turn.reply}{tag}")
        if verbose:
            console.print(f"[dim]intent {turn.intent} ({turn.confidence:.2f}) · used "
                          f"{', '.join(turn.used) or '-'} · grounding {turn.grounding.get('ok')} "
                          f"· {turn.latency_ms:.1f} ms[/dim]")  # fmt: skip
