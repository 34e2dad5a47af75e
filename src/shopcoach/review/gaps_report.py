"""Gap questions from the store, and the week-over-week gap report (docs/gaps.md).

:func:`load_gap_questions` applies the gap rules to one window with set-based SQL (the same
on SQLite and PostgreSQL); :func:`gap_report` mines an ISO week and the week before in one
vector space, matches topics across the two weeks by centroid similarity and gives each
topic this week's count, last week's count and a trend.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa

from shopcoach.agent.escalation import asks_for_human
from shopcoach.review.gaps import (
    FAMILY_DEFAULTS,
    ArticleChunk,
    GapMining,
    GapQuestion,
    GapTopic,
    mine,
)
from shopcoach.review.gaps_embed import embed_all, family_of, resolve_embedder
from shopcoach.review.weeks import week_bounds, week_name
from shopcoach.scoring.text import content_stems
from shopcoach.search.embedders import Embedder
from shopcoach.store.tables import (
    agent_turns,
    conversation_scores,
    conversations,
    hallucination_flags,
    messages,
)

# Agent escalation reasons, by what they say about the knowledge base.
NO_ANSWER_REASONS = frozenset({"no_answer", "out_of_scope", "low_confidence"})
WRONG_REASONS = frozenset({"grounding_failed"})
# Escalations by policy (the customer asked for a person, an always-human intent, anger, an
# order exception) are not knowledge gaps.
POLICY_REASONS = frozenset(
    {"asked_for_human", "always_human", "negative_sentiment", "order_exception"}
)
# Gap questions mined per week at most; more are sampled (see gap_report).
MAX_QUESTIONS = 2000


def load_gap_questions(
    conn: sa.Connection,
    store_id: int,
    start: datetime,
    end: datetime,
    *,
    min_retrieval_score: float | None = None,
) -> list[GapQuestion]:
    """The gap questions of conversations started (agent turns created) in ``[start, end)``.

    Rules (docs/gaps.md): a conversation the AI took part in (``handled_by`` ai or hybrid)
    counts when it ended ``escalated`` or ``abandoned``, was handed to a human (hybrid),
    its accuracy was scored ``fail``, or it has a hallucination flag; an agent turn counts
    when the agent escalated for ``no_answer``/``out_of_scope``/``low_confidence``
    (no_answer) or ``grounding_failed`` (wrong), or, with ``min_retrieval_score``, when its
    best retrieved score is below it. An escalated conversation whose recorded turns all
    escalated for policy reasons only is left out. The question is the first substantive
    customer message (:func:`substantive`: not a bare greeting, not a request for a person;
    a turn without a captured conversation: the turn's message); a conversation without one
    is left out.
    """
    c = conversations
    failed = sa.exists().where(
        conversation_scores.c.conversation_id == c.c.id,
        conversation_scores.c.accuracy_label == "fail",
    )
    flagged = sa.exists().where(hallucination_flags.c.conversation_id == c.c.id)
    window = sa.and_(
        c.c.store_id == store_id,
        c.c.started_at >= start,
        c.c.started_at < end,
        c.c.handled_by != "human",
    )
    first = (
        sa.select(messages.c.conversation_id, sa.func.min(messages.c.seq).label("seq"))
        .select_from(messages.join(c, c.c.id == messages.c.conversation_id))
        .where(window, messages.c.role == "customer")
        .group_by(messages.c.conversation_id)
        .subquery()
    )
    query = (
        sa.select(
            c.c.external_id,
            messages.c.text,
            c.c.started_at,
            c.c.intent,
            c.c.outcome,
            c.c.handled_by,
            failed.label("failed"),
            flagged.label("flagged"),
        )
        .select_from(
            c.join(first, first.c.conversation_id == c.c.id).join(
                messages,
                sa.and_(messages.c.conversation_id == c.c.id, messages.c.seq == first.c.seq),
            )
        )
        .where(
            window,
            sa.or_(
                c.c.outcome.in_(("escalated", "abandoned")),
                c.c.handled_by == "hybrid",
                failed,
                flagged,
            ),
        )
        .order_by(c.c.started_at, c.c.id)
    )
    found: dict[str, dict[str, Any]] = {}
    for ext, text, at, intent, outcome, handled, fail, flag in conn.execute(query):
        reasons = set()
        if outcome == "escalated" or handled == "hybrid":
            reasons.add("escalated")
        if outcome == "abandoned":
            reasons.add("abandoned")
        if fail or flag:
            reasons.add("wrong")
        found[ext] = {
            "text": text,
            "at": at,
            "intent": intent,
            "reasons": reasons,
            "policy_only": None,
        }
    turns = (
        sa.select(
            agent_turns.c.conversation_external_id,
            agent_turns.c.message,
            agent_turns.c.created_at,
            agent_turns.c.intent,
            agent_turns.c.action,
            agent_turns.c.reasons,
            agent_turns.c.retrieved,
        )
        .where(
            agent_turns.c.store_id == store_id,
            agent_turns.c.created_at >= start,
            agent_turns.c.created_at < end,
        )
        .order_by(agent_turns.c.created_at, agent_turns.c.id)
    )
    if min_retrieval_score is None:
        turns = turns.where(agent_turns.c.action == "escalate")
    for ext, text, at, intent, action, turn_reasons, retrieved in conn.execute(turns):
        why = set(turn_reasons or ())
        reasons = set()
        if why & NO_ANSWER_REASONS:
            reasons.add("no_answer")
        if why & WRONG_REASONS:
            reasons.add("wrong")
        if min_retrieval_score is not None and action == "answer" and retrieved:
            if max(float(r.get("score") or 0.0) for r in retrieved) < min_retrieval_score:
                reasons.add("no_answer")
        entry = found.get(ext)
        if entry is not None:
            entry["reasons"] |= reasons
            if action == "escalate":
                policy = bool(why) and why <= POLICY_REASONS
                entry["policy_only"] = (
                    policy if entry["policy_only"] is None else (entry["policy_only"] and policy)
                )
        elif reasons:
            found[ext] = {
                "text": text,
                "at": at,
                "intent": intent,
                "reasons": reasons,
                "policy_only": None,
            }
    _substantive_texts(conn, store_id, found)
    out = []
    for ext, e in found.items():
        reasons = e["reasons"]
        if e["policy_only"] and not (reasons & {"no_answer", "wrong"}):
            continue
        out.append(
            GapQuestion(
                ext,
                e["text"],
                tuple(r for r in ("escalated", "abandoned", "no_answer", "wrong") if r in reasons),
                e["at"],
                e["intent"],
            )
        )
    return out


MIN_CONTENT_WORDS = 2


def substantive(text: str) -> bool:
    """A question worth mining: at least two content words, and not a request for a person
    ("hi", "hello?", "is anyone there?" and "get me a human" are not knowledge gaps)."""
    return len(content_stems(text)) >= MIN_CONTENT_WORDS and not asks_for_human(text)


def _substantive_texts(conn: sa.Connection, store_id: int, found: dict[str, Any]) -> None:
    """Replace a greeting-only question by the conversation's first substantive customer
    message; drop the conversation when it has none (in place)."""
    weak = [ext for ext, e in found.items() if not substantive(e["text"])]
    better: dict[str, str] = {}
    c, m = conversations, messages
    for lo in range(0, len(weak), 500):
        rows = conn.execute(
            sa.select(c.c.external_id, m.c.text)
            .join(c, c.c.id == m.c.conversation_id)
            .where(c.c.store_id == store_id, c.c.external_id.in_(weak[lo : lo + 500]),
                   m.c.role == "customer")
            .order_by(c.c.external_id, m.c.seq)
        )  # fmt: skip
        for ext, text in rows:
            if ext not in better and substantive(text):
                better[ext] = text
    for ext in weak:
        if ext in better:
            found[ext]["text"] = better[ext]
        else:
            del found[ext]


def load_articles(conn: sa.Connection, store_id: int) -> list[ArticleChunk]:
    """The current chunks of every live help article."""
    from shopcoach.kb.documents import HEADING_SEPARATOR, current_documents

    return [
        ArticleChunk(d.id.rsplit("#", 1)[0], d.title.split(HEADING_SEPARATOR)[0], d.text, d.id)
        for d in current_documents(conn, store_id, kinds=["article"])
    ]


@dataclass
class GapReport:
    """This week's gap topics with their trend, and last week's topics that went away."""

    store: str
    week: str
    week_start: datetime
    previous_week: str
    n_questions: int
    n_previous: int
    unclustered: int
    embedder: str
    min_topic_size: int
    topics: list[GapTopic]
    gone: list[GapTopic] = field(default_factory=list)
    n_articles: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "week": self.week,
            "week_start": self.week_start.isoformat(),
            "previous_week": self.previous_week,
            "questions": self.n_questions,
            "previous_questions": self.n_previous,
            "unclustered": self.unclustered,
            "embedder": self.embedder,
            "min_topic_size": self.min_topic_size,
            "articles": self.n_articles,
            "topics": [t.to_dict() for t in self.topics],
            "gone": [t.to_dict() for t in self.gone],
        }


def trend_of(count: int, last: int) -> str:
    """new (none last week), gone (none this week), growing/shrinking (by at least 3 and 25%),
    else steady."""
    if last == 0:
        return "new"
    if count == 0:
        return "gone"
    change = count - last
    if abs(change) >= max(3, 0.25 * last):
        return "growing" if change > 0 else "shrinking"
    return "steady"


def gap_report(
    conn: sa.Connection,
    store_id: int,
    week: str | None = None,
    *,
    store_slug: str = "",
    embedder: str | Embedder | None = None,
    today: date | None = None,
    min_retrieval_score: float | None = None,
    max_questions: int | None = MAX_QUESTIONS,
    **options: Any,
) -> GapReport:
    """Mine ISO ``week`` (default: the last complete one) and the week before; see the module
    docstring. ``options`` go to :func:`shopcoach.review.gaps.mine`.

    A week with more than ``max_questions`` gap questions is mined on a seeded uniform sample
    of that many, and topic counts are scaled back to the whole week (``sampled`` in the
    report says so): embedding is the cost that grows with volume, and topic shares from a
    sample of 2,000 are within about ±2 points of the full week's."""
    _, start, end = week_bounds(week, today)
    prev_start = start - timedelta(days=7)
    this = load_gap_questions(conn, store_id, start, end, min_retrieval_score=min_retrieval_score)
    prev = load_gap_questions(
        conn, store_id, prev_start, start, min_retrieval_score=min_retrieval_score
    )
    full_this, full_prev = len(this), len(prev)
    seed = int(options.get("seed", 0))
    this, prev = _sample(this, max_questions, seed), _sample(prev, max_questions, seed)
    articles = load_articles(conn, store_id)
    emb = resolve_embedder(embedder, seed=int(options.get("seed", 0)))
    family = family_of(emb)
    q, d = embed_all(
        emb,
        [x.text for x in this] + [x.text for x in prev],
        [f"{a.title}\n{a.text}" for a in articles],
    )
    now = mine(
        this,
        embedder=emb,
        vectors=q[: len(this)],
        articles=articles,
        article_vectors=d,
        family=family,
        **options,
    )
    before = mine(
        prev,
        embedder=emb,
        vectors=q[len(this) :],
        articles=articles,
        article_vectors=d,
        family=family,
        **options,
    )
    _scale(now.topics, full_this / len(this) if this else 1.0)
    _scale(before.topics, full_prev / len(prev) if prev else 1.0)
    threshold = float(options.get("match_threshold") or FAMILY_DEFAULTS[family]["match"])
    gone = _track(now, before, q[: len(this)], q[len(this) :], threshold)
    return GapReport(
        store_slug,
        week_name(start),
        start,
        week_name(prev_start),
        full_this,
        full_prev,
        now.unclustered,
        now.embedder,
        now.min_topic_size,
        now.topics,
        gone,
        len({a.article_id for a in articles}),
    )


def _sample(questions: list[GapQuestion], cap: int | None, seed: int) -> list[GapQuestion]:
    if cap is None or len(questions) <= cap:
        return questions
    keep = np.random.default_rng(seed).choice(len(questions), size=cap, replace=False)
    return [questions[i] for i in np.sort(keep)]


def _scale(topics: list[GapTopic], ratio: float) -> None:
    if ratio != 1.0:
        for t in topics:
            t.count = round(t.count * ratio)


def _track(
    now: GapMining, before: GapMining, q_now: np.ndarray, q_before: np.ndarray, threshold: float
) -> list[GapTopic]:
    """Match topics one-to-one by centroid cosine (best pairs first, at least ``threshold``);
    a matched topic keeps last week's key. Unmatched topics are counted in the other week as
    the questions within their radius. Returns last week's topics not seen this week."""
    a, b = now.topics, before.topics
    matched: dict[int, int] = {}
    if a and b:
        sims = np.stack([t.centroid for t in a]) @ np.stack([t.centroid for t in b]).T
        taken: set[int] = set()
        for flat in np.argsort(-sims, axis=None, kind="stable"):
            i, j = divmod(int(flat), len(b))
            if sims[i, j] < threshold:
                break
            if i not in matched and j not in taken:
                matched[i] = j
                taken.add(j)
    keys = {t.key for t in a}
    for i, t in enumerate(a):
        if i in matched:
            old = b[matched[i]]
            if old.key != t.key and old.key not in keys:
                keys.discard(t.key)
                t.key = old.key
                keys.add(t.key)
            t.last_week_count = old.count
        else:
            t.last_week_count = _within(q_before, t)
        t.trend = trend_of(t.count, t.last_week_count)
    gone = []
    for j, old in enumerate(b):
        if j in matched.values():
            continue
        this_week = _within(q_now, old)
        gone.append(
            GapTopic(
                old.key,
                old.label,
                old.terms,
                this_week,
                old.share,
                old.examples,
                old.reasons,
                old.article,
                [],
                old.centroid,
                old.radius,
                last_week_count=old.count,
                trend=trend_of(this_week, old.count),
            )
        )
    return gone


def _within(q: np.ndarray, topic: GapTopic) -> int:
    return int((q @ topic.centroid >= topic.radius).sum()) if q.size else 0
