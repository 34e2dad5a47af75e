"""Confidence shift: did the agent's (or classifier's) confidence distribution move?

Statistics: KS (guard ``p < alpha``; effect: the KS distance), PSI on reference-quantile bins,
the mean shift, and the share of answers below ``low_confidence`` before/after (its change is an
effect, guarded by a two-proportion z-test). ``examples`` are the current records with the
lowest confidence (pass ``current_ids`` or ``current_texts`` to name them).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

from shopcoach.drift.registry import register_detector
from shopcoach.drift.result import DriftResult, Example, Movement, severity_of, stat
from shopcoach.drift.stats import ks_sorted, psi_sorted


@dataclass(frozen=True)
class ConfidenceConfig:
    alpha: float = 0.01
    ks_threshold: float = 0.1
    psi_threshold: float = 0.2
    low_confidence: float = 0.5
    low_share_change: float = 0.1
    n_bins: int = 10
    max_examples: int = 5


@register_detector(
    "confidence", ConfidenceConfig, "Confidence distribution moved (KS, PSI, mean, share low)."
)
def detect_confidence(
    reference: Sequence[float] | np.ndarray,
    current: Sequence[float] | np.ndarray,
    *,
    current_texts: Sequence[str] | None = None,
    current_ids: Sequence[str] | None = None,
    config: ConfidenceConfig,
) -> DriftResult:
    ref = np.asarray(reference, dtype=np.float64)
    cur = np.asarray(current, dtype=np.float64)
    if ref.size == 0 or cur.size == 0 or not (np.isfinite(ref).all() and np.isfinite(cur).all()):
        raise ValueError(
            f"confidence: need finite confidences on both sides (reference {ref.size}, current "
            f"{cur.size} values); drop missing confidences before calling."
        )
    rs, cs = np.sort(ref), np.sort(cur)
    k = ks_sorted(rs, cs)
    pr = psi_sorted(rs, cs, config.n_bins)
    low_r = float(np.mean(ref < config.low_confidence))
    low_c = float(np.mean(cur < config.low_confidence))
    pooled = (low_r * ref.size + low_c * cur.size) / (ref.size + cur.size)
    se = np.sqrt(pooled * (1 - pooled) * (1 / ref.size + 1 / cur.size))
    z_p = float(2 * sps.norm.sf(abs(low_c - low_r) / se)) if se > 0 else 1.0
    statistics = [
        stat("ks_p_value", k.p_value, config.alpha, op="<", role="guard"),
        stat("ks_statistic", k.statistic, config.ks_threshold),
        stat("psi", pr.psi, config.psi_threshold),
        stat("low_share_p_value", z_p, config.alpha, op="<", role="guard"),
        stat("low_share_change", abs(low_c - low_r), config.low_share_change),
        stat("mean_shift", float(cur.mean() - ref.mean()), None, role="info"),
    ]
    s = {x.name: x for x in statistics}
    dist_drift = s["ks_p_value"].fired and (s["ks_statistic"].fired or s["psi"].fired)
    low_drift = s["low_share_p_value"].fired and s["low_share_change"].fired
    drifted = dist_drift or low_drift
    moved = [
        Movement(
            item=f"share below {config.low_confidence:g}", before=low_r, after=low_c,
            change=low_c - low_r, drifted=low_drift,
            detail=f"{low_r:.1%} -> {low_c:.1%}",
        ),
        Movement(
            item="mean", before=float(ref.mean()), after=float(cur.mean()),
            change=float(cur.mean() - ref.mean()), unit="confidence", drifted=dist_drift,
        ),
        Movement(
            item="median", before=float(np.median(ref)), after=float(np.median(cur)),
            change=float(np.median(cur) - np.median(ref)), unit="confidence",
            drifted=dist_drift,
        ),
    ]
    examples: list[Example] = []
    if drifted:
        for i in np.argsort(cur, kind="stable")[: config.max_examples]:
            label = current_texts[i] if current_texts is not None else f"record {i}"
            examples.append(
                Example(
                    text=label, reason="lowest confidence in the current window",
                    id=current_ids[i] if current_ids is not None else str(i),
                    score=float(cur[i]),
                )
            )
    direction = "down" if cur.mean() < ref.mean() else "up"
    summary = (
        f"Confidence moved {direction}: mean {ref.mean():.3f} -> {cur.mean():.3f}, share below "
        f"{config.low_confidence:g} {low_r:.1%} -> {low_c:.1%} (KS {k.statistic:.3f}, PSI "
        f"{pr.psi:.3f})."
        if drifted
        else f"Confidence stable (KS {k.statistic:.3f}, PSI {pr.psi:.3f})."
    )
    return DriftResult(
        detector="confidence", drifted=drifted, severity=severity_of(statistics, drifted),
        statistics=statistics, moved=moved, examples=examples, summary=summary,
        n_reference=int(ref.size), n_current=int(cur.size), config=dataclasses.asdict(config),
    )
