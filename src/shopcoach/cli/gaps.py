"""``shopcoach review gaps``: this week's knowledge-gap topics, with last week's counts."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from shopcoach.cli.common import console, store_db
from shopcoach.review.gaps_report import GapReport, gap_report
from shopcoach.stores import get_store

app = typer.Typer(help="Knowledge gaps: unanswered and wrongly answered questions, by topic.")


def embedder_for(setting: str) -> str:
    """The knowledge-search embedder setting, for gap mining (``none`` means LSA)."""
    return "lsa" if setting == "none" else setting


@app.callback(invoke_without_command=True)
def gaps(
    week: Annotated[
        str | None, typer.Option(help="ISO week, e.g. 2026-W47 (default: the last full week).")
    ] = None,
    store: Annotated[
        str | None, typer.Option(help="Store slug (default: the default store).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    top: Annotated[int, typer.Option(help="Topics shown in the table.")] = 20,
) -> None:
    """Cluster the week's unanswered, escalated and wrongly answered questions into topics."""
    settings, db = store_db()
    try:
        with db.connect() as conn:
            target = get_store(conn, store or settings.default_store)
            report = gap_report(
                conn, target.id, week, store_slug=target.slug,
                embedder=embedder_for(settings.embedder),
            )  # fmt: skip
    finally:
        db.close()  # also when run on its own, outside the main app's context
    if as_json:
        console.print_json(json.dumps(report.to_dict(), default=str))
        return
    render(report, top)


def render(report: GapReport, top: int = 20) -> None:
    console.print(
        f"[bold]Knowledge gaps {report.week}[/] (store {report.store}): "
        f"{report.n_questions:,} gap questions ({report.n_previous:,} in {report.previous_week}), "
        f"{len(report.topics)} topics, {report.unclustered:,} unclustered; "
        f"embedder {report.embedder}"
    )
    table = Table("topic", "count", "last week", "trend", "reasons", "nearest article", "example")
    for t in report.topics[:top]:
        reasons = ", ".join(f"{k} {v}" for k, v in t.reasons.items() if v)
        art = "-"
        if t.article:
            mark = "covered" if t.article.covered else "gap"
            art = f"{t.article.title} ({t.article.score:.2f}, {mark})"
        example = t.examples[0].text if t.examples else ""
        table.add_row(t.label, str(t.count), str(t.last_week_count), t.trend or "", reasons, art,
                      example[:80])  # fmt: skip
    console.print(table)
    if report.gone:
        names = ", ".join(f"{t.label} ({t.last_week_count} -> {t.count})" for t in report.gone)
        console.print(f"Last week's topics not matched this week: {names}")
