"""Escalation dials and the handoff package (R-AGT-2/3/4)."""

from __future__ import annotations

import csv
import json

import pytest
import sqlalchemy as sa

from shopcoach.agent.dials import create_version, get_policy, set_dials
from shopcoach.agent.escalation import (
    Decision,
    EscalationPolicy,
    Message,
    Turn,
    asks_for_human,
    build_handoff,
    decide,
    sentiment_score,
)
from shopcoach.audit import entries
from shopcoach.errors import NotFound, ValidationFailed
from shopcoach.search.datasets import data_dir
from shopcoach.store.engine import Database
from shopcoach.store.tables import agent_versions
from shopcoach.stores import Store

POLICY = EscalationPolicy(
    default_threshold=0.6,
    thresholds={"track_order": 0.3, "get_refund": 0.9},
    always_human=["complaint"],
    sensitive_intents=["payment_issue", "get_refund"],
)


def turn(text: str = "where is my order", intent: str | None = "track_order",
         confidence: float = 0.8, **kw: object) -> Turn:  # fmt: skip
    return Turn(text=text, intent=intent, confidence=confidence, **kw)  # type: ignore[arg-type]


def test_confident_in_scope_turn_is_answered() -> None:
    d = decide(POLICY, turn())
    assert (d.action, d.reasons, d.threshold) == ("answer", (), 0.3)


@pytest.mark.parametrize(
    ("t", "reasons"),
    [
        (turn(intent="complaint", confidence=0.99), ("always_human",)),
        (turn("Can I talk to a real person please?"), ("asked_for_human",)),
        (turn(intent="get_refund", confidence=0.85), ("low_confidence",)),  # its dial is 0.9
        (turn(intent="check_invoice", confidence=0.55), ("low_confidence",)),  # default 0.6
        (turn("what's the weather", intent=None, confidence=0.2, out_of_scope=True),
         ("out_of_scope",)),
        (turn("You charged me twice, this is unacceptable and I am really angry",
              intent="payment_issue", confidence=0.95), ("negative_sentiment",)),
        (turn("I hate this, get me a human now", intent="complaint", confidence=0.2),
         ("always_human", "asked_for_human", "low_confidence")),
    ],
)  # fmt: skip
def test_each_rule_escalates_with_its_reason(t: Turn, reasons: tuple[str, ...]) -> None:
    d = decide(POLICY, t)
    assert d.action == "escalate"
    assert d.reasons == reasons


def test_negative_sentiment_only_escalates_sensitive_intents() -> None:
    angry = "This is outrageous, terrible service, I am furious!"
    assert sentiment_score(angry) is not None and sentiment_score(angry) < -0.5  # type: ignore[operator]
    assert decide(POLICY, turn(angry, intent="track_order")).action == "answer"
    assert decide(POLICY.model_copy(update={"sensitive_all": True}),
                  turn(angry, intent="track_order")).reasons == ("negative_sentiment",)  # fmt: skip


def test_out_of_scope_can_be_answered_when_the_dial_says_so() -> None:
    policy = POLICY.model_copy(update={"escalate_out_of_scope": False})
    assert decide(policy, turn(intent=None, confidence=0.1, out_of_scope=True)).action == "answer"


def test_invalid_dials_are_refused_with_the_field() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        EscalationPolicy(thresholds={"track_order": 1.5})
    with pytest.raises(ValueError, match="not a valid regex"):
        EscalationPolicy(human_phrases=["(unclosed"])


def test_explicit_human_requests_on_real_bitext_queries() -> None:
    """Bitext (CDLA-Sharing): customers asking for a person, in their own words, vs all the
    other intents. Measured on the shared file: 126/129 found, 0 of 3,483 others flagged."""
    path = data_dir() / "bitext-customer-support" / "bitext_train.csv"
    if not path.is_file():
        pytest.skip(f"shared dataset bitext-customer-support not found at {path}")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    asks = [r["instruction"] for r in rows if r["intent"] == "contact_human_agent"]
    others = [r["instruction"] for r in rows if r["intent"] != "contact_human_agent"]
    recall = sum(map(asks_for_human, asks)) / len(asks)
    false_alarms = sum(map(asks_for_human, others))
    assert recall >= 0.95, recall
    assert false_alarms <= len(others) * 0.002, false_alarms


def test_handoff_package_carries_context_and_draft() -> None:
    messages = [
        Message("customer", "Hi, my order #A12345 never arrived and I was charged twice."),
        Message("agent", "I'm sorry to hear that. Let me check order A12345."),
        Message("customer", "I want to speak to a manager."),
    ]
    decision = decide(POLICY, turn(messages[-1].text, intent="payment_issue", confidence=0.7))
    handoff = build_handoff(
        messages, decision, customer={"ref": "cust-9", "tier": "gold"},
        orders=[{"order_id": "A12345", "status": "shipped"}],
        draft_reply="I've refunded the duplicate charge of $42.00.",
    )  # fmt: skip
    data = handoff.to_dict()
    assert data["intent"] == "payment_issue" and data["confidence"] == 0.7
    assert data["reasons"] == ("asked_for_human",)
    assert data["order_ids_mentioned"] == ["A12345"]
    assert "never arrived" in data["summary"] and "asked for a person" in data["summary"]
    assert data["draft_reply"].startswith("I've refunded")
    assert data["transcript_tail"][-1] == {"role": "customer", "text": messages[-1].text}
    assert isinstance(decision, Decision)


# --- dials stored per agent version (SQLite and PostgreSQL) ------------------------------------


def test_dials_are_stored_per_version_and_audited(db: Database, store: Store) -> None:
    with db.begin() as conn:
        create_version(conn, store.id, "v1", actor="coach@shop", model="extractive")
        first = {"thresholds": {"get_refund": 0.9}, "always_human": ["complaint"]}
        set_dials(conn, store.id, "v1", first, actor="coach@shop")
        set_dials(conn, store.id, "v1", {"thresholds": {"track_order": 0.3}}, actor="coach@shop")
        create_version(conn, store.id, "v2", actor="coach@shop", copy_from="v1")
        set_dials(conn, store.id, "v2", {"default_threshold": 0.4}, actor="coach@shop")
    with db.connect() as conn:
        v1, v2 = get_policy(conn, store.id, "v1"), get_policy(conn, store.id, "v2")
        log = entries(conn, store_id=store.id)
    assert v1.thresholds == {"get_refund": 0.9, "track_order": 0.3}
    assert v1.default_threshold == 0.5 and v2.default_threshold == 0.4
    assert v2.always_human == ["complaint"] and v2.thresholds == v1.thresholds
    assert [e.action for e in log].count("agent_version.dials") == 3


def test_active_versions_are_immutable_and_errors_name_the_fix(db: Database, store: Store) -> None:
    with db.begin() as conn:
        create_version(conn, store.id, "live", actor="ops")
        conn.execute(sa.update(agent_versions).where(agent_versions.c.label == "live")
                     .values(status="active"))  # fmt: skip
    with db.begin() as conn, pytest.raises(ValidationFailed, match="cannot change") as exc:
        set_dials(conn, store.id, "live", {"default_threshold": 0.2}, actor="ops")
    assert "create-version" in (exc.value.hint or "")
    with db.begin() as conn, pytest.raises(ValidationFailed, match="default_threshold"):
        create_version(conn, store.id, "d", actor="ops")
        set_dials(conn, store.id, "d", {"default_threshold": 7}, actor="ops")
    with db.begin() as conn, pytest.raises(NotFound, match="nope"):
        get_policy(conn, store.id, "nope")
    # An existing label is never overwritten (on PostgreSQL too, where a skipped INSERT's
    # rowcount is not 0); re-creating an identical draft is a no-op.
    with db.begin() as conn, pytest.raises(ValidationFailed, match="already exists"):
        create_version(conn, store.id, "live", actor="ops")
    with db.begin() as conn:
        create_version(conn, store.id, "d2", actor="ops")
        create_version(conn, store.id, "d2", actor="ops")


def test_cli_sets_and_shows_dials(db_url: str, db: Database, store: Store) -> None:
    from typer.testing import CliRunner

    from shopcoach.cli import app

    def run(*args: str) -> tuple[int, str]:
        r = CliRunner().invoke(app, ["--db", db_url, "agent", *args])
        return r.exit_code, r.output + str(r.exception or "")

    assert run("create-version", "v1")[0] == 0
    code, out = run("dials", "v1", "--threshold", "get_refund=0.9", "--always-human",
                    "complaint", "--answer-oos", "--json")  # fmt: skip
    assert code == 0, out
    shown = json.loads(out)
    assert shown["thresholds"] == {"get_refund": 0.9} and shown["always_human"] == ["complaint"]
    assert shown["escalate_out_of_scope"] is False
    code, out = run("dials", "v1", "--threshold", "get_refund")
    assert code == 1 and "--threshold get_refund=0.9" in out
    code, out = run("dials", "v1")
    assert code == 0 and "get_refund" in out and "0.90" in out
