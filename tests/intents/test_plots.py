"""Plots are real PNG images with content (read back with matplotlib)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from shopcoach.intents.metrics import ece, reliability_bins
from shopcoach.intents.plots import plot_confusion, plot_reliability


def _read(path: Path) -> np.ndarray:
    import matplotlib.image

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return np.asarray(matplotlib.image.imread(path))


def test_confusion_matrix_png(tmp_path: Path) -> None:
    labels = [f"intent_{i}" for i in range(30)] + ["oos"]
    rng = np.random.default_rng(0)
    t = [labels[i] for i in rng.integers(0, len(labels), 500)]
    p = [x if rng.random() < 0.8 else labels[0] for x in t]
    img = _read(plot_confusion(t, p, labels, tmp_path / "cm.png"))
    assert img.shape[0] >= 600 and img.shape[1] >= 600
    assert img[..., :3].std() > 0.05  # not a blank canvas


def test_reliability_png(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    conf = rng.uniform(0.3, 1.0, 400)
    ok = rng.random(400) < conf
    bins = reliability_bins(conf, ok, 15)
    out = plot_reliability(bins, ece(conf, ok), tmp_path / "rel.png")
    img = _read(out)
    assert img.shape[0] > img.shape[1] >= 500  # two stacked panels, 6 x 7 inches at 120 dpi
    assert img[..., :3].std() > 0.05
