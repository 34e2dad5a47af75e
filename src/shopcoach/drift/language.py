"""Language shift: do current queries read differently from the reference ones?

Three components, each reported; the detector fires when any of them does:

* **embedding drift** of the query vectors: MMD with an RBF kernel and a permutation test
  (``method="mmd"``, default), or a cross-validated domain classifier's ROC AUC
  (``method="classifier"``). Pass embeddings from any model (e.g. MiniLM via
  :func:`shopcoach.search.embedders.get_embedder`); without them the texts are vectorised with
  character 2–4-gram feature hashing (stateless, no model);
* **new-vocabulary rate**: share of current word tokens never seen in the reference, compared
  with the rate one half of the reference shows against the other half (the natural rate of
  unseen words at that sample size); the effect is the excess over that baseline;
* **query length** in words: KS test (guard ``p < alpha``, effect: KS distance).

``examples`` are the current texts with the most unseen words and those farthest from the
reference centroid; ``moved`` also lists the most frequent new words.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from shopcoach.drift.registry import register_detector
from shopcoach.drift.result import DriftResult, Example, Movement, Statistic, severity_of, stat
from shopcoach.drift.stats import domain_classifier_auc, ks, mmd_rbf

_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)


def tokenize(text: str) -> list[str]:
    """Lower-cased words (letters only: order numbers and amounts are not vocabulary)."""
    return _TOKEN.findall(text.lower())


@dataclass(frozen=True)
class LanguageConfig:
    method: str = "mmd"
    alpha: float = 0.01
    mmd_threshold: float = 0.01
    auc_threshold: float = 0.7
    new_vocab_threshold: float = 0.05
    length_ks_threshold: float = 0.15
    max_samples: int = 500
    n_permutations: int = 200
    seed: int = 0
    top_k: int = 5
    max_examples: int = 5


def hashed_vectors(texts: Sequence[str]) -> Any:
    """L2-normalised character 2–4-gram hashing vectors (sparse), the no-model fallback."""
    from sklearn.feature_extraction.text import HashingVectorizer

    vec = HashingVectorizer(
        analyzer="char_wb", ngram_range=(2, 4), n_features=2**14, alternate_sign=False,
        norm="l2", lowercase=True,
    )
    return vec.transform(list(texts))


def new_vocabulary(
    reference_tokens: Sequence[Sequence[str]], current_tokens: Sequence[Sequence[str]]
) -> tuple[float, Counter[str]]:
    """Share of current tokens unseen in the reference, and the unseen words' counts."""
    vocab = {t for toks in reference_tokens for t in toks}
    unseen: Counter[str] = Counter(t for toks in current_tokens for t in toks if t not in vocab)
    total = sum(len(toks) for toks in current_tokens)
    return (sum(unseen.values()) / total if total else 0.0), unseen


def _baseline_new_vocab(tokens: Sequence[Sequence[str]], seed: int) -> float:
    if len(tokens) < 4:
        return 0.0
    order = np.random.default_rng(seed).permutation(len(tokens))
    half = len(tokens) // 2
    first = [tokens[i] for i in order[:half]]
    second = [tokens[i] for i in order[half:]]
    return new_vocabulary(first, second)[0]


@register_detector(
    "language", LanguageConfig,
    "Queries read differently (embedding MMD or domain classifier, new words, length).",
)
def detect_language(
    reference: Sequence[str],
    current: Sequence[str],
    *,
    reference_embeddings: Any = None,
    current_embeddings: Any = None,
    config: LanguageConfig,
) -> DriftResult:
    if len(reference) < 2 or len(current) < 2:
        raise ValueError(
            f"language: need at least 2 texts per side (reference {len(reference)}, current "
            f"{len(current)})."
        )
    if (reference_embeddings is None) != (current_embeddings is None):
        raise ValueError(
            "language: pass both reference_embeddings and current_embeddings, or neither "
            "(then character n-gram hashing vectors are used)."
        )
    if config.method not in ("mmd", "classifier"):
        raise ValueError(f"language: method must be 'mmd' or 'classifier', not {config.method!r}.")
    if reference_embeddings is None:
        ref_vec, cur_vec = hashed_vectors(reference), hashed_vectors(current)
        vectors = "char n-gram hashing"
    else:
        ref_vec, cur_vec = reference_embeddings, current_embeddings
        vectors = "given embeddings"
        for side, texts, emb in (("reference", reference, ref_vec), ("current", current, cur_vec)):
            if emb.shape[0] != len(texts):
                raise ValueError(
                    f"language: {side}_embeddings has {emb.shape[0]} rows for {len(texts)} "
                    "texts; embed every text, in order."
                )

    statistics: list[Statistic] = []
    if config.method == "mmd":
        mmd = mmd_rbf(
            ref_vec, cur_vec, max_samples=config.max_samples,
            n_permutations=config.n_permutations, seed=config.seed,
        )
        statistics += [
            stat("mmd_p_value", mmd.p_value, config.alpha, op="<", role="guard", scope="embedding"),
            stat("mmd2", mmd.mmd2, config.mmd_threshold, scope="embedding"),
        ]
        emb_fired = statistics[0].fired and statistics[1].fired
        emb_value = mmd.mmd2
    else:
        auc = domain_classifier_auc(
            ref_vec, cur_vec, max_samples=4 * config.max_samples, seed=config.seed
        )
        statistics.append(stat("domain_auc", auc, config.auc_threshold, scope="embedding"))
        emb_fired = statistics[0].fired
        emb_value = auc

    ref_tok = [tokenize(t) for t in reference]
    cur_tok = [tokenize(t) for t in current]
    rate, unseen = new_vocabulary(ref_tok, cur_tok)
    baseline = _baseline_new_vocab(ref_tok, config.seed)
    excess = rate - baseline
    vocab_stat = stat("new_vocab_excess", excess, config.new_vocab_threshold, scope="vocabulary")
    statistics += [
        stat("new_vocab_rate", rate, None, role="info", scope="vocabulary"),
        stat("new_vocab_baseline", baseline, None, role="info", scope="vocabulary"),
        vocab_stat,
    ]

    ref_len = np.array([len(t) for t in ref_tok], dtype=np.float64)
    cur_len = np.array([len(t) for t in cur_tok], dtype=np.float64)
    k = ks(ref_len, cur_len)
    len_guard = stat("length_ks_p_value", k.p_value, config.alpha, op="<", role="guard",
                     scope="length")
    len_effect = stat("length_ks_statistic", k.statistic, config.length_ks_threshold,
                      scope="length")
    statistics += [len_guard, len_effect]
    len_fired = len_guard.fired and len_effect.fired

    drifted = emb_fired or vocab_stat.fired or len_fired
    moved = [
        Movement(item="embedding", after=emb_value, unit="mmd2" if config.method == "mmd"
                 else "auc", drifted=emb_fired, detail=f"{config.method} on {vectors}"),
        Movement(item="new vocabulary", before=baseline, after=rate, change=excess,
                 unit="token share", drifted=vocab_stat.fired,
                 detail=f"{rate:.1%} of current words unseen (baseline {baseline:.1%})"),
        Movement(item="query length", before=float(ref_len.mean()), after=float(cur_len.mean()),
                 change=float(cur_len.mean() - ref_len.mean()), unit="words", drifted=len_fired,
                 detail=f"median {np.median(ref_len):g} -> {np.median(cur_len):g} words"),
    ]
    n_cur_texts = len(current)
    doc_freq: Counter[str] = Counter()
    for toks in cur_tok:
        doc_freq.update({t for t in toks if t in unseen})
    for word, count in doc_freq.most_common(config.top_k):
        moved.append(Movement(item=f"new word: {word}", before=0.0, after=count / n_cur_texts,
                              change=count / n_cur_texts, unit="share of texts",
                              drifted=vocab_stat.fired))

    examples: list[Example] = []
    if drifted:
        new_counts = np.array([sum(t in unseen for t in toks) for toks in cur_tok])
        for i in np.argsort(-new_counts, kind="stable")[: config.max_examples]:
            if new_counts[i] == 0:
                break
            words = sorted({t for t in cur_tok[i] if t in unseen})
            examples.append(Example(text=current[i], id=str(i), score=float(new_counts[i]),
                                    reason=f"{new_counts[i]} unseen words: {', '.join(words)}"))
        dist = _centroid_distance(ref_vec, cur_vec)
        for i in np.argsort(-dist, kind="stable")[: config.max_examples]:
            examples.append(Example(text=current[i], id=str(i), score=float(dist[i]),
                                    reason="farthest from the reference centroid"))

    fired = [m.item for m in moved[:3] if m.drifted]
    summary = (
        f"Query language shifted ({', '.join(fired)}): {config.method} {emb_value:.3f}, "
        f"{rate:.1%} new words (baseline {baseline:.1%}), mean length "
        f"{ref_len.mean():.1f} -> {cur_len.mean():.1f} words."
        if drifted
        else f"Query language stable ({config.method} {emb_value:.3f}, {rate:.1%} new words)."
    )
    return DriftResult(
        detector="language", drifted=drifted, severity=severity_of(statistics, drifted),
        statistics=statistics, moved=moved, examples=examples, summary=summary,
        n_reference=len(reference), n_current=len(current), config=dataclasses.asdict(config),
    )


def _centroid_distance(ref_vec: Any, cur_vec: Any) -> np.ndarray:
    centroid = np.asarray(ref_vec.mean(axis=0)).ravel()
    norm = np.linalg.norm(centroid) or 1.0
    if sparse.issparse(cur_vec):
        sims = np.asarray(cur_vec @ centroid).ravel()
        norms = np.sqrt(np.asarray(cur_vec.multiply(cur_vec).sum(axis=1)).ravel())
    else:
        cur = np.asarray(cur_vec, dtype=np.float64)
        sims = cur @ centroid
        norms = np.linalg.norm(cur, axis=1)
    norms[norms == 0] = 1.0
    return 1.0 - sims / (norms * norm)
