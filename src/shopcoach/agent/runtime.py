"""``Agent.respond``: one customer turn through intent, tools, retrieval, draft, check, decision.

::

    message ─ intent model (calibrated, out-of-scope) ──────────────┐
            ─ order number? → triage via the order tools (recorded) ├─ generator → draft
            ─ retrieval (current knowledge versions) ───────────────┘        │
                               grounding check against products/policies/orders
                                                   │
              escalation dials (+ grounding_failed, order exception, no answer)
                                                   │
                         reply or handoff  →  AgentTurn (the trace the loop scores)

Every component is plain Python behind a small interface, so tests and the benchmark run the
real thing: an intent model (``IntentClassifier``), a ``Retriever``, an ``OrderConnector``, a
``Generator`` and the ``EscalationPolicy`` of the agent version. ``AgentTurn`` carries
everything the loop needs to score the turn later; ``agent/traces.py`` stores it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from shopcoach.agent.compose import (
    GREETING_REPLY,
    Draft,
    ExtractiveGenerator,
    Generator,
    Retrieved,
    greeting_only,
)
from shopcoach.agent.escalation import (
    EscalationPolicy,
    Message,
    Turn,
    build_handoff,
    decide,
)
from shopcoach.grounding import Evidence, OrderFact, ProductFact, check_answer, policy_facts
from shopcoach.orders.connector import OrderConnector, RecordingConnector, ToolCall
from shopcoach.orders.refs import order_refs
from shopcoach.orders.triage import TriageResult, run_triage

# Intents whose answer comes from the order tools when an order number is known.
ORDER_INTENTS = frozenset({"track_order", "delivery_period", "change_order", "cancel_order",
                           "order_status", "where_is_my_order", "payment_issue", "track_refund",
                           "get_refund", "change_shipping_address", "complaint"})  # fmt: skip
HANDOFF_REPLY = ("Thanks for your patience. I'm passing this to a colleague who can help "
                 "right away; they can see everything we've discussed.")  # fmt: skip


class IntentClassifier(Protocol):
    """What the runtime needs of an intent model (``shopcoach.intents.IntentModel`` fits)."""

    def predict(self, texts: Sequence[str], top_k: int = 3) -> Sequence[Any]: ...


class Retriever(Protocol):
    def retrieve(self, query: str, k: int) -> list[Retrieved]: ...


@dataclass
class Conversation:
    """The running state of one conversation (the runtime appends each turn)."""

    conversation_id: str
    messages: list[Message] = field(default_factory=list)
    customer: dict[str, Any] = field(default_factory=dict)
    order_id: str | None = None


@dataclass
class AgentTurn:
    """One turn's trace: what came in, what the agent did and why, and how long it took."""

    conversation_id: str
    agent_version: str
    message: str
    reply: str
    action: str  # answer | escalate
    reasons: list[str]
    intent: str | None
    confidence: float
    out_of_scope: bool
    sentiment: float | None
    retrieved: list[dict[str, Any]]  # doc id, kind, version, score
    used: list[str]  # doc ids the draft came from (its citations)
    draft: str
    draft_source: str
    grounding: dict[str, Any]
    tool_calls: list[ToolCall]
    triage: dict[str, Any] | None
    handoff: dict[str, Any] | None
    latency_ms: float
    stage_ms: dict[str, float]
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat()
        data["tool_calls"] = [{**asdict(c), "called_at": str(c.called_at)}
                              for c in self.tool_calls]  # fmt: skip
        return data


class Agent:
    """The reference support agent; ``respond`` is the whole turn (see the module docstring)."""

    def __init__(
        self,
        *,
        retriever: Retriever,
        intents: IntentClassifier | None = None,
        orders: OrderConnector | None = None,
        generator: Generator | None = None,
        policy: EscalationPolicy | None = None,
        version: str = "default",
        k: int = 5,
        today: date | None = None,
    ) -> None:
        self.retriever = retriever
        self.intents = intents
        self.orders = orders
        self.generator = generator or ExtractiveGenerator()
        self.policy = policy or EscalationPolicy.model_validate({})
        self.version = version
        self.k = k
        self.today = today

    def respond(self, conversation: Conversation, message: str) -> AgentTurn:
        started = time.perf_counter()
        stage: dict[str, float] = {}
        clock = time.perf_counter
        conversation.messages.append(Message("customer", message))

        t = clock()
        intent, confidence, oos = None, 1.0, False
        if self.intents is not None:
            p = self.intents.predict([message])[0]
            intent, confidence, oos = p.intent, float(p.confidence), bool(p.is_oos)
        stage["intent"] = (clock() - t) * 1000

        greeting = greeting_only(message)
        t = clock()
        tools = RecordingConnector(self.orders) if self.orders is not None else None
        triage = None if greeting else self._triage(conversation, message, intent, tools)
        stage["tools"] = (clock() - t) * 1000

        t = clock()
        looked_up = greeting or (triage is not None and triage.found)
        items = [] if looked_up else self.retriever.retrieve(message, self.k)
        stage["retrieve"] = (clock() - t) * 1000

        t = clock()
        draft: Draft = (Draft(GREETING_REPLY, [], "greeting") if greeting
                        else self.generator.compose(message, intent, items, triage))  # fmt: skip
        stage["compose"] = (clock() - t) * 1000

        t = clock()
        evidence = _evidence(items, triage, self.today)
        # A triage message is a template over verified order, stock and tracking data; a
        # greeting's reply is a fixed welcome.
        checkable = bool(draft.text) and draft.source not in ("order", "greeting")
        grounding = check_answer(draft.text, evidence) if checkable else None
        stage["grounding"] = (clock() - t) * 1000

        decision = decide(self.policy, Turn(message, intent, confidence, oos))
        # A bare "hi" is welcomed, not judged: its intent is unknown until the next message.
        reasons: list[str] = [] if greeting else list(decision.reasons)
        if not draft.text:
            reasons.append("no_answer")
        if grounding is not None and not grounding.ok:
            reasons.append("grounding_failed")
        if triage is not None and triage.escalate:
            reasons.append("order_exception")
        action = "escalate" if reasons else "answer"
        handoff = None
        reply = draft.text
        if action == "escalate":
            handoff = build_handoff(
                conversation.messages, decision, customer=conversation.customer,
                orders=[triage.context.get("order", {})] if triage and triage.found else [],
                draft_reply=draft.text or None,
            ).to_dict()  # fmt: skip
            handoff["reasons"] = reasons
            reply = HANDOFF_REPLY
        conversation.messages.append(Message("agent" if action == "answer" else "system", reply))
        return AgentTurn(
            conversation_id=conversation.conversation_id, agent_version=self.version,
            message=message, reply=reply, action=action, reasons=reasons, intent=intent,
            confidence=confidence, out_of_scope=oos, sentiment=decision.sentiment,
            retrieved=[{"doc_id": i.doc_id, "kind": i.kind, "version": i.version,
                        "score": round(i.score, 6)} for i in items],
            used=draft.used, draft=draft.text, draft_source=draft.source,
            grounding=grounding.to_dict() if grounding else {"ok": None, "claims": [],
                                                             "skipped": draft.source},
            tool_calls=list(tools.calls) if tools else [],
            triage=triage.to_dict() if triage else None, handoff=handoff,
            latency_ms=(time.perf_counter() - started) * 1000, stage_ms=stage,
            created_at=datetime.now(),
        )  # fmt: skip


    def _triage(self, conversation: Conversation, message: str, intent: str | None,
                tools: RecordingConnector | None) -> TriageResult | None:  # fmt: skip
        """Look the order up when the message names one (or the conversation already did)
        and is about an order. A bare number ("any eta on 21082?") is a guess: if no such
        order exists the turn goes on as if none was named (``orders/refs.py``)."""
        if tools is None:
            return None
        refs = order_refs(message)
        orderish = intent in ORDER_INTENTS or bool(refs) or intent is None
        if not orderish:
            return None
        now = (datetime.combine(self.today, datetime.min.time()) if self.today
               else datetime.now())  # fmt: skip
        for ref, named in refs:
            triage = run_triage(tools, ref, now)
            if triage.found or named:
                conversation.order_id = ref
                return triage
        if conversation.order_id:
            return run_triage(tools, conversation.order_id, now)
        return None


def _evidence(items: Sequence[Retrieved], triage: TriageResult | None,
              today: date | None) -> Evidence:  # fmt: skip
    products = [ProductFact(i.doc_id, i.title, price=i.price, in_stock=i.in_stock,
                            sizes=i.sizes, brand=i.brand, version=i.version)
                for i in items if i.kind == "product"]  # fmt: skip
    policies = [f for i in items if i.kind == "article"
                for f in policy_facts(f"{i.doc_id}@{i.version or '-'}", i.text,
                                      i.authoritative)]  # fmt: skip
    orders: list[OrderFact] = []
    if triage is not None and triage.found:
        o = triage.context["order"]
        etas = [s["eta"] for s in o.get("shipments", []) if s.get("eta")]
        prices = tuple(i["price"] for i in o["items"] if i.get("price") is not None)
        eta = date.fromisoformat(str(etas[0])) if etas else None
        orders.append(OrderFact(o["order_id"], status=o["status"], total=o["total"],
                                item_prices=prices, eta=eta))  # fmt: skip
    passages = [i.text for i in items if i.kind == "article"]
    return Evidence(products=products, policies=policies, orders=orders, today=today,
                    passages=passages)  # fmt: skip
