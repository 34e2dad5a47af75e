"""Agent endpoints: ``POST /respond`` (one customer turn) and ``GET /search`` (knowledge)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from shopcoach.agent.factory import build_agent, load_conversation
from shopcoach.agent.traces import save_turn
from shopcoach.api.auth import require
from shopcoach.kb.search import KnowledgeSearch
from shopcoach.keys import KeyInfo
from shopcoach.search import Filters
from shopcoach.stores import get_store

router = APIRouter(prefix="/api/v1")
AgentKey = Annotated[KeyInfo, Depends(require("agent"))]
ReadOrAgent = Annotated[KeyInfo, Depends(require("read", "agent"))]


class RespondRequest(BaseModel):
    conversation_id: str = Field(min_length=1, max_length=200)
    message: str = Field(min_length=1, max_length=20_000)
    agent_version: str | None = Field(None, description="Agent version whose dials apply.")
    customer: dict[str, Any] = Field(default_factory=dict)
    order_id: str | None = None


@router.post("/respond", tags=["agent"], summary="The agent's reply to one customer message")
def respond(request: Request, body: RespondRequest, key: AgentKey) -> dict[str, Any]:
    db, settings = request.app.state.db, request.app.state.settings
    with db.connect() as conn:
        store = get_store(conn, key.store_slug)
        conv = load_conversation(conn, store.id, body.conversation_id)
    conv.customer = body.customer
    conv.order_id = body.order_id or conv.order_id
    agent = build_agent(db, settings, store, version=body.agent_version)
    turn = agent.respond(conv, body.message)
    with db.begin() as conn:
        turn_id = save_turn(conn, store.id, turn)
    data = turn.to_dict()
    return {"turn_id": turn_id, "reply": turn.reply, "action": turn.action,
            "reasons": turn.reasons, "intent": turn.intent, "confidence": turn.confidence,
            "citations": turn.used, "handoff": data["handoff"], "grounding": turn.grounding,
            "latency_ms": round(turn.latency_ms, 2)}  # fmt: skip


@router.get("/search", tags=["agent"], summary="Search the store's current knowledge")
def search(
    request: Request,
    key: ReadOrAgent,
    q: Annotated[str, Query(min_length=1, max_length=1000, description="The query.")],
    k: Annotated[int, Query(ge=1, le=100)] = 10,
    kind: Annotated[str | None, Query(pattern="^(product|article)$")] = None,
    category: str | None = None,
    in_stock: bool | None = None,
    min_price: Annotated[float | None, Query(ge=0)] = None,
    max_price: Annotated[float | None, Query(ge=0)] = None,
    valid_at: date | None = None,
) -> dict[str, Any]:
    db, settings = request.app.state.db, request.app.state.settings
    with db.connect() as conn:
        store = get_store(conn, key.store_slug)
    embedder = None if settings.embedder == "none" else settings.embedder
    ks = KnowledgeSearch.for_store(db, store, settings.home, embedder)
    filters = Filters(kind=kind, category=category, in_stock=in_stock, min_price=min_price,
                      max_price=max_price, valid_at=valid_at)  # fmt: skip
    chosen = None if filters.is_empty() else filters
    hits = ks.search(q, k=k, filters=chosen)
    return {"query": q, "mode": ks.mode, "rewritten": ks.rewrite(q, chosen).to_dict(),
            "results": [h.to_dict() for h in hits]}  # fmt: skip
