"""IntentModel: TF-IDF / embedding / combined linear intent classifier with temperature-scaled
probabilities and an out-of-scope (OOS) reject option.

Training (``fit``) is pure: texts and labels in, fitted arrays out.

1. Rows are split into ``folds`` stratified folds and intents into ``folds`` groups. For fold k a
   classifier is trained on the other folds *without the intents of group k* (when
   ``pseudo_oos``), and scores fold k: its rows of group-k intents act as pseudo-OOS queries
   (intents the model has never seen), real OOS rows act as OOS, the rest as in-scope.
2. On these out-of-fold scores a temperature is fitted (NLL) and a small logistic OOS detector
   (max prob, entropy, cosine to the nearest class centroid, optional ``oos``-class prob) whose
   threshold maximises expected accuracy for a deployment with ``oos_prior`` OOS traffic.
   ``oos_prior=None`` (the default) estimates it as the share of OOS rows in the training data
   when there are any (the training data is taken as a sample of traffic), else uses
   :data:`DEFAULT_OOS_PRIOR`. The out-of-fold scores are kept in the model, so
   :meth:`IntentModel.set_oos_prior` moves the operating point later without retraining.
3. The classifier is refitted on all rows.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import log_softmax
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from .calibration import (
    OOSDetector,
    choose_threshold,
    fit_detector,
    fit_temperature,
    oos_features,
    softmax,
)
from .data import DataError
from .features import TfidfFeaturizer, TfidfParams, embed, get_embedder, l2_rows
from .metrics import EvalReport, ece, evaluate

VARIANTS = ("tfidf", "embedding", "combined")
DEFAULT_OOS_PRIOR = 0.2  # expected OOS share when the training data has no OOS rows
_NEG = -1e9


@dataclass(frozen=True)
class ModelConfig:
    variant: str = "combined"
    embedder: str = "minilm"
    tfidf_learner: str = "svm"  # svm (LinearSVC, one-vs-rest) | logreg (multinomial)
    embed_learner: str = "logreg"
    c_tfidf: float = 1.0
    c_embed: float = 10.0
    combine: str = "ensemble"  # ensemble (weighted calibrated log-probs) | concat (one model)
    tfidf_weight: float = 0.5  # ensemble weight of the TF-IDF log-probs
    embed_scale: float = 1.0  # concat: multiplier of the embedding block
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    min_df: int = 1
    oos_prior: float | None = None  # None: OOS share of the training data, else 0.2
    folds: int = 5
    pseudo_oos: bool = True
    oos_as_class: bool = False
    seed: int = 0
    max_iter: int = 1000

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise ValueError(f"variant must be one of {VARIANTS}, not {self.variant!r}")
        if {self.tfidf_learner, self.embed_learner} - {"svm", "logreg"}:
            raise ValueError("learners must be 'svm' or 'logreg'")
        if self.combine not in ("ensemble", "concat"):
            raise ValueError("combine must be 'ensemble' or 'concat'")
        if self.oos_prior is not None and not 0.0 <= self.oos_prior < 1.0:
            raise ValueError("oos_prior must be in [0, 1)")
        if self.folds < 2:
            raise ValueError("folds must be >= 2")

    @property
    def uses_tfidf(self) -> bool:
        return self.variant in ("tfidf", "combined")

    @property
    def uses_embedding(self) -> bool:
        return self.variant in ("embedding", "combined")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ModelConfig:
        names = {f.name for f in fields(cls)}
        kw: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v
                              for k, v in d.items() if k in names}
        return cls(**kw)


@dataclass(frozen=True)
class Prediction:
    """One query's result: ``label`` is the intent or the OOS label when rejected."""

    label: str
    intent: str
    confidence: float
    is_oos: bool
    oos_score: float
    top_k: list[tuple[str, float]]


@dataclass
class BatchPrediction:
    intents: list[str]
    probs: np.ndarray  # (n, n_intents) calibrated closed-set probabilities
    oos_score: np.ndarray  # detector probability of OOS (balanced prior); higher = more OOS
    is_oos: np.ndarray
    oos_label: str

    @property
    def best(self) -> list[str]:
        return [self.intents[i] for i in self.probs.argmax(axis=1)]

    @property
    def confidence(self) -> np.ndarray:
        return self.probs.max(axis=1)

    @property
    def labels(self) -> list[str]:
        return [self.oos_label if o else b for b, o in zip(self.best, self.is_oos, strict=True)]


@dataclass
class _Linear:
    """A fitted linear scorer over the class list ``classes``; one raw score matrix per
    component (``tfidf``, ``embed`` or, for ``concat``, ``concat``)."""

    classes: list[str]
    tfidf: TfidfFeaturizer | None = None
    arrays: dict[str, np.ndarray] = field(default_factory=dict)

    def scores(self, cfg: ModelConfig, texts: Sequence[str], emb: np.ndarray | None
               ) -> dict[str, np.ndarray]:
        a = self.arrays
        out: dict[str, np.ndarray] = {}
        xt = self.tfidf.transform(texts) if self.tfidf is not None else None
        if "w_concat_tfidf" in a:
            assert xt is not None and emb is not None
            out["concat"] = (np.asarray(xt @ a["w_concat_tfidf"].T)
                             + (cfg.embed_scale * emb) @ a["w_concat_embed"].T + a["b_concat"])
            return out
        if xt is not None:
            out["tfidf"] = np.asarray(xt @ a["w_tfidf"].T) + a["b_tfidf"]
        if "w_embed" in a:
            assert emb is not None
            out["embed"] = emb @ a["w_embed"].T + a["b_embed"]
        return out


def _learner(c: float, kind: str, cfg: ModelConfig) -> LinearSVC | LogisticRegression:
    if kind == "svm":
        return LinearSVC(C=c, max_iter=max(cfg.max_iter, 2000), random_state=cfg.seed)
    return LogisticRegression(C=c, max_iter=cfg.max_iter, tol=1e-4, random_state=cfg.seed)


def _coef(est: LinearSVC | LogisticRegression) -> tuple[np.ndarray, np.ndarray]:
    """(weights, bias) with one row per class (sklearn keeps a single row for two classes)."""
    w, b = est.coef_.astype(np.float32), np.atleast_1d(est.intercept_).astype(np.float64)
    if w.shape[0] == 1:
        w, b = np.vstack([-w / 2, w / 2]), np.r_[-b / 2, b / 2]
    return w, b


def _fit_linear(cfg: ModelConfig, texts: Sequence[str], y: np.ndarray, classes: list[str],
                emb: np.ndarray | None) -> _Linear:
    """Fit on rows with class indices ``y`` into ``classes`` (every class must occur)."""
    out = _Linear(classes)
    xt = None
    if cfg.uses_tfidf:
        out.tfidf = TfidfFeaturizer(TfidfParams(cfg.word_ngrams, cfg.char_ngrams, cfg.min_df))
        xt = out.tfidf.fit(texts).transform(texts)
    if cfg.variant == "combined" and cfg.combine == "concat":
        assert xt is not None and emb is not None
        x = sp.hstack([xt, sp.csr_matrix(cfg.embed_scale * emb)], format="csr")
        w, b = _coef(_learner(cfg.c_tfidf, cfg.tfidf_learner, cfg).fit(x, y))
        nt = xt.shape[1]
        out.arrays.update(w_concat_tfidf=w[:, :nt], w_concat_embed=w[:, nt:], b_concat=b)
        return out
    if xt is not None:
        w, b = _coef(_learner(cfg.c_tfidf, cfg.tfidf_learner, cfg).fit(xt, y))
        out.arrays.update(w_tfidf=w, b_tfidf=b)
    if cfg.uses_embedding:
        assert emb is not None
        w, b = _coef(_learner(cfg.c_embed, cfg.embed_learner, cfg).fit(emb, y))
        out.arrays.update(w_embed=w, b_embed=b)
    return out


def _centroids(emb: np.ndarray, y: np.ndarray, n: int) -> np.ndarray:
    c = np.zeros((n, emb.shape[1]), dtype=np.float32)
    for k in range(n):
        m = y == k
        if m.any():
            c[k] = emb[m].mean(axis=0)
    return l2_rows(c)


def _assign_folds(labels: Sequence[str], k: int, rng: np.random.Generator) -> np.ndarray:
    folds = np.zeros(len(labels), dtype=np.int64)
    by: dict[str, list[int]] = {}
    for i, lab in enumerate(labels):
        by.setdefault(lab, []).append(i)
    for lab in sorted(by):
        rows = np.asarray(by[lab])[rng.permutation(len(by[lab]))]
        start = int(rng.integers(k))
        folds[rows] = (np.arange(len(rows)) + start) % k
    return folds


class IntentModel:
    def __init__(self, config: ModelConfig | None = None) -> None:
        self.config = config or ModelConfig()
        self.intents: list[str] = []
        self.oos_label = "oos"
        self.temperature = 1.0
        self.component_temps: dict[str, float] = {}
        self.detector: OOSDetector | None = None
        self._linear: _Linear | None = None
        self.centroids: np.ndarray | None = None
        self.fit_info: dict[str, Any] = {}
        self.timings: dict[str, float] = {}
        self.oos_prior = DEFAULT_OOS_PRIOR
        self.oos_prior_source = "default"
        # out-of-fold detector scores: in-scope rows, whether their best intent was right,
        # (pseudo-)OOS rows; what the threshold is chosen on (see set_oos_prior)
        self.oof_scores: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    # ------------------------------------------------------------------ training
    def _embed(self, texts: Sequence[str]) -> np.ndarray | None:
        if not self.config.uses_embedding:
            return None
        return embed(texts, get_embedder(self.config.embedder))

    def fit(self, texts: Sequence[str], labels: Sequence[str], oos_label: str = "oos"
            ) -> IntentModel:
        cfg = self.config
        t0 = time.perf_counter()
        texts, labels = list(texts), list(labels)
        self.oos_label = oos_label
        self.intents = sorted(set(labels) - {oos_label})
        if len(self.intents) < 2:
            raise DataError(f"need at least two in-scope intents to train, found {self.intents}",
                            hint="Check --label-col, and that --oos-label does not name an "
                                 "intent.")
        is_oos_row = np.asarray([lab == oos_label for lab in labels])
        use_oos_class = cfg.oos_as_class and int(is_oos_row.sum()) >= 2
        classes = self.intents + ([oos_label] if use_oos_class else [])
        cidx = {c: i for i, c in enumerate(classes)}
        y = np.asarray([cidx.get(lab, -1) for lab in labels])
        emb = self._embed(texts)
        t_emb = time.perf_counter() - t0

        rng = np.random.default_rng(cfg.seed)
        folds = _assign_folds(labels, cfg.folds, rng)
        # pseudo-OOS needs every fold to keep >= 2 intents to train on (a group has at most
        # ceil(n / folds) intents)
        pseudo = cfg.pseudo_oos and len(self.intents) - -(-len(self.intents) // cfg.folds) >= 2
        group = {lab: g % cfg.folds for g, lab in
                 enumerate(self.intents[i] for i in rng.permutation(len(self.intents)))}
        row_group = np.asarray([group.get(lab, -1) for lab in labels])
        n_int = len(self.intents)
        oof: dict[str, np.ndarray] = {}
        oof_cos = np.zeros(len(texts))
        role = np.zeros(len(texts), dtype=np.int64)  # 0 in-scope, 1 pseudo-OOS, 2 real OOS
        for k in range(cfg.folds):
            held = folds == k
            train = ~held & (y >= 0)
            if pseudo:
                train &= row_group != k
                role[held & (row_group == k)] = 1
            role[held & is_oos_row] = 2
            present = sorted(set(y[train].tolist()))
            # held-out rows of an intent with no training rows in this fold are unseen intents
            unseen = held & (y >= 0) & ~np.isin(y, present)
            role[unseen & (role == 0)] = 1
            remap = {c: j for j, c in enumerate(present)}
            tr_idx = np.flatnonzero(train)
            lin = _fit_linear(cfg, [texts[i] for i in tr_idx],
                              np.asarray([remap[c] for c in y[tr_idx]]),
                              [classes[c] for c in present],
                              None if emb is None else emb[tr_idx])
            h_idx = np.flatnonzero(held)
            h_emb = None if emb is None else emb[h_idx]
            for name, sc in lin.scores(cfg, [texts[i] for i in h_idx], h_emb).items():
                mat = oof.setdefault(name, np.full((len(texts), len(classes)), _NEG))
                mat[np.ix_(h_idx, present)] = sc
            if emb is not None and h_emb is not None:
                intent_cols = [c for c in present if c < n_int]
                cent = _centroids(emb[tr_idx], y[tr_idx], n_int)[intent_cols]
                oof_cos[h_idx] = (h_emb @ cent.T).max(axis=1)

        ins = role == 0
        self.component_temps = {name: fit_temperature(m[ins], y[ins]) for name, m in oof.items()}
        oof_logits = self._combine(oof)
        self.temperature = fit_temperature(oof_logits[ins][:, :n_int], y[ins])
        feats = self._features(oof_logits, oof_cos if emb is not None else None)
        probs = softmax(oof_logits[:, :n_int], self.temperature)
        correct = probs.argmax(axis=1) == y
        self.oos_prior, self.oos_prior_source = resolve_oos_prior(
            cfg.oos_prior, int(is_oos_row.sum()), len(labels))
        self.detector = fit_detector(feats[ins], correct[ins], feats[role > 0], self.oos_prior)
        self.oof_scores = (self.detector.score(feats[ins]), correct[ins],
                           self.detector.score(feats[role > 0]))
        t_cv = time.perf_counter() - t0 - t_emb

        self._linear = _fit_linear(cfg, [texts[i] for i in np.flatnonzero(y >= 0)], y[y >= 0],
                                   classes, None if emb is None else emb[y >= 0])
        if emb is not None:
            self.centroids = _centroids(emb[y >= 0], y[y >= 0], n_int)
        self.fit_info = {
            "n_train": len(texts), "n_oos_train": int(is_oos_row.sum()),
            "n_intents": n_int, "oos_class": use_oos_class, "pseudo_oos": pseudo,
            "oof_in_scope": int(ins.sum()), "oof_pseudo_oos": int((role == 1).sum()),
            "oof_real_oos": int((role == 2).sum()),
            "oof_accuracy": float(correct[ins].mean()) if ins.any() else None,
            "oof_ece": ece(probs[ins].max(axis=1), correct[ins]) if ins.any() else None,
            "temperature": self.temperature, "component_temperatures": self.component_temps,
            "detector": self.detector.method,
            "threshold": self.detector.threshold,
            "oos_prior": self.oos_prior, "oos_prior_source": self.oos_prior_source,
        }
        self.timings = {"embed": round(t_emb, 3), "cross_fit": round(t_cv, 3),
                        "total": round(time.perf_counter() - t0, 3)}
        return self

    def set_oos_prior(self, prior: float) -> IntentModel:
        """Move the operating point: re-choose the OOS threshold for an expected share
        ``prior`` of OOS traffic on the stored out-of-fold scores (no retraining, no test
        data). Only for the logistic detector (models trained with >= 2 * folds intents or
        real OOS rows)."""
        if not 0.0 <= prior < 1.0:
            raise ValueError("oos_prior must be in [0, 1)")
        if self.detector is None or self.oof_scores is None:
            raise RuntimeError("IntentModel is not fitted")
        if self.detector.method != "logistic":
            raise ValueError("this model has no (pseudo-)OOS training rows, so its threshold "
                             "is a fixed reject rate and has no OOS prior to change")
        s_in, ok, s_oos = self.oof_scores
        self.detector.threshold = min(choose_threshold(s_in, ok, s_oos, prior), 2.0)
        self.oos_prior, self.oos_prior_source = prior, "set"
        self.fit_info.update(threshold=self.detector.threshold, oos_prior=prior,
                             oos_prior_source="set")
        return self

    def _combine(self, comp: dict[str, np.ndarray]) -> np.ndarray:
        """One logit matrix: the raw scores of a single component, or the weighted sum of the
        components' temperature-scaled log-probabilities."""
        if len(comp) == 1:
            return next(iter(comp.values()))
        w = self.config.tfidf_weight
        lt = log_softmax(comp["tfidf"] / self.component_temps["tfidf"], axis=1)
        le = log_softmax(comp["embed"] / self.component_temps["embed"], axis=1)
        return w * lt + (1 - w) * le

    def _features(self, logits: np.ndarray, max_cos: np.ndarray | None) -> np.ndarray:
        n_int = len(self.intents)
        probs = softmax(logits[:, :n_int], self.temperature)
        p_oos = None
        if logits.shape[1] > n_int:
            p_oos = softmax(logits, self.temperature)[:, n_int]
        return oos_features(probs, max_cos, p_oos)

    # ------------------------------------------------------------------ inference
    def predict_batch(self, texts: Sequence[str]) -> BatchPrediction:
        if self._linear is None or self.detector is None:
            raise RuntimeError("IntentModel is not fitted")
        texts = list(texts)
        emb = self._embed(texts)
        logits = self._combine(self._linear.scores(self.config, texts, emb))
        max_cos = None
        if emb is not None and self.centroids is not None:
            max_cos = (emb @ self.centroids.T).max(axis=1)
        score = self.detector.score(self._features(logits, max_cos))
        probs = softmax(logits[:, :len(self.intents)], self.temperature)
        return BatchPrediction(list(self.intents), probs, score, score >= self.detector.threshold,
                               self.oos_label)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated closed-set probabilities, columns in :attr:`intents` order."""
        return self.predict_batch(texts).probs

    def predict(self, texts: Sequence[str], top_k: int = 3) -> list[Prediction]:
        b = self.predict_batch(texts)
        out = []
        order = np.argsort(-b.probs, axis=1, kind="stable")[:, :top_k]
        for i, label in enumerate(b.labels):
            top = [(self.intents[j], float(b.probs[i, j])) for j in order[i]]
            out.append(Prediction(label, top[0][0], top[0][1], bool(b.is_oos[i]),
                                  float(b.oos_score[i]), top))
        return out

    def evaluate(self, texts: Sequence[str], labels: Sequence[str], n_bins: int = 15
                 ) -> EvalReport:
        """All metrics of :func:`metrics.evaluate` for gold ``labels``."""
        b = self.predict_batch(texts)
        return evaluate(list(labels), b.labels, b.best, b.confidence, b.oos_score,
                        self.oos_label, known_labels=self.intents, n_bins=n_bins)

    # ------------------------------------------------------------------ state
    def state(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        if self._linear is None or self.detector is None:
            raise RuntimeError("IntentModel is not fitted")
        meta: dict[str, Any] = {
            "config": self.config.to_dict(), "intents": self.intents, "oos_label": self.oos_label,
            "classes": self._linear.classes, "temperature": self.temperature,
            "component_temperatures": self.component_temps,
            "detector": {"bias": self.detector.bias, "threshold": self.detector.threshold,
                         "method": self.detector.method},
            "oos_prior": self.oos_prior, "oos_prior_source": self.oos_prior_source,
        }
        arrays = {f"linear_{k}": v for k, v in self._linear.arrays.items()}
        arrays.update(det_mean=self.detector.mean, det_scale=self.detector.scale,
                      det_weights=self.detector.weights)
        if self.centroids is not None:
            arrays["centroids"] = self.centroids
        if self.oof_scores is not None:
            s_in, ok, s_oos = self.oof_scores
            arrays.update(oof_in_score=s_in, oof_in_correct=ok.astype(np.uint8),
                          oof_oos_score=s_oos)
        if self._linear.tfidf is not None:
            tmeta, tarr = self._linear.tfidf.state()
            meta["tfidf"] = tmeta
            arrays.update(tarr)
        return meta, arrays

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> IntentModel:
        m = cls(ModelConfig.from_dict(meta["config"]))
        m.intents = list(meta["intents"])
        m.oos_label = str(meta["oos_label"])
        m.temperature = float(meta["temperature"])
        m.component_temps = {k: float(v) for k, v in meta["component_temperatures"].items()}
        d = meta["detector"]
        m.detector = OOSDetector(arrays["det_mean"], arrays["det_scale"], arrays["det_weights"],
                                 float(d["bias"]), float(d["threshold"]), str(d["method"]))
        lin = _Linear(list(meta["classes"]))
        lin.arrays = {k.removeprefix("linear_"): v for k, v in arrays.items()
                      if k.startswith("linear_")}
        if "tfidf" in meta:
            lin.tfidf = TfidfFeaturizer.from_state(meta["tfidf"], arrays)
        m._linear = lin
        m.centroids = arrays.get("centroids")
        m.oos_prior = float(meta["oos_prior"])
        m.oos_prior_source = str(meta["oos_prior_source"])
        if "oof_in_score" in arrays:
            m.oof_scores = (arrays["oof_in_score"], arrays["oof_in_correct"].astype(bool),
                            arrays["oof_oos_score"])
        return m


def resolve_oos_prior(configured: float | None, n_oos: int, n: int) -> tuple[float, str]:
    """(prior, source): the configured value, else the OOS share of the training rows when
    there are any, else :data:`DEFAULT_OOS_PRIOR`."""
    if configured is not None:
        return float(configured), "config"
    if n_oos > 0 and n > 0:
        return n_oos / n, "train-share"
    return DEFAULT_OOS_PRIOR, "default"
