"""``shopcoach init`` and ``shopcoach db …``: create and migrate the store."""

from __future__ import annotations

from typing import Annotated

import typer

from shopcoach.cli.common import console, store_db
from shopcoach.store.migrate import current_revision, head_revision, upgrade
from shopcoach.stores import ensure_store

app = typer.Typer(help="Database schema: upgrade, status.", no_args_is_help=True)


@app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the schema this version needs (safe to re-run)."""
    _, db = store_db(check=False)
    before, after = upgrade(db.engine)
    if before == after:
        console.print(f"Database {db.display_url} is up to date (revision {after}).")
    else:
        console.print(f"Migrated {db.display_url} from {before or 'empty'} to {after}.")


@app.command("status")
def db_status() -> None:
    """Show the database's schema revision and the one this version needs."""
    _, db = store_db(check=False)
    current, head = current_revision(db.engine), head_revision()
    state = "up to date" if current == head else "needs `shopcoach db upgrade`"
    console.print(f"{db.display_url}: revision {current or 'none'}, needs {head} — {state}.")


def init(
    store: Annotated[str | None, typer.Option(help="Slug of the store to create.")] = None,
    name: Annotated[str | None, typer.Option(help="Display name of the store.")] = None,
) -> None:
    """Create the data folder and database, migrate it, and create the default store."""
    settings, db = store_db(check=False)
    settings.home.mkdir(parents=True, exist_ok=True)
    before, after = upgrade(db.engine)
    slug = store or settings.default_store
    with db.begin() as conn:
        _, created = ensure_store(conn, slug, name, actor="cli")
    console.print(
        f"Database: {db.display_url} (schema {after}{'' if before == after else ', migrated'})"
    )
    console.print(f"Store: {slug} ({'created' if created else 'already there'})")
    console.print("Next: [bold]shopcoach ingest conversations FILE[/] — see docs/import-schema.md")
