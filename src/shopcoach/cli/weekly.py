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
