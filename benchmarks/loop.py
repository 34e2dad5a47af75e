"""The loop benchmark (issue #5): scoring, weekly metrics and drift, one after the other.

    .venv/bin/python benchmarks/loop.py                       # 100k scored, 1M metrics, 1M drift
    .venv/bin/python benchmarks/loop.py --score-n 20000 --metrics-n 200000 --drift-rows 200000

Each part runs in a process of its own (so peak RSS is per part) through the ``run()`` of
``benchmarks/scoring.py``, ``benchmarks/metrics.py`` and ``benchmarks/drift.py``; see those
files for what each measures. Evidently needs ``pandas<3``, so ``benchmarks/drift.py`` runs it
in a venv of its own (``/tmp/evidently-venv``, created on first use) — ``--skip-evidently``
leaves it out. Prints figures against the issue's targets; asserts nothing.

Targets: >= 2k conversations/s scored per core without an LLM; weekly metrics over 1M
conversations < 5 s on SQLite; drift >= 10x faster than Evidently's data-drift preset.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _part(module: str, call: str) -> dict[str, Any]:
    code = (f"import json, sys; sys.path.insert(0, {str(HERE)!r}); import {module}; "
            f"print('RESULT ' + json.dumps({module}.{call}, default=str))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True)  # fmt: skip
    line = next(x for x in reversed(out.stdout.splitlines()) if x.startswith("RESULT "))
    return dict(json.loads(line[len("RESULT ") :]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--score-n", type=int, default=100_000)
    ap.add_argument("--metrics-n", type=int, default=1_000_000)
    ap.add_argument("--drift-rows", type=int, default=1_000_000)
    ap.add_argument("--skip-evidently", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores)", flush=True)
    report = {
        "scoring": _part("scoring", f"run({args.score_n})"),
        "metrics": _part("metrics", f"run({args.metrics_n})"),
        "drift": _part("drift", f"run({args.drift_rows}, evidently={not args.skip_evidently})"),
        "load_avg_end": os.getloadavg(),
    }
    if args.json:
        print(json.dumps(report, indent=2, default=str))
        return
    s, m, d = report["scoring"], report["metrics"], report["drift"]
    print(json.dumps({"scoring": s, "metrics": m}, indent=2, default=str))
    ours = d["ours"]
    print(f"drift {d['rows_per_side']:,} rows x {d['columns']} columns: ours "
          f"{ours['seconds']:.2f} s, peak RSS {ours['peak_rss_mb']:.0f} MB")  # fmt: skip
    if "evidently" in d:
        print(f"  evidently {d['evidently']['seconds']:.2f} s → {d['speedup']:.1f}x "
              f"(target >= 10x); same drifted columns: {d['agree']}")  # fmt: skip
    print(f"load average at end: {report['load_avg_end'][0]:.2f}")


if __name__ == "__main__":
    main()
