"""``shopcoach demo``: the sample store and twelve weeks of the loop closing (docs/demo.md)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from shopcoach.cli.common import console, store_db


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.1%}"


def _num(x: float | None, digits: int = 1) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def demo(
    weeks: Annotated[int, typer.Option(min=1, max=12, help="Weeks to simulate (1-12).")] = 12,
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same run.")] = 7,
    per_week: Annotated[
        int, typer.Option("--per-week", min=10, help="First contacts per week.")
    ] = 400,
    out: Annotated[
        Path | None, typer.Option(help="Folder for the final weekly pack (default <home>/demo).")
    ] = None,
    store: Annotated[
        str | None, typer.Option(help="Store slug (default store; must have no conversations).")
    ] = None,
    json_out: Annotated[
        Path | None,
        typer.Option("--json", help="Also write the whole result (every week, the headline, "
                                    "the simulator's ground truth) to this JSON file."),
    ] = None,
) -> None:
    """Run the sample store "Juniper & Pine" for N simulated weeks: customers talk to the
    reference agent, the return window changes (week 4), a product line launches (week 6),
    the holidays come (weeks 8-10); every week the loop scores, alerts, finds drift and writes
    the weekly pack, and a simulated coach applies its top recommendations."""
    from shopcoach.demo.runner import run_demo
    from shopcoach.store.migrate import upgrade

    settings, db = store_db(check=False)
    settings.home.mkdir(parents=True, exist_ok=True)
    upgrade(db.engine)
    started = time.perf_counter()
    with Progress(TextColumn("[bold]week {task.fields[week]}[/]"), BarColumn(),
                  TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                  transient=True) as bar:  # fmt: skip
        task = bar.add_task("starting", total=weeks, week=f"0/{weeks}")

        def progress(week: int, total: int, stage: str) -> None:
            bar.update(task, completed=max(0, week - 1), description=stage,
                       week=f"{week}/{total}")  # fmt: skip

        result = run_demo(db, settings, weeks=weeks, seed=seed, per_week=per_week,
                          store=store or settings.default_store, out=out,
                          progress=progress)  # fmt: skip
    seconds = time.perf_counter() - started
    table = Table(title=f"Juniper & Pine — {weeks} weeks, {per_week} customers a week, "
                        f"seed {seed}")  # fmt: skip
    for name in ("week", "automation", "accuracy", "CSAT", "escalation"):
        table.add_column(name, justify="left" if name == "week" else "right", no_wrap=True)
    table.add_column("alerts fired", min_width=14)
    table.add_column("changes applied", min_width=16)
    for r in result.rows:
        week = f"{r.week} ({r.iso_week})" + "".join(f"\n[yellow]+ {k}[/]" for k in r.injected)
        applied = [escape(f"{a.what} ← {a.trigger}") for a in r.changes if a.kind != "skipped"]
        table.add_row(week, _pct(r.automation_rate), _num(r.accuracy), _num(r.csat, 2),
                      _pct(r.escalation_rate), escape("\n".join(r.alerts)) or "–",
                      "\n".join(applied) or "–")  # fmt: skip
    console.print(table)
    console.print("[bold]Headline[/]")
    for h in result.headline:
        console.print(f"  {escape(h.line())}")
    for note in result.notes:
        console.print(f"[dim]note: {escape(note)}[/]")
    for path in result.pack_files:
        console.print(f"Final weekly pack: {escape(str(path))}")
    if json_out is not None:
        data = {**result.to_dict(), "seconds": round(seconds, 1)}
        json_out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n",
                            encoding="utf-8")  # fmt: skip
        console.print(f"Result: {escape(str(json_out))}")
    console.print(f"Done in {seconds:.0f} s. See it all with [bold]shopcoach serve[/] "
                  "(same database).")  # fmt: skip
