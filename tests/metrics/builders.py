"""Builders shared by the metrics and alerts tests: conversations through the real capture
path (so customer hashes, agent versions and signal links are what production stores), and
``conversation_scores`` rows inserted directly (the scorer is tested on its own)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from shopcoach.capture.writer import ingest_conversations, ingest_signals
from shopcoach.store.engine import Database
from shopcoach.store.sql import utcnow
from shopcoach.store.tables import conversation_scores, conversations
from shopcoach.stores import Store

DIMS = ("accuracy", "relevance", "tone", "resolution")


def iso(t: datetime) -> str:
    return t.isoformat() + "Z"


def conv(
    external_id: str,
    start: datetime,
    *,
    seconds: float | None = 60,
    handled_by: str = "ai",
    outcome: str | None = "resolved",
    csat: int | None = None,
    channel: str = "chat",
    intent: str | None = "track_order",
    agent_version: str | None = "v2",
    confidence: float | None = None,
    customer: str | None = None,
    latencies: tuple[float, ...] = (),
) -> dict[str, Any]:
    """A conversation record: one customer message, then one AI message per latency."""
    msgs: list[dict[str, Any]] = [{"role": "customer", "text": "Where is my order?"}]
    msgs += [{"role": "ai", "text": "On its way.", "latency_ms": ms} for ms in latencies]
    record: dict[str, Any] = {
        "external_id": external_id,
        "channel": channel,
        "started_at": iso(start),
        "handled_by": handled_by,
        "messages": msgs,
    }
    optional = {
        "ended_at": iso(start + timedelta(seconds=seconds)) if seconds is not None else None,
        "outcome": outcome,
        "csat": csat,
        "intent": intent,
        "agent_version": agent_version,
        "confidence": confidence,
        "customer_id": customer,
    }
    record.update({k: v for k, v in optional.items() if v is not None})
    return record


def ingest(db: Database, store: Store, records: list[dict[str, Any]]) -> None:
    with db.begin() as conn:
        result = ingest_conversations(conn, store, list(enumerate(records)))
    assert not result.rejected, result.rejected


def signals(db: Database, store: Store, items: list[tuple[str, str, float | None]]) -> None:
    """(conversation external id, type, value) signals, at the conversation's start."""
    records = []
    for i, (conv_id, kind, value) in enumerate(items):
        rec: dict[str, Any] = {
            "external_id": f"sig-{conv_id}-{kind}-{i}",
            "type": kind,
            "occurred_at": "2026-11-01T00:00:00Z",
            "conversation_id": conv_id,
            "source": "test",
        }
        if value is not None:
            rec["value"] = value
        records.append(rec)
    with db.begin() as conn:
        result = ingest_signals(conn, store, list(enumerate(records)))
    assert not result.rejected, result.rejected


def scores(db: Database, store: Store, rows: dict[str, dict[str, float | None]]) -> None:
    """conversation external id → {dimension: points, total: points}."""
    with db.begin() as conn:
        found = {
            r.external_id: (r.id, r.started_at)
            for r in conn.execute(
                sa.select(
                    conversations.c.external_id, conversations.c.id, conversations.c.started_at
                ).where(conversations.c.store_id == store.id)
            )
        }
        now = utcnow()
        values = []
        for ext, dims in rows.items():
            cid, started = found[ext]
            total = dims.get("total")
            if total is None:
                total = sum((dims.get(d) or 0) for d in DIMS) / 4
            values.append(
                {
                    "store_id": store.id,
                    "conversation_id": cid,
                    "config_version": 1,
                    "input_hash": ext,
                    "started_at": started,
                    **{d: dims.get(d) for d in DIMS},
                    **{f"{d}_label": None for d in DIMS},
                    "total": total,
                    "needs_review": False,
                    "details": {},
                    "scored_at": now,
                }
            )
        conn.execute(conversation_scores.insert(), values)
