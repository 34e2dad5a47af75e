"""Metrics benchmark: weekly and daily series over N conversations on SQLite. Asserts nothing.

    .venv/bin/python benchmarks/metrics.py               # 1M conversations over ~90 days
    .venv/bin/python benchmarks/metrics.py --n 100000
    .venv/bin/python benchmarks/metrics.py --postgres    # the same on PostgreSQL

Data is bulk-inserted set-based (driver executemany / COPY via ``store/bulk.py``, not the
validation path): conversations in time order, one ``conversation_scores`` row each, one AI
message with a latency each, and CSAT / escalation / repeat-contact signals on ~3% of them.
Only the migration's own indexes exist. ``run(n)`` returns the figures for
``benchmarks/loop.py``.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa

from shopcoach.metrics import metric_series
from shopcoach.store.bulk import Encoder, insert_rows, paused_gc
from shopcoach.store.engine import Database, open_store
from shopcoach.store.migrate import upgrade
from shopcoach.store.tables import (
    agent_versions,
    conversation_scores,
    conversations,
    messages,
    signals,
)
from shopcoach.stores import ensure_store

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
START = datetime(2026, 8, 3)  # a Monday
DAYS = 90
CHUNK = 100_000


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _times(base: np.datetime64, seconds: np.ndarray, sqlite: bool) -> list[Any]:
    stamps = base + seconds.astype("timedelta64[s]")
    if not sqlite:
        return stamps.astype("datetime64[us]").astype(datetime).tolist()  # type: ignore[no-any-return]
    text = np.datetime_as_string(stamps.astype("datetime64[us]"), unit="us")
    return np.char.replace(text, "T", " ").tolist()  # type: ignore[no-any-return]


def populate(db: Database, store_id: int, n: int, seed: int = 7) -> dict[str, float]:
    """Insert ``n`` conversations (with scores, messages, signals); returns timings."""
    rng = np.random.default_rng(seed)
    sqlite = db.dialect == "sqlite"
    enc = Encoder(sqlite)
    now = enc.time(datetime(2026, 11, 1))
    timings: dict[str, float] = {}
    with db.begin() as conn:
        version_ids = [
            conn.execute(
                agent_versions.insert()
                .values(
                    store_id=store_id,
                    label=f"v{i}",
                    config={},
                    status="observed",
                    created_at=datetime(2026, 8, 1),
                    created_by="bench",
                )  # fmt: skip
                .returning(agent_versions.c.id)
            ).scalar_one()
            for i in range(1, 4)
        ]
        first_id = (conn.execute(sa.select(sa.func.max(conversations.c.id))).scalar() or 0) + 1
    offsets = np.sort(rng.integers(0, DAYS * 86400, n))
    base = np.datetime64(START.isoformat())
    channels = np.array(["chat", "email", "sms", "whatsapp"])
    intents = np.array(["track_order", "returns", "sizing", "billing", "product_info", "other"])
    t0 = time.perf_counter()
    with paused_gc(), db.begin() as conn:
        for lo in range(0, n, CHUNK):
            hi = min(n, lo + CHUNK)
            m = hi - lo
            off = offsets[lo:hi]
            ids = np.arange(first_id + lo, first_id + hi)
            started = _times(base, off, sqlite)
            ended = _times(base, off + rng.integers(30, 3600, m), sqlite)
            handled = rng.choice(["ai", "human", "hybrid"], m, p=[0.8, 0.12, 0.08])
            outcome = rng.choice(["resolved", "escalated", "abandoned"], m, p=[0.75, 0.15, 0.1])
            csat = rng.integers(1, 6, m)
            has_csat = rng.random(m) < 0.3
            conf = np.round(rng.beta(5, 2, m), 4)
            customer = rng.integers(0, max(1, n // 3), m)
            conv_rows = [
                (
                    i,
                    store_id,
                    f"c{i}",
                    ch,
                    f"{cu:064x}",
                    s,
                    e,
                    h,
                    int(v),
                    it,
                    float(cf),
                    o,
                    int(cs) if hc else None,
                    "en",
                    "[]",
                    "{}",
                    2,
                    "h",
                    now,
                    now,
                )  # fmt: skip
                for i, ch, cu, s, e, h, v, it, cf, o, cs, hc in zip(
                    ids.tolist(),
                    rng.choice(channels, m).tolist(),
                    customer.tolist(),
                    started,
                    ended,
                    handled.tolist(),
                    rng.choice(version_ids, m).tolist(),
                    rng.choice(intents, m).tolist(),
                    conf.tolist(),
                    outcome.tolist(),
                    csat.tolist(),
                    has_csat.tolist(),
                    strict=True,
                )  # fmt: skip
            ]
            insert_rows(conn, conversations, _CONV_COLS, conv_rows)
            dims = rng.choice([0.0, 50.0, 100.0], (m, 4), p=[0.1, 0.2, 0.7])
            total = dims @ np.array([0.4, 0.25, 0.2, 0.15])
            score_rows = [
                (store_id, i, 1, "x", s, a, r, t, u, tt, False, "{}", now)
                for i, s, (a, r, t, u), tt in zip(
                    ids.tolist(), started, dims.tolist(), total.tolist(), strict=True
                )
            ]
            insert_rows(conn, conversation_scores, _SCORE_COLS, score_rows)
            lat = np.round(rng.lognormal(7, 0.5, m), 1)
            msg_rows = [
                (i, 1, "ai", "ok", s, float(la))
                for i, s, la in zip(ids.tolist(), started, lat.tolist(), strict=True)
            ]
            insert_rows(conn, messages, _MSG_COLS, msg_rows)
            picked = np.flatnonzero(rng.random(m) < 0.03)
            kinds = rng.choice(["csat", "escalation", "repeat_contact"], picked.size)
            sig_rows = [
                (
                    store_id,
                    f"s{ids[j]}",
                    k,
                    4.0 if k == "csat" else None,
                    started[j],
                    f"c{ids[j]}",
                    int(ids[j]),
                    "bench",
                    "{}",
                    now,
                )  # fmt: skip
                for j, k in zip(picked.tolist(), kinds.tolist(), strict=True)
            ]
            insert_rows(conn, signals, _SIG_COLS, sig_rows)
    timings["insert_s"] = time.perf_counter() - t0
    if sqlite:
        with db.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    return timings


_CONV_COLS = (
    "id store_id external_id channel customer_hash started_at ended_at handled_by "
    "agent_version_id intent confidence outcome csat language tags metadata message_count "
    "content_hash ingested_at updated_at"
).split()
_SCORE_COLS = (
    "store_id conversation_id config_version input_hash started_at accuracy relevance tone "
    "resolution total needs_review details scored_at"
).split()
_MSG_COLS = "conversation_id seq role text sent_at latency_ms".split()
_SIG_COLS = (
    "store_id external_id type value occurred_at conversation_external_id conversation_id "
    "source context ingested_at"
).split()


def timed(db: Database, store_id: int, grain: str, by: str | None = None) -> tuple[float, int]:
    """Wall seconds and points of one series over the whole data; the CPU seconds of this
    process go to ``_cpu`` (on a shared machine, wall time includes waiting for a core)."""
    since, until = START, START + timedelta(days=DAYS + 1)
    with db.connect() as conn:
        t0, c0 = time.perf_counter(), time.process_time()
        series = metric_series(conn, store_id, grain=grain, since=since, until=until, by=by)
        _cpu[(grain, by)] = time.process_time() - c0
        return time.perf_counter() - t0, len(series.points)


_cpu: dict[tuple[str, str | None], float] = {}


def run(n: int = 1_000_000, url: str | None = None) -> dict[str, Any]:
    """Populate a fresh database with ``n`` conversations and time the series."""
    with tempfile.TemporaryDirectory() as tmp:
        if url is None:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            reset = None
        else:
            reset = url
            _reset_pg(url)
        db = open_store(url, check=False)
        try:
            upgrade(db.engine)
            with db.begin() as conn:
                store, _ = ensure_store(conn, "bench", actor="bench")
            out: dict[str, Any] = {"n": n, "database": db.dialect}
            out.update(populate(db, store.id, n))
            out["insert_rows_per_s"] = n / out["insert_s"]
            out["rss_after_insert_mb"] = peak_rss_mb()
            out["weekly_s"], out["weekly_points"] = timed(db, store.id, "week")
            out["weekly_again_s"], _ = timed(db, store.id, "week")
            out["daily_s"], out["daily_points"] = timed(db, store.id, "day")
            out["weekly_by_channel_s"], _ = timed(db, store.id, "week", "channel")
            out["peak_rss_mb"] = peak_rss_mb()
            out.update({f"{g}{'_by_' + b if b else ''}_cpu_s": v for (g, b), v in _cpu.items()})
        finally:
            db.close()
            if reset:
                _reset_pg(reset)
    return out


def _reset_pg(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS metrics_bench CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA metrics_bench")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--postgres", nargs="?", const=PG_DEFAULT, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    url = None
    if args.postgres:
        url = (
            sa.make_url(args.postgres)
            .update_query_dict({"options": "-csearch_path=metrics_bench"})
            .render_as_string(hide_password=False)
        )
    result = run(args.n, url)
    if args.json:
        print(json.dumps(result))
        return
    print(f"{result['n']:,} conversations on {result['database']}")
    print(f"insert (conversations + scores + messages + signals): {result['insert_s']:.1f} s "
          f"({result['insert_rows_per_s']:,.0f} conversations/s)")  # fmt: skip
    for key, label in (("weekly_s", "weekly series"), ("weekly_again_s", "weekly (warm)"),
                       ("daily_s", "daily series"),
                       ("weekly_by_channel_s", "weekly by channel")):  # fmt: skip
        print(f"{label:>20}: {result[key]:.2f} s")
    cpu = {k: round(v, 2) for k, v in result.items() if k.endswith("_cpu_s")}
    print(f"CPU seconds of this process: {cpu}")
    print(f"points: {result['weekly_points']} weekly, {result['daily_points']} daily")
    print(f"peak RSS: {result['peak_rss_mb']:,.0f} MB "
          f"(after insert {result['rss_after_insert_mb']:,.0f} MB)")  # fmt: skip
    sys.stdout.flush()


if __name__ == "__main__":
    main()
