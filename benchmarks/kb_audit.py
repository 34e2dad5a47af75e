"""Benchmark the knowledge-base hygiene audit on the real ESCI catalog (and a replicated one).

    PYTHONPATH=src .venv/bin/python benchmarks/kb_audit.py [--copies 1 5] [--articles 200]

Reads ``esci-us-150/products.jsonl`` from the shared data folder (``$SHOPCOACH_DATA_DIR``), adds
``--articles`` generated help articles (policy sentences with a few planted conflicts, seasonal
titles and review dates), and runs ``audit_kb`` on the catalog repeated ``--copies`` times
(copies get new keys, so each product has copy-1 exact duplicates: the worst case for the
near-duplicate search). Prints wall and CPU time of the whole audit (CPU time is steadier on a
busy machine), peak Python memory (tracemalloc, in a second run) and the finding counts.
It prints figures only; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import time
import tracemalloc
from datetime import date, timedelta

from shopcoach.kb.audit import AuditArticle, AuditProduct, audit_kb
from shopcoach.search.datasets import data_dir

TODAY = date(2026, 11, 23)
SENTENCES = [
    "You can return most items within {n} days of delivery.",
    "Standard shipping takes {a}-{b} business days.",
    "Free shipping on orders over ${m}.",
    "Refunds are issued within {a}-{b} business days.",
    "All appliances come with a {w}-year warranty.",
    "Our team answers 7 days a week.",
    "Black Friday deals start soon: see our Black Friday page.",
]


def load_products() -> list[AuditProduct]:
    path = data_dir() / "esci-us-150" / "products.jsonl"
    with path.open(encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines]
    return [AuditProduct(r["product_id"], r["title"], r["description"] or "", r["brand"] or "",
                         tuple(r["category"]), r["bullet_points"] or "") for r in rows]


def make_articles(n: int, seed: int = 7) -> list[AuditArticle]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        text = " ".join(s.format(n=rnd.choice([30, 30, 30, 14]), a=3, b=5, w=rnd.choice([1, 2]),
                                 m=rnd.choice([50, 50, 35]))
                        for s in rnd.sample(SENTENCES, 4))
        out.append(AuditArticle(f"a{i}", f"Help article {i}", text, "Help",
                                TODAY - timedelta(days=rnd.randint(0, 200)),
                                retrievals=rnd.randint(0, 500)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 5])
    parser.add_argument("--articles", type=int, default=200)
    args = parser.parse_args()
    import sklearn.feature_extraction.text  # noqa: F401  (import time is not audit time)

    base = load_products()
    articles = make_articles(args.articles)
    for copies in args.copies:
        products = [p if c == 0 else AuditProduct(f"{p.key}#{c}", p.title, p.description,
                                                  p.brand, p.category, p.bullet_points)
                    for c in range(copies) for p in base]
        wall, cpu = time.perf_counter(), time.process_time()
        report = audit_kb(articles, products, today=TODAY)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        tracemalloc.start()  # a second run: tracing slows Python code down several times
        audit_kb(articles, products, today=TODAY)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"{len(products):>6} products, {len(articles)} articles: audit {wall:6.2f} s wall, "
              f"{cpu:6.2f} s CPU, peak Python memory {peak / 2**20:7.1f} MiB")
        counts = ", ".join(f"{name} {s.count}" for name, s in report.sections().items())
        print(f"        findings: {counts}")


if __name__ == "__main__":
    main()
