"""``shopcoach score …``: rubric scoring, human labels, agreement, review queue, flags.

Thin: parse options, one library call, render with Rich (``--json`` for machines).
"""

from __future__ import annotations

import json
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from shopcoach import scoring
from shopcoach.cli.common import console, store_db
from shopcoach.errors import ValidationFailed
from shopcoach.scoring.judges import describe
from shopcoach.stores import get_store

app = typer.Typer(
    help="Score conversations (accuracy, relevance, tone, resolution).", no_args_is_help=True
)
config_app = typer.Typer(help="Show or set the store's scoring config.", no_args_is_help=True)
app.add_typer(config_app, name="config")

StoreOpt = Annotated[str | None, typer.Option(help="Store slug (default: the default store).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
LimitOpt = Annotated[int, typer.Option(min=1, help="Most rows to print.")]


def _store_id(store: str | None) -> tuple[Any, Any, int]:
    settings, db = store_db()
    with db.connect() as conn:
        return settings, db, get_store(conn, store or settings.default_store).id


def _print(data: Any) -> None:
    console.print_json(json.dumps(data, default=str))


@app.command("run")
def run(
    store: StoreOpt = None,
    full: Annotated[bool, typer.Option("--full", help="Rescore every conversation.")] = False,
    since: Annotated[
        datetime | None,
        typer.Option(help="Only conversations started since (UTC), e.g. 2026-11-01."),
    ] = None,
    chunk_size: Annotated[int, typer.Option(min=1, help="Conversations per chunk.")] = 2000,
    as_json: JsonOpt = False,
) -> None:
    """Score new and changed conversations (incremental; a re-run writes nothing)."""
    settings, db, sid = _store_id(store)
    report = scoring.score_conversations(
        db, sid, settings=settings, full=full, since=since, chunk_size=chunk_size
    )
    if as_json:
        _print(report.to_dict())
        return
    rate = report.considered / report.seconds if report.seconds else 0.0
    console.print(
        f"Scored {report.scored:,} of {report.considered:,} conversations "
        f"({report.unchanged:,} unchanged, {report.not_applicable:,} with nothing to judge) "
        f"with config v{report.config_version}: {report.needs_review:,} need review, "
        f"{report.flags:,} hallucination flags, {report.seconds:.1f}s ({rate:,.0f}/s)."
    )


@app.command("show")
def show(
    conversation: Annotated[str, typer.Argument(help="Conversation external_id.")],
    store: StoreOpt = None,
) -> None:
    """One conversation's score: every dimension's label, reason, evidence; its flags."""
    _, db, sid = _store_id(store)
    with db.connect() as conn:
        _print(scoring.get_score(conn, sid, conversation))


@app.command("label")
def label(
    conversation: Annotated[str, typer.Argument(help="Conversation external_id.")],
    dimension: Annotated[str, typer.Option(help="accuracy, relevance, tone or resolution.")],
    label_: Annotated[str, typer.Option("--label", help="pass, partial or fail.")],
    note: Annotated[str | None, typer.Option(help="Why (kept with the label).")] = None,
    labeler: Annotated[str, typer.Option(help="Who labels.")] = "cli",
    store: StoreOpt = None,
) -> None:
    """Record a human label (it overrides the judge) and rescore the conversation."""
    settings, db, sid = _store_id(store)
    result = scoring.record_label(
        db, sid, conversation, dimension, label_, labeler=labeler, note=note, settings=settings
    )
    dim = result.get("dimensions", {}).get(dimension, {})
    console.print(
        f"Labelled {conversation} {dimension}={label_} (judge said "
        f"{dim.get('judge_label')}); total now {result.get('total')}."
    )


@app.command("agreement")
def agreement(store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Cohen's kappa of each judge against the human labels, per dimension."""
    _, db, sid = _store_id(store)
    with db.connect() as conn:
        rows = scoring.agreement(conn, sid)
    if as_json:
        _print([r.to_dict() for r in rows])
        return
    table = Table("dimension", "judge", "labels", "kappa", "agreement", title="Judge vs human")
    for r in rows:
        table.add_row(
            r.dimension,
            r.judge,
            str(r.n),
            f"{r.kappa:.3f}" if r.kappa is not None else "-",
            f"{r.observed:.1%}" if r.observed is not None else "-",
        )
    console.print(table if rows else "No human labels on scored conversations yet.")


@app.command("review-queue")
def review_queue(store: StoreOpt = None, limit: LimitOpt = 50, as_json: JsonOpt = False) -> None:
    """Conversations that need review: fail on accuracy, or partial on relevance and tone."""
    _, db, sid = _store_id(store)
    with db.connect() as conn:
        rows = scoring.review_queue(conn, sid, limit=limit)
    if as_json:
        _print(rows)
        return
    table = Table("conversation", "started", "total", *scoring.DIMENSIONS, title="Review queue")
    for r in rows:
        table.add_row(
            r["conversation"],
            r["started_at"],
            f"{r['total']:.1f}",
            *(r["labels"][d] or "-" for d in scoring.DIMENSIONS),
        )
    console.print(table)


@app.command("flags")
def flags(
    store: StoreOpt = None,
    kind: Annotated[
        str | None,
        typer.Option(help="price, stock, size, delivery_time, policy_window or product."),
    ] = None,
    limit: LimitOpt = 50,
    as_json: JsonOpt = False,
) -> None:
    """Hallucination flags: each contradicted claim with the verified value."""
    _, db, sid = _store_id(store)
    with db.connect() as conn:
        rows = scoring.list_flags(conn, sid, kind=kind, limit=limit)
    if as_json:
        _print(rows)
        return
    table = Table(
        "conversation", "msg", "kind", "claimed", "verified", "source", title="Hallucination flags"
    )
    for r in rows:
        table.add_row(
            r["conversation"],
            str(r["message_seq"]),
            r["kind"],
            r["claimed"],
            r["verified"] or "(no such product)",
            r["source"] or "-",
        )
    console.print(table)


@app.command("judges")
def list_judges() -> None:
    """Every registered judge and the dimensions it can judge."""
    _print([describe(s) for s in scoring.judges().values()])


@config_app.command("show")
def config_show(store: StoreOpt = None) -> None:
    """Print the active config (version 0 is the built-in default) as JSON."""
    _, db, sid = _store_id(store)
    with db.connect() as conn:
        active = scoring.active_config(conn, sid)
    _print(
        {
            "version": active.version,
            "created_by": active.created_by,
            "created_at": active.created_at,
            "config": active.config.dump(),
        }
    )


@config_app.command("set")
def config_set(
    file: Annotated[Path, typer.Argument(help="JSON or TOML file with the config.")],
    store: StoreOpt = None,
) -> None:
    """Save a config from a file as a new version (nothing changes if it is identical)."""
    if not file.is_file():
        raise ValidationFailed(f"{file} does not exist.", hint="Pass the path of a config file.")
    raw = file.read_bytes()
    try:
        data = tomllib.loads(raw.decode()) if file.suffix == ".toml" else json.loads(raw)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise ValidationFailed(
            f"{file} is not valid {file.suffix.lstrip('.') or 'JSON'}: {exc}",
            hint="Fix the syntax; `score config show` prints a valid config.",
        ) from exc
    data = data.get("config", data) if isinstance(data, dict) else data
    config = scoring.parse_config(data, where=str(file))
    _, db, sid = _store_id(store)
    with db.begin() as conn:
        active, created = scoring.save_config(conn, sid, config, actor="cli")
    console.print(
        f"Scoring config v{active.version} "
        + (
            "saved; the next `score run` rescores every conversation."
            if created
            else "unchanged (identical to the active version)."
        )
    )
