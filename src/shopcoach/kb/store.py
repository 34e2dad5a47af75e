"""Versioned, set-based writes of knowledge-base records (inside the caller's transaction).

Rules (``docs/kb.md``):

* an item is keyed by (store, kind, key); each version is immutable and carries the content
  hash of every normalised field (:attr:`KbRecord.content_hash`);
* unchanged content (same hash as the current version) is a no-op: no row is written;
* changed content adds version ``n+1``, stamps ``superseded_at`` on version ``n`` (closing
  its window) and points the item at the new version; article versions get their chunks;
* an archived item that comes back is restored (and gets a new version if it changed);
* with ``prune``, items of the kind that the import did not mention are archived (never
  deleted: answers may cite their versions).

Every step is a handful of statements whatever the size: IN / ``= ANY`` lookups, INSERT …
ON CONFLICT DO NOTHING RETURNING (COPY-staged on PostgreSQL), one UPDATE per step.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from shopcoach.kb.chunking import chunk_article
from shopcoach.kb.records import KbRecord
from shopcoach.search.documents import normalize_text
from shopcoach.store.bulk import Encoder, insert_new_returning, insert_rows
from shopcoach.store.sql import in_chunks, member_of, utcnow
from shopcoach.store.tables import kb_chunks, kb_items, kb_versions

ITEM_COLUMNS = ("store_id", "kind", "key", "first_seen", "updated_at")
VERSION_COLUMNS = (
    "item_id", "version_no", "content_hash", "title", "body", "category", "brand", "price",
    "in_stock", "attributes", "metadata", "valid_from", "valid_to", "reviewed_at", "source",
    "created_at",
)  # fmt: skip
CHUNK_COLUMNS = ("version_id", "seq", "heading_path", "text")


@dataclass
class WriteCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    restored: int = 0
    archived: int = 0
    chunks: int = 0
    #: key → id of the version this write created
    new_versions: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Existing:
    item_id: int
    archived: bool
    version_id: int | None
    content_hash: str | None
    version_no: int


def _existing(
    conn: sa.Connection, store_id: int, kind: str, keys: Sequence[str]
) -> dict[str, _Existing]:
    v = kb_versions
    query = sa.select(
        kb_items.c.key, kb_items.c.id, kb_items.c.archived_at, v.c.id, v.c.content_hash,
        v.c.version_no,
    ).select_from(kb_items.outerjoin(v, v.c.id == kb_items.c.current_version_id))  # fmt: skip
    found: dict[str, _Existing] = {}
    for part in in_chunks(conn, keys):
        rows = conn.execute(
            query.where(
                kb_items.c.store_id == store_id,
                kb_items.c.kind == kind,
                member_of(conn, kb_items.c.key, part),
            )
        )
        for key, item_id, archived_at, vid, chash, vno in rows:
            found[key] = _Existing(item_id, archived_at is not None, vid, chash, vno or 0)
    return found


def _update_by_ids(conn: sa.Connection, table: sa.Table, ids: Sequence[int], **values: Any) -> None:
    for part in in_chunks(conn, ids):
        conn.execute(sa.update(table).where(member_of(conn, table.c.id, part)).values(**values))


def write_records(
    conn: sa.Connection,
    store_id: int,
    kind: str,
    records: Sequence[KbRecord],
    *,
    prune: bool = False,
    keep_keys: Collection[str] = (),
    now: datetime | None = None,
) -> WriteCounts:
    """Store ``records`` (one kind, unique keys) as new versions where their content changed.

    ``prune`` archives live items of ``kind`` whose key is neither in ``records`` nor in
    ``keep_keys`` (keys the file named but that were not written, e.g. rejected rows: a bad
    row is not a removed product).
    """
    now = now or utcnow()
    enc = Encoder(conn.dialect.name == "sqlite")
    sqlite = conn.dialect.name == "sqlite"
    counts = WriteCounts()
    by_key = {r.key: r for r in records}
    existing = _existing(conn, store_id, kind, list(by_key))

    new_keys = [k for k in by_key if k not in existing]
    changed: list[str] = []
    restored: list[int] = []
    for key, old in existing.items():
        if old.content_hash != by_key[key].content_hash:
            changed.append(key)
        elif old.archived:
            restored.append(old.item_id)
        else:
            counts.unchanged += 1

    item_ids = {k: e.item_id for k, e in existing.items()}
    if new_keys:
        t = enc.time(now)
        inserted = insert_new_returning(
            conn, kb_items, ITEM_COLUMNS, [(store_id, kind, k, t, t) for k in new_keys],
            ("store_id", "kind", "key"), ("id", "key"),
        )  # fmt: skip
        item_ids.update({key: item_id for item_id, key in inserted})
        # A concurrent import created the same item first: its version stands.
        counts.unchanged += len(new_keys) - len(inserted)
        new_keys = [k for _, k in inserted]

    def day(value: date | None) -> Any:
        return value.isoformat() if (value and sqlite) else value

    def version_row(r: KbRecord, version_no: int) -> tuple[Any, ...]:
        return (
            item_ids[r.key], version_no, r.content_hash, r.title, r.body,
            enc.json(list(r.category)), r.brand or None, r.price, r.in_stock,
            enc.json(dict(r.attributes)), enc.json(dict(r.metadata)), day(r.valid_from),
            day(r.valid_to), day(r.reviewed_at),
            r.source[:1000], enc.time(now),
        )  # fmt: skip

    rows = [version_row(by_key[k], 1) for k in new_keys]
    rows += [version_row(by_key[k], existing[k].version_no + 1) for k in changed]
    created = insert_new_returning(conn, kb_versions, VERSION_COLUMNS, rows,
                                   ("item_id", "version_no"), ("id", "item_id"))  # fmt: skip
    key_of = {item_ids[k]: k for k in (*new_keys, *changed)}
    counts.new_versions = {key_of[item_id]: vid for vid, item_id in created}
    counts.created = sum(1 for k in new_keys if k in counts.new_versions)
    counts.updated = sum(1 for k in changed if k in counts.new_versions)
    counts.unchanged += len(rows) - len(created)  # lost a race for the same version number

    previous = [existing[k].version_id for k in changed if k in counts.new_versions]
    _update_by_ids(conn, kb_versions, [v for v in previous if v is not None], superseded_at=now)
    touched = [item_ids[k] for k in counts.new_versions] + restored
    if touched:
        latest = (
            sa.select(sa.func.max(kb_versions.c.id))
            .where(kb_versions.c.item_id == kb_items.c.id)
            .scalar_subquery()
        )
        _update_by_ids(conn, kb_items, touched, current_version_id=latest, updated_at=now,
                       archived_at=None)  # fmt: skip
    counts.restored = len(restored)

    if kind == "article":
        chunk_rows = [
            (vid, c.seq, enc.json(list(c.heading_path)), normalize_text(c.text))
            for key, vid in counts.new_versions.items()
            for c in chunk_article(by_key[key].body)
        ]
        insert_rows(conn, kb_chunks, CHUNK_COLUMNS, chunk_rows)
        counts.chunks = len(chunk_rows)

    if prune:
        keep = set(by_key) | set(keep_keys)
        live = conn.execute(
            sa.select(kb_items.c.id, kb_items.c.key).where(
                kb_items.c.store_id == store_id,
                kb_items.c.kind == kind,
                kb_items.c.archived_at.is_(None),
            )
        )
        gone = [item_id for item_id, key in live if key not in keep]
        _update_by_ids(conn, kb_items, gone, archived_at=now, updated_at=now)
        counts.archived = len(gone)
    return counts
