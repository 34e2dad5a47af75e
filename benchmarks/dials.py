"""Threshold-dials benchmark: recommendations + what-if over N conversations (R-AGT-3).

    PYTHONPATH=src python benchmarks/dials.py [--n 1000000] [--db URL] [--json]

Builds a store with ``n`` synthetic conversations over 28 days (20 intents with different
profiles: some easy for humans, some with low CSAT / repeat contacts), the messages the
loader reads (human-handled and hybrid conversations: the customer's message and 1-3 human
replies; AI-only conversations carry no message rows, which the loader never reads) and
signals on ~10% of conversations (thumbs, csat, repeat_contact, human_request). Rows are
generated with numpy and written set-based (executemany on SQLite, COPY on PostgreSQL).

Times the insert, then ``recommendations`` (one query + numpy) and one ``whatif``; prints
seconds, rows/s and peak RSS. ``run(n)`` returns the same figures as a dict. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from shopcoach.agent.dials import create_version, set_dials  # noqa: E402
from shopcoach.store.bulk import insert_rows, paused_gc  # noqa: E402
from shopcoach.store.engine import open_store  # noqa: E402
from shopcoach.store.migrate import upgrade  # noqa: E402
from shopcoach.stores import ensure_store  # noqa: E402

INTENTS = [f"intent_{k:02d}" for k in range(20)]
DAY = 86_400


def _times(base: np.datetime64, seconds: np.ndarray) -> list[str]:
    """Naive UTC timestamps as text: what both drivers accept for TIMESTAMP columns."""
    stamps = base + seconds.astype("timedelta64[s]")
    return np.char.replace(np.datetime_as_string(stamps, unit="us"), "T", " ").tolist()


def build(db: Any, n: int, seed: int = 1) -> dict[str, float]:
    rng = np.random.default_rng(seed)
    with db.begin() as conn:
        store, _ = ensure_store(conn, "bench", "Bench", actor="bench")
        create_version(conn, store.id, "v1", actor="bench")
        set_dials(conn, store.id, "v1", {"thresholds": {INTENTS[0]: 0.8}}, actor="bench")
        version_id = conn.exec_driver_sql("SELECT max(id) FROM agent_versions").scalar()
    intent = rng.integers(0, len(INTENTS), n)
    hard = intent % 5 == 1  # every fifth intent: unhappy customers
    conf = np.round(np.clip(rng.beta(5, 2, n) - 0.15 * hard, 0, 1), 3)
    handled = np.where(conf < 0.6, np.where(rng.random(n) < 0.5, "hybrid", "human"), "ai")
    human = handled != "ai"
    outcome = np.where(rng.random(n) < np.where(human, 0.02, 0.015 + 0.25 * hard), "escalated",
                       "resolved")  # fmt: skip
    low = rng.random(n) < 0.04 + 0.5 * hard
    csat = np.where(rng.random(n) < 0.3, np.where(low, rng.integers(1, 4, n),
                                                  rng.integers(4, 6, n)), 0)  # fmt: skip
    start = rng.integers(0, 28 * DAY, n)
    duration = np.where(
        human & (intent % 5 == 0), rng.integers(30, 110, n), rng.integers(60, 900, n)
    )
    n_human = np.where(human, np.where(intent % 5 == 0, 1, rng.integers(1, 4, n)), 0)
    customer = rng.integers(0, max(1, n // 3), n)
    base = np.datetime64("2026-10-01T00:00:00")
    started, ended = _times(base, start), _times(base, start + duration)
    timings: dict[str, float] = {}
    t = time.perf_counter()
    with db.begin() as conn, paused_gc():
        cols = (
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
            "tags",
            "metadata",
            "message_count",
            "content_hash",
            "ingested_at",
            "updated_at",
        )
        rows = list(
            zip(
                [store.id] * n,
                [f"c-{i}" for i in range(n)],
                ["chat"] * n,
                [f"{c:064x}" for c in customer.tolist()],
                started,
                ended,
                handled.tolist(),
                [version_id] * n,
                [INTENTS[i] for i in intent.tolist()],
                conf.tolist(),
                outcome.tolist(),
                [c or None for c in csat.tolist()],
                ["[]"] * n,
                ["{}"] * n,
                (1 + n_human).tolist(),
                ["x"] * n,
                started,
                started,
                strict=True,
            )
        )
        insert_rows(conn, _table("conversations"), cols, rows)
        del rows
        first_id = conn.exec_driver_sql(
            f"SELECT min(id) FROM conversations WHERE store_id = {store.id}"
        ).scalar()
        ids = np.arange(first_id, first_id + n)  # one transaction: ids are consecutive
        who = np.flatnonzero(human)
        msg_rows: list[tuple[Any, ...]] = [
            (int(ids[k]), 0, "customer", "help", started[k]) for k in who.tolist()
        ]
        for j in range(1, 4):
            sel = who[n_human[who] >= j].tolist()
            msg_rows += [(int(ids[k]), j, "human", "answer", ended[k]) for k in sel]
        insert_rows(
            conn,
            _table("messages"),
            ("conversation_id", "seq", "role", "text", "sent_at"),
            msg_rows,
        )
        timings["messages"] = len(msg_rows)
        del msg_rows
        sig = np.flatnonzero(rng.random(n) < 0.05 + 0.15 * hard)
        kinds = rng.choice(["thumbs", "csat", "repeat_contact", "human_request"], len(sig))
        values = np.where(
            kinds == "thumbs",
            rng.choice([-1.0, 1.0], len(sig)),
            np.where(kinds == "csat", rng.integers(1, 6, len(sig)), 0.0),
        )
        sig_rows = [
            (
                store.id,
                f"s-{k}",
                kind,
                float(v),
                ended[k],
                f"c-{k}",
                int(ids[k]),
                "bench",
                "{}",
                ended[k],
            )
            for k, kind, v in zip(sig.tolist(), kinds.tolist(), values.tolist(), strict=True)
        ]
        insert_rows(
            conn,
            _table("signals"),
            (
                "store_id",
                "external_id",
                "type",
                "value",
                "occurred_at",
                "conversation_external_id",
                "conversation_id",
                "source",
                "context",
                "ingested_at",
            ),
            sig_rows,
        )
        timings["signals"] = len(sig_rows)
    timings["insert_s"] = time.perf_counter() - t
    if db.dialect == "postgresql":
        with db.begin() as conn:
            conn.exec_driver_sql("ANALYZE conversations; ANALYZE messages; ANALYZE signals")
    return timings


def _table(name: str) -> Any:
    from shopcoach.store import tables

    return getattr(tables, name)


def run(n: int, url: str | None = None) -> dict[str, Any]:
    """Build a store of ``n`` conversations, then time recommendations and one what-if."""
    from shopcoach.review.dials_store import recommendations, whatif_for

    with tempfile.TemporaryDirectory() as tmp:
        db = open_store(url or f"sqlite:///{tmp}/dials.db", check=False)
        try:
            upgrade(db.engine)
            built = build(db, n)
            with db.connect() as conn:
                store_id = conn.exec_driver_sql(
                    "SELECT id FROM stores WHERE slug = 'bench'"
                ).scalar()
                t = time.perf_counter()
                report = recommendations(conn, store_id, days=28)
                rec_s = time.perf_counter() - t
                t = time.perf_counter()
                curve = whatif_for(conn, store_id, INTENTS[0], days=28)
                whatif_s = time.perf_counter() - t
        finally:
            db.close()
    return {
        "conversations": n,
        "database": "postgresql" if url else "sqlite",
        **built,
        "recommend_s": rec_s,
        "recommend_rows_per_s": n / rec_s,
        "whatif_s": whatif_s,
        "recommendations": [
            (r.intent, r.direction, r.current, r.proposed) for r in report.recommendations
        ],
        "whatif_recommended": curve.recommended,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="Conversations.")
    ap.add_argument("--db", help="Database URL (default: a temporary SQLite file).")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    out = run(args.n, args.db)
    if args.json:
        print(json.dumps(out))
        return
    print(
        f"{out['conversations']:,} conversations on {out['database']} "
        f"({out['messages']:,} messages, {out['signals']:,} signals): insert "
        f"{out['insert_s']:.1f} s"
    )
    print(
        f"recommendations: {out['recommend_s']:.2f} s "
        f"({out['recommend_rows_per_s']:,.0f} conversations/s); "
        f"what-if {INTENTS[0]}: {out['whatif_s']:.2f} s"
    )
    for intent, direction, cur, new in out["recommendations"]:
        print(f"  {direction:8} {intent}: {cur:.2f} → {new:.2f}")
    print(f"peak RSS: {out['peak_rss_mb']:,.0f} MB")


if __name__ == "__main__":
    main()
