"""``shopcoach stores …``: tenants."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError as PydanticValidationError
from rich.table import Table

from shopcoach.cli.common import console, store_db
from shopcoach.errors import ValidationFailed
from shopcoach.redaction import PLACEHOLDERS, RedactionPolicy
from shopcoach.stores import ensure_store, get_store, list_stores, set_redaction_policy

app = typer.Typer(help="Stores (tenants): create, list, redaction policy.", no_args_is_help=True)


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


@app.command("redaction")
def redaction(
    slug: Annotated[str, typer.Argument(help="The store.")],
    policy_file: Annotated[
        Path | None, typer.Option("--file", help="JSON policy to set (see docs/redaction.md).")
    ] = None,
    disable: Annotated[
        list[str] | None,
        typer.Option(
            help="Kind to stop redacting (email, phone, card, address, gov_id); repeatable."
        ),
    ] = None,
    enable: Annotated[
        list[str] | None, typer.Option(help="Kind to redact again; repeatable.")
    ] = None,
) -> None:
    """Show or change a store's redaction policy (applies to what is captured from now on)."""
    _, db = store_db()
    with db.begin() as conn:
        current = RedactionPolicy.model_validate(get_store(conn, slug).redaction_policy)
        if policy_file is None and not disable and not enable:
            console.print_json(current.model_dump_json())
            return
        data = (
            json.loads(policy_file.read_text()) if policy_file else current.model_dump(mode="json")
        )
        for kind, value in [(k, False) for k in disable or []] + [(k, True) for k in enable or []]:
            if kind not in PLACEHOLDERS:
                raise ValidationFailed(
                    f"Unknown redaction kind {kind!r}.",
                    hint=f"Use one of: {', '.join(PLACEHOLDERS)}.",
                )
            data[kind] = value
        try:
            policy = RedactionPolicy.model_validate(data)
        except PydanticValidationError as exc:
            raise ValidationFailed(
                f"The redaction policy is not valid: {exc.errors()[0]['msg']}.",
                hint="See docs/redaction.md for the policy format.",
            ) from exc
        updated = set_redaction_policy(conn, slug, policy, actor="cli")
    console.print_json(json.dumps(updated.redaction_policy))
