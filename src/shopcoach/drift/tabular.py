"""Generic column drift: numeric and categorical columns of two tables (plain arrays).

Per numeric column: KS (guard ``p < alpha``, effect: KS distance) and PSI on the reference's
quantile bins. Per categorical column: chi-square (guard), Jensen–Shannon distance (base 2) and
PSI. A column drifts when its guard passes and an effect reaches its threshold; the table
drifts when at least ``min_drifted_share`` of its columns (and at least one) drift. Tables are
``{column: 1-D array}``; columns whose dtype is not numeric are categorical unless named.

Large numeric columns are sorted once and the sorted arrays serve both statistics (KS by a
linear merge, PSI by binary search of the bin edges), which is what makes 1M-row tables fast.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from shopcoach.drift.registry import register_detector
from shopcoach.drift.result import DriftResult, Example, Movement, Statistic, severity_of, stat
from shopcoach.drift.stats import categorical, ks_sorted, psi_sorted


@dataclass(frozen=True)
class TabularConfig:
    alpha: float = 0.01
    ks_threshold: float = 0.1
    psi_threshold: float = 0.2
    js_threshold: float = 0.1
    min_drifted_share: float = 0.0
    n_bins: int = 10


@dataclass(frozen=True)
class ColumnDrift:
    column: str
    kind: str  # "numeric" | "categorical"
    drifted: bool
    statistics: list[Statistic]
    movement: Movement
    example: Example | None


def _is_numeric(a: np.ndarray) -> bool:
    return a.dtype.kind in "fiub"


def column_drift(
    name: str, reference: Any, current: Any, kind: str, config: TabularConfig
) -> ColumnDrift:
    """Drift statistics of one column (``kind`` is ``numeric`` or ``categorical``)."""
    if kind == "numeric":
        return _numeric(name, reference, current, config)
    return _categorical(name, reference, current, config)


def _numeric(name: str, reference: Any, current: Any, config: TabularConfig) -> ColumnDrift:
    ref = np.asarray(reference, dtype=np.float64)
    cur = np.asarray(current, dtype=np.float64)
    ref = np.sort(ref[np.isfinite(ref)]) if not np.isfinite(ref).all() else np.sort(ref)
    cur = np.sort(cur[np.isfinite(cur)]) if not np.isfinite(cur).all() else np.sort(cur)
    if ref.size == 0 or cur.size == 0:
        raise ValueError(
            f"tabular: column {name!r} has no finite values in the "
            f"{'reference' if ref.size == 0 else 'current'} table; drop it or fill it."
        )
    k = ks_sorted(ref, cur)
    p = psi_sorted(ref, cur, config.n_bins)
    statistics = [
        stat("ks_p_value", k.p_value, config.alpha, op="<", role="guard", scope=name),
        stat("ks_statistic", k.statistic, config.ks_threshold, scope=name),
        stat("psi", p.psi, config.psi_threshold, scope=name),
    ]
    drifted = statistics[0].fired and (statistics[1].fired or statistics[2].fired)
    rmean, cmean = float(ref.mean()), float(cur.mean())
    rmed, cmed = float(ref[ref.size // 2]), float(cur[cur.size // 2])
    movement = Movement(
        item=name, before=rmean, after=cmean, change=cmean - rmean, unit="mean",
        drifted=drifted,
        detail=f"PSI {p.psi:.3f}, KS {k.statistic:.3f}; median {rmed:.4g} -> {cmed:.4g}",
    )
    example = None
    if drifted:
        grew = p.current_shares - p.reference_shares
        b = int(np.argmax(grew))
        lo = "-inf" if b == 0 else f"{p.edges[b - 1]:.4g}"
        hi = "inf" if b == p.edges.size else f"{p.edges[b]:.4g}"
        example = Example(
            text=f"{name} in [{lo}, {hi}): {p.reference_shares[b]:.1%} -> "
            f"{p.current_shares[b]:.1%} of rows",
            reason="reference bin that gained the most rows",
            score=float(grew[b]),
        )
    return ColumnDrift(name, "numeric", drifted, statistics, movement, example)


def _categorical(name: str, reference: Any, current: Any, config: TabularConfig) -> ColumnDrift:
    res = categorical(np.asarray(reference), np.asarray(current))
    statistics = [
        stat("chi2_p_value", res.p_value, config.alpha, op="<", role="guard", scope=name),
        stat("js_distance", res.js, config.js_threshold, scope=name),
        stat("psi", res.psi, config.psi_threshold, scope=name),
    ]
    drifted = statistics[0].fired and (statistics[1].fired or statistics[2].fired)
    delta = res.current_shares - res.reference_shares
    top = int(np.argmax(np.abs(delta)))
    cat = res.categories[top]
    before, after = float(res.reference_shares[top]), float(res.current_shares[top])
    movement = Movement(
        item=name, before=before, after=after, change=after - before, unit=f"share of {cat!s}",
        drifted=drifted,
        detail=f"JS {res.js:.3f}, PSI {res.psi:.3f}; {cat!s}: {before:.1%} -> {after:.1%}",
    )
    example = None
    if drifted:
        example = Example(
            text=f"{name} = {cat!s}: {before:.1%} -> {after:.1%} of rows",
            reason="category whose share moved most", score=float(delta[top]),
        )
    return ColumnDrift(name, "categorical", drifted, statistics, movement, example)


@register_detector(
    "tabular", TabularConfig, "Per-column drift of a table (KS + PSI numeric, chi-square/JS cat.)."
)
def detect_tabular(
    reference: Mapping[str, Any],
    current: Mapping[str, Any],
    *,
    categorical: Sequence[str] | None = None,
    config: TabularConfig,
) -> DriftResult:
    missing = sorted(set(reference) ^ set(current))
    if missing:
        raise ValueError(
            f"tabular: columns {missing} are in only one of the two tables; compare the same "
            "columns (drop or add them on both sides)."
        )
    cat = set(categorical or ())
    unknown = sorted(cat - set(reference))
    if unknown:
        raise ValueError(f"tabular: categorical columns {unknown} are not in the tables.")
    columns: list[ColumnDrift] = []
    n_ref = n_cur = 0
    for name in reference:
        r, c = np.asarray(reference[name]), np.asarray(current[name])
        n_ref, n_cur = max(n_ref, r.shape[0]), max(n_cur, c.shape[0])
        numeric = _is_numeric(r) and _is_numeric(c) and name not in cat
        kind = "numeric" if numeric else "categorical"
        columns.append(column_drift(name, r, c, kind, config))
    drifted_cols = [c for c in columns if c.drifted]
    share = len(drifted_cols) / max(len(columns), 1)
    statistics = [s for c in columns for s in c.statistics]
    statistics.append(stat("drifted_column_share", share, None, role="info"))
    drifted = bool(drifted_cols) and share >= config.min_drifted_share
    moved = sorted(
        (c.movement for c in columns),
        key=lambda m: (not m.drifted, -abs(_effect(statistics, m.item))),
    )
    examples = [c.example for c in columns if c.example is not None]
    names = ", ".join(c.column for c in drifted_cols)
    summary = (
        f"{len(drifted_cols)} of {len(columns)} columns drifted: {names}."
        if drifted
        else f"No column drifted ({len(columns)} checked)."
    )
    return DriftResult(
        detector="tabular", drifted=drifted, severity=severity_of(statistics, drifted),
        statistics=statistics, moved=moved, examples=examples, summary=summary,
        n_reference=n_ref, n_current=n_cur, config=dataclasses.asdict(config),
    )


def _effect(statistics: list[Statistic], column: str) -> float:
    return max(
        (s.value / s.threshold for s in statistics
         if s.scope == column and s.role == "effect" and s.threshold),
        default=0.0,
    )


def drifted_columns(result: DriftResult) -> list[str]:
    """Names of the columns a tabular result marks as drifted."""
    return [m.item for m in result.moved if m.drifted]
