"""The current knowledge base as search documents (what the search index is synced from).

Products become one :class:`~shopcoach.search.Document` each, with ``id`` = the product key.
Articles become one document per chunk, with ``id`` = ``"{key}#{seq}"`` and a title made of
the article title and the chunk's heading path. Archived items are left out. Document ids are
stable across versions, so a sync replaces a changed item's documents in place; when an
article loses chunks, :func:`document_ids` of the previous sync tells which ids to drop.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from shopcoach.search.documents import Document
from shopcoach.store.tables import kb_chunks, kb_items, kb_versions

HEADING_SEPARATOR = " › "


def chunk_document_id(key: str, seq: int) -> str:
    return f"{key}#{seq}"


def _filters(store_id: int, kind: str, changed_since: datetime | None) -> list[Any]:
    where = [
        kb_items.c.store_id == store_id,
        kb_items.c.kind == kind,
        kb_items.c.archived_at.is_(None),
    ]
    if changed_since is not None:
        where.append(kb_items.c.updated_at >= changed_since)
    return where


def current_documents(
    conn: sa.Connection,
    store_id: int,
    *,
    kinds: Iterable[str] | None = None,
    changed_since: datetime | None = None,
) -> list[Document]:
    """The current version of every live product and article chunk, as search documents.

    ``kinds`` limits to ``"product"`` and/or ``"article"``; ``changed_since`` (naive UTC)
    keeps only items created, changed or restored at or after that time.

    >>> docs = current_documents(conn, store.id, kinds=["article"])  # doctest: +SKIP
    """
    wanted = set(kinds) if kinds is not None else {"product", "article"}
    unknown = wanted - {"product", "article"}
    if unknown:
        raise ValueError(f"unknown kinds {sorted(unknown)}; use 'product' and/or 'article'")
    v = kb_versions
    joined = kb_items.join(v, v.c.id == kb_items.c.current_version_id)
    docs: list[Document] = []
    if "product" in wanted:
        query = (
            sa.select(kb_items.c.key, v.c.title, v.c.body, v.c.category, v.c.brand, v.c.price,
                      v.c.in_stock, v.c.valid_from, v.c.valid_to, v.c.attributes)
            .select_from(joined)
            .where(*_filters(store_id, "product", changed_since))
            .order_by(kb_items.c.id)
        )  # fmt: skip
        result: Any = conn.execute(query)
        for key, title, body, category, brand, price, in_stock, vf, vt, attrs in result:
            docs.append(
                Document(id=key, title=title, text=body, kind="product", category=category or (),
                         brand=brand or "", price=price, in_stock=in_stock, valid_from=vf,
                         valid_to=vt, attributes=attrs or {})
            )  # fmt: skip
    if "article" in wanted:
        c = kb_chunks
        query = (
            sa.select(kb_items.c.key, c.c.seq, c.c.heading_path, c.c.text, v.c.title,
                      v.c.category, v.c.valid_from, v.c.valid_to)
            .select_from(joined.join(c, c.c.version_id == v.c.id))
            .where(*_filters(store_id, "article", changed_since))
            .order_by(kb_items.c.id, c.c.seq)
        )  # fmt: skip
        rows: Any = conn.execute(query)
        for key, seq, path, text, title, category, vf, vt in rows:
            full_title = HEADING_SEPARATOR.join([title, *path]) if path else title
            docs.append(
                Document(id=chunk_document_id(key, seq), title=full_title, text=text,
                         kind="article", category=category or (), valid_from=vf, valid_to=vt)
            )  # fmt: skip
    return docs


def document_ids(conn: sa.Connection, store_id: int) -> set[str]:
    """Ids of every current document (cheap: no text), to find ids a sync must delete."""
    ids: set[str] = set()
    live = [kb_items.c.store_id == store_id, kb_items.c.archived_at.is_(None)]
    products = sa.select(kb_items.c.key).where(*live, kb_items.c.kind == "product")
    ids.update(k for (k,) in conn.execute(products))
    chunks = (
        sa.select(kb_items.c.key, kb_chunks.c.seq)
        .select_from(kb_items.join(kb_chunks,
                                   kb_chunks.c.version_id == kb_items.c.current_version_id))
        .where(*live, kb_items.c.kind == "article")
    )  # fmt: skip
    ids.update(chunk_document_id(k, s) for k, s in conn.execute(chunks))
    return ids


def authoritative_keys(conn: sa.Connection, store_id: int) -> set[str]:
    """Keys of live articles whose current version is marked ``authoritative`` (a source of
    truth such as the store's policy system; docs/kb.md)."""
    v = kb_versions
    rows = conn.execute(
        sa.select(kb_items.c.key, v.c.metadata)
        .select_from(kb_items.join(v, v.c.id == kb_items.c.current_version_id))
        .where(kb_items.c.store_id == store_id, kb_items.c.kind == "article",
               kb_items.c.archived_at.is_(None))
    )  # fmt: skip
    return {key for key, meta in rows if isinstance(meta, dict) and meta.get("authoritative")}
