"""The plain result objects of the metrics: one point per period (and segment), and the series.

Every metric a point carries is named in :data:`METRICS` with its unit and which direction
is better; user-defined alert rules name metrics from this table.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from typing import Any, Literal

from shopcoach.errors import ValidationFailed

Direction = Literal["up", "down", "none"]
Segment = Literal["channel", "intent", "agent_version"]
SEGMENTS: tuple[str, ...] = ("channel", "intent", "agent_version")
FILTERS: tuple[str, ...] = (*SEGMENTS, "tag")
DIMENSIONS: tuple[str, ...] = ("accuracy", "relevance", "tone", "resolution", "total")
CONFIDENCE_BINS = 10  # [0, 0.1), [0.1, 0.2), … [0.9, 1.0]


@dataclass(frozen=True)
class MetricInfo:
    unit: str
    better: Direction  # which way is good: "up", "down", or "none" (a volume)
    description: str


METRICS: dict[str, MetricInfo] = {
    "conversations": MetricInfo("count", "none", "Conversations started in the period."),
    "automated_resolution_rate": MetricInfo(
        "share", "up", "Handled by the AI alone and resolved, over all conversations."
    ),
    "escalation_rate": MetricInfo(
        "share",
        "down",
        "Outcome escalated, handled by AI and a human (hybrid), or an escalation signal.",
    ),
    "csat_ai": MetricInfo("1..5", "up", "Mean CSAT of AI-handled conversations."),
    "csat_human": MetricInfo("1..5", "up", "Mean CSAT of human or hybrid conversations."),
    "repeat_contacts": MetricInfo(
        "count", "down", "Same customer again within 24 h, or a repeat_contact signal."
    ),
    "repeat_contact_rate": MetricInfo("share", "down", "Repeat contacts over conversations."),
    "ttr_median_s": MetricInfo("seconds", "down", "Median time to resolution."),
    "ttr_p90_s": MetricInfo("seconds", "down", "90th percentile time to resolution."),
    **{
        f"score_{d}": MetricInfo("points", "up", f"Mean {d} score (0..100) of scored ones.")
        for d in DIMENSIONS
    },
    "confidence_mean": MetricInfo("0..1", "up", "Mean intent confidence."),
    "latency_p50_ms": MetricInfo("ms", "down", "Median latency of AI messages."),
    "latency_p95_ms": MetricInfo("ms", "down", "95th percentile latency of AI messages."),
}


def check_metric(name: str) -> str:
    if name not in METRICS:
        raise ValidationFailed(
            f"{name!r} is not a metric.", hint=f"Use one of: {', '.join(METRICS)}."
        )
    return name


@dataclass(frozen=True)
class Filters:
    """Restrict the conversations measured (agent_version is the version's label)."""

    channel: str | None = None
    intent: str | None = None
    agent_version: str | None = None
    tag: str | None = None  # conversations carrying this tag (e.g. a campaign's)

    def to_dict(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Filters:
        data = dict(data or {})
        unknown = set(data) - set(FILTERS)
        if unknown:
            raise ValidationFailed(
                f"Unknown filter(s): {', '.join(sorted(unknown))}.",
                hint=f"Filter by {', '.join(FILTERS)}.",
            )
        return cls(**{k: (str(v) if v is not None else None) for k, v in data.items()})


@dataclass
class MetricPoint:
    """The metrics of one period (and one segment value when grouped)."""

    period_start: date
    period_end: date  # exclusive
    segment: str | None = None
    conversations: int = 0
    ai_conversations: int = 0
    automated_resolution_rate: float | None = None
    escalation_rate: float | None = None
    csat_ai: float | None = None
    csat_ai_responses: int = 0
    csat_human: float | None = None
    csat_human_responses: int = 0
    repeat_contacts: int = 0
    repeat_contact_rate: float | None = None
    ttr_median_s: float | None = None
    ttr_p90_s: float | None = None
    resolved_with_time: int = 0
    score_accuracy: float | None = None
    score_relevance: float | None = None
    score_tone: float | None = None
    score_resolution: float | None = None
    score_total: float | None = None
    scored: int = 0
    confidence_mean: float | None = None
    confidence_histogram: list[int] = field(default_factory=lambda: [0] * CONFIDENCE_BINS)
    latency_p50_ms: float | None = None
    latency_p95_ms: float | None = None
    latency_samples: int = 0

    def value(self, metric: str) -> float | None:
        value = getattr(self, check_metric(metric))
        return None if value is None else float(value)

    def metric_values(self) -> dict[str, Any]:
        """The measured values only (what a baseline freezes)."""
        skip = {"period_start", "period_end", "segment"}
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in skip}

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["period_start"] = self.period_start.isoformat()
        data["period_end"] = self.period_end.isoformat()
        return data


@dataclass
class MetricSeries:
    """Points ordered by period, then segment."""

    store_id: int
    grain: str
    since: datetime
    until: datetime  # exclusive
    by: str | None
    filters: Filters
    points: list[MetricPoint]

    def segments(self) -> list[str | None]:
        return sorted({p.segment for p in self.points}, key=lambda s: (s is None, s or ""))

    def for_segment(self, segment: str | None = None) -> list[MetricPoint]:
        return [p for p in self.points if p.segment == segment]

    def values(self, metric: str, segment: str | None = None) -> list[tuple[date, float | None]]:
        return [(p.period_start, p.value(metric)) for p in self.for_segment(segment)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "store_id": self.store_id,
            "grain": self.grain,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "by": self.by,
            "filters": self.filters.to_dict(),
            "metrics": {k: asdict(v) for k, v in METRICS.items()},
            "points": [p.to_dict() for p in self.points],
        }
