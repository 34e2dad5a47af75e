"""The capture schema: one set of pydantic models behind every capture path.

The HTTP API, the Python SDK and the JSONL importer all validate through these models
(R-SIG-1..3), so a record accepted by one path is accepted by all. The documented form of
this schema is ``docs/import-schema.md``; ``tests/test_docs.py`` keeps the two in step.

A conversation arrives whole, with its messages; re-sending the same ``external_id`` is a
no-op when nothing changed and an update when something did (idempotent retries). Signals
are small facts about a conversation or a message (a thumbs-down, a CSAT score, a request
for a human, a repeat contact) that may arrive before or after the conversation they name.
"""

from __future__ import annotations

import enum
import hashlib
from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

ExternalId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]

MAX_MESSAGE_CHARS = 20_000
MAX_MESSAGES = 500


class Channel(enum.StrEnum):
    """Where the conversation happened."""

    chat = "chat"
    email = "email"
    sms = "sms"
    voice = "voice"
    whatsapp = "whatsapp"
    social = "social"
    other = "other"


class HandledBy(enum.StrEnum):
    """Who handled the conversation: the AI alone, a human alone, or both (a handoff)."""

    ai = "ai"
    human = "human"
    hybrid = "hybrid"


class Outcome(enum.StrEnum):
    """How the conversation ended."""

    resolved = "resolved"
    escalated = "escalated"
    abandoned = "abandoned"


class Role(enum.StrEnum):
    """Who wrote a message. ``human`` is a human support agent; ``customer`` the shopper."""

    customer = "customer"
    ai = "ai"
    human = "human"
    system = "system"
    tool = "tool"


class SignalType(enum.StrEnum):
    """Every kind of signal Shopcoach captures (R-SIG-1).

    The value each type takes is checked by :data:`SIGNAL_VALUE_RULES`.
    """

    thumbs = "thumbs"  # explicit feedback on an answer: +1 up, -1 down
    csat = "csat"  # post-conversation satisfaction, 1..5
    nps = "nps"  # net promoter answer, 0..10
    escalation = "escalation"  # the AI handed the conversation to a human
    human_request = "human_request"  # the customer explicitly asked for a person
    repeat_contact = "repeat_contact"  # the customer came back about the same issue
    resolution = "resolution"  # the customer or an agent confirmed (1) / denied (0) resolution
    abandonment = "abandonment"  # the customer left without an answer
    agent_edit = "agent_edit"  # a human edited an AI draft; value = share of text changed 0..1
    review_label = "review_label"  # a human reviewer's verdict; context names dimension/label
    conversion = "conversion"  # an order placed after the conversation; value = order amount
    refund = "refund"  # a refund issued; value = amount
    return_ = "return"  # a return started; value = amount
    click = "click"  # a link or product card in an answer was clicked
    complaint = "complaint"  # a formal complaint about the answer or the service
    custom = "custom"  # anything else; context.name says what


# (min, max, required): the allowed value range per signal type.
SIGNAL_VALUE_RULES: dict[SignalType, tuple[float | None, float | None, bool]] = {
    SignalType.thumbs: (-1, 1, True),
    SignalType.csat: (1, 5, True),
    SignalType.nps: (0, 10, True),
    SignalType.escalation: (None, None, False),
    SignalType.human_request: (None, None, False),
    SignalType.repeat_contact: (0, None, False),
    SignalType.resolution: (0, 1, True),
    SignalType.abandonment: (None, None, False),
    SignalType.agent_edit: (0, 1, True),
    SignalType.review_label: (None, None, False),
    SignalType.conversion: (0, None, False),
    SignalType.refund: (0, None, False),
    SignalType.return_: (0, None, False),
    SignalType.click: (None, None, False),
    SignalType.complaint: (None, None, False),
    SignalType.custom: (None, None, False),
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, frozen=False)


class Citation(_Strict):
    """A piece of knowledge an answer used: an article, a product, an order fact."""

    source: Annotated[str, StringConstraints(min_length=1, max_length=50)] = Field(
        description="Kind of source: article, product, order, policy, url, …"
    )
    id: ExternalId = Field(description="The source's id in the store (article slug, SKU, …).")
    version: str | None = Field(default=None, max_length=100, description="Content version.")
    title: str | None = Field(default=None, max_length=500)


class ToolCall(_Strict):
    """A tool the agent called while writing a message (order lookup, tracking, …)."""

    name: ShortText
    arguments: dict[str, Any] = Field(default_factory=dict)
    result: Any = None
    latency_ms: float | None = Field(default=None, ge=0)
    error: str | None = None


class MessageIn(_Strict):
    """One message of a conversation, in order."""

    role: Role
    text: str = Field(max_length=MAX_MESSAGE_CHARS)
    sent_at: AwareDatetime | None = Field(
        default=None, description="When it was sent; defaults to the conversation start."
    )
    latency_ms: float | None = Field(
        default=None, ge=0, description="For ai/human messages: time taken to answer."
    )
    citations: list[Citation] = Field(default_factory=list)
    tool_calls: list[ToolCall] = Field(default_factory=list)


class ConversationIn(_Strict):
    """A whole conversation with its messages: the unit of capture."""

    external_id: ExternalId = Field(description="Your id for it; unique within a store.")
    store: ShortText | None = Field(
        default=None, description="Store slug; defaults to the importer's or API key's store."
    )
    channel: Channel = Channel.chat
    customer_id: str | None = Field(
        default=None,
        max_length=200,
        description="Your customer reference; stored only as a salted hash.",
    )
    started_at: AwareDatetime
    ended_at: AwareDatetime | None = None
    handled_by: HandledBy = HandledBy.ai
    agent_version: ShortText | None = Field(
        default=None, description="Label of the agent version that answered (e.g. 'v12')."
    )
    intent: ShortText | None = None
    confidence: float | None = Field(default=None, ge=0, le=1)
    outcome: Outcome | None = None
    csat: int | None = Field(default=None, ge=1, le=5)
    language: Annotated[str, StringConstraints(min_length=2, max_length=16)] | None = None
    tags: list[ShortText] = Field(default_factory=list, max_length=50)
    metadata: dict[str, Any] = Field(default_factory=dict)
    messages: list[MessageIn] = Field(min_length=1, max_length=MAX_MESSAGES)

    @model_validator(mode="after")
    def _check_times(self) -> ConversationIn:
        if self.ended_at is not None and self.ended_at < self.started_at:
            raise ValueError(
                "ended_at is before started_at; send ended_at >= started_at or leave it out"
            )
        return self


class SignalIn(_Strict):
    """A signal about a conversation (or one of its messages)."""

    type: SignalType
    external_id: ExternalId | None = Field(
        default=None,
        description="Your id for it; when absent, one is derived from the content so that "
        "a retried signal is still stored once.",
    )
    store: ShortText | None = None
    value: float | None = None
    occurred_at: AwareDatetime
    conversation_id: ExternalId | None = Field(
        default=None, description="The external_id of the conversation it is about."
    )
    message_index: int | None = Field(
        default=None, ge=0, description="0-based index of the message it is about."
    )
    source: Annotated[str, StringConstraints(min_length=1, max_length=100)] = "api"
    context: dict[str, Any] = Field(default_factory=dict)

    @field_validator("value")
    @classmethod
    def _finite(cls, v: float | None) -> float | None:
        if v is not None and (v != v or v in (float("inf"), float("-inf"))):
            raise ValueError("value must be a finite number")
        return v

    @model_validator(mode="after")
    def _check_value(self) -> SignalIn:
        lo, hi, required = SIGNAL_VALUE_RULES[self.type]
        name = self.type.value
        if self.value is None:
            if required:
                raise ValueError(f"a {name} signal needs a value" + _range_text(lo, hi))
            return self
        if (lo is not None and self.value < lo) or (hi is not None and self.value > hi):
            raise ValueError(
                f"value {self.value:g} is out of range for {name}" + _range_text(lo, hi)
            )
        if self.type is SignalType.thumbs and self.value not in (-1, 1):
            raise ValueError("a thumbs signal takes value 1 (up) or -1 (down)")
        if self.message_index is not None and self.conversation_id is None:
            raise ValueError("message_index needs conversation_id to say which conversation")
        if self.type is SignalType.custom and not self.context.get("name"):
            raise ValueError("a custom signal needs context.name to say what it measures")
        return self

    def derived_external_id(self) -> str:
        """The external id to store: the given one, or a stable hash of the content."""
        if self.external_id:
            return self.external_id
        payload = orjson.dumps(
            self.model_dump(mode="json", exclude={"external_id", "store"}),
            option=orjson.OPT_SORT_KEYS,
        )
        return "sig-" + hashlib.sha256(payload).hexdigest()[:32]


def _range_text(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f" between {lo:g} and {hi:g}"
    if lo is not None:
        return f" of at least {lo:g}"
    return ""


def utc(dt: datetime) -> datetime:
    """Normalise an aware datetime to naive UTC, as stored."""

    return dt.astimezone(UTC).replace(tzinfo=None)
