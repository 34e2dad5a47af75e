"""Writing the files, validating them with Shopcoach's own schema, and the summary."""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from juniper.plan import (
    Built,
    Stats,
)
from juniper.settings import (
    CONVERSATIONS_PATH,
    HERE,
    N_CONVERSATIONS,
    N_FOLLOW_UPS,
    SIGNALS_PATH,
    WINDOW_END,
    WINDOW_START,
)
from juniper.signals import Signal


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")


# ============================================================================ validation


def load_schema() -> tuple[Any, Any]:
    try:
        from shopcoach.capture.schema import ConversationIn, SignalIn
    except ImportError:  # run without PYTHONPATH=src
        sys.path.insert(0, str(HERE.parent / "src"))
        from shopcoach.capture.schema import ConversationIn, SignalIn
    return ConversationIn, SignalIn


def validate(conv_path: Path, sig_path: Path) -> tuple[list[dict[str, Any]], list[Signal]]:
    """Re-read both files and check every line; exit non-zero on the first problems."""
    conversation_model, signal_model = load_schema()
    errors: list[str] = []
    conversations = [json.loads(line) for line in conv_path.read_text("utf-8").splitlines()]
    signals = [json.loads(line) for line in sig_path.read_text("utf-8").splitlines()]
    by_id: dict[str, Any] = {}
    for n, obj in enumerate(conversations, 1):
        try:
            conv = conversation_model.model_validate(obj)
        except ValueError as exc:
            errors.append(f"{conv_path.name}:{n}: {exc}")
            continue
        by_id[conv.external_id] = conv
        errors += check_conversation(conv, n)
    sig_ids = set()
    for n, obj in enumerate(signals, 1):
        try:
            sig = signal_model.model_validate(obj)
        except ValueError as exc:
            errors.append(f"{sig_path.name}:{n}: {exc}")
            continue
        sig_ids.add(sig.external_id)
        errors += check_signal(sig, by_id.get(sig.conversation_id), n)
    if len(by_id) != N_CONVERSATIONS:
        errors.append(f"{len(by_id)} distinct conversations, expected {N_CONVERSATIONS}")
    if len(sig_ids) != len(signals):
        errors.append("signal external_ids are not unique")
    if errors:
        print("\n".join(errors[:30]), file=sys.stderr)
        raise SystemExit(f"{len(errors)} validation error(s)")
    return conversations, signals


def check_conversation(conv: Any, n: int) -> list[str]:
    errors = []
    times = [m.sent_at for m in conv.messages]
    if any(b <= a for a, b in zip(times, times[1:], strict=False)):
        errors.append(f"line {n}: message times do not increase")
    if not WINDOW_START <= conv.started_at < WINDOW_END or conv.ended_at >= WINDOW_END:
        errors.append(f"line {n}: outside the window")
    if not 2 <= len(conv.messages) <= 10:
        errors.append(f"line {n}: {len(conv.messages)} messages")
    for m in conv.messages:
        if m.role.value == "ai" and not 300 <= (m.latency_ms or 0) <= 4000:
            errors.append(f"line {n}: ai latency {m.latency_ms}")
    if (conv.handled_by.value == "human") != (conv.agent_version is None):
        errors.append(f"line {n}: agent_version does not match handled_by")
    return errors


def check_signal(sig: Any, conv: Any, n: int) -> list[str]:
    if conv is None:
        return [f"signals line {n}: unknown conversation {sig.conversation_id}"]
    errors = []
    if sig.occurred_at <= conv.started_at:
        errors.append(f"signals line {n}: occurs before its conversation starts")
    if sig.message_index is not None and sig.message_index >= len(conv.messages):
        errors.append(f"signals line {n}: message_index out of range")
    if sig.type.value == "thumbs" and conv.messages[sig.message_index].role.value != "ai":
        errors.append(f"signals line {n}: thumbs on a non-ai message")
    return errors


# =============================================================================== summary

PII_PATTERNS = {
    "email": r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    "phone (US)": r"(?:\+1 )?\(?\d{3}\)?[ .-]555[ .-]01\d\d",
    "phone (UK)": r"(?:\+44 7700 900\d{3}|07700 900\d{3}|020 7946 0\d{3})",
    "card number": r"\b(?:\d[ -]?){13,16}\b",
}


def print_counts(title: str, counter: Counter[str]) -> None:
    items = ", ".join(f"{k} {v}" for k, v in counter.most_common())
    print(f"{title} ({sum(counter.values())}): {items}")


def summarize(conversations: list[dict[str, Any]], signals: list[Signal], built: list[Built],
              stats: Stats) -> None:
    print_counts("intent (all, incl. human-only)", Counter(b.plan.intent for b in built))
    print_counts("channel", Counter(c["channel"] for c in conversations))
    print_counts("outcome", Counter(c["outcome"] for c in conversations))
    print_counts("handled_by", Counter(c["handled_by"] for c in conversations))
    print_counts("agent_version", Counter(c.get("agent_version", "-") for c in conversations))
    print_counts("language", Counter(c["language"] for c in conversations))
    print_counts("messages by role", Counter(m["role"] for c in conversations
                                             for m in c["messages"]))
    rated = sum("csat" in c for c in conversations)
    print(f"csat on {rated} conversations; {len({c.get('customer_id') for c in conversations})}"
          f" distinct customer ids; {N_FOLLOW_UPS} follow-ups")
    print_counts("signal type", Counter(s["type"] for s in signals))
    print_counts("planted errors", Counter(b.plan.planted for b in built if b.plan.planted))
    print_counts("PII planted (customer messages)", stats.pii)
    share = stats.pii_messages / stats.customer_messages
    print(f"customer messages with PII: {stats.pii_messages}/{stats.customer_messages} "
          f"({share:.0%})")
    text = "\n".join(m["text"] for c in conversations for m in c["messages"]
                     if m["role"] == "customer")
    found = Counter({k: len(re.findall(p, text)) for k, p in PII_PATTERNS.items()})
    print_counts("PII regex cross-check (customer text)", found)
    size = CONVERSATIONS_PATH.stat().st_size
    print(f"{CONVERSATIONS_PATH.name}: {size / 1024:.0f} KiB; {SIGNALS_PATH.name}: "
          f"{SIGNALS_PATH.stat().st_size / 1024:.0f} KiB")


def print_planted(built: list[Built]) -> None:
    kinds = sorted({b.plan.planted for b in built if b.plan.planted})
    for kind in kinds:
        ids = [b.external_id for b in built if b.plan.planted == kind]
        print(f"{kind} ({len(ids)}): {' '.join(ids)}")
