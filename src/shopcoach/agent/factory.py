"""Build the store's agent from settings and the database; restore a conversation's state.

The HTTP endpoint and ``shopcoach chat`` both call :func:`build_agent`: knowledge search over
the store's current KB (``kb/search.py``), the intent model named by ``intent_model``, the
built-in order connector, the escalation dials of the agent version, and the extractive or
OpenAI-compatible generator (``llm_base_url``).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from shopcoach.agent.compose import ExtractiveGenerator, Generator, OpenAIGenerator
from shopcoach.agent.dials import get_policy
from shopcoach.agent.escalation import EscalationPolicy, Message
from shopcoach.agent.runtime import Agent, Conversation
from shopcoach.errors import NotFound
from shopcoach.kb.search import KnowledgeSearch
from shopcoach.orders.connector import StoreConnector
from shopcoach.settings import Settings
from shopcoach.store.engine import Database
from shopcoach.store.tables import agent_turns
from shopcoach.stores import Store


@lru_cache(maxsize=4)
def _intent_model(path: str) -> Any:
    from shopcoach.intents.artifact import load_model

    return load_model(Path(path))


def build_agent(
    db: Database, settings: Settings, store: Store, *, version: str | None = None,
    today: date | None = None,
) -> Agent:  # fmt: skip
    embedder = None if settings.embedder == "none" else settings.embedder
    search = KnowledgeSearch.for_store(db, store, settings.home, embedder)
    policy = EscalationPolicy.model_validate({})
    if version:
        with db.connect() as conn:
            try:
                policy = get_policy(conn, store.id, version)
            except NotFound:
                policy = EscalationPolicy.model_validate({})
    generator: Generator = ExtractiveGenerator()
    if settings.llm_base_url:
        generator = OpenAIGenerator(settings.llm_base_url, settings.llm_model,
                                    settings.llm_api_key)  # fmt: skip
    intents = _intent_model(str(settings.intent_model)) if settings.intent_model else None
    return Agent(retriever=search.retriever(today), intents=intents,
                 orders=StoreConnector(db, store.id), generator=generator, policy=policy,
                 version=version or "default", today=today)  # fmt: skip


def load_conversation(conn: sa.Connection, store_id: int, conversation_id: str) -> Conversation:
    """The conversation so far, from its stored turns (messages, remembered order number)."""
    t = agent_turns
    rows = conn.execute(
        sa.select(t.c.message, t.c.reply, t.c.action, t.c.triage)
        .where(t.c.store_id == store_id, t.c.conversation_external_id == conversation_id)
        .order_by(t.c.id)
    )
    conv = Conversation(conversation_id)
    for message, reply, action, triage in rows:
        conv.messages.append(Message("customer", message))
        conv.messages.append(Message("agent" if action == "answer" else "system", reply))
        if triage and triage.get("found"):
            conv.order_id = triage.get("order_id")
    return conv
