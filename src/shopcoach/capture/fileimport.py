"""Streaming file import with checkpoints: constant memory, exactly-once after a crash.

The file is read record by record and written in chunks of ``import_chunk_size``; each
chunk commits in one transaction together with a checkpoint (byte offset, line number,
counts). If the process dies, everything committed is kept and the next run of the same
import resumes at the checkpoint; whatever was read after it is simply read again, and the
idempotent writer makes that harmless. A changed file (size, mtime or first bytes differ)
gets a fresh import, which is equally safe.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa

from shopcoach.capture.importers import ParseError, get_reader
from shopcoach.capture.validate import Problem, RecordError
from shopcoach.capture.writer import IngestResult, ingest_conversations, ingest_signals
from shopcoach.errors import ValidationFailed
from shopcoach.store.engine import Database
from shopcoach.store.sql import insert_for, utcnow
from shopcoach.store.tables import import_checkpoints
from shopcoach.stores import get_store

Kind = Literal["conversations", "signals"]
_WRITERS = {"conversations": ingest_conversations, "signals": ingest_signals}
FINGERPRINT_BYTES = 1 << 16


@dataclass
class ImportReport:
    """The outcome of one import run."""

    path: str
    kind: str
    result: IngestResult = field(default_factory=IngestResult)
    resumed_at_line: int = 0
    already_done: bool = False
    seconds: float = 0.0
    lines: int = 0
    rejected_total: int = 0  # every rejected record this run; result.rejected keeps the first N

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "resumed_at_line": self.resumed_at_line,
            "already_done": self.already_done,
            "seconds": round(self.seconds, 3),
            "lines": self.lines,
            **self.result.to_dict(),
            "rejected_count": self.rejected_total,
        }


def fingerprint(path: Path) -> str:
    """Identity of a file's content version: path, size, mtime and its first 64 KiB."""
    stat = path.stat()
    digest = hashlib.sha256(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    with path.open("rb") as fh:
        digest.update(fh.read(FINGERPRINT_BYTES))
    return digest.hexdigest()


def import_file(
    db: Database,
    path: Path,
    kind: Kind,
    store_slug: str,
    *,
    fmt: str = "jsonl",
    chunk_size: int = 1000,
    restart: bool = False,
    on_progress: Callable[[int, int, IngestResult], None] | None = None,
    on_reject: Callable[[RecordError], None] | None = None,
    keep_rejects: int = 1000,
) -> ImportReport:
    """Import ``path`` into ``store_slug``; resumable, idempotent, constant memory.

    ``on_progress(bytes_done, bytes_total, run_totals)`` is called after every committed
    chunk; ``on_reject`` sees every rejected record; the report keeps the first
    ``keep_rejects`` of them (``rejected_total`` counts all).
    """
    if kind not in _WRITERS:
        raise ValidationFailed(
            f"Unknown import kind {kind!r}.", hint="Use 'conversations' or 'signals'."
        )
    if not path.is_file():
        raise ValidationFailed(f"No file at {path}.", hint="Check the path.")
    reader = get_reader(fmt)
    writer = _WRITERS[kind]
    started = time.perf_counter()
    total_bytes = path.stat().st_size
    key = fingerprint(path)
    report = ImportReport(path=str(path), kind=kind)

    with db.begin() as conn:
        store = get_store(conn, store_slug)
        checkpoint = _load_checkpoint(conn, store.id, kind, key)
    offset, line_no, prior_accepted, prior_rejected = 0, 0, 0, 0
    if checkpoint is not None and not restart:
        report.resumed_at_line = checkpoint.line_no
        if checkpoint.finished_at is not None:
            report.already_done = True
            report.seconds = time.perf_counter() - started
            return report
        offset, line_no = checkpoint.byte_offset, checkpoint.line_no
        prior_accepted, prior_rejected = checkpoint.accepted, checkpoint.rejected
    run = report.result  # this run's counts; the checkpoint keeps the cumulative ones

    def flush(
        batch: list[tuple[int, Any]], errors: list[RecordError], end: int, last: int, finished: bool
    ) -> None:
        with db.begin() as conn:
            result = writer(conn, store, batch) if batch else IngestResult()
            result.rejected.extend(errors)
            result.rejected.sort(key=lambda e: e.index)  # in file order
            result.received += len(errors)
            _save_checkpoint(
                conn,
                store.id,
                kind,
                key,
                str(path),
                end,
                last,
                prior_accepted + run.accepted + result.accepted,
                prior_rejected + report.rejected_total + len(result.rejected),
                finished,
            )
        report.rejected_total += len(result.rejected)
        if on_reject:
            for err in result.rejected:
                on_reject(err)
        result.rejected = result.rejected[: max(keep_rejects - len(run.rejected), 0)]
        run.add(result)
        if on_progress:
            on_progress(end, total_bytes, run)

    with path.open("rb") as fh:
        fh.seek(offset)
        batch: list[tuple[int, Any]] = []
        errors: list[RecordError] = []
        end, last = offset, line_no
        for last, end, record in reader(fh, line_no):
            if isinstance(record, ParseError):
                errors.append(RecordError(last, None, (Problem("", record.reason),)))
            else:
                batch.append((last, record))
            if len(batch) + len(errors) >= chunk_size:
                flush(batch, errors, end, last, finished=False)
                batch, errors = [], []
        flush(batch, errors, end, last, finished=True)
    report.lines = last
    report.seconds = time.perf_counter() - started
    return report


def _load_checkpoint(conn: sa.Connection, store_id: int, kind: str, key: str) -> Any:
    t = import_checkpoints
    return conn.execute(
        sa.select(t).where(t.c.store_id == store_id, t.c.kind == kind, t.c.source_key == key)
    ).first()


def _save_checkpoint(
    conn: sa.Connection,
    store_id: int,
    kind: str,
    key: str,
    name: str,
    offset: int,
    line_no: int,
    accepted: int,
    rejected: int,
    finished: bool,
) -> None:
    now = utcnow()
    values = {
        "byte_offset": offset,
        "line_no": line_no,
        "accepted": accepted,
        "rejected": rejected,
        "updated_at": now,
        "finished_at": now if finished else None,
    }
    stmt = insert_for(conn, import_checkpoints).values(
        store_id=store_id, kind=kind, source_key=key, source_name=name[:1000], **values
    )
    conn.execute(
        stmt.on_conflict_do_update(index_elements=["store_id", "kind", "source_key"], set_=values)
    )
