"""Intent-mix shift: did the share of each intent change between two windows?

Statistics: chi-square test of homogeneity (guard: ``p < alpha``), Jensen–Shannon distance
(base 2) and PSI over the union of intents (effects). Drift fires when the guard passes and
either effect reaches its threshold. ``moved`` lists the intents whose share moved most, with
their shares before and after; given the current texts, ``examples`` are messages of the
intents that grew most.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from shopcoach.drift.registry import register_detector
from shopcoach.drift.result import DriftResult, Example, Movement, severity_of, stat
from shopcoach.drift.stats import categorical


@dataclass(frozen=True)
class IntentMixConfig:
    alpha: float = 0.01
    """Chi-square p-value below which the mix counts as changed at all."""
    js_threshold: float = 0.1
    """Jensen–Shannon distance (base 2, 0..1) that counts as drift."""
    psi_threshold: float = 0.2
    """PSI over intents that counts as drift (0.1 watch, 0.2 act: the usual PSI reading)."""
    top_k: int = 5
    """How many intents to list under ``moved``."""
    max_examples: int = 5


@register_detector(
    "intent_mix", IntentMixConfig, "Share of each intent moved (chi-square, Jensen–Shannon, PSI)."
)
def detect_intent_mix(
    reference: Sequence[str],
    current: Sequence[str],
    *,
    current_texts: Sequence[str] | None = None,
    config: IntentMixConfig,
) -> DriftResult:
    """Compare intent labels of the reference window with the current window.

    >>> from shopcoach.drift import get_detector
    >>> r = get_detector("intent_mix")(["a"] * 50 + ["b"] * 50, ["a"] * 90 + ["b"] * 10)
    >>> r.drifted, r.moved[0].item
    (True, 'a')
    """
    if current_texts is not None and len(current_texts) != len(current):
        raise ValueError(
            f"intent_mix: current_texts has {len(current_texts)} entries but current has "
            f"{len(current)} labels; pass one text per current label."
        )
    res = categorical(list(reference), list(current))
    p, q = res.reference_shares, res.current_shares
    statistics = [
        stat("chi2_p_value", res.p_value, config.alpha, op="<", role="guard"),
        stat("js_distance", res.js, config.js_threshold),
        stat("psi", res.psi, config.psi_threshold),
        stat("chi2", res.chi2, None, role="info"),
    ]
    guard, js_s, psi_s = statistics[0], statistics[1], statistics[2]
    drifted = guard.fired and (js_s.fired or psi_s.fired)
    delta = q - p
    order = np.argsort(-np.abs(delta), kind="stable")[: config.top_k]
    cats = [str(c) for c in res.categories]
    moved = [
        Movement(
            item=cats[i],
            before=float(p[i]),
            after=float(q[i]),
            change=float(delta[i]),
            drifted=drifted and abs(float(delta[i])) > 0,
            detail=_share_detail(float(p[i]), float(q[i])),
        )
        for i in order
    ]
    examples: list[Example] = []
    if current_texts is not None and drifted:
        grown = [cats[i] for i in order if delta[i] > 0]
        labels = [str(x) for x in current]
        for intent in grown:
            for idx, (label, text) in enumerate(zip(labels, current_texts, strict=True)):
                if label == intent:
                    examples.append(
                        Example(text=text, reason=f"intent {intent} grew", id=str(idx))
                    )
                    break
            if len(examples) >= config.max_examples:
                break
    if drifted:
        top = moved[0]
        summary = (
            f"Intent mix shifted (JS {res.js:.3f}, PSI {res.psi:.3f}); biggest move: "
            f"{top.item} {top.detail}."
        )
    else:
        summary = f"Intent mix stable (JS {res.js:.3f}, PSI {res.psi:.3f}, p={res.p_value:.3g})."
    return DriftResult(
        detector="intent_mix",
        drifted=drifted,
        severity=severity_of(statistics, drifted),
        statistics=statistics,
        moved=moved,
        examples=examples,
        summary=summary,
        n_reference=len(reference),
        n_current=len(current),
        config=dataclasses.asdict(config),
    )


def _share_detail(before: float, after: float) -> str:
    return f"{before:.1%} -> {after:.1%} ({(after - before) * 100:+.1f} pts)"
