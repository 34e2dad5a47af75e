"""Knowledge-base import benchmark: products/s, articles/s and peak memory. Asserts nothing.

    .venv/bin/python benchmarks/kb_import.py                  # SQLite
    .venv/bin/python benchmarks/kb_import.py --postgres       # also PostgreSQL (PG_DEFAULT)
    .venv/bin/python benchmarks/kb_import.py --n 20000        # smaller synthetic catalog

Scenarios: the ESCI catalog (6,764 products, JSONL) imported, then re-imported (no-op);
a synthetic catalog of ``--n`` products built from ESCI (each product repeated with a numbered
title, a new key and a shifted price, so none is an exact copy) as CSV; and articles built
from the Bitext reference responses (one Markdown article per 8 responses of an intent,
each response a section). Each scenario runs in its own process so its peak RSS is its own;
the synthetic files are written to a temporary folder, never into the repository.

Measured (2 shared cores, SQLite on local disk, this commit):
    see the report printed by the script; figures are quoted in the engineer's report.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def _esci() -> list[dict]:
    from shopcoach.search.datasets import data_dir

    with (data_dir() / "esci-us-150" / "products.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def write_synthetic_csv(path: Path, n: int) -> None:
    rows = _esci()
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["sku", "title", "description", "bullet_points", "brand", "color",
                    "category", "price"])  # fmt: skip
        for i in range(n):
            r = rows[i % len(rows)]
            rep = i // len(rows)
            title = r["title"] if rep == 0 else f"{r['title']} (edition {rep})"
            price = (r["price"] or 20.0) + rep
            w.writerow([f"{r['product_id']}-{rep}", title, r["description"], r["bullet_points"],
                        r["brand"], r["color"], " > ".join(r["category"]), f"{price:.2f}"])


def write_articles(folder: Path) -> int:
    from shopcoach.search.datasets import data_dir

    by_intent: dict[str, list[dict]] = {}
    path = data_dir() / "bitext-customer-support" / "bitext_train.csv"
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            by_intent.setdefault(row["intent"], []).append(row)
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for intent, rows in by_intent.items():
        for part in range(0, len(rows), 8):
            sections = [f"## {r['instruction']}\n\n{r['response']}" for r in rows[part : part + 8]]
            text = f"---\ntitle: {intent.replace('_', ' ')} ({part // 8})\n---\n" + "\n\n".join(
                sections
            )
            (folder / f"{intent}-{part // 8}.md").write_text(text, encoding="utf-8")
            count += 1
    return count


def child(url: str, kind: str, path: str, repeat: int) -> None:
    from shopcoach.kb.api import import_kb
    from shopcoach.store.engine import open_store

    db = open_store(url)
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        r = import_kb(db, path, kind=kind)
        out.append({"seconds": time.perf_counter() - t, "created": r.created,
                    "unchanged": r.unchanged, "chunks": r.chunks, "near": len(r.near_duplicates),
                    "items": r.received})  # fmt: skip
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"runs": out, "max_rss_mb": round(rss_mb, 1)}))


def fresh_db(backend: str, tmp: Path) -> str:
    from sqlalchemy.engine import make_url

    from shopcoach.store.engine import open_store
    from shopcoach.store.migrate import upgrade
    from shopcoach.stores import ensure_store

    if backend == "sqlite":
        url = f"sqlite:///{tmp / f'kb-{uuid.uuid4().hex[:8]}.db'}"
    else:
        import sqlalchemy as sa

        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(PG_DEFAULT)
        with admin.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
        admin.dispose()
        url = make_url(PG_DEFAULT).update_query_dict({"options": f"-csearch_path={schema}"})
        url = url.render_as_string(hide_password=False)
    db = open_store(url, check=False)
    upgrade(db.engine)
    with db.begin() as conn:
        ensure_store(conn, "default")
    db.close()
    return url


def drop_pg(url: str) -> None:
    import sqlalchemy as sa

    schema = url.split("search_path%3D")[-1] if "%3D" in url else url.split("search_path=")[-1]
    admin = sa.create_engine(PG_DEFAULT)
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


def run(url: str, kind: str, path: Path, repeat: int = 1) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", url, kind, str(path), str(repeat)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--postgres", action="store_true")
    ap.add_argument("--child", nargs=4, metavar=("URL", "KIND", "PATH", "REPEAT"))
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.child[2], int(args.child[3]))
        return
    backends = ["sqlite"] + (["postgresql"] if args.postgres else [])
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        from shopcoach.search.datasets import data_dir

        esci = data_dir() / "esci-us-150" / "products.jsonl"
        synthetic = tmp / "synthetic.csv"
        write_synthetic_csv(synthetic, args.n)
        n_articles = write_articles(tmp / "articles")
        print(f"synthetic catalog: {args.n:,} products; articles: {n_articles:,} Markdown files")
        for backend in backends:
            scenarios = [("ESCI 6,764 products (import, re-import)", "product", esci, 2),
                         (f"synthetic {args.n:,} products", "product", synthetic, 1),
                         (f"{n_articles:,} articles", "article", tmp / "articles", 2)]
            for label, kind, path, repeat in scenarios:
                url = fresh_db(backend, tmp)
                try:
                    res = run(url, kind, path, repeat)
                finally:
                    if backend == "postgresql":
                        drop_pg(url)
                for i, r in enumerate(res["runs"]):
                    what = "import" if i == 0 else "re-import (no-op)"
                    rate = r["items"] / r["seconds"]
                    unit = "articles/s" if kind == "article" else "products/s"
                    extra = f", {r['chunks']:,} chunks" if kind == "article" else ""
                    print(f"[{backend}] {label} — {what}: {r['items']:,} in {r['seconds']:.2f}s "
                          f"= {rate:,.0f} {unit} (created {r['created']:,}, unchanged "
                          f"{r['unchanged']:,}, near-dups {r['near']:,}{extra})")
                print(f"[{backend}] {label}: peak RSS {res['max_rss_mb']:,.0f} MB")


if __name__ == "__main__":
    main()
