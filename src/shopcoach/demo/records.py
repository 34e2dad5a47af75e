"""One simulated conversation as the store would capture it: messages, outcome, signals.

:class:`Transcript` advances simulated time as customer and agent take turns and collects
the signals a real store would see (thumbs, human requests, escalations, repeat contacts,
abandonment, resolution). :func:`conversation_record` renders it in the capture import
schema (``docs/import-schema.md``). :func:`reply_fields` reads any AgentTurn-like reply: an
object or a dict with ``reply`` and ``action`` (``answer``/``escalate``) and optionally
``intent``, ``confidence``, ``used``, ``retrieved``, ``reasons``, ``latency_ms``,
``agent_version``, ``tool_calls``, ``triage``.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from shopcoach.demo import phrases as ph

CHANNELS: tuple[str, ...] = ("chat", "email", "whatsapp", "sms")
CHANNEL_WEIGHTS: tuple[float, ...] = (75, 12, 9, 4)


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="seconds").replace("+00:00", "Z")


def _get(reply: Any, name: str, default: Any = None) -> Any:
    if isinstance(reply, dict):
        return reply.get(name, default)
    return getattr(reply, name, default)


def reply_fields(reply: Any) -> dict[str, Any]:
    """The parts of an agent reply the records use (see the module docstring)."""
    kinds = {r.get("doc_id"): r.get("kind") for r in _get(reply, "retrieved", None) or []
             if isinstance(r, dict)}  # fmt: skip
    citations = []
    for doc in _get(reply, "used", None) or []:
        kind = kinds.get(doc) or ("article" if "#" in str(doc) else "product")
        citations.append({"source": kind, "id": str(doc)})
    triage = _get(reply, "triage", None)
    if isinstance(triage, dict) and triage.get("found"):
        citations.append({"source": "order", "id": str(triage.get("order_id"))})
    calls = []
    for c in _get(reply, "tool_calls", None) or []:
        call = {"name": _get(c, "tool") or _get(c, "name") or "tool",
                "arguments": _get(c, "arguments") or {}, "result": _get(c, "result"),
                "latency_ms": max(0.0, float(_get(c, "latency_ms") or 0.0))}  # fmt: skip
        if _get(c, "error"):
            call["error"] = str(_get(c, "error"))
        calls.append(call)
    confidence = _get(reply, "confidence", None)
    return {
        "reply": str(_get(reply, "reply", "") or ""),
        "action": "escalate" if _get(reply, "action") == "escalate" else "answer",
        "intent": _get(reply, "intent", None),
        "confidence": None if confidence is None else min(1.0, max(0.0, float(confidence))),
        "reasons": list(_get(reply, "reasons", None) or []),
        "latency_ms": max(0.0, float(_get(reply, "latency_ms", 0.0) or 0.0)),
        "agent_version": _get(reply, "agent_version", None),
        "citations": citations,
        "tool_calls": calls,
    }


class Transcript:
    """The running record of one simulated conversation (see the module docstring)."""

    def __init__(self, conversation_id: str, started_at: datetime) -> None:
        self.id = conversation_id
        self.started_at = started_at
        self.clock = started_at
        self.messages: list[dict[str, Any]] = []
        self.signals: list[dict[str, Any]] = []
        self.escalated = False
        self.asked_human = False
        self.outcome: str | None = None
        self.csat: int | None = None
        self.customer_count = 0
        self.typo_count = 0
        self.first_main_index: int | None = None
        self.last_text = ""
        self._channel: str | None = None

    def channel(self, rng: random.Random) -> str:
        if self._channel is None:
            self._channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
        return self._channel

    def customer(self, text: str, typo: bool, rng: random.Random) -> None:
        if self.messages:
            self.clock += timedelta(seconds=rng.randint(15, 120))
        self.messages.append({"role": "customer", "text": text, "sent_at": _iso(self.clock)})
        self.last_text = text
        self.customer_count += 1
        self.typo_count += typo

    def agent(self, reply: Any, rng: random.Random) -> None:
        f = reply_fields(reply)
        self.clock += timedelta(milliseconds=f["latency_ms"] or rng.randint(600, 2500))
        message: dict[str, Any] = {"role": "ai", "text": f["reply"] or "…",
                                   "sent_at": _iso(self.clock),
                                   "latency_ms": round(f["latency_ms"], 3)}  # fmt: skip
        if f["citations"]:
            message["citations"] = f["citations"]
        if f["tool_calls"]:
            message["tool_calls"] = f["tool_calls"]
        self.messages.append(message)
        if self.first_main_index is None and self.customer_count and not self._greeting_only():
            self.first_main_index = len(self.messages) - 1
        if f["action"] == "escalate" and not self.escalated:
            self.escalated = True
            self.signal("escalation", None, len(self.messages) - 1, rng,
                        reason=",".join(f["reasons"]) or "handoff")  # fmt: skip
            self.clock += timedelta(seconds=rng.randint(40, 600))
            text = rng.choice(ph.HUMAN_AGENT).format(name=rng.choice(ph.HUMAN_NAMES))
            self.messages.append({"role": "human", "text": text, "sent_at": _iso(self.clock),
                                  "latency_ms": 1000.0 * rng.randint(40, 600)})  # fmt: skip

    def _greeting_only(self) -> bool:
        return self.customer_count == 1 and self.last_text.lower().rstrip("?!. ") in {
            g.lower().rstrip("?!. ") for g in ph.GREETINGS}  # fmt: skip

    def signal(self, kind: str, value: float | None, index: int | None, rng: random.Random,
               **context: Any) -> None:  # fmt: skip
        at = self.clock + timedelta(seconds=rng.randint(5, 300))
        record: dict[str, Any] = {
            "external_id": f"{self.id}:{kind}:{len(self.signals)}", "type": kind,
            "occurred_at": _iso(at), "conversation_id": self.id, "source": "shopcoach-demo",
        }  # fmt: skip
        if value is not None:
            record["value"] = value
        if index is not None:
            record["message_index"] = index
        if context:
            record["context"] = context
        self.signals.append(record)

    def _ai_index(self) -> int | None:
        if self.first_main_index is not None:
            return self.first_main_index
        return next((i for i in range(len(self.messages) - 1, -1, -1)
                     if self.messages[i]["role"] == "ai"), None)  # fmt: skip

    def react_right(self, rng: random.Random, cfg: Any, angry: bool) -> None:
        self.outcome = "resolved"
        if rng.random() < cfg.right_thumbs_up:
            self.signal("thumbs", 1, self._ai_index(), rng)
        if rng.random() < cfg.right_csat:
            self.csat = rng.choices((3, 4, 5), (1, 3, 6) if not angry else (3, 4, 3))[0]
        if rng.random() < cfg.right_resolution:
            self.signal("resolution", 1, None, rng)

    def react_wrong(self, rng: random.Random, cfg: Any) -> None:
        if self.escalated:
            self.outcome = "escalated"
        elif any(s["type"] == "abandonment" for s in self.signals):
            self.outcome = "abandoned"
        else:
            self.outcome = "resolved"  # the bot thinks so; the customer will be back
        if rng.random() < cfg.wrong_thumbs_down:
            self.signal("thumbs", -1, self._ai_index(), rng)
        if rng.random() < cfg.wrong_csat:
            self.csat = rng.choices((1, 2, 3), (5, 4, 1))[0]
        if rng.random() < 0.15:
            self.signal("resolution", 0, None, rng)

    def react_escalated(self, rng: random.Random, cfg: Any) -> None:
        self.outcome = "escalated"
        if rng.random() < cfg.escalated_csat:
            self.csat = rng.choices((2, 3, 4, 5), (1, 3, 4, 3))[0]


def conversation_record(t: Transcript, main: dict[str, Any], tags: list[str],
                        rng: random.Random | None = None) -> dict[str, Any]:  # fmt: skip
    rng = rng or random.Random(t.id)
    record: dict[str, Any] = {
        "external_id": t.id, "channel": t.channel(rng), "started_at": _iso(t.started_at),
        "ended_at": _iso(max(t.clock, t.started_at)),
        "handled_by": "hybrid" if t.escalated else "ai",
        "outcome": t.outcome or ("escalated" if t.escalated else "resolved"),
        "language": "en", "messages": t.messages, "metadata": {"source": "shopcoach-demo"},
    }  # fmt: skip
    for name in ("agent_version", "intent", "confidence"):
        if main.get(name) is not None:
            record[name] = main[name]
    if t.csat is not None:
        record["csat"] = t.csat
    if tags:
        record["tags"] = tags
    return record
