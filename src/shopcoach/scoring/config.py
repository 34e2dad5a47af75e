"""The scoring config (R-SCO-1/2): weights, pass/partial/fail rules, brand voice, judges.

One :class:`ScoringConfig` per store, versioned in ``scoring_configs``: saving a changed
config adds version ``n+1`` (audited); saving an identical one writes nothing. A store with no
row scores with the default config, version 0. Every score records the config version it was
computed with, so a new version makes the next run rescore everything (``docs/scoring.md``).
"""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from shopcoach import audit
from shopcoach.errors import ValidationFailed
from shopcoach.store.sql import utcnow
from shopcoach.store.tables import scoring_configs

DIMENSIONS = ("accuracy", "relevance", "tone", "resolution")
LABELS = ("pass", "partial", "fail")
Label = Literal["pass", "partial", "fail"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Weights(_Model):
    """Relative weight of each dimension in the total (renormalised over the ones that apply)."""

    accuracy: float = Field(default=40, ge=0)
    relevance: float = Field(default=25, ge=0)
    tone: float = Field(default=20, ge=0)
    resolution: float = Field(default=15, ge=0)

    @model_validator(mode="after")
    def _some_weight(self) -> Weights:
        if sum(self.as_dict().values()) <= 0:
            raise ValueError("at least one weight must be above 0")
        return self

    def as_dict(self) -> dict[str, float]:
        return {d: float(getattr(self, d)) for d in DIMENSIONS}


class Points(_Model):
    """Points a label is worth, 0..100."""

    pass_: float = Field(default=100, ge=0, le=100, alias="pass")
    partial: float = Field(default=50, ge=0, le=100)
    fail: float = Field(default=0, ge=0, le=100)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def of(self, label: str) -> float:
        return {"pass": self.pass_, "partial": self.partial, "fail": self.fail}[label]


class AccuracyRules(_Model):
    """Grounding judge: any contradicted claim fails; unsupported claims give ``unsupported``."""

    unsupported: Label = "partial"
    # An answer with no checkable claim (no price, window, stock, …) cannot be wrong: pass,
    # or "not_applicable" to leave accuracy out of such conversations' totals.
    no_claims: Literal["pass", "not_applicable"] = "pass"


class RelevanceRules(_Model):
    """Overlap judge: share of the question's content words the answer takes up.

    Thresholds measured on Bitext (own response vs another intent's; docs/scoring.md)."""

    pass_at: float = Field(default=0.3, ge=0, le=1)
    partial_at: float = Field(default=0.15, ge=0, le=1)
    # Cited articles that match none of the intent's words demote pass to partial.
    check_intent_articles: bool = True
    # Explicit intent → article keys; when an intent is listed, only these keys agree with it.
    intent_articles: dict[str, list[str]] = Field(default_factory=dict)


class BrandVoice(_Model):
    """Tone judge: the store's brand voice."""

    formality: Literal["formal", "neutral", "casual"] = "neutral"
    banned_phrases: list[str] = Field(default_factory=list)
    empathy_on_complaints: bool = True
    empathy_phrases: list[str] = Field(
        default_factory=lambda: [
            "sorry",
            "apologi",
            "understand",
            "frustrat",
            "i hear you",
            "thank you for your patience",
            "that's not the experience",
            "that is not the experience",
            "lo siento",
            "disculp",
            "entschuldig",
            "tut mir leid",
        ]
    )
    # A customer message is a complaint at VADER compound <= this, or on a complaint keyword.
    complaint_sentiment: float = Field(default=-0.4, ge=-1, le=1)
    min_words: int = Field(default=3, ge=0)
    max_words: int = Field(default=180, ge=1)
    fail_issues: int = Field(default=2, ge=1, description="Issues that make tone a fail.")


class ResolutionRules(_Model):
    """Outcome-signals judge."""

    repeat_contact_hours: float = Field(default=24, gt=0)
    csat_good: int = Field(default=4, ge=1, le=5)
    csat_bad: int = Field(default=2, ge=1, le=5)


class ReviewRule(_Model):
    """The review queue: fail on accuracy, or partial on both relevance and tone."""

    fail_on: list[str] = Field(default_factory=lambda: ["accuracy"])
    partial_on_all: list[str] = Field(default_factory=lambda: ["relevance", "tone"])


class ScoringConfig(_Model):
    """A store's rubric. ``judges`` names the judge per dimension (see ``judges()``)."""

    weights: Weights = Field(default_factory=Weights)
    points: Points = Field(default_factory=Points)
    judges: dict[str, str] = Field(
        default_factory=lambda: {
            "accuracy": "grounding",
            "relevance": "overlap",
            "tone": "brand_voice",
            "resolution": "outcome_signals",
        }
    )
    accuracy: AccuracyRules = Field(default_factory=AccuracyRules)
    relevance: RelevanceRules = Field(default_factory=RelevanceRules)
    brand_voice: BrandVoice = Field(default_factory=BrandVoice)
    resolution: ResolutionRules = Field(default_factory=ResolutionRules)
    review: ReviewRule = Field(default_factory=ReviewRule)

    @model_validator(mode="after")
    def _known_dimensions(self) -> ScoringConfig:
        unknown = [
            d
            for d in (*self.judges, *self.review.fail_on, *self.review.partial_on_all)
            if d not in DIMENSIONS
        ]
        if unknown:
            raise ValueError(f"unknown dimension(s) {unknown}; use {', '.join(DIMENSIONS)}")
        missing = [d for d in DIMENSIONS if d not in self.judges]
        if missing:
            raise ValueError(f"judges names no judge for {missing}")
        return self

    def dump(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


class VersionedConfig(_Model):
    version: int
    config: ScoringConfig
    created_by: str | None = None
    created_at: str | None = None


def parse_config(data: dict[str, Any], *, where: str = "the scoring config") -> ScoringConfig:
    """Validate a config dict (from a file or request), naming the bad field in the error."""
    try:
        return ScoringConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors()
        )
        raise ValidationFailed(
            f"{where} is invalid: {problems}.",
            hint="Fix the field(s) named; `shopcoach score config show` prints a valid config.",
        ) from exc


def active_config(conn: sa.Connection, store_id: int) -> VersionedConfig:
    """The store's newest config version, or the default (version 0) when it has none."""
    row = conn.execute(
        sa.select(scoring_configs)
        .where(scoring_configs.c.store_id == store_id)
        .order_by(scoring_configs.c.version.desc())
        .limit(1)
    ).first()
    if row is None:
        return VersionedConfig(version=0, config=ScoringConfig())
    return VersionedConfig(
        version=row.version,
        config=parse_config(dict(row.config)),
        created_by=row.created_by,
        created_at=row.created_at.isoformat(),
    )


def save_config(
    conn: sa.Connection, store_id: int, config: ScoringConfig, *, actor: str
) -> tuple[VersionedConfig, bool]:
    """Store ``config`` as a new version if it differs from the active one.

    Returns (the active version after the call, whether a version was created)."""
    current = active_config(conn, store_id)
    if current.config.dump() == config.dump():
        return current, False
    version = current.version + 1
    now = utcnow()
    conn.execute(
        scoring_configs.insert().values(
            store_id=store_id,
            version=version,
            config=config.dump(),
            created_at=now,
            created_by=actor,
        )
    )
    changed = sorted(k for k, v in config.dump().items() if current.config.dump().get(k) != v)
    audit.record(
        conn,
        actor,
        "scoring.config.set",
        store_id=store_id,
        target=f"scoring_config:v{version}",
        details={"version": version, "previous": current.version, "changed": changed},
    )
    return VersionedConfig(
        version=version, config=config, created_by=actor, created_at=now.isoformat()
    ), True
