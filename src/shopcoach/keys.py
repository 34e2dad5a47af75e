"""API keys: created once, shown once, stored only as a SHA-256 hash.

A key looks like ``sc_<prefix>_<secret>``. The prefix (public, unique) finds the row; the
secret is compared by hash in constant time. Scopes: ``ingest`` (capture endpoints),
``read`` (stats and read endpoints), ``admin`` (everything, including key management).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from shopcoach import audit
from shopcoach.errors import InvalidKey, NotFound, ScopeDenied, ValidationFailed
from shopcoach.store.sql import utcnow
from shopcoach.store.tables import api_keys, stores

SCOPES = ("ingest", "read", "agent", "admin")  # agent: /respond and /search
# Writing last_used_at on every request would make every read a write; once a minute is
# enough to answer "is this key still in use?".
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class KeyInfo:
    id: int
    store_id: int
    store_slug: str
    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    def allows(self, scope: str) -> bool:
        return "admin" in self.scopes or scope in self.scopes


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_scopes(scopes: list[str] | str) -> tuple[str, ...]:
    items = scopes.split(",") if isinstance(scopes, str) else scopes
    clean = tuple(sorted({s.strip() for s in items if s.strip()}))
    bad = [s for s in clean if s not in SCOPES]
    if bad or not clean:
        raise ValidationFailed(
            f"Unknown or missing scope(s): {', '.join(bad) or '(none given)'}.",
            hint=f"Use one or more of: {', '.join(SCOPES)}.",
        )
    return clean


def create_key(
    conn: sa.Connection, store_id: int, name: str, scopes: list[str] | str, *, actor: str
) -> tuple[str, KeyInfo]:
    """Create a key; returns (the full key — shown only now —, its info)."""
    scope_tuple = parse_scopes(scopes)
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(24)
    conn.execute(
        api_keys.insert().values(
            store_id=store_id,
            name=name,
            prefix=prefix,
            key_hash=_hash(secret),
            scopes=",".join(scope_tuple),
            created_at=utcnow(),
        )
    )
    audit.record(
        conn,
        actor,
        "key.create",
        store_id=store_id,
        target=prefix,
        details={"name": name, "scopes": list(scope_tuple)},
    )
    return f"sc_{prefix}_{secret}", get_key(conn, prefix)


def _select() -> sa.Select[tuple[object, ...]]:
    return sa.select(api_keys, stores.c.slug.label("store_slug")).join(
        stores, stores.c.id == api_keys.c.store_id
    )


def _info(row: sa.Row[tuple[object, ...]]) -> KeyInfo:
    m = row._mapping
    return KeyInfo(
        id=m["id"],
        store_id=m["store_id"],
        store_slug=m["store_slug"],
        name=m["name"],
        prefix=m["prefix"],
        scopes=tuple(m["scopes"].split(",")),
        created_at=m["created_at"],
        last_used_at=m["last_used_at"],
        revoked_at=m["revoked_at"],
    )


def get_key(conn: sa.Connection, prefix: str) -> KeyInfo:
    row = conn.execute(_select().where(api_keys.c.prefix == prefix)).first()
    if row is None:
        raise NotFound(
            f"There is no API key with prefix {prefix!r}.",
            hint="List keys with `shopcoach keys list`.",
        )
    return _info(row)


def list_keys(conn: sa.Connection, store_id: int | None = None) -> list[KeyInfo]:
    stmt = _select().order_by(api_keys.c.created_at, api_keys.c.id)
    if store_id is not None:
        stmt = stmt.where(api_keys.c.store_id == store_id)
    return [_info(r) for r in conn.execute(stmt)]


def revoke_key(conn: sa.Connection, prefix: str, *, actor: str) -> KeyInfo:
    info = get_key(conn, prefix)
    if info.revoked_at is None:
        conn.execute(
            sa.update(api_keys).where(api_keys.c.id == info.id).values(revoked_at=utcnow())
        )
        audit.record(conn, actor, "key.revoke", store_id=info.store_id, target=prefix)
    return get_key(conn, prefix)


def verify_key(conn: sa.Connection, presented: str, scope: str | tuple[str, ...]) -> KeyInfo:
    """The key's info if ``presented`` is a live key with ``scope`` (or with any one of a tuple
    of scopes); raises otherwise."""
    wanted = (scope,) if isinstance(scope, str) else scope
    parts = presented.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != "sc":
        raise InvalidKey(
            "The API key is malformed.",
            hint="Keys look like sc_<prefix>_<secret>; create one with `shopcoach keys create`.",
        )
    _, prefix, secret = parts
    row = conn.execute(
        _select().add_columns(api_keys.c.key_hash).where(api_keys.c.prefix == prefix)
    ).first()
    if row is None or not hmac.compare_digest(row._mapping["key_hash"], _hash(secret)):
        raise InvalidKey(
            "The API key is not valid.",
            hint="Check the key, or create a new one with `shopcoach keys create`.",
        )
    info = _info(row)
    if info.revoked_at is not None:
        raise InvalidKey(
            f"The API key {prefix} was revoked on {info.revoked_at:%Y-%m-%d %H:%M} UTC.",
            hint="Create a new one with `shopcoach keys create`.",
        )
    if not any(info.allows(s) for s in wanted):
        needs = " or ".join(f"'{s}'" for s in wanted)
        raise ScopeDenied(
            f"The API key {prefix} has scopes {', '.join(info.scopes)}, but this needs {needs}.",
            hint=f"Create a key with --scope {wanted[0]}.",
        )
    now = utcnow()
    if info.last_used_at is None or now - info.last_used_at > LAST_USED_RESOLUTION:
        conn.execute(sa.update(api_keys).where(api_keys.c.id == info.id).values(last_used_at=now))
    return info
