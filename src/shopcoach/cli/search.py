"""``shopcoach search …``: offline evaluation of product and help-article search."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from shopcoach.cli.common import console
from shopcoach.errors import ValidationFailed
from shopcoach.search.datasets import LOADERS, EvalSet, load_eval_files, load_named
from shopcoach.search.embedders import EmbedderUnavailable, embedder_names
from shopcoach.search.evaluate import (
    CVResult,
    EvalReport,
    parse_embedder,
    parse_modes,
    run_evaluation,
)
from shopcoach.search.fusion import FusionConfig

app = typer.Typer(
    help="Search products and help articles; evaluate retrieval.", no_args_is_help=True
)


def _eval_set(
    dataset: str | None, docs: Path | None, queries: Path | None, qrels: Path | None
) -> EvalSet:
    if dataset is not None:
        if any(p is not None for p in (docs, queries, qrels)):
            raise ValidationFailed(
                "--dataset cannot be combined with --docs/--queries/--qrels",
                hint="Give either a named --dataset or the three files.",
            )
        if dataset not in LOADERS:
            raise ValidationFailed(
                f"unknown dataset {dataset!r}",
                hint=f"Choose one of: {', '.join(LOADERS)}.",
            )
        return load_named(dataset)
    missing = [
        n for n, p in (("--docs", docs), ("--queries", queries), ("--qrels", qrels)) if not p
    ]
    if missing:
        raise ValidationFailed(
            f"missing {', '.join(missing)}",
            hint="Give --docs DOCS.jsonl --queries Q.jsonl --qrels QRELS.tsv, or --dataset "
            f"{'|'.join(LOADERS)}.",
        )
    assert docs and queries and qrels
    return load_eval_files(docs, queries, qrels, name=docs.name)


def _render(report: EvalReport, cv: CVResult | None) -> None:
    fusion = report.fusion
    mix = fusion.describe()
    console.print(
        f"[bold]{report.dataset}[/]: {report.n_documents:,} documents, {report.n_queries:,} "
        f"queries; lexical {report.lexical_backend}, embedder {report.embedder or 'none'}, "
        f"fusion {mix}; indexed in {report.index_seconds:.1f}s"
    )
    table = Table("mode", "nDCG@10", "MRR@10", "Recall@100", "zero-result rate", "ms/query")
    for mode, r in report.results.items():
        m = r.metrics
        table.add_row(
            mode,
            f"{m.ndcg_at_10:.4f}",
            f"{m.mrr_at_10:.4f}",
            f"{m.recall_at_100:.4f}",
            f"{m.zero_result_rate:.3f}",
            f"{1000 * r.seconds / max(1, m.n_queries + m.n_skipped):.1f}",
        )
    console.print(table)
    if report.embedder is None:
        console.print(
            "[yellow]No embedder: only lexical search was evaluated.[/] Install an embeddings "
            "extra or pass --embedder."
        )
    if cv is not None:
        console.print(
            f"Convex weight by {cv.folds}-fold cross-validation x{cv.repeats}: held-out "
            f"nDCG@10 {cv.ndcg_cv:.4f} (+/- {cv.ndcg_cv_std:.4f}), MRR@10 {cv.mrr_cv:.4f}, "
            f"Recall@100 {cv.recall_cv:.4f}; alphas chosen {sorted(set(cv.alphas))}"
        )


@app.command("eval")
def eval_(
    docs: Annotated[
        Path | None, typer.Option(help="Documents JSONL: {id, title, text, ...}.")
    ] = None,
    queries: Annotated[
        Path | None, typer.Option(help="Queries JSONL: {id, text[, filters]}.")
    ] = None,
    qrels: Annotated[
        Path | None, typer.Option(help="Judgements TSV: query_id doc_id grade.")
    ] = None,
    dataset: Annotated[
        str | None,
        typer.Option(help=f"A named set from the shared data folder: {', '.join(LOADERS)}."),
    ] = None,
    mode: Annotated[str, typer.Option(help="lexical, dense, hybrid or all.")] = "all",
    embedder: Annotated[
        str,
        typer.Option(help="auto, none, a registered name (minilm, e5-small, hashing) or a,b."),
    ] = "auto",
    fusion: Annotated[str, typer.Option(help="Hybrid fusion: convex or rrf.")] = "convex",
    alpha: Annotated[float | None, typer.Option(help="Dense weight of convex fusion.")] = None,
    cv: Annotated[
        bool, typer.Option("--cv", help="Also cross-validate the convex fusion weight.")
    ] = False,
    spelling: Annotated[
        bool,
        typer.Option(
            "--spelling/--no-spelling",
            help="Rewrite query words the documents never use (typos, run-together words) "
            "before the lexical search.",
        ),
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Score lexical, dense and hybrid search: nDCG@10, MRR@10, Recall@100, zero-result rate."""
    try:
        modes = parse_modes(mode)
        config = FusionConfig(method=fusion)  # type: ignore[arg-type]
        if alpha is not None:
            config = FusionConfig(method=config.method, alpha=alpha, product_alpha=None)
    except ValueError as exc:
        raise ValidationFailed(
            str(exc), hint="--mode lexical|dense|hybrid|all, --fusion convex|rrf, --alpha 0..1."
        ) from None
    spec = parse_embedder(embedder)
    names = [spec] if isinstance(spec, str) else (spec or [])
    unknown = [n for n in names if n != "auto" and n not in embedder_names()]
    if unknown:
        raise ValidationFailed(
            f"unknown embedder {', '.join(unknown)}",
            hint=f"Choose auto, none or one of: {', '.join(embedder_names())}.",
        )
    es = _eval_set(dataset, docs, queries, qrels)
    logging.getLogger("shopcoach.search").setLevel(logging.ERROR if as_json else logging.WARNING)
    try:
        report, cv_result = run_evaluation(
            es, modes, embedder=spec, fusion=config, cv=cv, spelling=spelling
        )
    except EmbedderUnavailable as exc:
        raise ValidationFailed(
            str(exc), hint="Use --embedder none for lexical only, or install the extra."
        ) from None
    if as_json:
        out: dict[str, Any] = report.as_dict()
        if cv_result is not None:
            out["cross_validation"] = cv_result.as_dict()
        console.print_json(json.dumps(out))
        return
    _render(report, cv_result)


@app.command("query")
def query(
    text: Annotated[str, typer.Argument(help="What to search for.")],
    k: Annotated[int, typer.Option("-k", min=1, max=100, help="How many results.")] = 10,
    kind: Annotated[str | None, typer.Option(help="product or article.")] = None,
    category: Annotated[str | None, typer.Option(help="Any level of the category path.")] = None,
    in_stock: Annotated[
        bool | None, typer.Option("--in-stock/--any-stock", help="Only products in stock.")
    ] = None,
    min_price: Annotated[float | None, typer.Option(min=0)] = None,
    max_price: Annotated[float | None, typer.Option(min=0)] = None,
    valid_at: Annotated[
        str | None, typer.Option(help="Only content valid on this date (YYYY-MM-DD).")
    ] = None,
    store: Annotated[str | None, typer.Option(help="Store slug (default store).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Search the store's current products and help articles (hybrid, or lexical without an
    embeddings extra); the same search as GET /api/v1/search and the agent's retrieval."""
    from datetime import date

    from shopcoach.cli.common import store_db
    from shopcoach.kb.search import KnowledgeSearch
    from shopcoach.search import Filters
    from shopcoach.stores import get_store

    if kind is not None and kind not in ("product", "article"):
        raise ValidationFailed(f"--kind {kind!r} is not a kind", hint="Use product or article.")
    try:
        when = date.fromisoformat(valid_at) if valid_at else None
    except ValueError:
        raise ValidationFailed(
            f"--valid-at {valid_at!r} is not a date", hint="Use YYYY-MM-DD, e.g. 2026-12-01."
        ) from None
    settings, db = store_db()
    with db.connect() as conn:
        target = get_store(conn, store or settings.default_store)
    embedder = None if settings.embedder == "none" else settings.embedder
    ks = KnowledgeSearch.for_store(db, target, settings.home, embedder)
    filters = Filters(kind=kind, category=category, in_stock=in_stock, min_price=min_price,
                      max_price=max_price, valid_at=when)  # fmt: skip
    chosen = None if filters.is_empty() else filters
    hits = ks.search(text, k=k, filters=chosen)
    rewritten = ks.rewrite(text, chosen)
    if as_json:
        console.print_json(json.dumps({"query": text, "mode": ks.mode,
                                       "rewritten": rewritten.to_dict(),
                                       "results": [h.to_dict() for h in hits]}))  # fmt: skip
        return
    if rewritten.changed:
        console.print(rewritten.describe(), markup=False)
    table = Table(title=f"{len(hits)} results · {ks.mode} search", title_justify="left")
    for col in ("#", "kind", "id", "title", "price", "stock", "score"):
        table.add_column(col, justify="right" if col in ("#", "price", "score") else "left")
    for i, h in enumerate(hits, 1):
        stock = "" if h.in_stock is None else ("in" if h.in_stock else "out")
        price = "" if h.price is None else f"{h.price:.2f}"
        table.add_row(str(i), h.kind, h.doc_id, h.title[:60], price, stock, f"{h.score:.3f}")
    console.print(table)
