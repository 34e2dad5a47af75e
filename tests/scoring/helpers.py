"""Small builders for scoring tests: plain views for the pure judges, KB writes with history."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from shopcoach.capture.writer import ingest_conversations, ingest_signals
from shopcoach.kb.records import KbRecord
from shopcoach.kb.store import write_records
from shopcoach.scoring import ConversationView, JudgeInput, MessageView, SignalView
from shopcoach.stores import Store

T0 = datetime(2026, 11, 2, 10, 15)


def view(*turns: tuple[str, str], **kw: Any) -> ConversationView:
    msgs = [MessageView(i, role, text, T0, tuple(kw.pop(f"cite{i}", ()))) for i, (role, text)
            in enumerate(turns)]  # fmt: skip
    sigs = [SignalView(t, v, T0, None, f"s{i}") for i, (t, v) in enumerate(kw.pop("signals", []))]
    return ConversationView(1, "c-1", T0, messages=msgs, signals=sigs, **kw)


def item(conv: ConversationView, **kw: Any) -> JudgeInput:
    return JudgeInput(conv, **kw)


def product(key: str, title: str, price: float, **kw: Any) -> KbRecord:
    return KbRecord(kind="product", key=key, title=title, price=price, **kw)


def article(key: str, title: str, body: str) -> KbRecord:
    return KbRecord(kind="article", key=key, title=title, body=body)


def write_kb(conn: sa.Connection, store: Store, kind: str, records: list[KbRecord],
             at: datetime) -> None:  # fmt: skip
    write_records(conn, store.id, kind, records, now=at)


def ingest(
    conn: sa.Connection,
    store: Store,
    convs: list[dict[str, Any]],
    signals: list[dict[str, Any]] | None = None,
) -> None:
    res = ingest_conversations(conn, store, list(enumerate(convs)))
    assert not res.rejected, res.rejected
    if signals:
        res = ingest_signals(conn, store, list(enumerate(signals)))
        assert not res.rejected, res.rejected


def utc(dt: datetime) -> str:
    return dt.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")
