"""``shopcoach stores …``: tenants."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from shopcoach.cli.common import console, store_db
from shopcoach.stores import ensure_store, list_stores

app = typer.Typer(help="Stores (tenants): create, list.", no_args_is_help=True)


@app.command("create")
def create(
    slug: Annotated[str, typer.Argument(help="Short id, e.g. juniper-pine.")],
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
) -> None:
    """Create a store (no-op if it exists)."""
    _, db = store_db()
    with db.begin() as conn:
        _, created = ensure_store(conn, slug, name, actor="cli")
    console.print(f"Store {slug} {'created' if created else 'already exists'}.")


@app.command("list")
def list_() -> None:
    """List stores."""
    _, db = store_db()
    with db.connect() as conn:
        rows = list_stores(conn)
    table = Table("slug", "name", "redaction")
    for s in rows:
        kinds = [k for k, v in s.redaction_policy.items() if v is True]
        table.add_row(s.slug, s.name, ", ".join(kinds))
    console.print(table)
