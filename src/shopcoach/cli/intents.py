"""``shopcoach intents train|eval``: the intent classifier (see docs/intents.md).

Thin: parse options, one library call, render with Rich. Data, artifact and embedder problems
are ``shopcoach.errors`` errors with a hint (exit code 1 through ``shopcoach.cli.main``).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from shopcoach.cli.common import console, err_console
from shopcoach.errors import ValidationFailed

app = typer.Typer(help="Train and evaluate intent classifiers.", no_args_is_help=True)

DataOpt = Annotated[
    Path, typer.Option("--data", help="CSV (header row) or JSONL file.", show_default=False)
]
TextColOpt = Annotated[
    str, typer.Option("--text-col", help="Column with the utterance.", show_default=False)
]
LabelColOpt = Annotated[
    str, typer.Option("--label-col", help="Column with the intent label.", show_default=False)
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def parse_prior(value: str | None) -> float | None:
    """``auto`` (None: the OOS share of the training data, else 0.2) or a number in [0, 1)."""
    if value is None or value.strip().lower() == "auto":
        return None
    try:
        prior = float(value)
    except ValueError:
        prior = -1.0
    if not 0.0 <= prior < 1.0:
        raise ValidationFailed(
            f"--oos-prior {value!r} is not 'auto' or a number in [0, 1).",
            hint="E.g. --oos-prior 0.1 if about 10% of queries are out of scope.",
        )
    return prior


def _fmt(v: float | None, digits: int = 4) -> str:
    return "n/a" if v is None else f"{v:.{digits}f}"


@app.command()
def train(
    data: DataOpt,
    text_col: TextColOpt,
    label_col: LabelColOpt,
    out: Annotated[
        Path, typer.Option("--out", help="Model directory to write.", show_default=False)
    ],
    oos_label: Annotated[
        str, typer.Option("--oos-label", help="Label of out-of-scope rows in FILE.")
    ] = "oos",
    variant: Annotated[
        str, typer.Option(help="combined, tfidf or embedding (see docs/intents.md).")
    ] = "combined",
    embedder: Annotated[
        str, typer.Option(help="Embedding model: minilm, e5-small-q4 or hashing.")
    ] = "minilm",
    seed: Annotated[int, typer.Option(help="Random seed (same inputs + seed = same model).")] = 0,
    oos_prior: Annotated[
        str,
        typer.Option(
            help="Expected share of out-of-scope traffic, used to pick the rejection "
            "threshold; 'auto' = the share of --oos-label rows in FILE, 0.2 if none."
        ),
    ] = "auto",
    as_json: JsonOpt = False,
) -> None:
    """Train a model on FILE and write it as a versioned artifact directory."""
    from shopcoach.intents.artifact import data_hash, save_model
    from shopcoach.intents.data import load_table
    from shopcoach.intents.features import EMBEDDERS
    from shopcoach.intents.model import VARIANTS, IntentModel, ModelConfig

    if variant not in VARIANTS:
        raise ValidationFailed(f"unknown --variant {variant!r}.", hint=f"Use one of {VARIANTS}.")
    if embedder not in EMBEDDERS:
        raise ValidationFailed(
            f"unknown --embedder {embedder!r}.", hint=f"Use one of {sorted(EMBEDDERS)}."
        )
    prior = parse_prior(oos_prior)
    ds = load_table(data, text_col, label_col)
    cfg = ModelConfig(variant=variant, embedder=embedder, seed=seed, oos_prior=prior)
    t0 = time.perf_counter()
    with console.status(f"Training {variant} model on {len(ds):,} rows…", spinner="dots"):
        model = IntentModel(cfg).fit(ds.texts, ds.labels, oos_label=oos_label)
    seconds = time.perf_counter() - t0
    manifest = save_model(
        model,
        out,
        data_sha256=data_hash(ds.texts, ds.labels, oos_label),
        training_seconds=seconds,
        extra={"source": str(data), "text_col": text_col, "label_col": label_col},
    )
    fi = model.fit_info
    if as_json:
        console.print_json(json.dumps({"model": str(out), **manifest}))
        return
    console.print(
        f"Trained {variant} model on {len(ds):,} rows ({fi['n_intents']} intents, "
        f"{fi['n_oos_train']} out-of-scope) in {seconds:.1f}s."
    )
    table = Table(title="Held-out estimates (cross-fitted on the training data)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("accuracy (closed set)", _fmt(fi["oof_accuracy"]))
    table.add_row("ECE", _fmt(fi["oof_ece"]))
    table.add_row("temperature", _fmt(fi["temperature"], 3))
    table.add_row("OOS prior", f"{fi['oos_prior']:.4f} ({fi['oos_prior_source']})")
    table.add_row("OOS threshold", _fmt(fi["threshold"], 3))
    table.add_row("pseudo-OOS / real OOS rows", f"{fi['oof_pseudo_oos']} / {fi['oof_real_oos']}")
    console.print(table)
    if fi["threshold"] >= 1.0:
        err_console.print(
            f"[yellow]Note:[/] at an out-of-scope prior of {fi['oos_prior']:.4f} rejecting is "
            "never worth it, so this model rejects no query; pass --oos-prior (to train or "
            "eval) with the share of out-of-scope traffic you expect."
        )
    console.print(f"Wrote {out} (model_id {manifest['model_id'][:12]}).")


def _report_dict(rep: Any, **extra: Any) -> dict[str, Any]:
    d: dict[str, Any] = rep.to_dict()
    d.update(extra)
    return d


@app.command("eval")
def evaluate_cmd(
    model_dir: Annotated[
        Path,
        typer.Option("--model", help="Model directory (from train --out).", show_default=False),
    ],
    data: DataOpt,
    text_col: TextColOpt,
    label_col: LabelColOpt,
    oos_label: Annotated[
        str | None,
        typer.Option(
            "--oos-label",
            help="Label of out-of-scope rows in FILE (default: the model's); rejected "
            "queries count as this label.",
        ),
    ] = None,
    oos_prior: Annotated[
        float | None,
        typer.Option(
            help="Re-choose the threshold for this expected out-of-scope share (on the "
            "model's stored cross-fit scores, never on FILE).",
        ),
    ] = None,
    plots: Annotated[
        Path | None,
        typer.Option(help="Write confusion_matrix.png and reliability.png into this folder."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Evaluate a model on labelled FILE: accuracy, macro-F1, OOS recall/precision, AUROC,
    ECE and per-intent precision/recall."""
    from shopcoach.intents.artifact import load_model
    from shopcoach.intents.data import load_table
    from shopcoach.intents.metrics import evaluate

    model = load_model(model_dir)
    if oos_prior is not None:
        try:
            model.set_oos_prior(oos_prior)
        except ValueError as exc:
            raise ValidationFailed(str(exc), hint="Leave out --oos-prior.") from None
    ds = load_table(data, text_col, label_col)
    oos = oos_label or model.oos_label
    t0 = time.perf_counter()
    b = model.predict_batch(ds.texts)
    seconds = time.perf_counter() - t0
    pred = [oos if o else lab for lab, o in zip(b.best, b.is_oos, strict=True)]
    rep = evaluate(
        ds.labels, pred, b.best, b.confidence, b.oos_score, oos, known_labels=model.intents
    )
    if rep.unknown_labels == rep.n:
        raise ValidationFailed(
            f"{data}: none of the {label_col!r} labels is an intent of the model "
            f"(e.g. {ds.labels[0]!r}; the model knows {model.intents[:3]}…).",
            hint="Check --label-col, and --oos-label for the out-of-scope label of FILE.",
        )
    written: list[str] = []
    if plots is not None:
        from shopcoach.intents.plots import plot_confusion, plot_reliability

        plots.mkdir(parents=True, exist_ok=True)
        labels = sorted(set(ds.labels) | set(pred))
        written.append(str(plot_confusion(ds.labels, pred, labels, plots / "confusion_matrix.png")))
        written.append(str(plot_reliability(rep.reliability, rep.ece, plots / "reliability.png")))
    if as_json:
        d = _report_dict(
            rep,
            model=str(model_dir),
            data=str(data),
            oos_label=oos,
            oos_prior=model.oos_prior,
            threshold=model.fit_info.get("threshold"),
            predict_seconds=round(seconds, 3),
            plots=written,
        )
        console.print_json(json.dumps(d))
        return
    console.print(
        f"{rep.n:,} rows ({rep.n_oos:,} out-of-scope) predicted in {seconds:.2f}s; "
        f"OOS prior {model.oos_prior:.4f} ({model.oos_prior_source})."
    )
    if rep.unknown_labels:
        err_console.print(
            f"[yellow]Warning:[/] {rep.unknown_labels} rows have labels the model was not "
            "trained on (they count as errors)."
        )
    summary = Table(title="Evaluation")
    summary.add_column("metric")
    summary.add_column("value", justify="right")
    for name, value in (
        ("accuracy", rep.accuracy),
        ("macro-F1", rep.macro_f1),
        ("in-scope accuracy (closed set)", rep.in_scope_accuracy),
        ("OOS recall", rep.oos_recall),
        ("OOS precision", rep.oos_precision),
        ("AUROC in-scope vs OOS", rep.auroc),
        ("ECE (15 bins)", rep.ece),
    ):
        summary.add_row(name, _fmt(value))
    console.print(summary)
    per = Table(title="Per intent")
    per.add_column("intent")
    for col in ("precision", "recall", "support"):
        per.add_column(col, justify="right")
    for lab, s in rep.per_intent.items():
        per.add_row(lab, f"{s['precision']:.3f}", f"{s['recall']:.3f}", f"{int(s['support'])}")
    console.print(per)
    for path in written:
        console.print(f"Wrote {path}")
