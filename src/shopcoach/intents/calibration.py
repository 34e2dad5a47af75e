"""Probability calibration (temperature scaling) and the out-of-scope decision rule.

All functions take plain numpy arrays computed on held-out (out-of-fold) data, never on the
data that is finally reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def nll(logits: np.ndarray, y: np.ndarray, temperature: float = 1.0) -> float:
    lp = log_softmax(logits / temperature, axis=1)
    return float(-lp[np.arange(len(y)), y].mean())


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """Temperature T > 0 minimising the NLL of softmax(logits / T) for labels ``y``."""
    if len(y) == 0:
        return 1.0
    finite = np.where(np.isfinite(logits), logits, -1e4)
    res = minimize_scalar(lambda lt: nll(finite, y, float(np.exp(lt))), bounds=(-4.0, 4.0),
                          method="bounded", options={"xatol": 1e-4})
    return float(np.exp(res.x))


# --------------------------------------------------------------------------- OOS detection

def oos_features(probs: np.ndarray, max_cos: np.ndarray | None,
                 p_oos: np.ndarray | None) -> np.ndarray:
    """Per-row features for the OOS detector: max prob, entropy, and when available the
    cosine to the nearest class centroid and the probability of a trained ``oos`` class."""
    p = np.clip(probs, 1e-12, 1.0)
    cols = [np.log(p.max(axis=1)), -(p * np.log(p)).sum(axis=1)]
    if max_cos is not None:
        cols.append(max_cos)
    if p_oos is not None:
        cols.append(np.log(np.clip(p_oos, 1e-12, 1.0)))
    return np.column_stack(cols).astype(np.float64)


@dataclass
class OOSDetector:
    """Logistic score on :func:`oos_features`, standardised; higher = more out-of-scope.

    ``weights``/``bias`` give a probability of OOS under a balanced (50/50) prior;
    ``threshold`` is on that probability and already includes the deployment prior.
    """

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    threshold: float
    method: str

    def score(self, feats: np.ndarray) -> np.ndarray:
        z = ((feats - self.mean) / self.scale) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-z))


def fit_detector(feats_in: np.ndarray, correct_in: np.ndarray, feats_oos: np.ndarray,
                 oos_prior: float, fallback_reject_rate: float = 0.05) -> OOSDetector:
    """Fit the detector on in-scope vs (pseudo-)out-of-scope held-out rows, then pick the
    threshold that maximises expected accuracy for a deployment with ``oos_prior`` OOS rows.

    Without any OOS rows the score is the negated max probability and the threshold rejects
    ``fallback_reject_rate`` of held-out in-scope rows.
    """
    d = feats_in.shape[1]
    if len(feats_oos) < 2 or len(feats_in) < 2:
        w = np.zeros(d)
        w[0] = -1.0
        det = OOSDetector(np.zeros(d), np.ones(d), w, 0.0, 0.5, "max-prob")
        s_in = det.score(feats_in) if len(feats_in) else np.array([0.5])
        det.threshold = float(np.quantile(s_in, 1.0 - fallback_reject_rate))
        return det
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([feats_in, feats_oos])
    y = np.r_[np.zeros(len(feats_in)), np.ones(len(feats_oos))]
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    lr = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000)
    lr.fit((x - mean) / scale, y)
    det = OOSDetector(mean, scale, lr.coef_[0].astype(np.float64), float(lr.intercept_[0]),
                      0.5, "logistic")
    t = choose_threshold(det.score(feats_in), correct_in, det.score(feats_oos), oos_prior)
    det.threshold = min(t, 2.0)  # scores are probabilities: 2.0 means "never reject"
    return det


def choose_threshold(s_in: np.ndarray, correct_in: np.ndarray, s_oos: np.ndarray,
                     oos_prior: float) -> float:
    """Threshold t (reject when score >= t) maximising
    (1 - prior) * P(correct and accepted | in-scope) + prior * P(rejected | OOS)."""
    cand = np.unique(np.r_[s_in, s_oos])
    cand = np.r_[cand, np.inf]
    s_in_sorted_ok = np.sort(s_in[correct_in.astype(bool)])
    s_oos_sorted = np.sort(s_oos)
    # accepted correct in-scope: score < t ; rejected OOS: score >= t
    acc_in = np.searchsorted(s_in_sorted_ok, cand, side="left") / max(len(s_in), 1)
    rej_oos = 1.0 - np.searchsorted(s_oos_sorted, cand, side="left") / max(len(s_oos), 1)
    gain = (1.0 - oos_prior) * acc_in + oos_prior * rej_oos
    best = int(np.argmax(gain))  # first maximum: the lowest such threshold
    if best == 0:
        return float(cand[0])
    # midpoint between the chosen candidate and the one below, for stability
    lo, hi = cand[best - 1], cand[best]
    return float(hi if not np.isfinite(hi) else (lo + hi) / 2.0)
