"""Topic labels by class-based TF-IDF (c-TF-IDF): terms frequent in a topic and rare elsewhere.

Every topic (and the unclustered rest, as one more class) is one document: the concatenation
of its questions. A term's weight in a class is its frequency in the class (normalised by
the class's length) times ``log(1 + A / f)``, where ``A`` is the mean class length and ``f``
the term's frequency over all classes (BERTopic's c-TF-IDF). The label is the best phrase of
2-3 words when one scores close to the best single word and appears in enough of the topic's
questions, else the top 2-3 single words; so labels read like "gift card balance".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Words of support chat that say nothing about a topic (on top of sklearn's English list).
CHAT_STOP_WORDS = frozenset(
    "hi hello hey thanks thank pls please help want need like know tell ask im ive id dont "
    "cant wont doesnt didnt just does did got get make way ok okay yes sure hey hii sir "
    "madam mam u ur would could can will shall may might really also".split()
)
_TOKEN = r"(?u)\b[^\W\d_][^\W\d_]+\b"


@dataclass(frozen=True)
class Labels:
    """Per topic: the label, its top terms (best first) and the stable key terms."""

    labels: list[str]
    terms: list[list[str]]


def _stop_words() -> list[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return sorted(set(ENGLISH_STOP_WORDS) | CHAT_STOP_WORDS)


def ctfidf_labels(
    texts: Sequence[str],
    labels: np.ndarray,
    n_topics: int,
    *,
    top_terms: int = 6,
    min_phrase_share: float = 0.25,
    phrase_ratio: float = 0.5,
) -> Labels:
    """Labels for topics ``0..n_topics-1``; ``labels[i] == -1`` marks an unclustered text.

    ``min_phrase_share``: a 2-3 word phrase must occur in at least this share of the topic's
    questions to be the label; ``phrase_ratio``: and score at least this share of the best term.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    if n_topics == 0:
        return Labels([], [])
    vec = CountVectorizer(
        ngram_range=(1, 3),
        token_pattern=_TOKEN,
        stop_words=_stop_words(),
        lowercase=True,
        dtype=np.float32,
    )
    try:
        x = vec.fit_transform(texts)
    except ValueError:  # nothing but stop words
        return Labels([f"topic {t + 1}" for t in range(n_topics)], [[] for _ in range(n_topics)])
    vocab = np.asarray(vec.get_feature_names_out())
    n_words = np.array([len(v.split()) for v in vocab])
    classes = np.where(labels < 0, n_topics, labels)
    import scipy.sparse as sp

    member = sp.csr_matrix(
        (np.ones(len(classes), dtype=np.float32), (classes, np.arange(len(classes)))),
        shape=(n_topics + 1, len(classes)),
    )
    counts = np.asarray((member @ x).todense())  # classes x terms
    present = np.asarray((member @ (x > 0).astype(np.float32)).todense())  # questions with term
    sizes = np.maximum(np.asarray(member.sum(axis=1)).ravel(), 1.0)
    unigram = n_words == 1
    # Normalise by each class's unigram count so phrases do not inflate long classes.
    length = np.maximum(counts[:, unigram].sum(axis=1, keepdims=True), 1.0)
    tf = counts / length
    avg = float(counts[:, unigram].sum() / (n_topics + 1))
    idf = np.log1p(avg / np.maximum(counts.sum(axis=0), 1.0))
    weight = tf * idf
    out_labels: list[str] = []
    out_terms: list[list[str]] = []
    for t in range(n_topics):
        w = weight[t]
        share = present[t] / sizes[t]
        order = np.argsort(-w, kind="stable")
        words = [str(vocab[i]) for i in order if unigram[i] and w[i] > 0][:top_terms]
        best = float(w[order[0]]) if w.size else 0.0
        phrase: str | None = None
        phrase_w = 0.0
        for i in order[:50]:
            if w[i] <= 0 or w[i] < phrase_ratio * best:
                break
            if not unigram[i] and share[i] >= min_phrase_share and _clean(str(vocab[i])):
                phrase, phrase_w = str(vocab[i]), float(w[i])
                break
        if phrase is not None:
            # Prefer a longer phrase that contains it and is nearly as typical of the topic
            # ("gift card" -> "gift card balance").
            padded = f" {phrase} "
            for i in order[:100]:
                longer = str(vocab[i])
                if (
                    w[i] >= 0.5 * phrase_w
                    and share[i] >= min_phrase_share
                    and padded in f" {longer} "
                    and longer != phrase
                    and _clean(longer)
                ):
                    phrase = longer
                    break
        if phrase is None:
            phrase = " ".join(words[:3]) if words else f"topic {t + 1}"
        out_labels.append(phrase)
        out_terms.append(words)
    return Labels(out_labels, out_terms)


def _clean(phrase: str) -> bool:
    """No repeated word inside a phrase ("card card")."""
    parts = phrase.split()
    return len(set(parts)) == len(parts)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "topic"
