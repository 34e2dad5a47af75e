"""``shopcoach review …``: the weekly coaching pack (and, mounted here, knowledge gaps)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from shopcoach.cli import gaps
from shopcoach.cli.common import console, store_db
from shopcoach.errors import ValidationFailed

app = typer.Typer(help="The weekly coaching pack: what to change this week, and why.",
                  no_args_is_help=True)  # fmt: skip

app.add_typer(gaps.app, name="gaps")

FORMATS = ("md", "html", "json")


@app.command("weekly")
def weekly(
    week: Annotated[
        str | None, typer.Option(help="ISO week, e.g. 2026-W47 (default: the last full week).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="md, html or json.")] = "md",
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None,
    no_gaps: Annotated[
        bool, typer.Option("--no-gaps", help="Skip knowledge-gap mining (the slowest part).")
    ] = False,
    store: Annotated[str | None, typer.Option(help="Store slug (default store).")] = None,
) -> None:
    """Build the weekly pack: resolution trend, escalations, the 10 worst conversations,
    knowledge gaps, stale knowledge, alerts and drift, dials, the fix list, and 3-5 ranked
    recommended changes (R-REV-1)."""
    from shopcoach.review.pack_load import build_weekly_pack
    from shopcoach.review.pack_render import html, markdown
    from shopcoach.stores import get_store

    if fmt not in FORMATS:
        raise ValidationFailed(f"--format {fmt!r} is not a format", hint="Use md, html or json.")
    settings, db = store_db()
    with db.connect() as conn:
        target = get_store(conn, store or settings.default_store)
        embedder = None if settings.embedder == "none" else settings.embedder
        pack = build_weekly_pack(conn, target, week, embedder=embedder, gaps=not no_gaps)
    data = pack.to_dict()
    text = {"md": markdown, "html": html}.get(fmt, lambda d: json.dumps(d, indent=2))(data)
    if out is not None:
        out.write_text(text, encoding="utf-8")
        console.print(f"Wrote the {pack.week} pack ({fmt}, {len(pack.recommendations)} "
                      f"recommendations) to {out}")  # fmt: skip
    elif fmt == "json":
        console.print_json(text)
    else:
        typer.echo(text)


@app.command("monthly")
def monthly(
    month: Annotated[
        str | None, typer.Option(help="Month, e.g. 2026-11 (default: the last full month).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None,
    store: Annotated[str | None, typer.Option(help="Store slug (default store).")] = None,
) -> None:
    """The monthly leadership summary: automation rate and CSAT (AI vs human) against last
    month, improvements made with their measured effect, open issues, and the week-1 random
    sample of 50 conversations for people to score (R-REV-3)."""
    from shopcoach.review.calendar import monthly_summary
    from shopcoach.review.calendar_render import monthly_markdown
    from shopcoach.stores import get_store

    settings, db = store_db()
    with db.connect() as conn:
        data = monthly_summary(conn, get_store(conn, store or settings.default_store), month)
    _emit(data.to_dict(), monthly_markdown, as_json, out)


@app.command("campaign")
def campaign(
    since: Annotated[str, typer.Option(help="Campaign start (YYYY-MM-DD).")],
    until: Annotated[str, typer.Option(help="Campaign end, exclusive (YYYY-MM-DD).")],
    tag: Annotated[str | None, typer.Option(help="Also report conversations tagged so.")] = None,
    baseline: Annotated[
        str | None, typer.Option(help="A pinned baseline (`shopcoach metrics baseline pin`).")
    ] = None,
    baseline_since: Annotated[str | None, typer.Option(help="Or a baseline period: start.")] = None,
    baseline_until: Annotated[str | None, typer.Option(help="… and its end (exclusive).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None,
    store: Annotated[str | None, typer.Option(help="Store slug (default store).")] = None,
) -> None:
    """Post-campaign report: the campaign's range (and its tagged conversations) against a
    baseline (R-REV-4)."""
    from shopcoach.metrics.periods import parse_when
    from shopcoach.review.calendar import campaign_report
    from shopcoach.review.calendar_render import campaign_markdown
    from shopcoach.stores import get_store

    start, end = parse_when(since, field="--since"), parse_when(until, field="--until")
    assert start is not None and end is not None
    settings, db = store_db()
    with db.connect() as conn:
        report = campaign_report(
            conn, get_store(conn, store or settings.default_store), since=start, until=end,
            tag=tag, baseline=baseline,
            baseline_since=parse_when(baseline_since, field="--baseline-since"),
            baseline_until=parse_when(baseline_until, field="--baseline-until"),
        )  # fmt: skip
    _emit(report.to_dict(), campaign_markdown, as_json, out)


def _emit(data: dict, render: object, as_json: bool, out: Path | None) -> None:
    text = json.dumps(data, indent=2, default=str) if as_json else render(data)  # type: ignore[operator]
    if out is not None:
        out.write_text(text, encoding="utf-8")
        console.print(f"Wrote {out}")
    elif as_json:
        console.print_json(text)
    else:
        typer.echo(text)
