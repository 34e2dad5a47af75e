"""Scoring benchmark: N stored conversations scored from scratch (no LLM), then a no-op re-run.

    .venv/bin/python benchmarks/scoring.py                 # 100k conversations, SQLite
    .venv/bin/python benchmarks/scoring.py --n 20000 --db postgresql+psycopg://postgres@127.0.0.1:5432/test

Conversations come from ``benchmarks/ingest.py``'s generator (6 messages, 3 AI answers with
prices, windows and order numbers) and go in through the capture writer; a small catalog and
a returns article are stored with a version change in the middle of the period, so answers
are judged against the versions valid then. Prints conversations/s (wall and per CPU
second), p50/p95 seconds per chunk, peak RSS. ``run(n)`` returns the figures as a dict.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest import fresh_db, make_conversation  # noqa: E402

from shopcoach.capture.writer import ingest_conversations  # noqa: E402
from shopcoach.kb.records import KbRecord  # noqa: E402
from shopcoach.kb.store import write_records  # noqa: E402
from shopcoach.scoring import score_conversations  # noqa: E402
from shopcoach.store.bulk import paused_gc  # noqa: E402
from shopcoach.store.engine import open_store  # noqa: E402
from shopcoach.stores import get_store  # noqa: E402

CHUNK = 2000


def _kb(db: Any, store_id: int) -> None:
    def catalog(price: float) -> list[KbRecord]:
        return [KbRecord(kind="product", key="JP-BPK-30L-GRN", title="Alpine 30L Backpack",
                         price=price, in_stock=True)]  # fmt: skip

    def returns(days: int) -> list[KbRecord]:
        body = f"Returns are accepted within {days} days of delivery for unused items."
        return [KbRecord(kind="article", key="returns-policy", title="Returns", body=body)]

    with db.begin() as conn:
        write_records(conn, store_id, "product", catalog(129.99), now=datetime(2026, 9, 1))
        write_records(conn, store_id, "article", returns(30), now=datetime(2026, 9, 1))
        write_records(conn, store_id, "product", catalog(119.99), now=datetime(2026, 10, 20))
        write_records(conn, store_id, "article", returns(14), now=datetime(2026, 10, 20))


def load(url: str, n: int) -> None:
    db = open_store(url)
    rng = random.Random(11)
    with db.connect() as conn:
        store = get_store(conn, "default")
    _kb(db, store.id)
    with paused_gc():
        for start in range(0, n, 5000):
            batch = [(i, make_conversation(i, rng)) for i in range(start, min(n, start + 5000))]
            with db.begin() as conn:
                ingest_conversations(conn, store, batch)
    db.close()


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * (len(s) - 1) + 0.5))] if s else 0.0


def run(n: int = 100_000, url: str | None = None) -> dict[str, Any]:
    """Store ``n`` conversations in a fresh database, score them, re-run; return figures."""
    with tempfile.TemporaryDirectory() as tmp:
        db_url = fresh_db(url, Path(tmp), "scoring")
        t = time.perf_counter()
        load(db_url, n)
        load_s = time.perf_counter() - t
        db = open_store(db_url)
        with db.connect() as conn:
            sid = get_store(conn, "default").id
        cpu0, t0 = time.process_time(), time.perf_counter()
        report = score_conversations(db, sid, chunk_size=CHUNK)
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        t1 = time.perf_counter()
        again = score_conversations(db, sid, chunk_size=CHUNK)
        rerun = time.perf_counter() - t1
        db.close()
    return {
        "database": "postgresql" if url else "sqlite", "conversations": n,
        "load_seconds": round(load_s, 1), "score_seconds": round(wall, 2),
        "conversations_per_s": round(report.considered / wall),
        "conversations_per_cpu_s": round(report.considered / cpu) if cpu else None,
        "chunk_p50_s": round(_pct(report.chunk_seconds, 0.5), 3),
        "chunk_p95_s": round(_pct(report.chunk_seconds, 0.95), 3), "chunk_size": CHUNK,
        "scored": report.scored, "flags": report.flags, "needs_review": report.needs_review,
        "rerun_seconds": round(rerun, 2), "rerun_scored": again.scored,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--db", default=None, help="PostgreSQL URL (default: SQLite in a tmp dir)")
    args = parser.parse_args()
    print(json.dumps(run(args.n, args.db), indent=2))


if __name__ == "__main__":
    main()
