"""Stores (tenants): every conversation, signal and key belongs to one.

A store carries its own redaction policy (R-SIG-4) and the salt that makes customer
references unlinkable across stores.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

import sqlalchemy as sa

from shopcoach import audit
from shopcoach.errors import NotFound, ValidationFailed
from shopcoach.redaction import RedactionPolicy
from shopcoach.store.records import Store
from shopcoach.store.sql import insert_for, utcnow
from shopcoach.store.tables import stores

__all__ = [
    "Store",
    "check_slug",
    "ensure_store",
    "find_stores",
    "get_store",
    "list_stores",
    "set_redaction_policy",
]

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


def _row_to_store(row: Any) -> Store:
    return Store(
        id=row.id,
        slug=row.slug,
        name=row.name,
        customer_salt=row.customer_salt,
        redaction_policy=dict(row.redaction_policy or {}),
    )


def check_slug(slug: str) -> str:
    if not SLUG.match(slug):
        raise ValidationFailed(
            f"{slug!r} is not a valid store slug.",
            hint="Use 1-63 lowercase letters, digits, '-' or '_', starting with a letter or "
            "digit, e.g. 'juniper-pine'.",
        )
    return slug


def get_store(conn: sa.Connection, slug: str) -> Store:
    row = conn.execute(sa.select(stores).where(stores.c.slug == slug)).first()
    if row is None:
        raise NotFound(
            f"There is no store {slug!r}.",
            hint=f"Create it with `shopcoach stores create {slug}` (or `shopcoach init`).",
        )
    return _row_to_store(row)


def find_stores(conn: sa.Connection, slugs: list[str]) -> dict[str, Store]:
    rows = conn.execute(sa.select(stores).where(stores.c.slug.in_(slugs)))
    return {r.slug: _row_to_store(r) for r in rows}


def list_stores(conn: sa.Connection) -> list[Store]:
    return [_row_to_store(r) for r in conn.execute(sa.select(stores).order_by(stores.c.slug))]


def ensure_store(
    conn: sa.Connection, slug: str, name: str | None = None, *, actor: str = "system"
) -> tuple[Store, bool]:
    """Get the store ``slug``, creating it if needed; returns (store, created)."""
    check_slug(slug)
    stmt = (
        insert_for(conn, stores)
        .values(
            slug=slug,
            name=name or slug,
            customer_salt=secrets.token_hex(16),
            redaction_policy=RedactionPolicy().model_dump(mode="json"),
            settings={},
            created_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["slug"])
        .returning(stores.c.id)
    )
    created = conn.execute(stmt).first() is not None
    store = get_store(conn, slug)
    if created:
        audit.record(conn, actor, "store.create", store_id=store.id, target=slug)
    return store, created


def set_redaction_policy(
    conn: sa.Connection, slug: str, policy: RedactionPolicy, *, actor: str
) -> Store:
    """Replace a store's redaction policy; applies to everything captured afterwards."""
    store = get_store(conn, slug)
    data = policy.model_dump(mode="json")
    conn.execute(sa.update(stores).where(stores.c.id == store.id).values(redaction_policy=data))
    audit.record(
        conn,
        actor,
        "store.redaction_policy",
        store_id=store.id,
        target=slug,
        details={"before": store.redaction_policy, "after": data},
    )
    return get_store(conn, slug)
