"""Weekly-pack benchmark (issue #6): build the pack of the last full week over N conversations.

    .venv/bin/python benchmarks/pack.py                 # 1M conversations over ~90 days, SQLite
    .venv/bin/python benchmarks/pack.py --n 200000 --embedder none

Data: ``benchmarks/metrics.py``'s bulk population (conversations with scores, an AI message,
CSAT / escalation / repeat signals; 15% escalated, 10% abandoned), plus for the last two
weeks a first customer message on every conversation (the questions gap mining reads:
held-out Bitext requests from ``../shared/data`` when present, else short generated ones)
and 200 hallucination flags. Times the whole pack, with and without gap mining, and prints
peak RSS. Target: under 10 s on SQLite on this 2-core machine. Asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from metrics import DAYS, START, peak_rss_mb, populate  # noqa: E402
from shopcoach.review.pack_load import build_weekly_pack  # noqa: E402
from shopcoach.review.weeks import week_bounds  # noqa: E402
from shopcoach.search.datasets import data_dir  # noqa: E402
from shopcoach.store.bulk import Encoder, insert_rows, paused_gc  # noqa: E402
from shopcoach.store.engine import open_store  # noqa: E402
from shopcoach.store.migrate import upgrade  # noqa: E402
from shopcoach.store.tables import conversations, hallucination_flags, messages  # noqa: E402
from shopcoach.stores import ensure_store  # noqa: E402


def questions(rng: random.Random) -> list[str]:
    path = data_dir() / "bitext-customer-support" / "bitext_train.csv"
    if path.is_file():
        with path.open(encoding="utf-8", newline="") as fh:
            return [r["instruction"] for r in csv.DictReader(fh)]
    topics = ["gift card balance", "return label", "delivery date", "discount code", "sizes"]
    return [f"question about {rng.choice(topics)} number {i}" for i in range(3000)]


def add_questions(db: Any, store_id: int, since: datetime, until: datetime) -> int:
    """A first customer message (seq 0) on every conversation of [since, until)."""
    rng = random.Random(3)
    pool = questions(rng)
    enc = Encoder(db.dialect == "sqlite")
    with paused_gc(), db.begin() as conn:
        rows = conn.execute(
            sa.select(conversations.c.id, conversations.c.started_at).where(
                conversations.c.store_id == store_id,
                conversations.c.started_at >= since,
                conversations.c.started_at < until,
            )
        ).all()
        msgs = [(cid, -1, "customer", rng.choice(pool), enc.time(at)) for cid, at in rows]
        insert_rows(conn, messages, ["conversation_id", "seq", "role", "text", "sent_at"], msgs)
        flagged = rng.sample(rows, min(200, len(rows)))
        conn.execute(hallucination_flags.insert(), [
            {"store_id": store_id, "conversation_id": cid, "message_seq": 0,
             "kind": "policy_window", "claim": "You can return it within 30 days.",
             "claimed": "30 days", "verified": "14 days", "source": "article:returns@1",
             "source_version_id": None, "occurred_at": at, "detected_at": at}
            for cid, at in flagged
        ])  # fmt: skip
    return len(rows)


def timed_pack(db: Any, store: Any, week: str, **kw: Any) -> tuple[float, float, Any]:
    with db.connect() as conn:
        t0, c0 = time.perf_counter(), time.process_time()
        pack = build_weekly_pack(conn, store, week, **kw)
        return time.perf_counter() - t0, time.process_time() - c0, pack


def run(n: int = 1_000_000, embedder: str | None = None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        db = open_store(f"sqlite:///{Path(tmp) / 'pack.db'}", check=False)
        try:
            upgrade(db.engine)
            with db.begin() as conn:
                store, _ = ensure_store(conn, "bench", actor="bench")
            out: dict[str, Any] = {"n": n}
            out.update(populate(db, store.id, n))
            last = START + timedelta(days=DAYS)
            label, start, end = week_bounds(last.date() - timedelta(days=7))
            out["week"] = label
            out["questions_added"] = add_questions(db, store.id, start - timedelta(days=7), end)
            emb = "none" if embedder is None else embedder
            wall, cpu, _ = timed_pack(db, store, label, gaps=False)
            out["pack_without_gaps_s"], out["pack_without_gaps_cpu_s"] = wall, cpu
            wall, cpu, pack = timed_pack(db, store, label, embedder=emb)
            out["pack_s"], out["pack_cpu_s"] = wall, cpu
            out["gap_topics"] = len(pack.gaps)
            out["recommendations"] = len(pack.recommendations)
            out["conversations_in_week"] = pack.resolution["conversations"]
            out["peak_rss_mb"] = peak_rss_mb()
        finally:
            db.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--embedder", default=None,
                    help="Gap-mining embedder: none (TF-IDF/LSA, default), minilm, …")  # fmt: skip
    args = ap.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f}", flush=True)
    r = run(args.n, args.embedder)
    print(f"{r['n']:,} conversations inserted in {r['insert_s']:.1f} s; pack of {r['week']} "
          f"({r['conversations_in_week']:,} conversations that week, "
          f"{r['questions_added']:,} questions over two weeks)")  # fmt: skip
    print(f"pack without gap mining: {r['pack_without_gaps_s']:.2f} s wall, "
          f"{r['pack_without_gaps_cpu_s']:.2f} s CPU")  # fmt: skip
    print(f"pack with gap mining   : {r['pack_s']:.2f} s wall, {r['pack_cpu_s']:.2f} s CPU "
          f"({r['gap_topics']} gap topics, {r['recommendations']} recommendations)")  # fmt: skip
    print(f"peak RSS {r['peak_rss_mb']:.0f} MB; target: under 10 s on SQLite; "
          f"load average at end: {os.getloadavg()[0]:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
