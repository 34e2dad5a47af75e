"""Writing prepared records: set-based, idempotent, inside the caller's transaction.

``ingest_conversations`` and ``ingest_signals`` are what the API calls with raw records:
they prepare (``capture/prepare.py``: validate, route, redact, encode — no database) and
then write with a handful of statements per batch (SELECT … = ANY / IN, INSERT … ON
CONFLICT DO NOTHING RETURNING, executemany or COPY) — never a row-at-a-time ORM loop. The
CPU work happens before the first write, so SQLite's write lock is held only while writing.

Idempotency: a conversation is keyed by (store, external_id) and carries a content hash.
Re-sending it unchanged is a no-op ("unchanged"); re-sending it changed replaces its fields
and messages ("updated"). Signals are keyed by (store, external_id), derived from content
when the sender gives none, so a retried signal is stored once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from shopcoach.capture.prepare import (
    CONVERSATION_COLUMNS,
    MESSAGE_COLUMNS,
    SIGNAL_COLUMNS,
    PreparedConversation,
    PreparedSignal,
    prepare_conversations,
    prepare_signals,
)
from shopcoach.capture.validate import RecordError
from shopcoach.store.bulk import Encoder, insert_new_returning, insert_rows, paused_gc
from shopcoach.store.sql import in_chunks, insert_for, member_of, one_of, utcnow
from shopcoach.store.tables import agent_versions, conversations, messages, signals
from shopcoach.stores import Store, find_stores

_VERSION_AT = CONVERSATION_COLUMNS.index("agent_version_id")


@dataclass
class IngestResult:
    """What happened to a batch. ``rejected`` lists every refused record with its reason."""

    received: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RecordError] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.created + self.updated + self.unchanged

    def add(self, other: IngestResult) -> None:
        self.received += other.received
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.rejected.extend(other.rejected)

    def to_dict(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "accepted": self.accepted,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": [e.to_dict() for e in self.rejected],
        }


def stores_for(
    conn: sa.Connection, default_store: Store, records: Sequence[tuple[int, Any]]
) -> dict[str, Store]:
    """The stores a batch can name: the default plus any slug a record mentions."""
    named = {r.get("store") for _, r in records if isinstance(r, dict)}
    slugs = sorted(s for s in named if isinstance(s, str) and s != default_store.slug)
    found = find_stores(conn, slugs) if slugs else {}
    found[default_store.slug] = default_store
    return found


def ingest_conversations(
    conn: sa.Connection,
    default_store: Store,
    records: Sequence[tuple[int, Any]],
    *,
    allowed_store_ids: set[int] | None = None,
) -> IngestResult:
    """Prepare and store ``(index, raw)`` conversation records in the open transaction."""
    return _ingest(conn, default_store, records, allowed_store_ids,
                   prepare_conversations, write_conversations)  # fmt: skip


def ingest_signals(
    conn: sa.Connection,
    default_store: Store,
    records: Sequence[tuple[int, Any]],
    *,
    allowed_store_ids: set[int] | None = None,
) -> IngestResult:
    """Prepare and store ``(index, raw)`` signal records in the open transaction."""
    return _ingest(conn, default_store, records, allowed_store_ids,
                   prepare_signals, write_signals)  # fmt: skip


def _ingest(
    conn: sa.Connection, default_store: Store, records: Sequence[tuple[int, Any]],
    allowed_store_ids: set[int] | None, prepare: Any, write: Any,
) -> IngestResult:  # fmt: skip
    with paused_gc():
        groups, errors = prepare(
            records, stores_for(conn, default_store, records), default_store.slug,
            sqlite=conn.dialect.name == "sqlite", allowed_store_ids=allowed_store_ids,
        )  # fmt: skip
        result = IngestResult(received=len(records), rejected=errors)
        for store_id, prepared in groups.items():
            write(conn, store_id, prepared, result)
    result.rejected.sort(key=lambda e: e.index)
    return result


def _agent_version_ids(conn: sa.Connection, store_id: int, labels: set[str]) -> dict[str, int]:
    """Ids for agent version labels; labels first seen in traffic are recorded as 'observed'."""
    if not labels:
        return {}
    now = utcnow()
    stmt = insert_for(conn, agent_versions).on_conflict_do_nothing(
        index_elements=["store_id", "label"]
    )
    conn.execute(stmt, [
        {"store_id": store_id, "label": label, "config": {}, "status": "observed",
         "created_at": now, "created_by": "capture"}
        for label in sorted(labels)
    ])  # fmt: skip
    rows = conn.execute(
        sa.select(agent_versions.c.label, agent_versions.c.id).where(
            agent_versions.c.store_id == store_id, agent_versions.c.label.in_(labels)
        )
    )
    return {r.label: r.id for r in rows}


def _existing(
    conn: sa.Connection, table: sa.Table, store_id: int, external_ids: Sequence[str]
) -> dict[str, tuple[int, str]]:
    """external_id → (id, content_hash or '') for those already stored.

    Hand-written SQL with one array parameter: this runs for every imported chunk, and
    building a 1,000-value IN list through SQLAlchemy cost more than the query.
    """
    if not external_ids:
        return {}
    member, mark, values = one_of(conn, external_ids)
    hash_column = "content_hash" if "content_hash" in table.c else "''"
    rows = conn.exec_driver_sql(
        f"SELECT external_id, id, {hash_column} FROM {table.name} "
        f"WHERE store_id = {mark} AND external_id {member}",
        (store_id, values),
    )
    return {ext: (row_id, digest or "") for ext, row_id, digest in rows}


def write_conversations(
    conn: sa.Connection, store_id: int, prepared: Sequence[PreparedConversation],
    result: IngestResult,
) -> None:  # fmt: skip
    """Write prepared conversations of one store: new ones inserted, changed ones replaced."""
    latest = {p.external_id: p for p in prepared}  # last one wins within a batch
    result.unchanged += len(prepared) - len(latest)
    existing = _existing(conn, conversations, store_id, list(latest))
    new = [p for ext, p in latest.items() if ext not in existing]
    changed = [(existing[ext][0], p) for ext, p in latest.items()
               if ext in existing and existing[ext][1] != p.digest]  # fmt: skip
    result.unchanged += len(latest) - len(new) - len(changed)
    if not new and not changed:
        return
    labels = {p.agent_version for p in new if p.agent_version}
    labels |= {p.agent_version for _, p in changed if p.agent_version}
    versions = _agent_version_ids(conn, store_id, labels)
    now = Encoder(conn.dialect.name == "sqlite").time(utcnow())

    def row(p: PreparedConversation) -> list[Any]:
        r = p.row
        r[_VERSION_AT] = versions.get(p.agent_version or "")
        r[-2] = r[-1] = now  # ingested_at, updated_at
        return r

    ids: dict[str, int] = {}
    if new:
        inserted = insert_new_returning(conn, conversations, CONVERSATION_COLUMNS,
                                        [row(p) for p in new], ("store_id", "external_id"),
                                        ("id", "external_id"))  # fmt: skip
        ids.update({ext: conv_id for conv_id, ext in inserted})
        result.created += len(ids)
        # A concurrent writer stored the same new conversation first: theirs stands.
        result.unchanged += len(new) - len(ids)
    if changed:
        _replace(conn, [(cid, row(p)) for cid, p in changed])
        ids.update({p.external_id: cid for cid, p in changed})
        result.updated += len(changed)
    by_ext = {p.external_id: p for p in new} | {p.external_id: p for _, p in changed}
    message_rows = []
    for ext, conv_id in ids.items():
        rows = by_ext[ext].messages
        for m in rows:
            m[0] = conv_id
        message_rows += rows
    insert_rows(conn, messages, MESSAGE_COLUMNS, message_rows)
    _link_signals(conn, store_id, list(ids))


def _replace(conn: sa.Connection, rows: list[tuple[int, list[Any]]]) -> None:
    """Overwrite changed conversations (keeping ingested_at) and drop their old messages."""
    cols = [c for c in CONVERSATION_COLUMNS if c not in ("store_id", "external_id",
                                                         "ingested_at")]  # fmt: skip
    keep = [i for i, c in enumerate(CONVERSATION_COLUMNS) if c in cols]
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    sets = ", ".join(f"{c} = {mark}" for c in cols)
    conn.exec_driver_sql(
        f"UPDATE conversations SET {sets} WHERE id = {mark}",
        [tuple(r[i] for i in keep) + (cid,) for cid, r in rows],
    )
    ids = [cid for cid, _ in rows]
    for part in in_chunks(conn, ids):
        conn.execute(sa.delete(messages).where(member_of(conn, messages.c.conversation_id, part)))


def _link_signals(conn: sa.Connection, store_id: int, external_ids: list[str]) -> None:
    """Point signals that arrived before their conversation at it (set-based, one statement,
    hand-written like :func:`_existing` because it runs for every imported chunk)."""
    if not external_ids:
        return
    member, mark, values = one_of(conn, external_ids)
    conn.exec_driver_sql(
        "UPDATE signals SET conversation_id = (SELECT c.id FROM conversations c "
        "WHERE c.store_id = signals.store_id "
        "AND c.external_id = signals.conversation_external_id) "
        f"WHERE store_id = {mark} AND conversation_id IS NULL "
        f"AND conversation_external_id {member}",
        (store_id, values),
    )


def write_signals(
    conn: sa.Connection, store_id: int, prepared: Sequence[PreparedSignal],
    result: IngestResult,
) -> None:  # fmt: skip
    """Write prepared signals of one store; ones already stored count as unchanged."""
    latest = {p.external_id: p for p in prepared}
    result.unchanged += len(prepared) - len(latest)
    refs = sorted({p.conversation_external_id for p in latest.values()
                   if p.conversation_external_id})  # fmt: skip
    conv_ids = {ext: v[0] for ext, v in _existing(conn, conversations, store_id, refs).items()}
    now = Encoder(conn.dialect.name == "sqlite").time(utcnow())
    rows = [(*p.head, conv_ids.get(p.conversation_external_id or ""), *p.tail, now)
            for p in latest.values()]  # fmt: skip
    created = len(insert_new_returning(conn, signals, SIGNAL_COLUMNS, rows,
                                       ("store_id", "external_id"), ("id",)))  # fmt: skip
    result.created += created
    result.unchanged += len(rows) - created
