"""Set-based reads for a scoring run: one chunk of conversations at a time, a few queries each.

Chunks are consecutive id ranges (keyset pagination), so messages, signals, labels and
existing scores of a chunk are each read with one ``BETWEEN`` query and grouped in Python.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from shopcoach.grounding import OrderFact
from shopcoach.scoring.model import MessageView, SignalView
from shopcoach.store.sql import in_chunks, member_of
from shopcoach.store.tables import (
    conversation_scores,
    conversations,
    human_labels,
    messages,
    order_items,
    orders,
    shipments,
    signals,
)

C = conversations
CONVERSATION_COLUMNS = (
    C.c.id,
    C.c.external_id,
    C.c.started_at,
    C.c.handled_by,
    C.c.intent,
    C.c.outcome,
    C.c.csat,
    C.c.customer_hash,
    C.c.content_hash,
)


def next_chunk(
    conn: sa.Connection,
    store_id: int,
    *,
    after: int,
    size: int,
    since: datetime | None = None,
    ids: Sequence[int] | None = None,
) -> list[Any]:
    """The next ``size`` conversations (by id, after ``after``) the AI took part in.

    ``ids`` (at most one IN-list page) restricts the chunk to those conversations."""
    where = [C.c.store_id == store_id, C.c.handled_by != "human", C.c.id > after]
    if since is not None:
        where.append(C.c.started_at >= since)
    if ids is not None:
        where.append(member_of(conn, C.c.id, ids))
    query = sa.select(*CONVERSATION_COLUMNS).where(*where).order_by(C.c.id).limit(size)
    return list(conn.execute(query))


def _range(column: Any, ids: Sequence[int]) -> Any:
    return column.between(min(ids), max(ids))


def load_signals(conn: sa.Connection, ids: Sequence[int]) -> dict[int, list[SignalView]]:
    s = signals
    rows = conn.execute(
        sa.select(
            s.c.conversation_id,
            s.c.external_id,
            s.c.type,
            s.c.value,
            s.c.occurred_at,
            s.c.message_index,
        )
        .where(_range(s.c.conversation_id, ids))
        .order_by(s.c.conversation_id, s.c.occurred_at, s.c.id)
    )
    out: dict[int, list[SignalView]] = defaultdict(list)
    for cid, ext, kind, value, at, idx in rows:
        out[cid].append(SignalView(kind, value, at, idx, ext))
    return out


def load_labels(conn: sa.Connection, ids: Sequence[int]) -> dict[int, dict[str, tuple[str, str]]]:
    """conversation → dimension → (label, labeler): the newest human label per dimension."""
    h = human_labels
    rows = conn.execute(
        sa.select(h.c.conversation_id, h.c.dimension, h.c.label, h.c.labeler)
        .where(_range(h.c.conversation_id, ids))
        .order_by(h.c.conversation_id, h.c.created_at, h.c.id)
    )
    out: dict[int, dict[str, tuple[str, str]]] = defaultdict(dict)
    for cid, dim, label, labeler in rows:
        out[cid][dim] = (label, labeler)  # later rows (newer) win
    return out


def load_existing(conn: sa.Connection, ids: Sequence[int]) -> dict[int, str]:
    cs = conversation_scores
    rows = conn.execute(
        sa.select(cs.c.conversation_id, cs.c.input_hash).where(_range(cs.c.conversation_id, ids))
    )
    return {cid: h for cid, h in rows}


def load_repeats(
    conn: sa.Connection, store_id: int, rows: Sequence[Any], window_hours: float
) -> dict[int, float]:
    """conversation → hours until the customer came back: a ``repeat_contact`` signal naming
    it (``context.previous_conversation_id``), or the same customer's next conversation
    (same intent when both have one) within the window."""
    if not rows:
        return {}
    lo = min(r.started_at for r in rows)
    hi = max(r.started_at for r in rows) + timedelta(hours=window_hours)
    by_ext = {r.external_id: r for r in rows}
    out: dict[int, float] = {}
    s = signals
    for at, value, ctx in conn.execute(
        sa.select(s.c.occurred_at, s.c.value, s.c.context).where(
            s.c.store_id == store_id,
            s.c.type == "repeat_contact",
            s.c.occurred_at.between(lo, hi + timedelta(days=7)),
        )
    ):
        prev = by_ext.get(str((ctx or {}).get("previous_conversation_id")))
        if prev is None:
            continue
        hours = value if value is not None else (at - prev.started_at).total_seconds() / 3600
        out[prev.id] = min(out.get(prev.id, hours), hours)
    hashes = sorted({r.customer_hash for r in rows if r.customer_hash})
    later: dict[str, list[tuple[datetime, str | None]]] = defaultdict(list)
    for part in in_chunks(conn, hashes):
        for ch, started, intent in conn.execute(
            sa.select(C.c.customer_hash, C.c.started_at, C.c.intent).where(
                C.c.store_id == store_id,
                member_of(conn, C.c.customer_hash, part),
                C.c.started_at > lo,
                C.c.started_at <= hi,
            )
        ):
            later[ch].append((started, intent))
    for r in rows:
        for started, intent in later.get(r.customer_hash or "", ()):
            hours = (started - r.started_at).total_seconds() / 3600
            same = r.intent is None or intent is None or intent == r.intent
            if 0 < hours <= window_hours and same:
                out[r.id] = min(out.get(r.id, hours), hours)
    return out


def load_messages(conn: sa.Connection, ids: Sequence[int]) -> dict[int, list[MessageView]]:
    m = messages
    query = sa.select(
        m.c.conversation_id, m.c.seq, m.c.role, m.c.text, m.c.sent_at, m.c.citations, m.c.tool_calls
    )
    wanted = set(ids)
    out: dict[int, list[MessageView]] = defaultdict(list)
    span = max(ids) - min(ids) + 1
    # A dense chunk reads its id range in one statement; a sparse one by id list.
    parts: list[Sequence[int] | None] = (
        [None] if len(ids) * 2 >= span else list(in_chunks(conn, list(ids)))
    )
    for part in parts:
        where = (
            _range(m.c.conversation_id, ids)
            if part is None
            else member_of(conn, m.c.conversation_id, part)
        )
        for cid, seq, role, text, sent, cites, calls in conn.execute(
            query.where(where).order_by(m.c.conversation_id, m.c.seq)
        ):
            if cid in wanted:
                out[cid].append(
                    MessageView(seq, role, text, sent, tuple(cites or ()), tuple(calls or ()))
                )
    return out


def load_orders(conn: sa.Connection, store_id: int, refs: Sequence[str]) -> dict[str, OrderFact]:
    """Orders by the number customers see, with item prices and the first shipment's ETA."""
    if not refs:
        return {}
    found: dict[str, tuple[int, str, float | None]] = {}
    for ref_part in in_chunks(conn, list(refs)):
        for oid, ext, status, total in conn.execute(
            sa.select(orders.c.id, orders.c.external_id, orders.c.status, orders.c.total).where(
                orders.c.store_id == store_id, member_of(conn, orders.c.external_id, ref_part)
            )
        ):
            found[ext] = (oid, status, total)
    if not found:
        return {}
    ids = [v[0] for v in found.values()]
    prices: dict[int, list[float]] = defaultdict(list)
    etas: dict[int, date] = {}
    carriers: dict[int, tuple[str, str]] = {}
    for part in in_chunks(conn, ids):
        for oid, price in conn.execute(
            sa.select(order_items.c.order_id, order_items.c.price).where(
                member_of(conn, order_items.c.order_id, part)
            )
        ):
            if price is not None:
                prices[oid].append(price)
        for oid, eta, carrier, number in conn.execute(
            sa.select(
                shipments.c.order_id,
                shipments.c.eta,
                shipments.c.carrier,
                shipments.c.tracking_number,
            )
            .where(member_of(conn, shipments.c.order_id, part))
            .order_by(shipments.c.seq)
        ):
            if eta is not None:
                etas.setdefault(oid, eta)
            carriers.setdefault(oid, (carrier, number))
    return {
        ext: OrderFact(
            ext,
            status=status,
            total=total,
            item_prices=tuple(prices[oid]),
            eta=etas.get(oid),
            carrier=carriers.get(oid, (None, None))[0],
            tracking_number=carriers.get(oid, (None, None))[1],
        )
        for ext, (oid, status, total) in found.items()
    }
