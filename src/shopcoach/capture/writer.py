"""Writing validated records: set-based, idempotent, redacted before anything is stored.

``ingest_conversations`` and ``ingest_signals`` are what every capture path calls with raw
records. Within one transaction they validate, resolve the store, redact (R-SIG-4), and
write with a handful of statements per batch (SELECT … IN, INSERT … ON CONFLICT DO NOTHING
RETURNING, executemany) — never a row-at-a-time ORM loop.

Idempotency: a conversation is keyed by (store, external_id) and carries a content hash.
Re-sending it unchanged is a no-op ("unchanged"); re-sending it changed replaces its fields
and messages ("updated"). Signals are keyed by (store, external_id), derived from content
when the sender gives none, so a retried signal is stored once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa

from shopcoach.capture.schema import ConversationIn, SignalIn, utc
from shopcoach.capture.validate import Problem, RecordError, validate_records
from shopcoach.redaction import redactor_for
from shopcoach.store.bulk import Encoder, insert_new_returning, insert_rows
from shopcoach.store.sql import chunks, insert_for, utcnow
from shopcoach.store.tables import agent_versions, conversations, messages, signals
from shopcoach.stores import Store, find_stores


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


def _group_by_store(
    conn: sa.Connection,
    valid: Sequence[tuple[int, Any, Any]],
    default_store: Store,
    allowed_store_ids: set[int] | None,
) -> tuple[dict[int, tuple[Store, list[tuple[int, Any, Any]]]], list[RecordError]]:
    """Route records to their store; a record naming an unknown or forbidden store is refused."""
    named = sorted({m.store for _, m, _ in valid if m.store and m.store != default_store.slug})
    known = find_stores(conn, named) if named else {}
    known[default_store.slug] = default_store
    groups: dict[int, tuple[Store, list[tuple[int, Any, Any]]]] = {}
    errors: list[RecordError] = []
    for item in valid:
        index, model, _ = item
        slug = model.store or default_store.slug
        store = known.get(slug)
        ext = getattr(model, "external_id", None)
        if store is None:
            errors.append(
                RecordError(
                    index,
                    ext,
                    (
                        Problem(
                            "store",
                            f"there is no store {slug!r}; create it with "
                            f"`shopcoach stores create {slug}` or leave 'store' out",
                        ),
                    ),
                )
            )
        elif allowed_store_ids is not None and store.id not in allowed_store_ids:
            errors.append(
                RecordError(
                    index,
                    ext,
                    (
                        Problem(
                            "store",
                            f"this API key may not write to store {slug!r}; use a key of "
                            "that store or leave 'store' out",
                        ),
                    ),
                )
            )
        else:
            groups.setdefault(store.id, (store, []))[1].append(item)
    return groups, errors


def content_hash(raw: dict[str, Any], policy: dict[str, Any]) -> str:
    """Hash of the record as sent plus the redaction policy it was stored under."""
    digest = hashlib.sha256(orjson.dumps(raw, option=orjson.OPT_SORT_KEYS))
    digest.update(orjson.dumps(policy, option=orjson.OPT_SORT_KEYS))
    return digest.hexdigest()


def customer_hash(salt: str, customer_id: str | None) -> str | None:
    if not customer_id:
        return None
    return hashlib.sha256(f"{salt}:{customer_id}".encode()).hexdigest()


def ingest_conversations(
    conn: sa.Connection,
    default_store: Store,
    records: Sequence[tuple[int, Any]],
    *,
    allowed_store_ids: set[int] | None = None,
) -> IngestResult:
    """Validate and store ``(index, raw)`` conversation records in the open transaction."""
    valid, errors = validate_records(records, ConversationIn)
    groups, store_errors = _group_by_store(conn, valid, default_store, allowed_store_ids)
    result = IngestResult(received=len(records), rejected=errors + store_errors)
    for store, items in groups.values():
        _write_conversations(conn, store, items, result)
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
    conn.execute(
        stmt,
        [
            {
                "store_id": store_id,
                "label": label,
                "config": {},
                "status": "observed",
                "created_at": now,
                "created_by": "capture",
            }
            for label in sorted(labels)
        ],
    )
    rows = conn.execute(
        sa.select(agent_versions.c.label, agent_versions.c.id).where(
            agent_versions.c.store_id == store_id, agent_versions.c.label.in_(labels)
        )
    )
    return {r.label: r.id for r in rows}


def _existing(
    conn: sa.Connection, table: sa.Table, store_id: int, external_ids: Sequence[str]
) -> dict[str, tuple[int, str]]:
    cols = [table.c.external_id, table.c.id]
    if "content_hash" in table.c:
        cols.append(table.c.content_hash)
    found: dict[str, tuple[int, str]] = {}
    for part in chunks(external_ids):
        for row in conn.execute(
            sa.select(*cols).where(table.c.store_id == store_id, table.c.external_id.in_(part))
        ):
            found[row[0]] = (row[1], row[2] if len(row) > 2 else "")
    return found


def _write_conversations(
    conn: sa.Connection,
    store: Store,
    items: list[tuple[int, ConversationIn, Any]],
    result: IngestResult,
) -> None:
    # Last one wins within a batch, as it would across batches.
    latest: dict[str, tuple[ConversationIn, str]] = {}
    for _, model, raw in items:
        latest[model.external_id] = (model, content_hash(raw, store.redaction_policy))
    result.unchanged += len(items) - len(latest)
    existing = _existing(conn, conversations, store.id, list(latest))

    new: list[tuple[ConversationIn, str]] = []
    changed: list[tuple[int, ConversationIn, str]] = []
    for ext, (model, digest) in latest.items():
        if ext not in existing:
            new.append((model, digest))
        elif existing[ext][1] != digest:
            changed.append((existing[ext][0], model, digest))
        else:
            result.unchanged += 1
    if not new and not changed:
        return

    redactor = redactor_for(store.redaction_policy)
    labels = {m.agent_version for m, _ in new if m.agent_version}
    labels |= {m.agent_version for _, m, _ in changed if m.agent_version}
    version_ids = _agent_version_ids(conn, store.id, labels)
    now = utcnow()

    def values(model: ConversationIn, digest: str) -> dict[str, Any]:
        return {
            "store_id": store.id,
            "external_id": model.external_id,
            "channel": model.channel.value,
            "customer_hash": customer_hash(store.customer_salt, model.customer_id),
            "started_at": utc(model.started_at),
            "ended_at": utc(model.ended_at) if model.ended_at else None,
            "handled_by": model.handled_by.value,
            "agent_version_id": version_ids.get(model.agent_version or ""),
            "intent": model.intent,
            "confidence": model.confidence,
            "outcome": model.outcome.value if model.outcome else None,
            "csat": model.csat,
            "language": model.language,
            "tags": model.tags,
            "metadata": model.metadata,
            "message_count": len(model.messages),
            "content_hash": digest,
            "ingested_at": now,
            "updated_at": now,
        }

    enc = Encoder(conn)
    ids: dict[str, int] = {}
    if new:
        rows = [_encode_row(enc, values(m, d)) for m, d in new]
        inserted = insert_new_returning(
            conn,
            conversations,
            CONVERSATION_COLUMNS,
            rows,
            ("store_id", "external_id"),
            ("id", "external_id"),
        )
        ids.update({ext: conv_id for conv_id, ext in inserted})
        result.created += len(ids)
        # A concurrent writer stored the same new conversation first: theirs stands.
        result.unchanged += len(new) - len(ids)
    if changed:
        updates = []
        for cid, m, d in changed:
            row = values(m, d)
            del row["ingested_at"]
            updates.append({**row, "conv_id": cid})
        conn.execute(
            sa.update(conversations).where(conversations.c.id == sa.bindparam("conv_id")),
            updates,
        )
        changed_ids = [cid for cid, _, _ in changed]
        for part in chunks(changed_ids):
            conn.execute(sa.delete(messages).where(messages.c.conversation_id.in_(part)))
        ids.update({m.external_id: cid for cid, m, _ in changed})
        result.updated += len(changed)

    by_ext = {m.external_id: m for m, _ in new}
    by_ext.update({m.external_id: m for _, m, _ in changed})
    message_rows: list[tuple[Any, ...]] = []
    json = enc.json
    for ext, conv_id in ids.items():
        model = by_ext[ext]
        last_time: datetime = utc(model.started_at)
        for seq, msg in enumerate(model.messages):
            redacted = redactor.redact(msg.text)
            if msg.sent_at is not None:
                last_time = utc(msg.sent_at)
            message_rows.append(
                (
                    conv_id,
                    seq,
                    msg.role.value,
                    redacted.text,
                    enc.time(last_time),
                    msg.latency_ms,
                    json([c.model_dump(exclude_none=True) for c in msg.citations])
                    if msg.citations
                    else None,
                    json([t.model_dump(exclude_none=True) for t in msg.tool_calls])
                    if msg.tool_calls
                    else None,
                    json(redacted.counts) if redacted.counts else None,
                )
            )
    insert_rows(conn, messages, MESSAGE_COLUMNS, message_rows)
    _link_signals(conn, store.id, list(ids))


CONVERSATION_COLUMNS = (
    "store_id",
    "external_id",
    "channel",
    "customer_hash",
    "started_at",
    "ended_at",
    "handled_by",
    "agent_version_id",
    "intent",
    "confidence",
    "outcome",
    "csat",
    "language",
    "tags",
    "metadata",
    "message_count",
    "content_hash",
    "ingested_at",
    "updated_at",
)
MESSAGE_COLUMNS = (
    "conversation_id",
    "seq",
    "role",
    "text",
    "sent_at",
    "latency_ms",
    "citations",
    "tool_calls",
    "redactions",
)
SIGNAL_COLUMNS = (
    "store_id",
    "external_id",
    "type",
    "value",
    "occurred_at",
    "conversation_external_id",
    "conversation_id",
    "message_index",
    "source",
    "context",
    "ingested_at",
)
_TIME_COLUMNS = {"started_at", "ended_at", "ingested_at", "updated_at", "occurred_at"}
_JSON_COLUMNS = {"tags", "metadata", "context"}


def _encode_row(enc: Encoder, row: dict[str, Any]) -> tuple[Any, ...]:
    """A values dict as a driver-ready tuple in its table's column order."""
    return tuple(
        enc.time(v) if k in _TIME_COLUMNS else enc.json(v) if k in _JSON_COLUMNS else v
        for k, v in row.items()
    )


def _link_signals(conn: sa.Connection, store_id: int, external_ids: list[str]) -> None:
    """Point signals that arrived before their conversation at it (set-based)."""
    conv = conversations.alias("c")
    lookup = (
        sa.select(conv.c.id)
        .where(
            conv.c.store_id == signals.c.store_id,
            conv.c.external_id == signals.c.conversation_external_id,
        )
        .scalar_subquery()
    )
    for part in chunks(external_ids):
        conn.execute(
            sa.update(signals)
            .where(
                signals.c.store_id == store_id,
                signals.c.conversation_id.is_(None),
                signals.c.conversation_external_id.in_(part),
            )
            .values(conversation_id=lookup)
        )


def ingest_signals(
    conn: sa.Connection,
    default_store: Store,
    records: Sequence[tuple[int, Any]],
    *,
    allowed_store_ids: set[int] | None = None,
) -> IngestResult:
    """Validate and store ``(index, raw)`` signal records in the open transaction."""
    valid, errors = validate_records(records, SignalIn)
    groups, store_errors = _group_by_store(conn, valid, default_store, allowed_store_ids)
    result = IngestResult(received=len(records), rejected=errors + store_errors)
    for store, items in groups.values():
        _write_signals(conn, store, items, result)
    result.rejected.sort(key=lambda e: e.index)
    return result


def _write_signals(
    conn: sa.Connection,
    store: Store,
    items: list[tuple[int, SignalIn, Any]],
    result: IngestResult,
) -> None:
    latest = {m.derived_external_id(): m for _, m, _ in items}
    result.unchanged += len(items) - len(latest)
    conv_refs = sorted({m.conversation_id for m in latest.values() if m.conversation_id})
    conv_ids = {ext: v[0] for ext, v in _existing(conn, conversations, store.id, conv_refs).items()}
    now = utcnow()
    enc = Encoder(conn)
    rows = [
        _encode_row(
            enc,
            {
                "store_id": store.id,
                "external_id": ext,
                "type": m.type.value,
                "value": m.value,
                "occurred_at": utc(m.occurred_at),
                "conversation_external_id": m.conversation_id,
                "conversation_id": conv_ids.get(m.conversation_id or ""),
                "message_index": m.message_index,
                "source": m.source,
                "context": m.context,
                "ingested_at": now,
            },
        )
        for ext, m in latest.items()
    ]
    created = len(
        insert_new_returning(
            conn, signals, SIGNAL_COLUMNS, rows, ("store_id", "external_id"), ("id",)
        )
    )
    result.created += created
    result.unchanged += len(rows) - created
