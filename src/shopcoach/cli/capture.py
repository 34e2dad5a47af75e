"""``shopcoach ingest …``, ``stats``, ``show`` and ``serve``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Annotated, Any, Literal

import orjson
import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from shopcoach.capture.fileimport import ImportReport, import_file
from shopcoach.capture.importers import readers
from shopcoach.capture.validate import RecordError
from shopcoach.cli.common import console, store_conn, store_db
from shopcoach.conversations import get_conversation
from shopcoach.stats import conversation_stats

ingest_app = typer.Typer(help="Import conversations or signals from files.", no_args_is_help=True)

StoreOpt = Annotated[str | None, typer.Option(help="Store slug (default: the default store).")]
FormatOpt = Annotated[str, typer.Option("--format", help=f"File format: {', '.join(readers())}.")]
RestartOpt = Annotated[
    bool,
    typer.Option(
        help="Ignore the checkpoint and re-read the file from the start (still idempotent)."
    ),
]
RejectsOpt = Annotated[
    Path | None,
    typer.Option(help="Write every rejected record (line, field, reason) to this JSONL file."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]


def _run_import(
    kind: Literal["conversations", "signals"],
    path: Path,
    store: str | None,
    fmt: str,
    restart: bool,
    rejects: Path | None,
    as_json: bool,
) -> None:
    settings, db = store_db()
    slug = store or settings.default_store
    sink: IO[bytes] | None = rejects.open("wb") if rejects else None

    def on_reject(err: RecordError) -> None:
        if sink:
            sink.write(orjson.dumps({"line": err.index, **err.to_dict()}) + b"\n")

    progress = Progress(
        TextColumn(f"Importing {kind}"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[counts]}"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=as_json,
    )
    try:
        with progress:
            task = progress.add_task(
                kind, total=path.stat().st_size if path.is_file() else 0, counts=""
            )

            def on_progress(done: int, total: int, run: object) -> None:
                progress.update(
                    task, completed=done, counts=f"{getattr(run, 'accepted', 0):,} accepted"
                )

            report = import_file(
                db,
                path,
                kind,
                slug,
                fmt=fmt,
                chunk_size=settings.import_chunk_size,
                workers=settings.import_workers,
                restart=restart,
                on_progress=on_progress,
                on_reject=on_reject,
            )
    finally:
        if sink:
            sink.close()
    if as_json:
        console.print_json(json.dumps(report.to_dict()))
    else:
        _print_report(report, rejects)
    if report.rejected_total and not report.result.accepted:
        raise typer.Exit(1)


def _print_report(report: ImportReport, rejects: Path | None) -> None:
    r = report.result
    if report.already_done:
        console.print(
            f"{report.path} was already imported completely (to line "
            f"{report.resumed_at_line:,}); nothing to do. Use --restart to re-read it."
        )
        return
    if report.resumed_at_line:
        console.print(f"Resumed after line {report.resumed_at_line:,} (checkpoint).")
    rate = r.received / report.seconds if report.seconds else 0
    console.print(
        f"[bold]{report.kind}[/]: {r.received:,} read, [green]{r.accepted:,} accepted[/] "
        f"({r.created:,} new, {r.updated:,} updated, {r.unchanged:,} unchanged), "
        f"[red]{report.rejected_total:,} rejected[/] in {report.seconds:.1f}s ({rate:,.0f}/s)."
    )
    if r.rejected:
        table = Table("line", "external_id", "field", "reason", title="Rejected records")
        for e in r.rejected[:20]:
            table.add_row(str(e.index), e.external_id or "", e.field or "(record)", e.reason)
        console.print(table)
        more = report.rejected_total - min(20, len(r.rejected))
        if more > 0:
            where = (
                f" All of them are in {rejects}."
                if rejects
                else " Use --rejects FILE to write them all."
            )
            console.print(f"… and {more:,} more.{where}")


@ingest_app.command("conversations")
def ingest_conversations(
    path: Annotated[Path, typer.Argument(help="JSONL file, one conversation per line.")],
    store: StoreOpt = None,
    fmt: FormatOpt = "jsonl",
    restart: RestartOpt = False,
    rejects: RejectsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import conversations (with their messages); resumable and idempotent."""
    _run_import("conversations", path, store, fmt, restart, rejects, as_json)


@ingest_app.command("signals")
def ingest_signals(
    path: Annotated[Path, typer.Argument(help="JSONL file, one signal per line.")],
    store: StoreOpt = None,
    fmt: FormatOpt = "jsonl",
    restart: RestartOpt = False,
    rejects: RejectsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import signals (CSAT, thumbs, escalations, …); resumable and idempotent."""
    _run_import("signals", path, store, fmt, restart, rejects, as_json)


def stats(
    store: StoreOpt = None,
    days: Annotated[
        int, typer.Option(help="Window in days, ending at the latest conversation.")
    ] = 30,
    as_json: JsonOpt = False,
) -> None:
    """Counts by day, outcome and channel."""
    with store_conn(store) as (conn, target):
        result = conversation_stats(conn, target.id, target.slug, days=days)
    if as_json:
        console.print_json(json.dumps(result.to_dict()))
        return
    window = (
        f"{result.since:%Y-%m-%d} to {result.until:%Y-%m-%d} (exclusive)"
        if result.since and result.until
        else "no data yet"
    )
    console.print(
        f"[bold]Store {result.store}[/] — {window}: {result.conversations:,} "
        f"conversations, {result.messages:,} messages, {result.signals:,} signals"
    )
    days_table = Table("day", "conversations", title="By day")
    for row in result.by_day:
        days_table.add_row(row["day"], f"{row['conversations']:,}")
    console.print(days_table)
    for title, data in (
        ("By outcome", result.by_outcome),
        ("By channel", result.by_channel),
        ("Handled by", result.by_handled_by),
        ("Signals by type", result.signals_by_type),
    ):
        table = Table(title.split()[-1], "count", title=title)
        for k, n in data.items():
            table.add_row(k, f"{n:,}")
        console.print(table)


def show(
    external_id: Annotated[str, typer.Argument(help="The conversation's external_id.")],
    store: StoreOpt = None,
) -> None:
    """Print one stored conversation (as redacted) with its signals, as JSON."""
    with store_conn(store) as (conn, target):
        console.print_json(json.dumps(get_conversation(conn, target.id, external_id)))


def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).")] = None,
    workers: Annotated[
        int, typer.Option(help="Server processes; more than one lets ingest use several cores.")
    ] = 1,
) -> None:
    """Run the HTTP API (OpenAPI at /openapi.json, docs at /docs)."""
    import os

    import uvicorn

    from shopcoach.api.app import create_app

    settings, db = store_db()  # checks the schema before anything starts
    options: dict[str, Any] = {
        "host": host or settings.host,
        "port": port or settings.port,
        "log_level": settings.log_level.lower(),
    }
    if workers <= 1:
        uvicorn.run(create_app(settings, db), **options)
        return
    db.close()
    # Worker processes build their own app from the environment: pass the settings on.
    os.environ["SHOPCOACH_DATABASE_URL"] = settings.resolved_database_url()
    os.environ["SHOPCOACH_HOME"] = str(settings.home)
    uvicorn.run("shopcoach.api.app:create_app", factory=True, workers=workers, **options)
