"""Drift benchmark: our tabular detector vs Evidently's DataDriftPreset on the same data.

    PYTHONPATH=src python benchmarks/drift.py [--rows 1000000] [--skip-evidently] [--json]

Data: synthetic, ``--rows`` rows in the reference *and* in the current table, 10 columns
(6 numeric, 4 categorical as small integer codes), with drift planted in known columns:
``num_0`` (mean +0.5 sd), ``num_1`` (scale x1.6), ``cat_0`` (one category 12% -> 30%);
the other 7 columns are drawn from the same distributions on both sides.

Ours runs in this process (time and peak RSS growth measured around the call). Evidently
0.7.x (which needs pandas<3) runs in its own virtualenv (``/tmp/evidently-venv``, created with
pip if missing; override with ``$EVIDENTLY_PYTHON``) as a subprocess that reads the same arrays
from ``.npy`` files, so its import time is excluded and its peak RSS is its own process's.
Prints both times, the ratio, and whether both flag the same columns. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from shopcoach.drift import get_detector  # noqa: E402
from shopcoach.drift.tabular import drifted_columns  # noqa: E402

NUMERIC = [f"num_{i}" for i in range(6)]
CATEGORICAL = [f"cat_{i}" for i in range(4)]
PLANTED = {"num_0", "num_1", "cat_0"}
EVIDENTLY_VENV = Path("/tmp/evidently-venv")

EVIDENTLY_SCRIPT = textwrap.dedent(
    """
    import json, resource, sys, time
    import numpy as np
    import pandas as pd
    from evidently import DataDefinition, Dataset, Report
    from evidently.presets import DataDriftPreset

    folder, numeric, categorical = sys.argv[1], sys.argv[2].split(","), sys.argv[3].split(",")
    def frame(side):
        cols = {c: np.load(f"{folder}/{side}_{c}.npy") for c in numeric + categorical}
        return pd.DataFrame(cols)
    ref, cur = frame("reference"), frame("current")
    definition = DataDefinition(numerical_columns=numeric, categorical_columns=categorical)
    t = time.perf_counter()
    report = Report([DataDriftPreset()])
    snapshot = report.run(
        Dataset.from_pandas(cur, data_definition=definition),
        Dataset.from_pandas(ref, data_definition=definition),
    )
    seconds = time.perf_counter() - t
    drifted = []
    for m in snapshot.dict()["metrics"]:
        cfg = m.get("config", {})
        if cfg.get("type", "").endswith("ValueDrift"):
            col, thr = cfg["column"], cfg.get("threshold")
            value = m["value"]
            method = cfg.get("method", "")
            # p-value tests drift below the threshold, distances at or above it.
            is_p = "p_value" in str(method).lower() or method in ("ks", "chisquare", "z")
            if (value < thr) if is_p else (value >= thr):
                drifted.append(col)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak, "drifted": sorted(drifted)}))
    """
)


def make_data(rows: int, seed: int = 0) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    ref: dict[str, np.ndarray] = {}
    cur: dict[str, np.ndarray] = {}
    for i, col in enumerate(NUMERIC):
        loc, scale = float(i), 1.0 + 0.2 * i
        ref[col] = rng.normal(loc, scale, rows)
        if col == "num_0":
            cur[col] = rng.normal(loc + 0.5 * scale, scale, rows)
        elif col == "num_1":
            cur[col] = rng.normal(loc, 1.6 * scale, rows)
        else:
            cur[col] = rng.normal(loc, scale, rows)
    for col in CATEGORICAL:
        k = 8
        p = np.full(k, 1 / k)
        ref[col] = rng.choice(k, rows, p=p).astype(np.int64)
        q = np.array([0.30] + [0.10] * 7) if col == "cat_0" else p
        cur[col] = rng.choice(k, rows, p=q / q.sum()).astype(np.int64)
    return ref, cur


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_ours(ref: dict[str, np.ndarray], cur: dict[str, np.ndarray]) -> dict[str, object]:
    before = rss_mb()
    t = time.perf_counter()
    result = get_detector("tabular")(ref, cur, categorical=CATEGORICAL)
    seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": seconds,
        "peak_rss_mb": peak,
        "rss_before_mb": before,
        "drifted": sorted(drifted_columns(result)),
        "summary": result.summary,
    }


def evidently_python() -> str:
    env = os.environ.get("EVIDENTLY_PYTHON")
    if env:
        return env
    py = EVIDENTLY_VENV / "bin" / "python"
    if not py.exists():
        print(f"creating {EVIDENTLY_VENV} (evidently 0.7.x, pandas<3) ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(EVIDENTLY_VENV)], check=True)
        subprocess.run(
            [str(py), "-m", "pip", "install", "-q", "evidently>=0.7,<0.8", "pandas<3"],
            check=True,
        )
    return str(py)


def run_evidently(ref: dict[str, np.ndarray], cur: dict[str, np.ndarray]) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="drift-bench-") as folder:
        for side, table in (("reference", ref), ("current", cur)):
            for col, values in table.items():
                np.save(f"{folder}/{side}_{col}.npy", values)
        script = Path(folder) / "run_evidently.py"
        script.write_text(EVIDENTLY_SCRIPT)
        out = subprocess.run(
            [evidently_python(), str(script), folder, ",".join(NUMERIC), ",".join(CATEGORICAL)],
            check=True, capture_output=True, text=True,
        )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def run(rows: int = 1_000_000, *, evidently: bool = True, seed: int = 0) -> dict[str, object]:
    """The whole comparison as a dict (what ``benchmarks/loop.py`` calls).

    Keys: ``rows_per_side``, ``columns``, ``planted``, ``load_avg``, ``ours`` (seconds,
    peak_rss_mb, drifted, summary), and with ``evidently=True`` also ``evidently`` (seconds,
    peak_rss_mb, drifted), ``speedup`` (Evidently time / ours) and ``agree`` (same columns).
    """
    ref, cur = make_data(rows, seed)
    ours = run_ours(ref, cur)
    report: dict[str, object] = {
        "rows_per_side": rows, "columns": len(ref), "planted": sorted(PLANTED),
        "load_avg": os.getloadavg(), "ours": ours,
    }
    if evidently:
        ev = run_evidently(ref, cur)
        report["evidently"] = ev
        report["speedup"] = float(ev["seconds"]) / float(ours["seconds"])  # type: ignore[arg-type]
        report["agree"] = ev["drifted"] == ours["drifted"]
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--skip-evidently", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    report = run(args.rows, evidently=not args.skip_evidently)
    ours = report["ours"]
    assert isinstance(ours, dict)
    ref = range(int(report["columns"]))  # type: ignore[call-overload]
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{args.rows:,} rows per side x {len(ref)} columns; planted drift in "
          f"{sorted(PLANTED)}; load avg {os.getloadavg()[0]:.1f}")
    print(f"shopcoach tabular : {ours['seconds']:.2f} s, peak RSS {ours['peak_rss_mb']:.0f} MB "
          f"(data alone {ours['rss_before_mb']:.0f} MB); drifted {ours['drifted']}")
    if "evidently" in report:
        ev = report["evidently"]  # type: ignore[assignment]
        print(f"evidently 0.7     : {ev['seconds']:.2f} s, peak RSS {ev['peak_rss_mb']:.0f} MB; "
              f"drifted {ev['drifted']}")
        print(f"speed-up          : {report['speedup']:.1f}x (target >= 10x)")
        print(f"same columns      : {report['agree']}")


if __name__ == "__main__":
    main()
