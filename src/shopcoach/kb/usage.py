"""Which knowledge-base versions each answer used (R-KB-4).

The agent runtime calls :func:`record_answer_sources` once per answer with what it retrieved:
version ids, or the search document ids it got from the index (``"SKU-1"`` for a product,
``"returns#2"`` for an article chunk; see :mod:`shopcoach.kb.documents`), which are resolved
to the item's *current* version at that moment. Recording is idempotent: a retried call
stores each (answer, version, document) once. Versions are never deleted, so an old answer
keeps pointing at the exact text it was given even after the article changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from shopcoach.errors import NotFound, ValidationFailed
from shopcoach.store.sql import in_chunks, insert_for, member_of, utcnow
from shopcoach.store.tables import kb_answer_sources, kb_chunks, kb_items, kb_versions


@dataclass(frozen=True)
class AnswerSource:
    version_id: int
    document_id: str
    kind: str
    key: str
    version_no: int
    content_hash: str
    title: str
    superseded_at: datetime | None
    recorded_at: datetime

    def to_dict(self) -> dict[str, Any]:
        out = self.__dict__.copy()
        for name in ("superseded_at", "recorded_at"):
            value = out[name]
            out[name] = value.isoformat() if value else None
        return out


def _resolve_documents(
    conn: sa.Connection, store_id: int, doc_ids: list[str]
) -> dict[str, int]:
    """document id → current version id; product keys first, then ``key#seq`` chunks."""
    found: dict[str, int] = {}
    live = [kb_items.c.store_id == store_id, kb_items.c.archived_at.is_(None)]
    for part in in_chunks(conn, doc_ids):
        rows = conn.execute(
            sa.select(kb_items.c.key, kb_items.c.current_version_id).where(
                *live, kb_items.c.kind == "product", member_of(conn, kb_items.c.key, part)
            )
        )
        found.update({k: v for k, v in rows if v is not None})
    chunk_refs = {d: d.rsplit("#", 1) for d in doc_ids if d not in found and "#" in d}
    keys = sorted({k for k, _ in chunk_refs.values()})
    chunk_seqs: dict[str, tuple[int, set[int]]] = {}
    for part in in_chunks(conn, keys):
        chunk_rows: Any = conn.execute(
            sa.select(kb_items.c.key, kb_items.c.current_version_id, kb_chunks.c.seq)
            .select_from(
                kb_items.join(kb_chunks, kb_chunks.c.version_id == kb_items.c.current_version_id)
            )
            .where(*live, kb_items.c.kind == "article", member_of(conn, kb_items.c.key, part))
        )
        for key, vid, seq in chunk_rows:
            chunk_seqs.setdefault(key, (vid, set()))[1].add(seq)
    for doc_id, (key, seq) in chunk_refs.items():
        if key in chunk_seqs and seq.isdigit() and int(seq) in chunk_seqs[key][1]:
            found[doc_id] = chunk_seqs[key][0]
    return found


def record_answer_sources(
    conn: sa.Connection, store_id: int, answer_ref: str, versions: Iterable[int | str]
) -> int:
    """Record that answer ``answer_ref`` used ``versions`` (version ids or document ids).

    Returns how many new links were stored (0 on a retry). Raises :class:`NotFound` naming
    every reference that matches no version of this store.

    >>> record_answer_sources(conn, store.id, "conv-42/3", ["returns#1", "SKU-7"])  # doctest: +SKIP
    2
    """
    answer_ref = answer_ref.strip()
    if not answer_ref or len(answer_ref) > 200:
        raise ValidationFailed(
            f"answer_ref {answer_ref[:40]!r} must be 1-200 characters.",
            hint="Use the conversation id and message index, e.g. 'conv-42/3'.",
        )
    refs = list(dict.fromkeys(versions))
    ints = [r for r in refs if isinstance(r, int)]
    docs = [r for r in refs if isinstance(r, str)]
    pairs: list[tuple[int, str]] = []
    known: set[int] = set()
    for part in in_chunks(conn, ints):
        rows = conn.execute(
            sa.select(kb_versions.c.id)
            .select_from(kb_versions.join(kb_items, kb_items.c.id == kb_versions.c.item_id))
            .where(kb_items.c.store_id == store_id, member_of(conn, kb_versions.c.id, part))
        )
        known.update(v for (v,) in rows)
    pairs += [(v, "") for v in ints if v in known]
    resolved = _resolve_documents(conn, store_id, docs) if docs else {}
    pairs += [(resolved[d], d) for d in docs if d in resolved]
    missing = [str(v) for v in ints if v not in known] + [d for d in docs if d not in resolved]
    if missing:
        raise NotFound(
            f"No knowledge-base version matches {', '.join(missing[:10])} in this store.",
            hint="Pass version ids or document ids from current_documents() of the same store.",
        )
    if not pairs:
        return 0
    now = utcnow()
    stmt = (
        insert_for(conn, kb_answer_sources)
        .on_conflict_do_nothing(
            index_elements=["store_id", "answer_ref", "version_id", "document_id"]
        )
        .returning(kb_answer_sources.c.id)
    )
    result = conn.execute(
        stmt,
        [{"store_id": store_id, "answer_ref": answer_ref, "version_id": v, "document_id": d,
          "recorded_at": now} for v, d in pairs],
    )  # fmt: skip
    return len(result.all())


def answer_sources(conn: sa.Connection, store_id: int, answer_ref: str) -> list[AnswerSource]:
    """The versions answer ``answer_ref`` used, with the item and version they belong to."""
    s, v, i = kb_answer_sources, kb_versions, kb_items
    rows = conn.execute(
        sa.select(s.c.version_id, s.c.document_id, i.c.kind, i.c.key, v.c.version_no,
                  v.c.content_hash, v.c.title, v.c.superseded_at, s.c.recorded_at)
        .select_from(s.join(v, v.c.id == s.c.version_id).join(i, i.c.id == v.c.item_id))
        .where(s.c.store_id == store_id, s.c.answer_ref == answer_ref)
        .order_by(s.c.id)
    )  # fmt: skip
    return [AnswerSource(*row) for row in rows]
