"""When the agent hands a conversation to a human, and what it hands over (R-AGT-2/3/4).

The escalation policy is a set of dials stored per agent version (``agent_versions.config``
under ``"escalation"``, see ``agent/dials.py``): a confidence threshold per intent (and a
default), intents that always go to a human, intents on which negative sentiment escalates,
whether out-of-scope messages escalate, and the phrases that are an explicit request for a
human. :func:`decide` applies them to one customer turn; :func:`build_handoff` assembles the
package a human agent receives. Both are pure: plain data in, plain data out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Action = Literal["answer", "escalate"]
Reason = Literal[
    "always_human", "asked_for_human", "negative_sentiment", "out_of_scope", "low_confidence",
    "grounding_failed",
]  # fmt: skip

_PERSON = (r"(?:human(?:\s+(?:being|agent))?|person|people|agent|representative|rep|operator|"
           r"someone|somebody|some\s*one|somneone|anyone|manager|supervisor|staff|assistant|"
           r"member\s+of\s+staff)")
DEFAULT_HUMAN_PHRASES = (
    r"\b(?:talk|speak|chat|cat|contact|reach|call|connect|transfer|put)\w*\s+"
    r"(?:me\s+)?(?:to|with|w\w{1,3}|through\s+to)?\s*(?:a|an|some|your|the|one\s+of\s+your)?"
    r"\s*(?:\w+\s+)?" + _PERSON + r"\b",
    r"\b(?:real|live|actual)\s+(?:human|person|agent|people)\b",
    r"\b(?:human|live)\s+(?:agent|support|help|operator)\b",
    r"\b(?:get|give|want|need)\s+(?:me\s+)?(?:a|an)\s+(?:human|person|agent|manager|"
    r"representative|operator)\b",
    r"\bnot\s+(?:a|this|the|your)\s+(?:bot|robot|machine|chatbot)\b",
    r"\bstop\s+(?:the\s+)?bot\b",
)


class EscalationPolicy(BaseModel):
    """The escalation dials of one agent version. Every field has a safe default."""

    model_config = ConfigDict(extra="forbid")

    default_threshold: float = Field(
        0.5, ge=0, le=1, description="Escalate when the intent's calibrated confidence is below."
    )
    thresholds: dict[str, float] = Field(
        default_factory=dict, description="Per-intent confidence thresholds (override default)."
    )
    always_human: list[str] = Field(
        default_factory=list, description="Intents a human always handles (e.g. complaint)."
    )
    sensitive_intents: list[str] = Field(
        default_factory=list,
        description="Intents on which negative sentiment escalates (e.g. payment_issue, refund).",
    )
    sensitive_all: bool = Field(
        False, description="Treat every intent as sensitive to negative sentiment."
    )
    negative_sentiment: float = Field(
        -0.5, ge=-1, le=0, description="Sentiment at or below this is negative (VADER compound)."
    )
    escalate_out_of_scope: bool = Field(True, description="Escalate out-of-scope messages.")
    human_phrases: list[str] = Field(
        default_factory=lambda: list(DEFAULT_HUMAN_PHRASES),
        description="Regular expressions that are an explicit request for a human.",
    )

    @field_validator("thresholds")
    @classmethod
    def _in_unit_interval(cls, value: dict[str, float]) -> dict[str, float]:
        bad = {k: v for k, v in value.items() if not 0 <= v <= 1}
        if bad:
            raise ValueError(f"thresholds must be between 0 and 1; got {bad}")
        return value

    @field_validator("human_phrases")
    @classmethod
    def _compiles(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"human_phrases: {pattern!r} is not a valid regex: {exc}") from exc
        return value

    def threshold_for(self, intent: str | None) -> float:
        return self.thresholds.get(intent or "", self.default_threshold)


@dataclass(frozen=True)
class Turn:
    """What the policy looks at for one customer message."""

    text: str
    intent: str | None
    confidence: float
    out_of_scope: bool = False
    sentiment: float | None = None  # None: computed with VADER when the agent extra is there


@dataclass(frozen=True)
class Decision:
    action: Action
    reasons: tuple[Reason, ...]
    intent: str | None
    confidence: float
    threshold: float
    sentiment: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def decide(policy: EscalationPolicy, turn: Turn) -> Decision:
    """Answer or escalate this turn, with every reason that applies (in a fixed order)."""
    reasons: list[Reason] = []
    sentiment = turn.sentiment if turn.sentiment is not None else sentiment_score(turn.text)
    if turn.intent in policy.always_human:
        reasons.append("always_human")
    if asks_for_human(turn.text, tuple(policy.human_phrases)):
        reasons.append("asked_for_human")
    sensitive = policy.sensitive_all or turn.intent in policy.sensitive_intents
    if sensitive and sentiment is not None and sentiment <= policy.negative_sentiment:
        reasons.append("negative_sentiment")
    if turn.out_of_scope and policy.escalate_out_of_scope:
        reasons.append("out_of_scope")
    threshold = policy.threshold_for(turn.intent)
    if not turn.out_of_scope and turn.confidence < threshold:
        reasons.append("low_confidence")
    return Decision("escalate" if reasons else "answer", tuple(reasons), turn.intent,
                    turn.confidence, threshold, sentiment)  # fmt: skip


@lru_cache(maxsize=16)
def _human_re(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.I)


def asks_for_human(text: str, patterns: tuple[str, ...] = DEFAULT_HUMAN_PHRASES) -> bool:
    """Whether the customer explicitly asks for a person ("can I talk to a real human?")."""
    return bool(patterns) and bool(_human_re(patterns).search(text))


@lru_cache(maxsize=1)
def _vader() -> Any:
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer
    except ModuleNotFoundError:
        return None
    return SentimentIntensityAnalyzer()


def sentiment_score(text: str) -> float | None:
    """VADER compound sentiment in [-1, 1]; None without the ``agent`` extra."""
    analyzer = _vader()
    return None if analyzer is None else float(analyzer.polarity_scores(text)["compound"])


# --- the handoff package ----------------------------------------------------------------------

_ORDER_ID_RE = re.compile(r"(?:order|#)\s*(?:number|no\.?|id)?\s*[:#]?\s*([A-Z0-9][A-Z0-9-]{3,})",
                          re.I)  # fmt: skip


@dataclass(frozen=True)
class Message:
    role: str  # customer | agent | human | system
    text: str


@dataclass
class Handoff:
    """What a human agent receives with an escalated conversation."""

    intent: str | None
    confidence: float
    reasons: tuple[str, ...]
    summary: str
    customer: dict[str, Any] = field(default_factory=dict)
    orders: list[dict[str, Any]] = field(default_factory=list)
    draft_reply: str | None = None
    order_ids_mentioned: list[str] = field(default_factory=list)
    transcript_tail: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


REASON_TEXT = {
    "always_human": "this intent is always handled by a person",
    "asked_for_human": "the customer asked for a person",
    "negative_sentiment": "the customer is upset about a sensitive topic",
    "out_of_scope": "the request is outside what the assistant handles",
    "low_confidence": "the assistant is not confident what the customer needs",
    "grounding_failed": "the drafted answer could not be verified against store data",
}


def summarize(messages: Sequence[Message], decision: Decision, max_chars: int = 600) -> str:
    """A short extractive summary: what the customer wants, their latest words, why handed off."""
    customer = [m.text.strip() for m in messages if m.role == "customer" and m.text.strip()]
    parts = []
    if decision.intent:
        parts.append(f"Intent: {decision.intent} (confidence {decision.confidence:.2f}).")
    if customer:
        parts.append(f"Customer opened with: \"{_clip(customer[0], 200)}\"")
        if len(customer) > 1:
            parts.append(f"Latest: \"{_clip(customer[-1], 200)}\"")
    if decision.reasons:
        parts.append("Handed off because " + "; ".join(REASON_TEXT[r] for r in decision.reasons)
                     + ".")  # fmt: skip
    return _clip(" ".join(parts), max_chars)


def _clip(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def build_handoff(
    messages: Sequence[Message],
    decision: Decision,
    *,
    customer: dict[str, Any] | None = None,
    orders: Sequence[dict[str, Any]] = (),
    draft_reply: str | None = None,
    tail: int = 6,
) -> Handoff:
    """The handoff package for an escalated turn (R-AGT-4): intent, confidence, summary,
    customer/order context and the agent-assist draft reply."""
    mentioned: list[str] = []
    for m in messages:
        if m.role == "customer":
            for found in _ORDER_ID_RE.findall(m.text):
                if any(c.isdigit() for c in found) and found not in mentioned:
                    mentioned.append(found)
    return Handoff(
        intent=decision.intent,
        confidence=decision.confidence,
        reasons=decision.reasons,
        summary=summarize(messages, decision),
        customer=dict(customer or {}),
        orders=[dict(o) for o in orders],
        draft_reply=draft_reply,
        order_ids_mentioned=mentioned,
        transcript_tail=[{"role": m.role, "text": m.text} for m in messages[-tail:]],
    )
