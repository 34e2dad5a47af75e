"""Evaluation metrics (pure numpy): accuracy, macro-F1, OOS precision/recall, AUROC, ECE,
per-intent precision/recall, confusion matrix and reliability-diagram bins.

Definitions (also in docs/intents.md):

* ``accuracy`` / ``macro_f1``: final predictions on all rows, out-of-scope counted as one class.
* ``in_scope_accuracy``: closed-set accuracy (best intent, no rejection) on in-scope rows.
* ``oos_recall`` / ``oos_precision``: of rows predicted out-of-scope vs. truly out-of-scope.
* ``auroc``: separation of OOS rows (positive) from in-scope rows by the OOS score.
* ``ece``: expected calibration error of the closed-set top-1 probability on in-scope rows,
  ``n_bins`` equal-width bins over (0, 1], weights = bin share of rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy.stats import rankdata


def accuracy(y_true: Sequence[str], y_pred: Sequence[str]) -> float:
    if len(y_true) == 0:
        return float("nan")
    return float(np.mean([a == b for a, b in zip(y_true, y_pred, strict=True)]))


def per_label_prf(y_true: Sequence[str], y_pred: Sequence[str],
                  labels: Sequence[str] | None = None) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support per label (0.0 where undefined)."""
    labs = sorted(set(y_true) | set(y_pred)) if labels is None else list(labels)
    out: dict[str, dict[str, float]] = {}
    t = np.asarray(y_true, dtype=object)
    p = np.asarray(y_pred, dtype=object)
    for lab in labs:
        tp = int(np.sum((t == lab) & (p == lab)))
        n_pred = int(np.sum(p == lab))
        n_true = int(np.sum(t == lab))
        prec = tp / n_pred if n_pred else 0.0
        rec = tp / n_true if n_true else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[lab] = {"precision": prec, "recall": rec, "f1": f1, "support": n_true}
    return out


def macro_f1(y_true: Sequence[str], y_pred: Sequence[str]) -> float:
    """Mean F1 over the labels that occur in ``y_true``."""
    stats = per_label_prf(y_true, y_pred, sorted(set(y_true)))
    return float(np.mean([s["f1"] for s in stats.values()])) if stats else float("nan")


def auroc(scores: Sequence[float] | np.ndarray, positive: Sequence[bool] | np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney U with mid-ranks for ties); NaN if a class
    is missing."""
    s = np.asarray(scores, dtype=np.float64)
    pos = np.asarray(positive, dtype=bool)
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(s)
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def reliability_bins(confidence: np.ndarray, correct: np.ndarray, n_bins: int = 15
                     ) -> list[dict[str, float]]:
    """Equal-width bins (lo, hi] (the first also holds 0): count, mean confidence, accuracy."""
    conf = np.asarray(confidence, dtype=np.float64)
    ok = np.asarray(correct, dtype=np.float64)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    idx = np.clip(np.searchsorted(edges, conf, side="left") - 1, 0, n_bins - 1)
    bins = []
    for b in range(n_bins):
        m = idx == b
        n = int(m.sum())
        bins.append({"lo": float(edges[b]), "hi": float(edges[b + 1]), "count": n,
                     "confidence": float(conf[m].mean()) if n else float("nan"),
                     "accuracy": float(ok[m].mean()) if n else float("nan")})
    return bins


def ece(confidence: Sequence[float] | np.ndarray, correct: Sequence[bool] | np.ndarray,
        n_bins: int = 15) -> float:
    conf = np.asarray(confidence, dtype=np.float64)
    if conf.size == 0:
        return float("nan")
    total = 0.0
    for b in reliability_bins(conf, np.asarray(correct), n_bins):
        if b["count"]:
            total += b["count"] * abs(b["accuracy"] - b["confidence"])
    return float(total / conf.size)


def confusion_matrix(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]
                     ) -> np.ndarray:
    pos = {lab: i for i, lab in enumerate(labels)}
    m = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for a, b in zip(y_true, y_pred, strict=True):
        if a in pos and b in pos:
            m[pos[a], pos[b]] += 1
    return m


@dataclass
class EvalReport:
    n: int
    n_oos: int
    accuracy: float
    macro_f1: float
    in_scope_accuracy: float
    oos_recall: float | None
    oos_precision: float | None
    auroc: float | None
    ece: float
    per_intent: dict[str, dict[str, float]] = field(default_factory=dict)
    unknown_labels: int = 0
    reliability: list[dict[str, float]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def clean(v: Any) -> Any:
            if isinstance(v, float) and not np.isfinite(v):
                return None
            if isinstance(v, dict):
                return {k: clean(x) for k, x in v.items()}
            if isinstance(v, list):
                return [clean(x) for x in v]
            return v

        return clean(asdict(self))  # type: ignore[no-any-return]


def evaluate(y_true: Sequence[str], y_pred: Sequence[str], closed_pred: Sequence[str],
             confidence: np.ndarray, oos_score: np.ndarray, oos_label: str,
             known_labels: Sequence[str] = (), n_bins: int = 15) -> EvalReport:
    """Compute every metric from plain predictions.

    ``y_pred``: final labels (``oos_label`` when rejected); ``closed_pred``/``confidence``: best
    in-scope intent and its calibrated probability; ``oos_score``: higher = more out-of-scope.
    """
    t = np.asarray(y_true, dtype=object)
    is_oos = t == oos_label
    n_oos = int(is_oos.sum())
    ins = ~is_oos
    closed_ok = np.asarray([a == b for a, b in zip(y_true, closed_pred, strict=True)])
    pred_oos = np.asarray(y_pred, dtype=object) == oos_label
    rec = float(pred_oos[is_oos].mean()) if n_oos else None
    prec = (float(is_oos[pred_oos].mean()) if pred_oos.any() else 0.0) if n_oos else None
    au = auroc(oos_score, is_oos) if n_oos and ins.any() else None
    known = set(known_labels) | {oos_label}
    intents = sorted(set(y_true) - {oos_label})
    return EvalReport(
        n=len(t), n_oos=n_oos,
        accuracy=accuracy(y_true, y_pred),
        macro_f1=macro_f1(y_true, y_pred),
        in_scope_accuracy=float(closed_ok[ins].mean()) if ins.any() else float("nan"),
        oos_recall=rec, oos_precision=prec, auroc=au,
        ece=ece(np.asarray(confidence)[ins], closed_ok[ins], n_bins),
        per_intent=per_label_prf(y_true, y_pred, intents + ([oos_label] if n_oos else [])),
        unknown_labels=int(sum(1 for x in y_true if known_labels and x not in known)),
        reliability=reliability_bins(np.asarray(confidence)[ins], closed_ok[ins], n_bins),
    )
