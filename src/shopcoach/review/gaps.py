"""Knowledge-gap mining: unanswered and wrongly answered questions, clustered into named topics.

Pure core. :func:`mine_gaps` takes :class:`GapQuestion` values (the text of the question, why
it counts as a gap) and the knowledge base's article chunks, and returns :class:`GapTopic`
values: a label from the topic's most characteristic terms ("gift card balance"), count and
share, the most central example questions, the mix of reasons, and the existing article
that comes nearest to covering it (with its similarity and whether that reaches the
"covered" threshold). Steps (docs/gaps.md):

1. embed every question and article chunk in one space (``gaps_embed``: MiniLM if
   installed, else TF-IDF + LSA fitted on the run's texts);
2. cluster (``gaps_cluster``: k-means micro-clusters, average-linkage tree cut at a cosine
   distance); clusters under ``min_topic_size`` questions are left unclustered;
3. label by c-TF-IDF (``gaps_label``);
4. link each topic to the article whose best chunk is, on average over the topic's
   questions, the most similar.

Reading the store, the gap rules and week-over-week tracking are in ``gaps_report``.

>>> topics = mine_gaps([GapQuestion("c1", "what is my gift card balance", ("no_answer",)), ...],
...                    articles=[ArticleChunk("gift-cards", "Gift cards", "...")])  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from shopcoach.review.gaps_cluster import cluster_vectors
from shopcoach.review.gaps_embed import (
    FAMILY_LSA,
    embed_all,
    family_of,
    resolve_embedder,
)
from shopcoach.review.gaps_label import ctfidf_labels, slug
from shopcoach.search.embedders import Embedder

REASONS: tuple[str, ...] = ("escalated", "abandoned", "no_answer", "wrong")

# Defaults per embedder family, measured on Bitext / HINT3 / CLINC150 (docs/gaps.md).
# cut: cosine-distance height of the average-linkage tree; covered: the mean best-chunk
# cosine at which an article counts as covering a topic; match: centroid cosine at which a
# topic of one week is the same topic the week before.
FAMILY_DEFAULTS: dict[str, dict[str, float]] = {
    "minilm": {"cut": 0.65, "covered": 0.45, "match": 0.85},
    FAMILY_LSA: {"cut": 0.90, "covered": 0.20, "match": 0.80},
}


@dataclass(frozen=True)
class GapQuestion:
    """One question that went unanswered or was answered wrongly.

    ``id``: the conversation's external id (or a trace ref); ``reasons``: any of
    :data:`REASONS`; ``at``: when it was asked.
    """

    id: str
    text: str
    reasons: tuple[str, ...] = ()
    at: datetime | None = None
    intent: str | None = None


@dataclass(frozen=True)
class ArticleChunk:
    """One chunk of a help article: ``article_id`` is the article's key."""

    article_id: str
    title: str
    text: str
    chunk_id: str = ""


@dataclass(frozen=True)
class ArticleLink:
    article_id: str
    title: str
    chunk_id: str
    score: float
    covered: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "title": self.title,
            "chunk_id": self.chunk_id,
            "score": round(self.score, 4),
            "covered": self.covered,
        }


@dataclass(frozen=True)
class GapExample:
    id: str
    text: str
    reasons: tuple[str, ...]
    similarity: float  # to the topic's centre

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "reasons": list(self.reasons),
            "similarity": round(self.similarity, 4),
        }


@dataclass
class GapTopic:
    """A named topic of gap questions. ``last_week_count``/``trend`` are set by ``gap_report``
    (``None`` from :func:`mine_gaps` alone)."""

    key: str
    label: str
    terms: list[str]
    count: int
    share: float
    examples: list[GapExample]
    reasons: dict[str, int]
    article: ArticleLink | None
    question_ids: list[str]
    centroid: np.ndarray = field(repr=False)
    radius: float = 0.0  # cosine to the centre that 90% of the members reach
    last_week_count: int | None = None
    trend: str | None = None  # new | growing | shrinking | steady | gone

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "terms": self.terms,
            "count": self.count,
            "share": round(self.share, 4),
            "last_week_count": self.last_week_count,
            "trend": self.trend,
            "reasons": self.reasons,
            "examples": [e.to_dict() for e in self.examples],
            "article": self.article.to_dict() if self.article else None,
            "question_ids": self.question_ids,
        }


@dataclass
class GapMining:
    """Everything one mining run found; :func:`mine_gaps` returns ``topics``."""

    topics: list[GapTopic]
    n_questions: int
    unclustered: int
    embedder: str
    family: str
    cut: float
    min_topic_size: int
    labels: np.ndarray = field(repr=False)  # per question: topic index or -1


def default_min_topic_size(n: int) -> int:
    """5 questions, or 0.25% of the questions when that is more (50 of 20,000): a handful of
    questions is an anecdote, not a topic worth an article."""
    return max(5, math.ceil(0.0025 * n))


def mine_gaps(
    questions: Sequence[GapQuestion],
    *,
    embedder: str | Embedder | None = None,
    articles: Sequence[ArticleChunk] = (),
    **options: Any,
) -> list[GapTopic]:
    """Cluster ``questions`` into named topics, largest first (see the module docstring).

    ``embedder``: ``None``/``"auto"`` (MiniLM if installed, else LSA), ``"lsa"``, a
    registered name or an instance. Options are those of :func:`mine`.
    """
    return mine(questions, embedder=embedder, articles=articles, **options).topics


def mine(
    questions: Sequence[GapQuestion],
    *,
    embedder: str | Embedder | None = None,
    articles: Sequence[ArticleChunk] = (),
    vectors: np.ndarray | None = None,
    article_vectors: np.ndarray | None = None,
    family: str | None = None,
    min_topic_size: int | None = None,
    cut: float | str = "auto",
    covered_threshold: float | None = None,
    n_examples: int = 5,
    seed: int = 0,
) -> GapMining:
    """The full result of one run. ``vectors``/``article_vectors`` skip embedding (rows
    L2-normalised, in one space; pass ``family`` then). ``cut``: ``"auto"`` (the family's
    height), ``"silhouette"`` or a cosine distance. ``covered_threshold``: default per family.
    """
    if vectors is None:
        emb = resolve_embedder(embedder, seed=seed)
        vectors, article_vectors = embed_all(
            emb, [q.text for q in questions], [_chunk_text(a) for a in articles]
        )
        name, family = emb.name, family_of(emb)
    else:
        name = str(getattr(embedder, "name", embedder or "precomputed"))
        family = family or "minilm"
        if article_vectors is None:
            article_vectors = np.zeros((0, vectors.shape[1]), dtype=np.float32)
    defaults = FAMILY_DEFAULTS.get(family, FAMILY_DEFAULTS["minilm"])
    n = len(questions)
    size = min_topic_size or default_min_topic_size(n)
    height = defaults["cut"] if cut == "auto" else None if cut == "silhouette" else float(cut)
    clustering = cluster_vectors(vectors, min_size=size, seed=seed, cut=height)
    labels = clustering.labels
    texts = [q.text for q in questions]
    named = ctfidf_labels(texts, labels, clustering.n_topics)
    threshold = defaults["covered"] if covered_threshold is None else covered_threshold
    topics: list[GapTopic] = []
    keys: set[str] = set()
    for t in range(clustering.n_topics):
        members = np.flatnonzero(labels == t)
        centre = vectors[members].mean(axis=0)
        centre /= max(float(np.linalg.norm(centre)), 1e-12)
        sims = vectors[members] @ centre
        order = members[np.argsort(-sims, kind="stable")]
        key = _unique(
            slug("-".join(sorted(named.terms[t][:3]))) if named.terms[t] else f"topic-{t + 1}", keys
        )
        reasons = {r: 0 for r in REASONS}
        for i in members:
            for r in set(questions[int(i)].reasons):
                reasons[r] = reasons.get(r, 0) + 1
        topics.append(
            GapTopic(
                key=key,
                label=named.labels[t],
                terms=named.terms[t],
                count=int(members.size),
                share=members.size / n,
                examples=_examples(questions, vectors, order, centre, n_examples),
                reasons=reasons,
                article=_nearest_article(
                    vectors[order[:200]], articles, article_vectors, threshold
                ),
                question_ids=[questions[i].id for i in order],
                centroid=centre,
                radius=float(np.quantile(sims, 0.1)),
            )
        )
    return GapMining(topics, n, int((labels < 0).sum()), name, family, clustering.cut, size, labels)


def _chunk_text(a: ArticleChunk) -> str:
    return f"{a.title}\n{a.text}" if a.title else a.text


def _unique(key: str, seen: set[str]) -> str:
    out, i = key, 2
    while out in seen:
        out, i = f"{key}-{i}", i + 1
    seen.add(out)
    return out


def _examples(
    questions: Sequence[GapQuestion],
    vectors: np.ndarray,
    order: np.ndarray,
    centre: np.ndarray,
    n: int,
) -> list[GapExample]:
    """The questions nearest the centre, one per distinct (normalised) text."""
    out: list[GapExample] = []
    seen: set[str] = set()
    for i in order:
        q = questions[int(i)]
        norm = " ".join(q.text.lower().split())
        if norm in seen:
            continue
        seen.add(norm)
        out.append(GapExample(q.id, q.text, q.reasons, float(vectors[i] @ centre)))
        if len(out) == n:
            break
    return out


def _nearest_article(
    q: np.ndarray, articles: Sequence[ArticleChunk], d: np.ndarray | None, threshold: float
) -> ArticleLink | None:
    """The article whose best chunk is most similar to the questions, on average."""
    if not articles or d is None or d.shape[0] == 0 or q.shape[0] == 0:
        return None
    ids = [a.article_id for a in articles]
    unique, group = np.unique(np.asarray(ids, dtype=object), return_inverse=True)
    sims = q @ d.T  # questions x chunks
    per_article = np.full((q.shape[0], unique.size), -np.inf, dtype=np.float32)
    np.maximum.at(per_article.T, group, sims.T)
    scores = per_article.mean(axis=0)
    best = int(np.argmax(scores))
    chunk_mask = group == best
    chunk = int(np.flatnonzero(chunk_mask)[np.argmax(sims[:, chunk_mask].mean(axis=0))])
    a = articles[chunk]
    return ArticleLink(
        str(unique[best]),
        a.title,
        a.chunk_id or a.article_id,
        float(scores[best]),
        bool(scores[best] >= threshold),
    )
