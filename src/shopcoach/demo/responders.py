"""Plug an agent into the simulator: the reference agent, or a fixed-answer one for tests.

``AgentResponder(agent)`` keeps one ``Conversation`` per conversation id, moves the agent's
clock to the simulated day (``set_day``: the agent's ``today`` and its retriever's, so
seasonal articles are found only while they are valid) and hands every ``AgentTurn`` to
``on_turn`` (e.g. ``agent.traces.save_turn``) before returning it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from shopcoach.agent.runtime import Agent, AgentTurn, Conversation


class AgentResponder:
    def __init__(self, agent: Agent, on_turn: Callable[[AgentTurn], None] | None = None) -> None:
        self.agent = agent
        self.on_turn = on_turn
        self.conversations: dict[str, Conversation] = {}

    def set_day(self, day: date) -> None:
        self.agent.today = day
        retriever: Any = self.agent.retriever
        if hasattr(retriever, "today"):
            retriever.today = day

    def __call__(self, conversation_id: str, message: str) -> AgentTurn:
        conv = self.conversations.setdefault(conversation_id, Conversation(conversation_id))
        turn = self.agent.respond(conv, message)
        if self.on_turn is not None:
            self.on_turn(turn)
        return turn


def canned(reply: str = "Thanks for your message.", action: str = "answer") -> Callable[
    [str, str], dict[str, Any]
]:  # fmt: skip
    """A responder that always says the same thing (timing the simulator without an agent)."""

    def respond(conversation_id: str, message: str) -> dict[str, Any]:
        return {"reply": reply, "action": action, "intent": None, "confidence": 1.0,
                "latency_ms": 0.0}  # fmt: skip

    return respond
