"""``shopcoach kb import``: load products and help articles into the knowledge base."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from shopcoach.cli.common import console, store_db
from shopcoach.kb.api import KbImportResult, import_kb
from shopcoach.kb.sources import formats

app = typer.Typer(help="The knowledge base: products and help articles.", no_args_is_help=True)

_FORMAT_NAMES = sorted({name for _, name in formats()})
SHOWN = 20


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="A products file, or an articles file or folder.")],
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="products or articles (default: from the file)."),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", help=f"One of {', '.join(_FORMAT_NAMES)} (default: detected)."),
    ] = None,
    store: Annotated[str | None, typer.Option(help="Store slug (default: the default store).")]
    = None,
    prune: Annotated[
        bool,
        typer.Option(help="The file is the full set: archive items of this kind it lacks."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    index: Annotated[
        bool, typer.Option(help="Update the search index (embeds only what changed).")
    ] = True,
) -> None:
    """Import products (CSV, JSONL, Shopify export) or articles (Markdown, HTML, JSONL).

    Unchanged items are left alone, changed ones get a new version; bad rows are listed
    with their line, field and fix, and the good rows are kept.
    """
    settings, db = store_db()
    result = import_kb(db, path, kind=kind, store=store or settings.default_store, format=fmt,
                       prune=prune)  # fmt: skip
    synced = None
    if index and (result.created or result.updated or result.archived or result.restored):
        from shopcoach.kb.search import sync_store_index
        from shopcoach.stores import get_store

        with db.connect() as conn:
            target = get_store(conn, store or settings.default_store)
        synced = sync_store_index(db, target, settings.home)
    if as_json:
        data = result.to_dict()
        if synced is not None:
            data["index"] = {"added": synced.added, "updated": synced.updated,
                             "removed": synced.removed, "embedded": synced.embedded}  # fmt: skip
        console.print_json(json.dumps(data))
    else:
        _print(result)
        if synced is not None:
            console.print(
                f"Search index: {synced.added} added, {synced.updated} updated, "
                f"{synced.removed} removed, {synced.embedded} texts embedded."
            )
    if result.rejected and not result.accepted:
        raise typer.Exit(1)


@app.command("audit")
def audit(
    today: Annotated[
        str | None, typer.Option(help="Audit as of this date (YYYY-MM-DD); default today.")
    ] = None,
    stale_days: Annotated[
        int | None, typer.Option(help="Articles not reviewed for this many days are stale.")
    ] = None,
    store: Annotated[str | None, typer.Option(help="Store slug (default: the default store).")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="The full report as JSON.")] = False,
    show: Annotated[int, typer.Option(help="Findings shown per check.")] = 5,
) -> None:
    """Hygiene audit: stale, duplicate and conflicting articles, weak product copy, SKU terms,
    orphaned categories, seasonal content to load or archive, top articles due for review."""
    from datetime import date

    from shopcoach.kb.audit import AuditConfig, audit_summary_lines
    from shopcoach.kb.audit_load import audit_store
    from shopcoach.stores import get_store

    settings, db = store_db()
    config = AuditConfig() if stale_days is None else AuditConfig(stale_days=stale_days)
    when = date.fromisoformat(today) if today else date.today()
    with db.connect() as conn:
        target = get_store(conn, store or settings.default_store)
        report = audit_store(conn, target.id, today=when, config=config)
    if as_json:
        console.print_json(report.model_dump_json())
        return
    for line in audit_summary_lines(report):
        console.print(line)
    for name, section in report.sections().items():
        for finding in section.findings[:show]:
            console.print(f"  [bold]{name}[/bold]: {finding.message} [dim]→ {finding.fix}[/dim]")


def _print(r: KbImportResult) -> None:
    extra = f", {r.chunks:,} chunks" if r.kind == "article" else ""
    console.print(
        f"[bold]{r.kind}s[/] ({r.format}) from {r.path}: {r.received:,} read — "
        f"[green]{r.created:,} created[/], {r.updated:,} updated, {r.unchanged:,} unchanged, "
        f"{r.restored:,} restored, {r.archived:,} archived, [red]{len(r.rejected):,} rejected[/],"
        f" {len(r.skipped):,} skipped{extra} in {r.seconds:.1f}s."
    )
    if r.rejected:
        table = Table("line", "key", "field", "reason", title="Rejected rows")
        for e in r.rejected[:SHOWN]:
            table.add_row(str(e.index), e.external_id or "", e.field or "(row)", e.reason)
        console.print(table)
        if len(r.rejected) > SHOWN:
            console.print(f"… and {len(r.rejected) - SHOWN:,} more (use --json to see all).")
    if r.skipped:
        table = Table("line", "key", "reason", title="Skipped rows")
        for s in r.skipped[:SHOWN]:
            table.add_row(str(s.line), s.key, s.reason)
        console.print(table)
    if r.near_duplicates:
        console.print(
            f"{len(r.near_duplicates):,} near-duplicates kept (e.g. {r.near_duplicates[0].key} ≈ "
            f"{r.near_duplicates[0].of_key}, similarity {r.near_duplicates[0].similarity:.2f}); "
            "--json lists them."
        )
