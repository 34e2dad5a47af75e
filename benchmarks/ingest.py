"""Ingest benchmark: file import (SQLite, PostgreSQL), the whole `shopcoach ingest` command,
the HTTP batch endpoint, and a raw ``executemany`` of the same rows for comparison. Prints
figures; asserts nothing.

    .venv/bin/python benchmarks/ingest.py                # 100k conversations, 6 messages each
    .venv/bin/python benchmarks/ingest.py --n 20000 --skip-postgres

Each scenario runs in its own process so its peak memory (max RSS) is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

# Nothing from shopcoach at module level: import workers are spawned processes that run
# this file again, and should load only what preparing a chunk needs, as under the CLI.
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CUSTOMER = [
    "Where is my order #{o}? It was supposed to arrive yesterday.",
    "hi, i want to return the trail tent i bought, order {o}",
    "Do you have the Alpine 30L backpack in green?",
    "My card was charged twice for order #{o}, please help",
    "can I change the delivery address? new one is 221 Baker Street, Apt 4",
    "You can reach me at jamie.r{o}@example.com or +1 (415) 555-0{p}",
    "What's your return window for sale items?",
    "The stove arrived dented. Order {o}. I want a replacement.",
]
AI = [
    "Order #{o} shipped with UPS on Nov 1 and should arrive by Nov 5.",
    "Returns are accepted within 30 days of delivery for unused items.",
    "The Alpine 30L is in stock in green, SKU JP-BPK-30L-GRN, $129.99.",
    "I'm sorry about that. I've opened a claim for order #{o}; a replacement ships today.",
    "I've updated the address on order {o}. You'll get a confirmation e-mail shortly.",
]


def make_conversation(i: int, rng: random.Random) -> dict[str, Any]:
    start = datetime(2026, 10, 1, tzinfo=UTC) + timedelta(minutes=i % 80_000)
    msgs = []
    for k in range(6):
        role = "customer" if k % 2 == 0 else "ai"
        tpl = rng.choice(CUSTOMER if role == "customer" else AI)
        msg: dict[str, Any] = {
            "role": role,
            "text": tpl.format(o=10_000 + rng.randrange(90_000), p=rng.randrange(100, 999)),
            "sent_at": (start + timedelta(seconds=20 * k)).isoformat().replace("+00:00", "Z"),
        }
        if role == "ai":
            msg["latency_ms"] = rng.randrange(300, 4000)
            msg["citations"] = [{"source": "article", "id": "returns-policy"}]
        msgs.append(msg)
    return {
        "external_id": f"bench-{i:08d}",
        "channel": rng.choice(["chat", "email", "whatsapp"]),
        "customer_id": f"cust-{rng.randrange(20_000):05d}",
        "started_at": start.isoformat().replace("+00:00", "Z"),
        "handled_by": "ai",
        "agent_version": rng.choice(["v1", "v2"]),
        "intent": "track_order",
        "confidence": round(rng.random(), 3),
        "outcome": rng.choice(["resolved", "escalated"]),
        "messages": msgs,
    }


def write_file(path: Path, n: int) -> None:
    rng = random.Random(7)
    with path.open("wb") as fh:
        for i in range(n):
            fh.write(orjson.dumps(make_conversation(i, rng)) + b"\n")


def fresh_db(url: str | None, tmp: Path, name: str) -> str:
    from shopcoach.store.engine import open_store
    from shopcoach.store.migrate import upgrade
    from shopcoach.stores import ensure_store

    if url is None:
        url = f"sqlite:///{tmp / (name + '.db')}"
    else:
        import sqlalchemy as sa
        from sqlalchemy.engine import make_url

        schema = f"bench_{uuid.uuid4().hex[:8]}"
        with sa.create_engine(url).begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
        url = (
            make_url(url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    db = open_store(url, check=False)
    upgrade(db.engine)
    with db.begin() as conn:
        ensure_store(conn, "default", actor="bench")
    db.close()
    return url


def child(args: argparse.Namespace) -> None:
    """Run one scenario in this process and print its figures as JSON."""
    started = time.perf_counter()
    extra: dict[str, Any] = {}
    if args.scenario == "import":
        from shopcoach.capture.fileimport import import_file
        from shopcoach.store.engine import open_store

        db = open_store(args.db)
        report = import_file(
            db,
            Path(args.file),
            "conversations",
            "default",
            chunk_size=1000,
            workers=int(args.workers),
        )
        extra = {
            "created": report.result.created,
            "rejected": report.rejected_total,
            "seconds": report.seconds,
        }
    elif args.scenario == "cli":
        # The whole command as a user runs it: interpreter start, the CLI, spawned workers.
        script = Path(sys.executable).with_name("shopcoach")
        command = [str(script)] if script.exists() else [sys.executable, "-m", "shopcoach"]
        t0 = time.perf_counter()
        out = subprocess.run(
            [*command, "--db", args.db, "ingest", "conversations", args.file, "--json"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        report = json.loads(out.stdout)
        largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(json.dumps({
            "seconds": time.perf_counter() - t0, "peak_rss_mb": largest,
            "import_seconds": report["seconds"], "created": report["created"],
        }))  # fmt: skip
        return
    elif args.scenario == "raw":
        extra = raw_executemany(Path(args.file), args.db)
    elif args.scenario == "http":
        extra = http_client(Path(args.file), args.url, args.key, args.batch, args.clients)
    seconds = extra.pop("seconds", time.perf_counter() - started)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_rss_mb": rss_mb, **extra}))


def raw_executemany(path: Path, url: str) -> dict[str, Any]:
    """The floor: parse the file and executemany the same rows with sqlite3, no checks."""
    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    started = time.perf_counter()
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(" ")
    with path.open("rb") as fh:
        batch: list[dict[str, Any]] = []
        conv_id = 0
        for line in fh:
            batch.append(orjson.loads(line))
            if len(batch) == 1000:
                conv_id = _raw_chunk(conn, batch, conv_id, now)
                batch = []
        if batch:
            _raw_chunk(conn, batch, conv_id, now)
    return {"seconds": time.perf_counter() - started}


def _raw_chunk(
    conn: sqlite3.Connection, batch: list[dict[str, Any]], conv_id: int, now: str
) -> int:
    conv_rows, msg_rows = [], []
    for c in batch:
        conv_id += 1
        conv_rows.append(
            (
                conv_id,
                1,
                c["external_id"],
                c["channel"],
                c["customer_id"],
                c["started_at"],
                c["handled_by"],
                c["intent"],
                c["confidence"],
                c["outcome"],
                "[]",
                "{}",
                len(c["messages"]),
                "x",
                now,
                now,
            )
        )
        for seq, m in enumerate(c["messages"]):
            msg_rows.append(
                (
                    conv_id,
                    seq,
                    m["role"],
                    m["text"],
                    m["sent_at"],
                    m.get("latency_ms"),
                    orjson.dumps(m.get("citations")).decode(),
                )
            )
    with conn:
        conn.executemany(
            "INSERT INTO conversations (id, store_id, external_id, channel, customer_hash, "
            "started_at, handled_by, intent, confidence, outcome, tags, metadata, "
            "message_count, content_hash, ingested_at, updated_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            conv_rows,
        )
        conn.executemany(
            "INSERT INTO messages (conversation_id, seq, role, text, sent_at, latency_ms, "
            "citations) VALUES (?,?,?,?,?,?,?)",
            msg_rows,
        )
    return conv_id


def http_client(path: Path, url: str, key: str, batch_size: int, clients: int) -> dict[str, Any]:
    """Post the file in batches from ``clients`` concurrent connections."""
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    lines = path.read_bytes().splitlines()
    bodies = [
        b'{"conversations":[' + b",".join(lines[i : i + batch_size]) + b"]}"
        for i in range(0, len(lines), batch_size)
    ]
    latencies: list[float] = []
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    def post_all(share: list[bytes]) -> None:
        with httpx.Client(base_url=url, timeout=300, headers=headers) as client:
            for body in share:
                t0 = time.perf_counter()
                r = client.post("/api/v1/ingest/conversations", content=body)
                r.raise_for_status()
                latencies.append(time.perf_counter() - t0)

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(post_all, [bodies[i::clients] for i in range(clients)]))
    seconds = time.perf_counter() - started
    latencies.sort()
    return {
        "seconds": seconds,
        "batch_p50_ms": 1000 * latencies[len(latencies) // 2],
        "batch_p95_ms": 1000 * latencies[int(len(latencies) * 0.95)],
    }


def run_child(*argv: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *argv], capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"scenario {argv} failed:\n{out.stderr}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_http(
    n_file: Path, tmp: Path, batch: int, server_workers: int, clients: int
) -> dict[str, Any]:
    from shopcoach.keys import create_key
    from shopcoach.store.engine import open_store
    from shopcoach.stores import get_store

    url = fresh_db(None, tmp, "http")
    db = open_store(url)
    with db.begin() as conn:
        key, _ = create_key(conn, get_store(conn, "default").id, "bench", ["ingest"], actor="bench")
    db.close()
    port = free_port()
    env = {**os.environ, "SHOPCOACH_DATABASE_URL": url, "SHOPCOACH_LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "shopcoach",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(server_workers),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        import httpx

        for _ in range(200):
            try:
                httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        return run_child(
            "--scenario",
            "http",
            "--file",
            str(n_file),
            "--url",
            f"http://127.0.0.1:{port}",
            "--key",
            key,
            "--batch",
            str(batch),
            "--clients",
            str(clients),
        )
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    from shopcoach.capture.fileimport import default_workers

    default = str(default_workers())  # what `shopcoach ingest` uses on this machine
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--n", type=int, default=100_000, help="conversations (6 messages each)")
    p.add_argument("--batch", type=int, default=500, help="HTTP batch size")
    p.add_argument("--server-workers", type=int, default=2, help="uvicorn worker processes")
    p.add_argument("--clients", type=int, default=2, help="concurrent HTTP clients")
    p.add_argument("--pg-url", default=os.environ.get("SHOPCOACH_BENCH_PG_URL", PG_DEFAULT))
    p.add_argument("--skip-postgres", action="store_true")
    p.add_argument("--skip-http", action="store_true")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--scenario", help=argparse.SUPPRESS)
    p.add_argument("--file", help=argparse.SUPPRESS)
    p.add_argument("--db", help=argparse.SUPPRESS)
    p.add_argument("--url", help=argparse.SUPPRESS)
    p.add_argument("--key", help=argparse.SUPPRESS)
    p.add_argument("--workers", default="0", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        child(args)
        return

    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        data = tmp / "conversations.jsonl"
        t0 = time.perf_counter()
        write_file(data, args.n)
        size_mb = data.stat().st_size / 1e6
        print(
            f"generated {args.n:,} conversations x 6 messages ({size_mb:,.0f} MB) "
            f"in {time.perf_counter() - t0:.1f}s"
        )
        print(f"\n{'scenario':46} {'conv/s':>9} {'msg/s':>9} {'seconds':>8} {'peak RSS':>9}")
        rows: dict[str, dict[str, Any]] = {}

        def record(name: str, n: int, r: dict[str, Any]) -> None:
            rows[name] = r
            extra = "".join(f"  {k}={v:.1f}" for k, v in r.items() if k.startswith("batch_"))
            if "import_seconds" in r:
                extra += f"  (import alone: {n / r['import_seconds']:,.0f} conv/s)"
            print(
                f"{name:46} {n / r['seconds']:>9,.0f} {6 * n / r['seconds']:>9,.0f} "
                f"{r['seconds']:>8.2f} {r['peak_rss_mb']:>7.0f}MB{extra}",
                flush=True,
            )

        quarter = tmp / "quarter.jsonl"
        write_file(quarter, args.n // 4)
        for workers in ("0", default):
            record(
                f"file import, SQLite, n/4, {workers} workers",
                args.n // 4,
                run_child(
                    "--scenario",
                    "import",
                    "--file",
                    str(quarter),
                    "--workers",
                    workers,
                    "--db",
                    fresh_db(None, tmp, f"quarter{workers}"),
                ),
            )
            record(
                f"file import, SQLite, {workers} workers",
                args.n,
                run_child(
                    "--scenario",
                    "import",
                    "--file",
                    str(data),
                    "--workers",
                    workers,
                    "--db",
                    fresh_db(None, tmp, f"sqlite{workers}"),
                ),
            )
        record(
            f"CLI `shopcoach ingest`, SQLite, {default} workers",
            args.n,
            run_child("--scenario", "cli", "--file", str(data), "--db",
                      fresh_db(None, tmp, "cli")),
        )  # fmt: skip
        record(
            "raw executemany, SQLite",
            args.n,
            run_child("--scenario", "raw", "--file", str(data), "--db", fresh_db(None, tmp, "raw")),
        )
        if not args.skip_postgres:
            record(
                f"file import, PostgreSQL, {default} workers",
                args.n,
                run_child(
                    "--scenario",
                    "import",
                    "--file",
                    str(data),
                    "--workers",
                    default,
                    "--db",
                    fresh_db(args.pg_url, tmp, "pg"),
                ),
            )
        if not args.skip_http:
            record(
                f"HTTP {args.batch}/batch, SQLite, {args.server_workers} srv {args.clients} cli",
                args.n,
                bench_http(data, tmp, args.batch, args.server_workers, args.clients),
            )
    best = min(rows[f"file import, SQLite, {w} workers"]["seconds"] for w in ("0", default))
    ratio = best / rows["raw executemany, SQLite"]["seconds"]
    print(f"\nimport / raw executemany time ratio (SQLite, best of 0/{default} workers): "
          f"{ratio:.2f}x")
    print("peak RSS is the main process's (workers not included); for the CLI row, the "
          "largest process's")


if __name__ == "__main__":
    main()
