"""Plain data the judges read and return, and the weighted total (pure).

A :class:`ConversationView` is one stored conversation as the judges see it (messages,
signals, follow-up contacts); a judge returns a :class:`Verdict` or ``None`` when its
dimension does not apply. :func:`combine` applies human overrides, the weights (renormalised
over the dimensions that apply) and the review-queue rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shopcoach.scoring.config import DIMENSIONS, ScoringConfig


@dataclass(frozen=True)
class MessageView:
    seq: int
    role: str  # customer | ai | human | system | tool
    text: str
    sent_at: datetime
    citations: tuple[dict[str, Any], ...] = ()
    tool_calls: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class SignalView:
    type: str
    value: float | None
    occurred_at: datetime
    message_index: int | None = None
    external_id: str = ""


@dataclass
class ConversationView:
    id: int
    external_id: str
    started_at: datetime
    handled_by: str = "ai"
    intent: str | None = None
    outcome: str | None = None
    csat: int | None = None
    messages: list[MessageView] = field(default_factory=list)
    signals: list[SignalView] = field(default_factory=list)
    # Hours until the same customer came back (repeat_contact signal or next conversation).
    repeat_after_hours: float | None = None

    @property
    def ai_messages(self) -> list[MessageView]:
        return [m for m in self.messages if m.role == "ai"]


@dataclass(frozen=True)
class Verdict:
    label: str  # pass | partial | fail
    reason: str
    evidence: list[Any] = field(default_factory=list)


@dataclass
class DimensionScore:
    dimension: str
    judge: str
    judge_label: str | None  # None: the dimension does not apply
    reason: str
    evidence: list[Any]
    human_label: str | None = None
    human_labeler: str | None = None

    @property
    def label(self) -> str | None:
        return self.human_label or self.judge_label


@dataclass
class ScoreResult:
    conversation_id: int
    dimensions: dict[str, DimensionScore]
    points: dict[str, float | None]
    total: float | None  # None: nothing applies (no row is written)
    needs_review: bool

    def label(self, dimension: str) -> str | None:
        return self.dimensions[dimension].label

    def details(self) -> dict[str, Any]:
        # Shallow on purpose: dataclasses.asdict deep-copies the evidence (a third of a run).
        return {d: dict(s.__dict__) for d, s in self.dimensions.items()}


def combine(
    conversation_id: int,
    dims: dict[str, DimensionScore],
    config: ScoringConfig,
    human: dict[str, tuple[str, str]] | None = None,
) -> ScoreResult:
    """Weighted total 0..100 over the dimensions that apply, after human overrides.

    ``human`` maps dimension → (label, labeler); a human label wins over the judge's and
    makes the dimension apply even when the judge found nothing to judge.
    """
    for dim, (label, labeler) in (human or {}).items():
        if dim in dims:
            dims[dim].human_label, dims[dim].human_labeler = label, labeler
    weights = config.weights.as_dict()
    points: dict[str, float | None] = {}
    num = den = 0.0
    for dim in DIMENSIONS:
        effective = dims[dim].label
        points[dim] = None if effective is None else config.points.of(effective)
        if effective is not None and weights[dim] > 0:
            num += weights[dim] * config.points.of(effective)
            den += weights[dim]
    total = round(num / den, 4) if den else None
    rule = config.review
    review = any(dims[d].label == "fail" for d in rule.fail_on) or (
        bool(rule.partial_on_all) and all(dims[d].label == "partial" for d in rule.partial_on_all)
    )
    return ScoreResult(conversation_id, dims, points, total, review)
