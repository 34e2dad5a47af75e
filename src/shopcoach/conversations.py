"""Reading stored conversations back (already redacted), for the API and the CLI."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from shopcoach.errors import NotFound
from shopcoach.store.tables import agent_versions, conversations, messages, signals


def get_conversation(conn: sa.Connection, store_id: int, external_id: str) -> dict[str, Any]:
    """One conversation with its messages and signals, as plain JSON-ready data."""
    c = conversations
    row = conn.execute(
        sa.select(c, agent_versions.c.label.label("agent_version"))
        .outerjoin(agent_versions, agent_versions.c.id == c.c.agent_version_id)
        .where(c.c.store_id == store_id, c.c.external_id == external_id)
    ).first()
    if row is None:
        raise NotFound(
            f"There is no conversation {external_id!r} in this store.",
            hint="Check the external_id, or whether it was imported into another store.",
        )
    m = row._mapping
    msgs = conn.execute(
        sa.select(messages).where(messages.c.conversation_id == m["id"]).order_by(messages.c.seq)
    )
    sigs = conn.execute(
        sa.select(signals)
        .where(signals.c.conversation_id == m["id"])
        .order_by(signals.c.occurred_at, signals.c.id)
    )
    iso = _iso
    return {
        "external_id": m["external_id"],
        "channel": m["channel"],
        "customer_hash": m["customer_hash"],
        "started_at": iso(m["started_at"]),
        "ended_at": iso(m["ended_at"]),
        "handled_by": m["handled_by"],
        "agent_version": m["agent_version"],
        "intent": m["intent"],
        "confidence": m["confidence"],
        "outcome": m["outcome"],
        "csat": m["csat"],
        "language": m["language"],
        "tags": m["tags"],
        "metadata": m["metadata"],
        "messages": [
            {
                "seq": r.seq,
                "role": r.role,
                "text": r.text,
                "sent_at": iso(r.sent_at),
                "latency_ms": r.latency_ms,
                "citations": r.citations or [],
                "tool_calls": r.tool_calls or [],
                "redactions": r.redactions or {},
            }
            for r in msgs
        ],
        "signals": [
            {
                "external_id": r.external_id,
                "type": r.type,
                "value": r.value,
                "occurred_at": iso(r.occurred_at),
                "message_index": r.message_index,
                "source": r.source,
                "context": r.context,
            }
            for r in sigs
        ],
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() + "Z" if value is not None else None
