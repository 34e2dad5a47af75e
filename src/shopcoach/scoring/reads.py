"""Reading scores back: one conversation's score, the review queue, hallucination flags."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from shopcoach.scoring.config import DIMENSIONS
from shopcoach.scoring.labels import conversation_id
from shopcoach.store.tables import conversation_scores, conversations, hallucination_flags

cs, hf, C = conversation_scores, hallucination_flags, conversations


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _flag(row: Any) -> dict[str, Any]:
    return {
        "conversation": row.external_id,
        "message_seq": row.message_seq,
        "kind": row.kind,
        "claim": row.claim,
        "claimed": row.claimed,
        "verified": row.verified,
        "source": row.source,
        "source_version_id": row.source_version_id,
        "occurred_at": _iso(row.occurred_at),
        "detected_at": _iso(row.detected_at),
    }


_FLAG_COLUMNS = (
    C.c.external_id,
    hf.c.message_seq,
    hf.c.kind,
    hf.c.claim,
    hf.c.claimed,
    hf.c.verified,
    hf.c.source,
    hf.c.source_version_id,
    hf.c.occurred_at,
    hf.c.detected_at,
)


def get_score(conn: sa.Connection, store_id: int, external_id: str) -> dict[str, Any]:
    """A conversation's score with every dimension's details and its flags."""
    cid = conversation_id(conn, store_id, external_id)
    row = conn.execute(sa.select(cs).where(cs.c.conversation_id == cid)).first()
    flags = conn.execute(
        sa.select(*_FLAG_COLUMNS)
        .select_from(hf.join(C, C.c.id == hf.c.conversation_id))
        .where(hf.c.conversation_id == cid)
        .order_by(hf.c.id)
    )
    out: dict[str, Any] = {
        "conversation": external_id,
        "scored": row is not None,
        "flags": [_flag(f) for f in flags],
    }
    if row is None:
        return out
    out.update(
        total=row.total,
        needs_review=row.needs_review,
        config_version=row.config_version,
        started_at=_iso(row.started_at),
        scored_at=_iso(row.scored_at),
        dimensions={
            d: {
                "points": getattr(row, d),
                "label": getattr(row, f"{d}_label"),
                **(row.details or {}).get(d, {}),
            }
            for d in DIMENSIONS
        },
    )
    return out


def review_queue(conn: sa.Connection, store_id: int, *, limit: int = 100) -> list[dict[str, Any]]:
    """Conversations the review rule sent to humans, lowest total first."""
    rows = conn.execute(
        sa.select(
            C.c.external_id, cs.c.started_at, cs.c.total, *(cs.c[f"{d}_label"] for d in DIMENSIONS)
        )
        .select_from(cs.join(C, C.c.id == cs.c.conversation_id))
        .where(cs.c.store_id == store_id, cs.c.needs_review.is_(True))
        .order_by(cs.c.total, cs.c.started_at.desc())
        .limit(limit)
    )
    return [
        {
            "conversation": r[0],
            "started_at": _iso(r[1]),
            "total": r[2],
            "labels": {d: r[3 + i] for i, d in enumerate(DIMENSIONS)},
        }
        for r in rows
    ]


def list_flags(
    conn: sa.Connection,
    store_id: int,
    *,
    kind: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Hallucination flags, newest conversation first."""
    where = [hf.c.store_id == store_id]
    if kind:
        where.append(hf.c.kind == kind)
    if since:
        where.append(hf.c.occurred_at >= since)
    rows = conn.execute(
        sa.select(*_FLAG_COLUMNS)
        .select_from(hf.join(C, C.c.id == hf.c.conversation_id))
        .where(*where)
        .order_by(hf.c.occurred_at.desc(), hf.c.id)
        .limit(limit)
    )
    return [_flag(r) for r in rows]


def summary(conn: sa.Connection, store_id: int) -> dict[str, Any]:
    """Counts and mean points per dimension over every stored score."""
    cols = [
        sa.func.count(),
        sa.func.avg(cs.c.total),
        sa.func.sum(sa.case((cs.c.needs_review.is_(True), 1), else_=0)),
    ]
    cols += [sa.func.avg(cs.c[d]) for d in DIMENSIONS]
    row = conn.execute(sa.select(*cols).where(cs.c.store_id == store_id)).one()
    flags = conn.execute(sa.select(sa.func.count()).where(hf.c.store_id == store_id)).scalar()
    return {
        "scored": row[0],
        "mean_total": row[1],
        "needs_review": int(row[2] or 0),
        "mean": {d: row[3 + i] for i, d in enumerate(DIMENSIONS)},
        "flags": flags,
    }
