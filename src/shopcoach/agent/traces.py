"""Store agent turns (``agent_turns``) with their tool calls (``tool_calls``, trace ``turn:<id>``).

The trace is what the loop scores later: intent and confidence, the knowledge items (and their
versions) retrieved and used, the tool calls, the grounding result, the decision and latency.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from shopcoach.agent.runtime import AgentTurn
from shopcoach.errors import NotFound
from shopcoach.orders.connector import save_tool_calls
from shopcoach.store.sql import insert_for
from shopcoach.store.tables import agent_turns

log = logging.getLogger(__name__)


def save_turn(conn: sa.Connection, store_id: int, turn: AgentTurn) -> int:
    """Write one turn and its tool calls; returns the turn id."""
    return save_turns(conn, store_id, [turn])[0]


def save_turns(conn: sa.Connection, store_id: int, turns: Sequence[AgentTurn]) -> list[int]:
    rows = [_row(store_id, t) for t in turns]
    if not rows:
        return []
    result = conn.execute(insert_for(conn, agent_turns).returning(agent_turns.c.id), rows)
    ids = [r[0] for r in result]
    for turn_id, turn in zip(ids, turns, strict=True):
        save_tool_calls(conn, store_id, f"turn:{turn_id}", turn.tool_calls)
        if turn.used:
            _record_sources(conn, store_id, f"turn:{turn_id}", turn.used)
    return ids


def _record_sources(conn: sa.Connection, store_id: int, ref: str, used: list[str]) -> None:
    """Which knowledge versions the answer used (R-KB-4). Documents that are not knowledge-base
    items (an index built from other sources) have no version to record; the turn's ``used``
    column keeps their ids either way."""
    from shopcoach.kb.usage import record_answer_sources

    with conn.begin_nested():
        try:
            record_answer_sources(conn, store_id, ref, used)
        except NotFound:
            log.info("answer %s used documents outside the knowledge base: %s", ref, used)


def _row(store_id: int, t: AgentTurn) -> dict[str, Any]:
    return {
        "store_id": store_id, "conversation_external_id": t.conversation_id[:200],
        "agent_version": t.agent_version, "message": t.message, "reply": t.reply,
        "action": t.action, "reasons": t.reasons, "intent": t.intent,
        "confidence": t.confidence, "out_of_scope": t.out_of_scope, "sentiment": t.sentiment,
        "retrieved": t.retrieved, "used": t.used, "draft": t.draft,
        "draft_source": t.draft_source, "grounding": t.grounding, "triage": _jsonable(t.triage),
        "handoff": _jsonable(t.handoff), "latency_ms": t.latency_ms, "stage_ms": t.stage_ms,
        "created_at": t.created_at,
    }  # fmt: skip


def _jsonable(value: Any) -> Any:
    """Dates and datetimes inside triage/handoff context as ISO strings."""
    import orjson

    return None if value is None else orjson.loads(orjson.dumps(value, default=str))
