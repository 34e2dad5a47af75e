"""Offline evaluation of lexical, dense and hybrid search; also runnable as a module.

    python -m shopcoach.search.evaluate --docs DOCS.jsonl --queries Q.jsonl --qrels QRELS.tsv \
        [--mode lexical|dense|hybrid|all] [--embedder minilm|e5-small|hashing] [--json]
    python -m shopcoach.search.evaluate --dataset esci|bitext|hint3 [--cv] ...

:func:`evaluate` returns an :class:`EvalReport` (nDCG@10, MRR@10, Recall@100 and zero-result
rate per mode). :func:`cross_validate_alpha` estimates, without peeking, how well a convex
fusion weight chosen on some queries does on others: k folds over the queries, the weight is
picked on k-1 folds (grid search on mean nDCG@10) and scored on the held-out fold.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from shopcoach.search.datasets import (
    LOADERS,
    EvalSet,
    Query,
    load_eval_files,
    load_named,
)
from shopcoach.search.filters import Filters
from shopcoach.search.fusion import FusionConfig
from shopcoach.search.hybrid import Retrieval, SearchIndex, SearchMode
from shopcoach.search.metrics import RunMetrics, evaluate_run, mrr_at_k, recall_at_k

MODES: tuple[SearchMode, ...] = ("lexical", "dense", "hybrid")
RUN_DEPTH = 100  # Recall@100 needs 100 results
ALPHA_GRID: tuple[float, ...] = tuple(round(0.05 * i, 2) for i in range(21))


@dataclass(frozen=True)
class ModeResult:
    mode: str
    metrics: RunMetrics
    seconds: float  # wall time of all queries in this mode

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"mode": self.mode, **self.metrics.as_dict()}
        out["ms_per_query"] = 1000 * self.seconds / max(1, self.metrics.n_queries)
        return out


@dataclass(frozen=True)
class EvalReport:
    dataset: str
    embedder: str | None
    lexical_backend: str
    fusion: FusionConfig
    n_documents: int
    n_queries: int
    index_seconds: float
    results: dict[str, ModeResult] = field(default_factory=dict)
    notes: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "embedder": self.embedder,
            "lexical_backend": self.lexical_backend,
            "fusion": {
                "method": self.fusion.method,
                "alpha": self.fusion.alpha,
                "product_alpha": self.fusion.product_alpha,
                "candidates": self.fusion.candidates,
            },
            "n_documents": self.n_documents,
            "n_queries": self.n_queries,
            "index_seconds": self.index_seconds,
            "notes": self.notes,
            "results": {m: r.as_dict() for m, r in self.results.items()},
        }

    def table(self) -> str:
        head = (
            f"{self.dataset}: {self.n_documents} docs, {self.n_queries} queries; "
            f"lexical={self.lexical_backend} embedder={self.embedder or '-'} "
            f"fusion={self.fusion.describe()}"
        )
        lines = [
            head,
            f"{'mode':<8} {'nDCG@10':>8} {'MRR@10':>8} {'R@100':>8} {'zero':>6} {'ms/q':>7}",
        ]
        for m, r in self.results.items():
            x = r.metrics
            ms = 1000 * r.seconds / max(1, x.n_queries + x.n_skipped)
            lines.append(
                f"{m:<8} {x.ndcg_at_10:8.4f} {x.mrr_at_10:8.4f} {x.recall_at_100:8.4f} "
                f"{x.zero_result_rate:6.3f} {ms:7.2f}"
            )
        return "\n".join(lines)


def _filters(q: Query) -> Filters | None:
    return Filters.from_mapping(q.filters) if q.filters else None


def run_queries(
    index: SearchIndex, queries: Sequence[Query], mode: SearchMode, depth: int = RUN_DEPTH
) -> dict[str, list[str]]:
    """Query id to ranked doc ids (``depth`` deep)."""
    hits = index.search_many([q.text for q in queries], depth, [_filters(q) for q in queries], mode)
    return {q.id: [h.doc_id for h in hs] for q, hs in zip(queries, hits, strict=True)}


def build_index(es: EvalSet, **index_kwargs: Any) -> tuple[SearchIndex, float]:
    t0 = time.perf_counter()
    index = SearchIndex(**index_kwargs)
    index.upsert(es.documents)
    return index, time.perf_counter() - t0


def evaluate(
    es: EvalSet,
    modes: Sequence[SearchMode] = MODES,
    index: SearchIndex | None = None,
    **index_kwargs: Any,
) -> EvalReport:
    """Index ``es.documents`` (unless ``index`` is given) and score each mode.

    Modes that need an embedder are skipped when the index has none.
    """
    index_seconds = 0.0
    if index is None:
        index, index_seconds = build_index(es, **index_kwargs)
    results: dict[str, ModeResult] = {}
    for mode in modes:
        if mode != "lexical" and not index.semantic:
            continue
        t0 = time.perf_counter()
        run = run_queries(index, es.queries, mode)
        seconds = time.perf_counter() - t0
        metrics = evaluate_run(
            run, es.qrels, relevance_threshold=es.relevance_threshold, gain=es.gain
        )
        results[mode] = ModeResult(mode, metrics, seconds)
    return EvalReport(
        dataset=es.name,
        embedder=index.embedder_name,
        lexical_backend=index.lexical.backend,
        fusion=index.fusion,
        n_documents=len(index),
        n_queries=len(es.queries),
        index_seconds=index_seconds,
        results=results,
        notes=es.notes,
    )


# --------------------------------------------------------------------------- cross-validation


def collect_retrievals(
    index: SearchIndex, queries: Sequence[Query], depth: int = RUN_DEPTH
) -> dict[str, Retrieval]:
    """Retrieve once, so that many fusion settings can be scored without re-searching."""
    if not index.semantic:
        raise ValueError("cross-validation of fusion needs an embedder")
    n = max(depth, index.fusion.candidates)
    vectors = index.embed_queries([q.text for q in queries])
    return {
        q.id: index.retrieve(q.text, n, _filters(q), [v[i] for v in vectors])
        for i, q in enumerate(queries)
    }


def fused_run(
    index: SearchIndex,
    retrievals: dict[str, Retrieval],
    config: FusionConfig,
    depth: int = RUN_DEPTH,
) -> dict[str, list[str]]:
    return {qid: [h.doc_id for h in index.fuse(r, depth, config)] for qid, r in retrievals.items()}


@dataclass(frozen=True)
class CVResult:
    folds: int
    repeats: int
    alphas: list[float]  # chosen per fold (all repeats)
    ndcg_cv: float  # mean held-out nDCG@10 over repeats
    ndcg_cv_std: float  # std over repeats
    mrr_cv: float
    recall_cv: float
    alpha_curve: dict[float, float]  # all-query nDCG@10 per alpha (for the docs, not for choice)

    def as_dict(self) -> dict[str, Any]:
        return {
            "folds": self.folds,
            "repeats": self.repeats,
            "alphas_chosen": self.alphas,
            "ndcg@10_cv": self.ndcg_cv,
            "ndcg@10_cv_std": self.ndcg_cv_std,
            "mrr@10_cv": self.mrr_cv,
            "recall@100_cv": self.recall_cv,
            "alpha_curve": {str(a): v for a, v in self.alpha_curve.items()},
        }


def cross_validate_alpha(
    es: EvalSet,
    index: SearchIndex,
    folds: int = 5,
    repeats: int = 3,
    grid: Sequence[float] = ALPHA_GRID,
    seed: int = 20250601,
    base: FusionConfig | None = None,
) -> CVResult:
    """k-fold CV of the convex weight: choose on k-1 folds, score on the held-out fold."""
    # One weight for every kind: the grid value replaces both alpha and product_alpha.
    base = replace(base or index.fusion, method="convex", product_alpha=None)
    retrievals = collect_retrievals(index, es.queries)
    thr = es.relevance_threshold
    runs = {a: fused_run(index, retrievals, replace(base, alpha=a)) for a in grid}
    per_alpha: dict[float, RunMetrics] = {
        a: evaluate_run(runs[a], es.qrels, relevance_threshold=thr, gain=es.gain) for a in grid
    }
    qids = sorted(set(per_alpha[grid[0]].per_query_ndcg))
    mrr = {a: {q: mrr_at_k(runs[a].get(q, []), es.qrels[q], 10, thr) for q in qids} for a in grid}
    rec = {
        a: {q: recall_at_k(runs[a].get(q, []), es.qrels[q], 100, thr) for q in qids} for a in grid
    }
    chosen: list[float] = []
    rep_ndcg, rep_mrr, rep_rec = [], [], []
    for r in range(repeats):
        order = list(qids)
        random.Random(seed + r).shuffle(order)
        fold_of = {q: i % folds for i, q in enumerate(order)}
        held_ndcg, held_mrr, held_rec = [], [], []
        for f in range(folds):
            train = [q for q in qids if fold_of[q] != f]
            test = [q for q in qids if fold_of[q] == f]
            best = max(
                grid,
                key=lambda a: (
                    np.mean([per_alpha[a].per_query_ndcg[q] for q in train]),
                    -abs(a - 0.5),
                ),
            )
            chosen.append(best)
            held_ndcg += [per_alpha[best].per_query_ndcg[q] for q in test]
            held_mrr += [mrr[best][q] for q in test]
            held_rec += [rec[best][q] for q in test]
        rep_ndcg.append(float(np.mean(held_ndcg)))
        rep_mrr.append(float(np.mean(held_mrr)))
        rep_rec.append(float(np.mean(held_rec)))
    return CVResult(
        folds=folds,
        repeats=repeats,
        alphas=chosen,
        ndcg_cv=float(np.mean(rep_ndcg)),
        ndcg_cv_std=float(np.std(rep_ndcg)),
        mrr_cv=float(np.mean(rep_mrr)),
        recall_cv=float(np.mean(rep_rec)),
        alpha_curve={a: m.ndcg_at_10 for a, m in per_alpha.items()},
    )


# --------------------------------------------------------------------------- one call


def parse_embedder(spec: str | None) -> str | list[str] | None:
    """``"none"`` -> None, ``"a,b"`` -> ``["a", "b"]``, else the name (``"auto"`` included)."""
    if spec is None or spec.strip().lower() == "none":
        return None
    if "," in spec:
        return [e.strip() for e in spec.split(",") if e.strip()]
    return spec.strip()


def parse_modes(mode: str) -> tuple[SearchMode, ...]:
    if mode == "all":
        return MODES
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected lexical, dense, hybrid or all")
    return (mode,)  # type: ignore[return-value]


def run_evaluation(
    es: EvalSet,
    modes: Sequence[SearchMode] = MODES,
    *,
    embedder: str | list[str] | None = "auto",
    lexical_backend: str | None = None,
    fusion: FusionConfig | None = None,
    cv: bool = False,
    cv_repeats: int = 3,
    spelling: bool = True,
) -> tuple[EvalReport, CVResult | None]:
    """Build the index for ``es``, score ``modes`` and, with ``cv``, cross-validate the convex
    weight (only when the index has an embedder). What ``shopcoach search eval`` calls.
    ``spelling=False``: lexical queries as typed (no rewriting of unknown words)."""
    index, index_seconds = build_index(
        es, embedder=embedder, lexical_backend=lexical_backend, fusion=fusion, spelling=spelling
    )
    try:
        report = replace(evaluate(es, modes, index=index), index_seconds=index_seconds)
        result = (
            cross_validate_alpha(es, index, repeats=cv_repeats) if cv and index.semantic else None
        )
    finally:
        index.close()
    return report, result


# --------------------------------------------------------------------------- CLI


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m shopcoach.search.evaluate",
        description="Score lexical, dense and hybrid search on a BEIR/TREC-shaped test set.",
    )
    src = p.add_argument_group("data (files, or a named dataset from the shared data folder)")
    src.add_argument("--docs", help="documents JSONL: {id, title, text, ...}")
    src.add_argument("--queries", help="queries JSONL: {id, text[, filters]}")
    src.add_argument("--qrels", help="qrels TSV: query_id doc_id grade")
    src.add_argument("--dataset", choices=list(LOADERS))
    p.add_argument("--mode", default="all", choices=["lexical", "dense", "hybrid", "all"])
    p.add_argument(
        "--embedder",
        default="auto",
        help="minilm | e5-small | hashing | a comma list (minilm,e5-small) | auto | none",
    )
    p.add_argument("--lexical-backend", choices=["tantivy", "bm25s"])
    p.add_argument("--fusion", choices=["convex", "rrf"], default="convex")
    p.add_argument("--alpha", type=float, help="dense weight of convex fusion")
    p.add_argument(
        "--relevance-threshold",
        type=float,
        help="minimum grade counted relevant by MRR/Recall (default: dataset's, else > 0)",
    )
    p.add_argument("--cv", action="store_true", help="also cross-validate the fusion weight")
    p.add_argument("--cv-repeats", type=int, default=3, help="CV repetitions (default 3)")
    p.add_argument(
        "--no-spelling",
        action="store_true",
        help="search lexical queries as typed (no rewriting of unknown words)",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = p.parse_args(argv)
    if not args.dataset and not (args.docs and args.queries and args.qrels):
        p.error("give --docs, --queries and --qrels, or --dataset")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.dataset:
        es = load_named(args.dataset)
    else:
        es = load_eval_files(args.docs, args.queries, args.qrels, name=str(args.docs))
    if args.relevance_threshold is not None:
        es = replace(es, relevance_threshold=args.relevance_threshold)
    fusion = FusionConfig(method=args.fusion)
    if args.alpha is not None:
        fusion = replace(fusion, alpha=args.alpha, product_alpha=None)
    report, cv = run_evaluation(
        es,
        parse_modes(args.mode),
        embedder=parse_embedder(args.embedder),
        lexical_backend=args.lexical_backend,
        fusion=fusion,
        cv=args.cv,
        cv_repeats=args.cv_repeats,
        spelling=not args.no_spelling,
    )
    if args.json:
        out = report.as_dict()
        if cv is not None:
            out["cross_validation"] = cv.as_dict()
        print(json.dumps(out, indent=2))
    else:
        print(report.table())
        if cv is not None:
            print(
                f"convex alpha by {cv.folds}-fold CV x{cv.repeats}: held-out nDCG@10 "
                f"{cv.ndcg_cv:.4f} (+/- {cv.ndcg_cv_std:.4f}), MRR@10 {cv.mrr_cv:.4f}, "
                f"R@100 {cv.recall_cv:.4f}; alphas chosen {sorted(set(cv.alphas))}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
