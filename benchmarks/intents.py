"""Intent-classifier benchmarks (no assertions; prints figures).

    python benchmarks/intents.py table [--datasets ...] [--variants ...] [--out DIR]
        train every variant on each documented split (see docs/intents.md), evaluate on its test
        side, and for sets without out-of-scope rows also on the open-set variant (25% of
        intents unseen). Each model is scored at its chosen operating point (oos_prior
        "auto": the OOS share of the training rows, 0.2 when there are none) and, when that
        differs, again at the fixed prior 0.2 (same model, threshold moved on its stored
        cross-fit scores). Writes DIR/results.jsonl and the models DIR/models/<set>-<variant>.
    python benchmarks/intents.py speed [--dataset clinc150] [--variants ...] [--out DIR]
        per variant, in a fresh subprocess: train time = fit time (embeddings from the cache
        when SHOPCOACH_EMBED_CACHE is set) + embedding time of the training texts (measured
        uncached on a 1,000-text sample), batch and single-query throughput (queries/s),
        p50/p95 single-query latency (embedding included), peak memory (RSS), artifact size.

Set SHOPCOACH_EMBED_CACHE=/tmp/... to reuse embeddings across runs (prediction in the speed
mode never uses it).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from shopcoach.intents.artifact import data_hash, load_model, save_model
from shopcoach.intents.data import DATASETS, hold_out_intents, load_named
from shopcoach.intents.features import get_embedder
from shopcoach.intents.model import DEFAULT_OOS_PRIOR, VARIANTS, IntentModel, ModelConfig

DEFAULT_OUT = Path("/tmp/shopcoach_intents/bench")


def _row(name: str, variant: str, split_name: str, rep: dict, train_s: float, info: dict
         ) -> dict:
    keep = ("n", "n_oos", "accuracy", "macro_f1", "in_scope_accuracy", "oos_recall",
            "oos_precision", "auroc", "ece")
    return {"dataset": name, "split": split_name, "variant": variant,
            "oos_prior": f"{info['oos_prior']:.4f} ({info['oos_prior_source']})",
            **{k: rep[k] for k in keep}, "train_seconds": round(train_s, 1),
            "oof_accuracy": info.get("oof_accuracy"), "threshold": info.get("threshold"),
            "load_avg_1m": round(os.getloadavg()[0], 1)}


def cmd_table(args: argparse.Namespace) -> None:
    out = Path(args.out)
    (out / "models").mkdir(parents=True, exist_ok=True)
    results = out / "results.jsonl"
    for open_set in (False, True):
        for name in args.datasets:
            split = load_named(name)
            has_oos = split.oos_label in set(split.test.labels)
            if open_set:
                if has_oos:
                    continue
                split = hold_out_intents(split)
            for variant in args.variants:
                model = IntentModel(ModelConfig(variant=variant))
                t0 = time.perf_counter()
                model.fit(split.train.texts, split.train.labels, split.oos_label)
                train_s = time.perf_counter() - t0
                if not open_set:
                    save_model(model, out / "models" / f"{name}-{variant}",
                               data_sha256=data_hash(split.train.texts, split.train.labels,
                                                     split.oos_label),
                               training_seconds=train_s)
                rows = [_row(name, variant, split.name,
                             model.evaluate(split.test.texts, split.test.labels).to_dict(),
                             train_s, dict(model.fit_info))]
                if model.oos_prior != DEFAULT_OOS_PRIOR and model.detector is not None \
                        and model.detector.method == "logistic":
                    model.set_oos_prior(DEFAULT_OOS_PRIOR)
                    rows.append(_row(name, variant, split.name,
                                     model.evaluate(split.test.texts, split.test.labels).to_dict(),
                                     train_s, dict(model.fit_info)))
                with results.open("a") as fh:
                    for row in rows:
                        fh.write(json.dumps(row) + "\n")
                        print(json.dumps(row), flush=True)


def _fmt(v: object) -> str:
    return "n/a" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)


def cmd_report(args: argparse.Namespace) -> None:
    rows = [json.loads(x) for x in (Path(args.out) / "results.jsonl").read_text().splitlines()]
    cols = ["split", "variant", "oos_prior", "accuracy", "macro_f1", "in_scope_accuracy",
            "oos_recall", "oos_precision", "auroc", "ece", "train_seconds"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for r in rows:
        print("| " + " | ".join(_fmt(r[c]) for c in cols) + " |")


def _speed_one(dataset: str, variant: str, n_latency: int) -> dict:
    split = load_named(dataset)
    cfg = ModelConfig(variant=variant)
    embed_qps = None
    if cfg.uses_embedding:  # embedding throughput on an uncached sample of the training texts
        emb = get_embedder(cfg.embedder)
        sample = split.train.texts[:: max(1, len(split.train.texts) // 1000)]
        t0 = time.perf_counter()
        emb.encode(sample)
        embed_qps = len(sample) / (time.perf_counter() - t0)
    # training reads embeddings from $SHOPCOACH_EMBED_CACHE when set; its time is added below
    t0 = time.perf_counter()
    model = IntentModel(cfg)
    model.fit(split.train.texts, split.train.labels, split.oos_label)
    fit_s = time.perf_counter() - t0 - (model.timings["embed"] if embed_qps else 0.0)
    embed_s = len(split.train.texts) / embed_qps if embed_qps else 0.0
    train_s = fit_s + embed_s
    os.environ.pop("SHOPCOACH_EMBED_CACHE", None)  # prediction always embeds
    rss_train = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tmp = DEFAULT_OUT / "speed-model"
    save_model(model, tmp, data_sha256="-", training_seconds=train_s)
    model = load_model(tmp)
    texts = split.test.texts
    model.predict(texts[:8])  # warm-up
    t0 = time.perf_counter()
    model.predict_batch(texts)
    batch_s = time.perf_counter() - t0
    load = os.getloadavg()[0]
    lat = []
    for t in texts[:n_latency]:
        t1 = time.perf_counter()
        model.predict([t])
        lat.append((time.perf_counter() - t1) * 1000)
    size = sum(f.stat().st_size for f in tmp.iterdir()) / 1e6
    return {"dataset": dataset, "variant": variant, "n_train": len(split.train.texts),
            "train_seconds": round(train_s, 1), "fit_seconds": round(fit_s, 1),
            "embed_seconds": round(embed_s, 1),
            "embed_qps": None if embed_qps is None else round(embed_qps, 1),
            "batch_qps": round(len(texts) / batch_s, 1),
            "single_qps": round(1000 * len(lat) / sum(lat), 1),
            "p50_ms": round(float(np.percentile(lat, 50)), 2),
            "p95_ms": round(float(np.percentile(lat, 95)), 2),
            "peak_rss_mb_train": round(rss_train, 0),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0),
            "artifact_mb": round(size, 1), "load_avg_1m": round(load, 1)}


def cmd_speed(args: argparse.Namespace) -> None:
    for variant in args.variants:
        proc = subprocess.run([sys.executable, __file__, "_speed1", args.dataset, variant,
                               str(args.n_latency)], capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            print(f"{variant}: failed\n{proc.stderr[-2000:]}")
            continue
        print(proc.stdout.strip().splitlines()[-1], flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("table")
    t.add_argument("--datasets", nargs="+", default=list(DATASETS))
    t.add_argument("--variants", nargs="+", default=list(VARIANTS))
    t.add_argument("--out", default=str(DEFAULT_OUT))
    r = sub.add_parser("report")
    r.add_argument("--out", default=str(DEFAULT_OUT))
    s = sub.add_parser("speed")
    s.add_argument("--dataset", default="clinc150")
    s.add_argument("--variants", nargs="+", default=list(VARIANTS))
    s.add_argument("--n-latency", type=int, default=200)
    s1 = sub.add_parser("_speed1")
    s1.add_argument("dataset")
    s1.add_argument("variant")
    s1.add_argument("n_latency", type=int)
    args = p.parse_args()
    if args.cmd == "table":
        cmd_table(args)
    elif args.cmd == "report":
        cmd_report(args)
    elif args.cmd == "speed":
        cmd_speed(args)
    else:
        print(json.dumps(_speed_one(args.dataset, args.variant, args.n_latency)))


if __name__ == "__main__":
    main()
