"""The append-only audit log: who changed what, when (R-GOV).

Rows are only ever inserted; the database itself refuses UPDATE and DELETE (triggers
installed by the initial migration).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from shopcoach.store.sql import utcnow
from shopcoach.store.tables import audit_log


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    store_id: int | None
    target: str | None
    details: dict[str, Any]


def record(
    conn: sa.Connection,
    actor: str,
    action: str,
    *,
    store_id: int | None = None,
    target: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one entry. Call it inside the transaction that makes the change."""
    conn.execute(
        audit_log.insert().values(
            at=utcnow(),
            actor=actor,
            action=action,
            store_id=store_id,
            target=target,
            details=details or {},
        )
    )


def entries(
    conn: sa.Connection, *, store_id: int | None = None, limit: int = 100
) -> list[AuditEntry]:
    """The newest entries first."""
    stmt = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if store_id is not None:
        stmt = stmt.where(audit_log.c.store_id == store_id)
    return [
        AuditEntry(r.id, r.at, r.actor, r.action, r.store_id, r.target, dict(r.details or {}))
        for r in conn.execute(stmt)
    ]
