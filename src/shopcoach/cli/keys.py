"""``shopcoach keys …`` and ``shopcoach audit``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from shopcoach.audit import entries
from shopcoach.cli.common import console, store_conn, store_db
from shopcoach.keys import SCOPES, create_key, list_keys, revoke_key
from shopcoach.stores import get_store

app = typer.Typer(help="API keys: create, list, revoke.", no_args_is_help=True)


def _when(value: object) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else "—"


@app.command("create")
def create(
    name: Annotated[str, typer.Option(help="What the key is for, e.g. 'shop backend'.")],
    scope: Annotated[
        list[str], typer.Option(help=f"Scope; repeat for several: {', '.join(SCOPES)}.")
    ],
    store: Annotated[
        str | None, typer.Option(help="Store slug (default: the default store).")
    ] = None,
) -> None:
    """Create an API key. The key is printed once; only its hash is stored."""
    with store_conn(store, write=True) as (conn, target):
        plain, info = create_key(conn, target.id, name, scope, actor="cli")
    console.print(
        f"Created key [bold]{info.prefix}[/] for store {info.store_slug} with scopes "
        f"{', '.join(info.scopes)}. Store it now; it is not shown again:"
    )
    console.print(plain, soft_wrap=True, highlight=False)


@app.command("list")
def list_(store: Annotated[str | None, typer.Option(help="Only this store.")] = None) -> None:
    """List API keys (never the secrets)."""
    _, db = store_db()
    with db.connect() as conn:
        store_id = get_store(conn, store).id if store else None
        rows = list_keys(conn, store_id)
    table = Table("prefix", "store", "name", "scopes", "created", "last used", "revoked")
    for k in rows:
        table.add_row(
            k.prefix,
            k.store_slug,
            k.name,
            ",".join(k.scopes),
            _when(k.created_at),
            _when(k.last_used_at),
            _when(k.revoked_at),
        )
    console.print(table)


@app.command("revoke")
def revoke(
    prefix: Annotated[str, typer.Argument(help="The key's prefix (see keys list).")],
) -> None:
    """Revoke a key; requests with it get 401 from now on."""
    _, db = store_db()
    with db.begin() as conn:
        info = revoke_key(conn, prefix, actor="cli")
    console.print(f"Key {info.prefix} revoked at {_when(info.revoked_at)} UTC.")


def audit_log(
    store: Annotated[str | None, typer.Option(help="Only this store.")] = None,
    limit: Annotated[int, typer.Option(help="How many entries, newest first.")] = 50,
) -> None:
    """Show the append-only audit log."""
    _, db = store_db()
    with db.connect() as conn:
        store_id = get_store(conn, store).id if store else None
        rows = entries(conn, store_id=store_id, limit=limit)
    table = Table("at (UTC)", "actor")
    table.add_column("action", no_wrap=True)
    table.add_column("target", no_wrap=True)
    table.add_column("details", overflow="fold")
    for e in rows:
        table.add_row(_when(e.at), e.actor, e.action, e.target or "", str(e.details or ""))
    console.print(table)
