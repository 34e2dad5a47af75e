"""File import: streaming, checkpoints, and exactly-once after a crash (SIGKILL)."""

from __future__ import annotations

import os
import signal as signals_module
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa

from shopcoach.capture.fileimport import import_file
from shopcoach.store.engine import Database
from shopcoach.store.tables import conversations, import_checkpoints, messages
from shopcoach.stores import Store
from tests.conftest import conversation


def write_conversations(path: Path, n: int) -> None:
    with path.open("wb") as fh:
        for i in range(n):
            fh.write(orjson.dumps(conversation(f"c-{i:06d}")) + b"\n")


def counts(db: Database) -> tuple[int, int, int]:
    with db.connect() as conn:
        convs = conn.execute(sa.select(sa.func.count()).select_from(conversations)).scalar_one()
        msgs = conn.execute(sa.select(sa.func.count()).select_from(messages)).scalar_one()
        distinct = conn.execute(
            sa.select(sa.func.count(sa.distinct(conversations.c.external_id)))
        ).scalar_one()
    return convs, msgs, distinct


@pytest.mark.parametrize("workers", [0, 2])
def test_chunks_are_checkpointed_and_progress_reported(
    db: Database, store: Store, tmp_path: Path, workers: int
) -> None:
    path = tmp_path / "convs.jsonl"
    write_conversations(path, 250)
    seen: list[int] = []
    report = import_file(
        db,
        path,
        "conversations",
        store.slug,
        chunk_size=10,
        workers=workers,
        on_progress=lambda done, total, run: seen.append(done),
    )
    assert report.workers == workers
    assert report.result.created == 250 and report.lines == 250
    assert len(seen) == 25 and seen[-1] == path.stat().st_size
    assert seen == sorted(seen)  # chunks are committed in file order
    assert counts(db) == (250, 750, 250)
    with db.connect() as conn:
        cp = conn.execute(sa.select(import_checkpoints)).one()
    assert (cp.line_no, cp.accepted, cp.byte_offset) == (250, 250, path.stat().st_size)
    assert cp.finished_at is not None


def test_a_changed_file_is_imported_again_safely(
    db: Database, store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "convs.jsonl"
    write_conversations(path, 10)
    import_file(db, path, "conversations", store.slug)
    with path.open("ab") as fh:
        fh.write(orjson.dumps(conversation("c-new")) + b"\n")
    report = import_file(db, path, "conversations", store.slug)
    assert (report.result.created, report.result.unchanged) == (1, 10)
    assert counts(db)[0] == 11


def test_killed_import_resumes_and_stores_every_record_once(
    db: Database, store: Store, tmp_path: Path
) -> None:
    n = 30_000
    path = tmp_path / "big.jsonl"
    write_conversations(path, n)
    env = {**os.environ, "SHOPCOACH_DATABASE_URL": db.url, "SHOPCOACH_IMPORT_CHUNK_SIZE": "500"}
    cmd = [sys.executable, "-m", "shopcoach", "ingest", "conversations", str(path)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    offset = 0
    while time.monotonic() < deadline and proc.poll() is None:
        with db.connect() as conn:
            offset = conn.execute(sa.select(import_checkpoints.c.line_no)).scalar() or 0
        if offset >= 2_000:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the import finished before it could be killed; raise n"
    proc.send_signal(signals_module.SIGKILL)
    proc.wait(30)
    stored_before = counts(db)[0]
    assert 0 < stored_before < n

    rerun = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert "Resumed after line" in rerun.stdout
    assert counts(db) == (n, 3 * n, n)


def test_jsonl_chunks_count_every_line_and_skip_blank_ones(tmp_path: Path) -> None:
    """The reading process cuts lines into chunks; workers number the records by their
    physical line (blank lines count, CRLF and a missing final newline are fine)."""
    from shopcoach.capture.importers import get_format

    data = b'{"a":1}\n\n  \n{"b":2}\r\n{"c":3}'
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(data)
    jsonl = get_format("jsonl")
    with path.open("rb") as fh:
        fh.seek(0)
        raws = list(jsonl.split(fh, 0, 2))
    assert [(r.first_line, r.last_line) for r in raws] == [(0, 2), (2, 4), (4, 5)]
    assert [r.end for r in raws] == [9, 21, len(data)]
    assert b"".join(r.payload for r in raws) == data
    units = [u for r in raws for u in jsonl.units(r.payload, r.first_line)]
    assert [n for n, _ in units] == [1, 4, 5]
    assert [jsonl.parse(u) for _, u in units] == [{"a": 1}, {"b": 2}, {"c": 3}]
    with path.open("rb") as fh:  # resuming mid-file continues the numbering
        fh.seek(9)
        resumed = list(jsonl.split(fh, 2, 10))
    assert [n for n, _ in jsonl.units(resumed[0].payload, resumed[0].first_line)] == [4, 5]
    assert resumed[0].end == len(data)


def test_blank_lines_and_rejects_keep_their_line_numbers(
    db: Database, store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "gaps.jsonl"
    good = orjson.dumps(conversation("g-1"))
    path.write_bytes(good + b"\n\n\n{bad json\n" + orjson.dumps(conversation("g-2")) + b"\n\n")
    report = import_file(db, path, "conversations", store.slug, chunk_size=2, workers=0)
    assert report.result.created == 2 and report.lines == 6
    assert [(e.index, e.field) for e in report.result.rejected] == [(4, "")]
