"""The Python API of the knowledge base: import files, read the current documents.

>>> from shopcoach import open_store
>>> from shopcoach.kb.api import import_products, import_articles
>>> db = open_store("sqlite:///.shopcoach/shopcoach.db")  # doctest: +SKIP
>>> import_products(db, "products.csv").to_dict()  # doctest: +SKIP
{'kind': 'product', 'format': 'csv', 'created': 6764, 'updated': 0, 'unchanged': 0, ...}

An import reads and checks the whole file first (pure: parse, normalise, reject bad rows,
set aside exact copies, find near-duplicates), then writes every good row in one transaction
(``kb/store.py``), so a failed import leaves nothing behind and a retry is safe.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from shopcoach.capture.validate import Problem, RecordError
from shopcoach.errors import ValidationFailed
from shopcoach.kb.dedup import THRESHOLD, exact_duplicates, near_duplicates
from shopcoach.kb.documents import current_documents, document_ids
from shopcoach.kb.records import KbRecord
from shopcoach.kb.sources import ReadResult, Skipped, detect
from shopcoach.kb.store import write_records
from shopcoach.store.bulk import paused_gc
from shopcoach.store.engine import Database
from shopcoach.stores import get_store

__all__ = [
    "KbImportResult",
    "current_documents",
    "document_ids",
    "import_articles",
    "import_kb",
    "import_products",
    "prepare",
]

KIND_ALIASES = {"product": "product", "products": "product", "article": "article",
                "articles": "article"}  # fmt: skip


@dataclass(frozen=True)
class NearDuplicateRef:
    key: str
    line: int
    of_key: str
    of_line: int
    similarity: float

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass
class KbImportResult:
    """What an import did. ``rejected`` rows carry line, field and fix; ``skipped`` rows were
    left out on purpose (exact copies, Shopify drafts); near-duplicates are stored but listed."""

    kind: str
    format: str
    path: str
    received: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    restored: int = 0
    archived: int = 0
    chunks: int = 0
    rejected: list[RecordError] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    near_duplicates: list[NearDuplicateRef] = field(default_factory=list)
    new_versions: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def accepted(self) -> int:
        return self.created + self.updated + self.unchanged + self.restored

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "format": self.format,
            "path": self.path,
            "received": self.received,
            "accepted": self.accepted,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "restored": self.restored,
            "archived": self.archived,
            "chunks": self.chunks,
            "rejected": [{"line": e.index, "key": e.external_id, **e.to_dict()}
                         for e in self.rejected],
            "skipped": [s.to_dict() for s in self.skipped],
            "near_duplicates": [n.to_dict() for n in self.near_duplicates],
            "seconds": round(self.seconds, 3),
        }  # fmt: skip


@dataclass
class Prepared:
    """A file after the pure steps: records to write, and everything reported about it."""

    records: list[KbRecord]
    read: ReadResult
    near: list[NearDuplicateRef]
    seen_keys: set[str]


def _dedup_text(r: KbRecord) -> str:
    return f"{r.title}\n{r.body}"


def prepare(
    read: ReadResult, *, dedupe: bool = True, near_threshold: float | None = THRESHOLD
) -> Prepared:
    """Reject repeated keys, set exact copies aside, list near-duplicates (pure)."""
    first_line: dict[str, int] = {}
    unique: list[KbRecord] = []
    for r in read.records:
        if r.key in first_line:
            read.errors.append(RecordError(r.line, r.key, (Problem(
                "key", f"{r.key!r} already appears on line {first_line[r.key]}; keys must be "
                "unique within a file, so rename one or merge the rows"),)))  # fmt: skip
            continue
        first_line[r.key] = r.line
        unique.append(r)
    seen = set(first_line) | {e.external_id for e in read.errors if e.external_id}
    records = unique
    if dedupe:
        copies = exact_duplicates([r.content_hash for r in unique])
        for i, j in sorted(copies.items()):
            read.skipped.append(Skipped(unique[i].line, unique[i].key, f"exact copy of "
                                        f"{unique[j].key!r} (line {unique[j].line})"))  # fmt: skip
        records = [r for i, r in enumerate(unique) if i not in copies]
    near: list[NearDuplicateRef] = []
    if near_threshold is not None and len(records) > 1:
        for nd in near_duplicates([_dedup_text(r) for r in records], threshold=near_threshold):
            a, b = records[nd.index], records[nd.of_index]
            near.append(NearDuplicateRef(a.key, a.line, b.key, b.line, nd.similarity))
    read.errors.sort(key=lambda e: (e.index, e.external_id or ""))
    return Prepared(records, read, near, seen)


def import_kb(
    db: Database,
    path: str | Path,
    *,
    kind: str | None = None,
    store: str = "default",
    format: str | None = None,
    prune: bool = False,
    dedupe: bool = True,
    near_threshold: float | None = THRESHOLD,
    now: datetime | None = None,
) -> KbImportResult:
    """Import a products or articles file (or folder), detecting the format if not given.

    ``prune`` treats the file as the complete set of its kind: items it does not mention are
    archived. ``dedupe`` sets exact copies aside; ``near_threshold`` (estimated Jaccard of
    word 3-shingles) lists near-duplicates, ``None`` skips that check. ``now`` (naive UTC)
    dates the new versions (default: the wall clock; a simulation passes its own time).
    """
    started = time.perf_counter()
    path = Path(path)
    norm_kind = KIND_ALIASES.get(kind, kind) if kind else None
    fmt = detect(path, norm_kind, format)
    if norm_kind and fmt.kind != norm_kind:
        raise ValidationFailed(
            f"{path.name} looks like {fmt.kind}s ({fmt.name}), not {norm_kind}s.",
            hint=f"Pass --format for a {norm_kind} format, or import it as {fmt.kind}s.",
        )
    with paused_gc():
        read = fmt.read(path)
        received = len(read.records) + len(read.errors) + len(read.skipped)
        prepared = prepare(read, dedupe=dedupe, near_threshold=near_threshold)
        with db.begin() as conn:
            target = get_store(conn, store)
            counts = write_records(conn, target.id, fmt.kind, prepared.records, prune=prune,
                                   keep_keys=prepared.seen_keys, now=now)  # fmt: skip
    return KbImportResult(
        kind=fmt.kind,
        format=fmt.name,
        path=str(path),
        received=received,
        created=counts.created,
        updated=counts.updated,
        unchanged=counts.unchanged,
        restored=counts.restored,
        archived=counts.archived,
        chunks=counts.chunks,
        rejected=read.errors,
        skipped=read.skipped,
        near_duplicates=prepared.near,
        new_versions=counts.new_versions,
        seconds=time.perf_counter() - started,
    )


def import_products(
    db: Database, path: str | Path, *, store: str = "default", format: str | None = None,
    **options: Any,
) -> KbImportResult:  # fmt: skip
    """Import products from CSV, JSONL or a Shopify product CSV export (see :func:`import_kb`)."""
    return import_kb(db, path, kind="product", store=store, format=format, **options)


def import_articles(
    db: Database, path: str | Path, *, store: str = "default", format: str | None = None,
    **options: Any,
) -> KbImportResult:  # fmt: skip
    """Import articles from a Markdown folder, HTML files or JSONL (see :func:`import_kb`)."""
    return import_kb(db, path, kind="article", store=store, format=format, **options)
