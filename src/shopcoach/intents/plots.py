"""PNG plots for an evaluation: confusion matrix and reliability diagram (matplotlib, Agg)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .metrics import confusion_matrix


def _pyplot():  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def plot_confusion(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str],
                   path: str | Path, title: str = "Confusion matrix (row-normalised)") -> Path:
    """Row-normalised confusion matrix; with many labels the tick labels get small."""
    plt = _pyplot()
    m = confusion_matrix(y_true, y_pred, labels).astype(np.float64)
    rows = m.sum(axis=1, keepdims=True)
    norm = np.divide(m, rows, out=np.zeros_like(m), where=rows > 0)
    n = len(labels)
    size = min(max(6.0, 0.12 * n + 3.0), 28.0)
    fig, ax = plt.subplots(figsize=(size, size))
    im = ax.imshow(norm, cmap="Blues", vmin=0.0, vmax=1.0, interpolation="nearest")
    font = max(2.0, min(9.0, 400.0 / max(n, 1)))
    ax.set_xticks(range(n))
    ax.set_yticks(range(n))
    ax.set_xticklabels(labels, rotation=90, fontsize=font)
    ax.set_yticklabels(labels, fontsize=font)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out


def plot_reliability(bins: Sequence[dict[str, float]], ece_value: float, path: str | Path,
                     title: str = "Reliability diagram (in-scope rows)") -> Path:
    """Bar per confidence bin: accuracy vs. the diagonal; bar width shows the bin."""
    plt = _pyplot()
    fig, (ax, axh) = plt.subplots(2, 1, figsize=(6, 7), height_ratios=[3, 1], sharex=True)
    lo = np.array([b["lo"] for b in bins])
    hi = np.array([b["hi"] for b in bins])
    acc = np.array([b["accuracy"] for b in bins], dtype=np.float64)
    conf = np.array([b["confidence"] for b in bins], dtype=np.float64)
    count = np.array([b["count"] for b in bins], dtype=np.float64)
    has = count > 0
    ax.bar(lo[has], acc[has], width=(hi - lo)[has], align="edge", edgecolor="black",
           color="#4c72b0", label="accuracy")
    ax.bar(lo[has], conf[has], width=(hi - lo)[has], align="edge", fill=False,
           edgecolor="#c44e52", hatch="//", linewidth=1.0, label="mean confidence")
    ax.plot([0, 1], [0, 1], "k--", linewidth=1, label="perfect calibration")
    ax.set_ylim(0, 1)
    ax.set_ylabel("accuracy")
    ax.set_title(f"{title}\nECE = {ece_value:.4f}")
    ax.legend(loc="upper left")
    axh.bar(lo, count, width=hi - lo, align="edge", color="gray", edgecolor="black")
    axh.set_xlim(0, 1)
    axh.set_xlabel("confidence (calibrated top-1 probability)")
    axh.set_ylabel("rows")
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out
