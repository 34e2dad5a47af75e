"""Search benchmark: index build, query latency (lexical, dense, hybrid), updates and memory.

    PYTHONPATH=src python benchmarks/search.py [--sizes 10000,100000] [--embedder auto]
        [--queries 300] [--embed-sample 512] [--minilm-runtime auto|numpy|onnx-int8|onnx]
        [--embed-only] [--json]

``--embed-only --embed-sample 0`` prints only dense indexing throughput on all ESCI products
(products/s wall and per CPU-second, with the load average before and after).

Prints figures; asserts nothing (timings depend on the machine and its load, which is printed).

Documents are product-like: ESCI catalog rows (``$SHOPCOACH_DATA_DIR/esci-us-150``) repeated
with variation (words of the catalog vocabulary swapped in, sizes/colours/pack counts appended,
random prices, stock and categories), or, without the data folder, generated from a small
built-in vocabulary. Queries are the ESCI queries (or generated) with variations, all distinct.

Dense vectors. Embedding throughput is measured on real product texts (``--embed-sample``).
For the 10k/100k latency runs, embedding every synthetic document would take most of an hour
at that rate, so document vectors come from a stand-in embedder that returns mixtures of real
embeddings of ESCI product texts (unit vectors with the model's real geometry); *query* vectors
always come from the real model, so query latency includes real query embedding.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from shopcoach.search.datasets import data_dir, esci_product  # noqa: E402
from shopcoach.search.documents import Document, embedding_text  # noqa: E402
from shopcoach.search.embedders import Embedder, get_embedder, installed_embedders  # noqa: E402
from shopcoach.search.filters import Filters  # noqa: E402
from shopcoach.search.hybrid import SearchIndex  # noqa: E402
from shopcoach.search.lexical import make_lexical_index  # noqa: E402

COLOURS = ["black", "white", "red", "blue", "green", "grey", "pink", "navy", "beige", "brown"]
SIZES = ["small", "medium", "large", "xl", "2 pack", "3 pack", "10 inch", "12 oz", "queen", "king"]
FALLBACK_WORDS = (
    "cotton leather steel wooden ceramic glass plastic organic wireless bluetooth portable "
    "waterproof kids women men outdoor kitchen garden office travel phone laptop charger cable "
    "shoes boots socks shirt jacket lamp chair table mattress pillow blanket towel mug bottle "
    "knife pan pot brush soap shampoo vitamin protein coffee tea snack toy game puzzle book"
).split()


def rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_seed_products() -> tuple[list[Document], list[str]]:
    path = data_dir() / "esci-us-150"
    if (path / "products.jsonl").exists():
        with open(path / "products.jsonl", encoding="utf-8") as fh:
            docs = [esci_product(json.loads(line)) for line in fh if line.strip()]
        with open(path / "queries_shared.tsv", encoding="utf-8") as fh:
            queries = [line.rstrip("\n").split("\t", 1)[1] for line in fh.readlines()[1:]]
        return docs, queries
    rng = random.Random(1)
    docs = [
        Document(
            id=f"seed{i}",
            title=" ".join(rng.sample(FALLBACK_WORDS, 6)),
            text=" ".join(rng.choices(FALLBACK_WORDS, k=40)),
            category=(rng.choice(["Home", "Garden", "Fashion", "Electronics"]),),
        )
        for i in range(500)
    ]
    queries = [" ".join(rng.sample(FALLBACK_WORDS, 3)) for _ in range(150)]
    return docs, queries


def synthesize(seed_docs: Sequence[Document], n: int, seed: int = 7) -> list[Document]:
    """``n`` product-like documents: catalog rows repeated with variation."""
    rng = random.Random(seed)
    vocab = sorted({w for d in seed_docs[:2000] for w in d.title.lower().split() if w.isalpha()})
    cats = sorted({d.category for d in seed_docs if d.category}) or [("Misc",)]
    out = []
    for i in range(n):
        base = seed_docs[i % len(seed_docs)]
        if i < len(seed_docs):
            title = base.title
        else:
            words = base.title.split()
            for _ in range(2):
                if words:
                    words[rng.randrange(len(words))] = rng.choice(vocab)
            title = " ".join(words) + f" {rng.choice(COLOURS)} {rng.choice(SIZES)}"
        out.append(
            Document(
                id=f"d{i}",
                title=title,
                text=" ".join(base.text.split()[:80]),
                brand=base.brand,
                category=base.category or rng.choice(cats),
                price=round(rng.uniform(3, 300), 2),
                in_stock=rng.random() > 0.2,
                attributes=dict(base.attributes),
            )
        )
    return out


def query_set(seed_queries: Sequence[str], n: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    out = list(dict.fromkeys(seed_queries))[:n]
    while len(out) < n:
        q = rng.choice(seed_queries)
        out.append(f"{q} {rng.choice(COLOURS + SIZES)}")
    return out


class MixtureEmbedder:
    """Stand-in document embedder: deterministic mixtures of real embeddings (see module doc).

    Queries go to the real model.
    """

    def __init__(self, real: Embedder, basis: np.ndarray) -> None:
        self.real = real
        self.basis = basis
        self.dim = real.dim
        self.name = f"mixture-of-{real.name}"
        self.representation = getattr(real, "representation", None)

    def embed(self, texts: Sequence[str], kind: str = "document") -> np.ndarray:
        if kind == "query":
            return self.real.embed(list(texts), kind="query")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        m = self.basis.shape[0]
        for i, t in enumerate(texts):
            h = int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "little")
            a, b = h % m, (h >> 20) % m
            v = self.basis[a] + 0.35 * self.basis[b]
            out[i] = v / np.linalg.norm(v)
        return out


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    arr = np.asarray(samples) * 1000
    return {"p50_ms": float(np.percentile(arr, 50)), "p95_ms": float(np.percentile(arr, 95))}


def time_queries(fn: Callable[[str], object], queries: Sequence[str]) -> dict[str, float]:
    for q in queries[:5]:
        fn(q)  # warm-up
    times, cpu = [], []
    for q in queries:
        t0 = time.perf_counter()
        c0 = time.process_time()
        fn(q)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    # CPU time (all threads of this process) is what a query costs on a machine whose cores
    # are shared: wall time includes waiting for other jobs' processes.
    c = percentiles(cpu)
    return {**percentiles(times), "cpu_p50_ms": c["p50_ms"], "cpu_p95_ms": c["p95_ms"]}


def _effective_runtime(embedder: Embedder, n_texts: int) -> str | None:
    """MiniLM's ``auto`` runs calls below ``BF16_MIN_BATCH`` texts on numpy: say so."""
    from shopcoach.search import embedders as emb

    runtime = getattr(embedder, "runtime", None)
    auto = getattr(embedder, "requested_runtime", None) == "auto"
    if auto and runtime == "torch-bf16" and n_texts < emb.BF16_MIN_BATCH:
        return f"numpy; auto uses torch-bf16 from {emb.BF16_MIN_BATCH} texts"
    return runtime


def embed_throughput(embedder: Embedder, docs: Sequence[Document]) -> dict[str, Any]:
    rep = getattr(embedder, "representation", None)
    texts = [embedding_text(d, rep) if rep else embedding_text(d) for d in docs]
    # Warm-up: big enough for MiniLM's "auto" runtime to load its batch runtime (PyTorch is
    # imported on the first call of >= 512 texts), so the timed run is the steady state.
    embedder.embed(texts[:600])
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    c0 = time.process_time()
    embedder.embed(texts)
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0
    qtimes = []
    for t in texts[:50]:
        t1 = time.perf_counter()
        embedder.embed([t[:60]], kind="query")
        qtimes.append(time.perf_counter() - t1)
    return {
        "embedder": embedder.name,
        "docs": len(texts),
        "docs_per_s": len(texts) / dt,
        "docs_per_cpu_s": len(texts) / cpu,
        "workers": getattr(embedder, "workers", None),
        "runtime": _effective_runtime(embedder, len(texts)),
        "loadavg": load,
        "loadavg_end": os.getloadavg()[0],
        "mean_words": float(np.mean([len(t.split()) for t in texts])),
        "query_embed": percentiles(qtimes),
    }


def bench_size(
    n: int,
    docs: list[Document],
    queries: list[str],
    embedders: list[Embedder],
    basis: dict[str, np.ndarray],
) -> dict[str, Any]:
    res: dict[str, Any] = {"n_docs": n}
    gc.collect()
    # lexical build, both backends
    for backend in ("tantivy", "bm25s"):
        try:
            lex = make_lexical_index(backend)
        except ImportError:
            continue
        t0 = time.perf_counter()
        lex.upsert(docs)
        if backend == "bm25s":
            lex.search("warm up", 1)  # bm25s builds lazily
        res[f"lexical_build_s_{backend}"] = time.perf_counter() - t0
        res[f"lexical_query_{backend}"] = time_queries(lambda q, x=lex: x.search(q, 100), queries)
        del lex
        gc.collect()
    stand_ins = [MixtureEmbedder(e, basis[e.name]) for e in embedders]
    rss0 = rss_mb()
    t0 = time.perf_counter()
    index = SearchIndex(embedder=stand_ins or None)
    index.upsert(docs)
    res["hybrid_index_build_s"] = time.perf_counter() - t0
    res["hnsw"] = [d.uses_hnsw for d in index.dense]
    res["rss_growth_mb"] = rss_mb() - rss0
    res["vector_mb"] = sum(len(index) * e.dim * 4 for e in embedders) / 2**20
    modes = ["lexical"] + (["dense", "hybrid"] if embedders else [])
    for mode in modes:
        res[f"query_{mode}"] = time_queries(lambda q, m=mode: index.search(q, 10, mode=m), queries)
    if embedders:
        f = Filters(in_stock=True, max_price=50.0)
        res["query_hybrid_filtered"] = time_queries(
            lambda q: index.search(q, 10, filters=f, mode="hybrid"), queries
        )
    # incremental: change 100 documents (new titles), delete 100, re-add them
    rng = random.Random(3)
    picked = rng.sample(docs, 100)
    changed = [
        Document(**{**d.to_dict(), "title": d.title + " v2", "valid_from": None, "valid_to": None})
        for d in picked
    ]
    t0 = time.perf_counter()
    up = index.upsert(changed)
    res["update_100_s"] = time.perf_counter() - t0
    res["update_100_embedded"] = up.embedded
    t0 = time.perf_counter()
    index.remove([d.id for d in picked])
    res["delete_100_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    up = index.upsert(changed)
    res["readd_100_s"] = time.perf_counter() - t0
    res["readd_100_embedded"] = up.embedded
    res.update(bench_persist(index, docs, embedders))
    res["rss_mb"] = rss_mb()
    index.close()
    return res


def bench_persist(
    index: SearchIndex, docs: list[Document], embedders: list[Embedder]
) -> dict[str, Any]:
    """Save, open, incremental save; and tantivy on disk (open) versus rebuilt from documents."""
    import tantivy

    from shopcoach.search.lexical import TantivyIndex

    res: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="shopcoach-search-bench-") as tmp:
        path = Path(tmp) / "index"
        t0 = time.perf_counter()
        index.save(path)
        res["save_full_s"] = time.perf_counter() - t0
        res["saved_mb"] = sum(p.stat().st_size for p in path.iterdir()) / 2**20
        stand_ins = index.embedders
        gc.collect()
        t0 = time.perf_counter()
        opened = SearchIndex.open(path, embedder=stand_ins or None)
        res["open_s"] = time.perf_counter() - t0
        res["open_hnsw_restored"] = [d.uses_hnsw for d in opened.dense]
        rng = random.Random(4)
        picked = rng.sample(docs, 100)
        opened.upsert(
            [
                Document(**{**d.to_dict(), "price": 1.0, "valid_from": None, "valid_to": None})
                for d in picked
            ]
        )
        opened.remove([d.id for d in rng.sample(docs, 100)])
        t0 = time.perf_counter()
        r = opened.save(path)
        res["save_incremental_100_s"] = time.perf_counter() - t0
        res["save_incremental_written"] = r.written
        opened.close()
        del opened
        gc.collect()
        # tantivy: build on disk, then time opening it against rebuilding from documents.
        lex_dir = Path(tmp) / "tantivy"
        lex_dir.mkdir()
        disk = TantivyIndex()
        disk._index = tantivy.Index(disk._schema, path=str(lex_dir))
        disk._writer = disk._index.writer(heap_size=64_000_000, num_threads=1)
        disk.upsert(docs)
        del disk
        gc.collect()
        t0 = time.perf_counter()
        reopened = tantivy.Index.open(str(lex_dir))
        reopened.searcher()
        res["tantivy_open_from_disk_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        TantivyIndex().upsert(docs)
        res["tantivy_rebuild_s"] = time.perf_counter() - t0
    return res


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="10000,100000")
    p.add_argument("--embedder", default="auto", help="auto | none | minilm | e5-small | a,b")
    p.add_argument("--queries", type=int, default=300)
    p.add_argument(
        "--embed-sample", type=int, default=512, help="products embedded for throughput (0: all)"
    )
    p.add_argument(
        "--minilm-runtime",
        default="auto",
        help="auto | numpy | onnx-int8 | onnx | torch (MiniLMEmbedder runtime)",
    )
    p.add_argument(
        "--embed-only", action="store_true", help="only measure dense indexing throughput"
    )
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    def make(name: str) -> Embedder:
        if name == "minilm":
            return get_embedder(name, runtime=args.minilm_runtime)
        return get_embedder(name)

    if args.embedder == "auto":
        embedders = installed_embedders()[:1]
        if embedders and embedders[0].name.startswith("minilm"):
            embedders = [make("minilm")]
    elif args.embedder == "none":
        embedders = []
    else:
        embedders = [make(n.strip()) for n in args.embedder.split(",")]
    seed_docs, seed_queries = load_seed_products()
    queries = query_set(seed_queries, args.queries)
    report: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "loadavg_start": os.getloadavg(),
            "python": sys.version.split()[0],
        },
        "embedders": [e.name for e in embedders],
        "embedding": [],
        "sizes": [],
    }
    rng = random.Random(5)
    n_sample = args.embed_sample if args.embed_sample > 0 else len(seed_docs)
    sample = rng.sample(seed_docs, min(n_sample, len(seed_docs)))
    basis: dict[str, np.ndarray] = {}
    for e in embedders:
        report["embedding"].append(embed_throughput(e, sample))
        if args.embed_only:
            continue
        rep = getattr(e, "representation", None)
        basis_docs = seed_docs[:2000]
        texts = [embedding_text(d, rep) if rep else embedding_text(d) for d in basis_docs]
        basis[e.name] = e.embed(texts[: min(len(texts), 2000)])
    for n in (int(x) for x in ("" if args.embed_only else args.sizes).split(",") if x):
        docs = synthesize(seed_docs, n)
        report["sizes"].append(bench_size(n, docs, queries, embedders, basis))
        del docs
        gc.collect()
    report["machine"]["loadavg_end"] = os.getloadavg()

    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    m = report["machine"]
    print(
        f"machine: {m['cpus']} cpus, load average at start {m['loadavg_start'][0]:.2f} "
        f"end {m['loadavg_end'][0]:.2f}; embedders: {', '.join(report['embedders']) or '-'}"
    )
    for e in report["embedding"]:
        q = e["query_embed"]
        print(
            f"embedding {e['embedder']} ({e['runtime']}): {e['docs_per_s']:.1f} products/s wall, "
            f"{e['docs_per_cpu_s']:.1f} per CPU-second, {e['workers']} worker threads, load "
            f"{e['loadavg']:.2f}-{e['loadavg_end']:.2f} ({e['docs']} products, "
            f"{e['mean_words']:.0f} words each); "
            "one query "
            f"p50 {q['p50_ms']:.1f} ms p95 {q['p95_ms']:.1f} ms"
        )
    for s in report["sizes"]:
        print(f"\n== {s['n_docs']:,} documents")
        for k, v in s.items():
            if k == "n_docs":
                continue
            if isinstance(v, dict):
                print(
                    f"  {k:<26} p50 {v['p50_ms']:7.2f} ms   p95 {v['p95_ms']:7.2f} ms   "
                    f"(CPU p50 {v['cpu_p50_ms']:6.2f} ms  p95 {v['cpu_p95_ms']:6.2f} ms)"
                )
            elif isinstance(v, float):
                print(f"  {k:<26} {v:9.3f}")
            else:
                print(f"  {k:<26} {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
