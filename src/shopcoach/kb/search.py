"""The store's knowledge search: a hybrid index of the current KB, persisted beside the database.

``KnowledgeSearch(db, store, home)`` keeps one index per store under
``<home>/index/<store>/``. ``sync()`` reads the current version of every product and article
chunk (``kb/documents.current_documents``) and updates the index incrementally: unchanged
documents (same content hash) are skipped, changed ones re-indexed, removed ones deleted, and
only texts never embedded before go to the embedding model; what changed is saved as a new
segment of the persisted index. ``shopcoach kb import`` calls ``sync`` after each import.

Without an embeddings extra the index is lexical-only (``shopcoach.search`` says so once).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from shopcoach.kb.documents import current_documents
from shopcoach.search import Document, Filters, SearchIndex, UpsertResult
from shopcoach.search.persist import IndexMismatch
from shopcoach.search.rewrite import Rewrite
from shopcoach.store.engine import Database
from shopcoach.store.tables import kb_items
from shopcoach.stores import Store

log = logging.getLogger(__name__)
_lock = threading.Lock()
_open: dict[tuple[str, str], KnowledgeSearch] = {}


@dataclass(frozen=True)
class SearchResult:
    doc_id: str
    kind: str
    title: str
    score: float
    lexical_rank: int | None
    dense_rank: int | None
    price: float | None
    in_stock: bool | None
    category: tuple[str, ...]
    snippet: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id, "kind": self.kind, "title": self.title,
            "score": round(self.score, 6), "lexical_rank": self.lexical_rank,
            "dense_rank": self.dense_rank, "price": self.price, "in_stock": self.in_stock,
            "category": list(self.category), "snippet": self.snippet,
        }  # fmt: skip


class KnowledgeSearch:
    """Hybrid search over one store's current knowledge (see the module docstring)."""

    def __init__(self, db: Database, store: Store, home: Path, embedder: Any = "auto") -> None:
        self.db = db
        self.store = store
        self.directory = Path(home) / "index" / store.slug
        self.index = self._open(embedder)
        self._synced = False
        self._seen: tuple[Any, ...] = ()

    def _open(self, embedder: Any) -> SearchIndex:
        """The saved index, or a new one when there is none or it was built differently."""
        if (self.directory / "manifest.json").is_file():
            try:
                return SearchIndex.open(self.directory, embedder)
            except IndexMismatch as exc:
                log.warning("rebuilding the search index of store %s: %s", self.store.slug, exc)
        return SearchIndex(embedder=embedder)

    @classmethod
    def for_store(cls, db: Database, store: Store, home: Path, embedder: Any = "auto",
                  refresh: bool = True) -> KnowledgeSearch:  # fmt: skip
        """One shared, synced instance per (database, store) in this process."""
        key = (db.url, store.slug)
        with _lock:
            found = _open.get(key)
            if found is None:
                found = _open[key] = cls(db, store, home, embedder)
        if refresh:
            found.refresh()
        return found

    def _fingerprint(self) -> tuple[Any, ...]:
        with self.db.connect() as conn:
            row = conn.execute(
                sa.select(sa.func.count(), sa.func.max(kb_items.c.updated_at),
                          sa.func.max(kb_items.c.current_version_id))
                .where(kb_items.c.store_id == self.store.id)
            ).one()  # fmt: skip
        return tuple(row)

    def refresh(self) -> UpsertResult | None:
        """Sync if the store's knowledge changed since the last sync (one cheap query), e.g.
        after an import by another process while the server runs."""
        current = self._fingerprint()
        if self._synced and current == self._seen:
            return None
        result = self.sync()
        self._seen = current
        return result

    @property
    def mode(self) -> str:
        return "hybrid" if self.index.semantic else "lexical"

    def sync(self) -> UpsertResult:
        """Bring the index up to date with the store's current knowledge and save what changed
        (an append-only segment: see ``shopcoach.search.persist``)."""
        with self.db.connect() as conn:
            docs = current_documents(conn, self.store.id)
        result = self.index.sync(docs)
        if result.added or result.updated or result.removed or not self._synced:
            self.index.save(self.directory)
        self._synced = True
        return result

    def documents(self) -> list[Document]:
        return self.index.documents()

    def search(self, query: str, k: int = 10, filters: Filters | None = None) -> list[SearchResult]:
        out = []
        for hit in self.index.search(query, k=k, filters=filters):
            doc = self.index.get(hit.doc_id)
            if doc is None:
                continue
            out.append(SearchResult(doc.id, doc.kind, doc.title, hit.score, hit.lexical_rank,
                                    hit.dense_rank, doc.price, doc.in_stock, doc.category,
                                    doc.text[:240]))  # fmt: skip
        return out

    def rewrite(self, query: str, filters: Filters | None = None) -> Rewrite:
        """How :meth:`search` reads ``query`` (:mod:`shopcoach.search.rewrite`)."""
        return self.index.rewrite(query, filters)

    def retriever(self, today: date | None = None) -> Any:
        from shopcoach.agent.retrieval import IndexRetriever

        return IndexRetriever(self.index, today=today, authoritative=self.authoritative_keys())

    def authoritative_keys(self) -> set[str]:
        """Keys of current articles marked ``authoritative: true`` (docs/kb.md)."""
        from shopcoach.kb.documents import authoritative_keys

        with self.db.connect() as conn:
            return authoritative_keys(conn, self.store.id)


def sync_store_index(db: Database, store: Store, home: Path) -> UpsertResult:
    """Update the persisted index after an import (used by ``shopcoach kb import``)."""
    search = KnowledgeSearch.for_store(db, store, home, refresh=False)
    result = search.sync()
    search._seen = search._fingerprint()
    return result
