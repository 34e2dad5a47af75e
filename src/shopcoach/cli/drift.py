"""``shopcoach drift …``: run the drift detectors on the store, list findings, list detectors."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated

import typer
from rich.table import Table

from shopcoach.cli.common import console, store_conn
from shopcoach.drift import get_detector
from shopcoach.drift.store import STORE_DETECTORS, list_findings, run_drift

app = typer.Typer(
    help="Drift: what moved this week vs the weeks before (R-MON-4).", no_args_is_help=True
)
StoreOpt = Annotated[str | None, typer.Option(help="Store slug (default: the default store).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


@app.command("run")
def run(
    detector: Annotated[
        list[str] | None,
        typer.Option(
            help=f"Detector to run; repeatable (default all: {', '.join(STORE_DETECTORS)})."
        ),
    ] = None,
    days: Annotated[int, typer.Option(min=1, help="Current window: the last N days.")] = 7,
    reference_days: Annotated[
        int, typer.Option(min=1, help="Reference window: the N days before the current one.")
    ] = 28,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Compare the last --days with the --reference-days before; store and print the findings."""
    with store_conn(store, write=True) as (conn, target):
        results = run_drift(
            conn,
            target.id,
            detectors=detector or None,
            window=timedelta(days=days),
            reference=timedelta(days=reference_days),
        )
    if as_json:
        console.print_json(json.dumps({"results": [r.model_dump(mode="json") for r in results]}))
        return
    table = Table("detector", "drifted", "severity", "n ref", "n cur", "summary")
    for r in results:
        table.add_row(
            r.detector,
            "[red]yes[/]" if r.drifted else "no",
            r.severity,
            f"{r.n_reference:,}",
            f"{r.n_current:,}",
            r.summary,
        )
    console.print(table)


@app.command("list")
def list_(
    detector: Annotated[str | None, typer.Option(help="Only this detector.")] = None,
    drifted: Annotated[bool, typer.Option("--drifted", help="Only findings that drifted.")] = False,
    limit: Annotated[int, typer.Option(min=1, help="How many, newest first.")] = 50,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Stored drift findings, newest window first."""
    with store_conn(store) as (conn, target):
        rows = list_findings(
            conn, target.id, detector=detector, drifted=True if drifted else None, limit=limit
        )
    if as_json:
        console.print_json(json.dumps({"findings": rows}))
        return
    table = Table("window", "detector", "drifted", "severity", "summary")
    for f in rows:
        window = f"{f['window_start'][:16]} – {f['window_end'][:16]}"
        table.add_row(
            window,
            f["detector"],
            "[red]yes[/]" if f["drifted"] else "no",
            str(f["severity"]),
            f["summary"],
        )
    console.print(table)


@app.command("detectors")
def detectors(as_json: JsonOpt = False) -> None:
    """The detectors that run on the store, with their default thresholds."""
    specs = [get_detector(n) for n in STORE_DETECTORS]
    if as_json:
        console.print_json(
            json.dumps(
                {
                    "detectors": [
                        {"name": s.name, "summary": s.summary, "defaults": s.defaults()}
                        for s in specs
                    ]
                }
            )
        )
        return
    table = Table("name", "what", "defaults")
    for s in specs:
        table.add_row(s.name, s.summary, ", ".join(f"{k}={v}" for k, v in s.defaults().items()))
    console.print(table)
