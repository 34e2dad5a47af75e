"""Threshold dials (R-AGT-3) on planted situations, on SQLite and PostgreSQL.

The plant (through the real capture path), with version v1 in force (track_order 0.80,
default 0.50):

* track_order — 45 handed to a human who resolved it in one message in 90 s (confidence
  0.60..0.79), 10 that took a human three messages and 10 minutes (confidence 0.55), 40 the
  AI answered well (0.80..0.99) → tighten 0.80 → 0.60;
* returns — 25 AI answers with CSAT 2 (0.50..0.74; some repeat contacts, some asked for a
  human), 25 good ones (0.75..0.99), 3 same-customer follow-ups within 24 h → loosen 0.50 →
  0.75;
* size_help — 40 good AI answers → nothing; gift_card — 5 conversations → too few.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa

from shopcoach.agent.dials import get_policy, set_dials
from shopcoach.capture.writer import ingest_conversations, ingest_signals
from shopcoach.errors import NotFound, ValidationFailed
from shopcoach.review.dials import DialsConfig, from_rows, recommend, whatif
from shopcoach.review.dials_store import apply_for, current_version, load, recommendations
from shopcoach.store.engine import Database
from shopcoach.store.tables import agent_versions, audit_log
from shopcoach.stores import Store

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _iso(t: datetime) -> str:
    return t.isoformat().replace("+00:00", "Z")


def _conv(
    ext: str,
    i: int,
    intent: str,
    conf: float,
    handled: str,
    *,
    outcome: str = "resolved",
    csat: int | None = 5,
    humans: int = 0,
    seconds: int = 60,
    customer: str | None = None,
    start: datetime | None = None,
) -> dict[str, Any]:
    start = start or T0 + timedelta(minutes=7 * i)
    msgs: list[dict[str, Any]] = [
        {"role": "customer", "text": f"help with {intent} {i}", "sent_at": _iso(start)}
    ]
    if handled == "ai":
        msgs.append({"role": "ai", "text": "Here you go.", "sent_at": _iso(start)})
    else:
        if handled == "hybrid":
            msgs.append({"role": "ai", "text": "Connecting you.", "sent_at": _iso(start)})
        for k in range(humans):
            msgs.append({"role": "human", "text": f"Answer {k}.", "sent_at": _iso(start)})
    return {
        "external_id": ext,
        "started_at": _iso(start),
        "ended_at": _iso(start + timedelta(seconds=seconds)),
        "handled_by": handled,
        "agent_version": "v1",
        "intent": intent,
        "confidence": round(conf, 2),
        "outcome": outcome,
        "csat": csat,
        "messages": msgs,
        "customer_id": customer or f"cust-{ext}",
    }


def plant(db: Database, store: Store) -> None:
    convs: list[dict[str, Any]] = []
    sigs: list[dict[str, Any]] = []
    for i in range(45):
        convs.append(
            _conv(
                f"to-simple-{i}",
                i,
                "track_order",
                0.60 + (i % 20) / 100,
                "hybrid",
                humans=1,
                seconds=90,
            )
        )
    for i in range(10):
        convs.append(
            _conv(
                f"to-hard-{i}", 50 + i, "track_order", 0.55, "hybrid", humans=3, seconds=600, csat=4
            )
        )
    for i in range(40):
        convs.append(_conv(f"to-ai-{i}", 70 + i, "track_order", 0.80 + (i % 20) / 100, "ai"))
    for i in range(25):
        ext = f"ret-bad-{i}"
        convs.append(
            _conv(ext, 120 + i, "returns", 0.50 + i / 100, "ai", csat=2, customer=f"shopper-{i}")
        )
        if i % 2 == 0:
            sigs.append(
                {
                    "external_id": f"rep-{i}",
                    "type": "repeat_contact",
                    "occurred_at": _iso(T0 + timedelta(days=1)),
                    "conversation_id": ext,
                }
            )
        if i % 5 == 0:
            sigs.append(
                {
                    "external_id": f"ask-{i}",
                    "type": "human_request",
                    "occurred_at": _iso(T0 + timedelta(days=1)),
                    "conversation_id": ext,
                }
            )
    for i in range(3):  # shoppers 1, 3, 5 come back within 24 h (odd: no repeat signal)
        first = T0 + timedelta(minutes=7 * (120 + 2 * i + 1))
        convs.append(
            _conv(
                f"ret-again-{i}",
                0,
                "returns",
                0.9,
                "ai",
                customer=f"shopper-{2 * i + 1}",
                start=first + timedelta(hours=20),
            )
        )
    for i in range(25):
        convs.append(_conv(f"ret-ok-{i}", 150 + i, "returns", 0.75 + i / 100, "ai"))
    for i in range(40):
        convs.append(_conv(f"size-{i}", 180 + i, "size_help", 0.60 + i / 100, "ai"))
    for i in range(5):
        convs.append(_conv(f"gift-{i}", 230 + i, "gift_card", 0.9, "ai", csat=1))
    with db.begin() as conn:
        result = ingest_conversations(conn, store, list(enumerate(convs)))
        assert result.accepted == len(convs), result.rejected[:3]
        assert ingest_signals(conn, store, list(enumerate(sigs))).accepted == len(sigs)
        set_dials(conn, store.id, "v1", {"thresholds": {"track_order": 0.80}}, actor="test")


@pytest.fixture
def planted(db: Database, store: Store) -> Database:
    plant(db, store)
    return db


def test_recommends_exactly_the_planted_changes(planted: Database, store: Store) -> None:
    with planted.connect() as conn:
        report = recommendations(conn, store.id, days=60)
    assert report.version == "v1"
    by_intent = {r.intent: r for r in report.recommendations}
    assert set(by_intent) == {"track_order", "returns"}
    assert report.clean == ["size_help"] and report.too_few == ["gift_card"]
    tighten = by_intent["track_order"]
    assert (tighten.direction, tighten.current, tighten.proposed) == ("tighten", 0.8, 0.6)
    assert tighten.reason.startswith(
        "tighten the threshold for track_order from 0.80 to 0.60 — humans resolved 82% of 55 "
        "in one message under 2 minutes"
    )
    assert tighten.evidence["simple_human"] == 45 and tighten.evidence["handed_to_human"] == 55
    assert all(x.startswith("to-simple-") for x in tighten.examples) and tighten.examples
    assert tighten.effect["conversations_moved"] == 45
    assert tighten.effect["error_rate_after"] == 0.0
    loosen = by_intent["returns"]
    assert (loosen.direction, loosen.current, loosen.proposed) == ("loosen", 0.5, 0.75)
    ev = loosen.evidence
    assert (
        ev["ai_alone"] == 53
        and ev["csat_answers"] == 53
        and ev["csat_satisfied_share"] == round(28 / 53, 4)
    )
    # 13 repeat signals (even i) + 3 same-customer follow-ups within 24 h (odd i = 1, 3, 5).
    assert ev["repeat_contacts"] == 16 and ev["human_requests"] == 5
    assert "only 53% of 53 CSAT answers were satisfied" in loosen.reason
    assert "30% of 53 came back within 24 h" in loosen.reason
    assert all(x.startswith("ret-bad-") for x in loosen.examples)


def test_whatif_curve_on_the_plant(planted: Database, store: Store) -> None:
    with planted.connect() as conn:
        data = load(conn, store.id, days=60)
    curve = whatif(data, "track_order", DialsConfig(), current=0.8)
    i = {round(t, 2): k for k, t in enumerate(curve.thresholds)}
    assert curve.conversations == 95 and len(curve.thresholds) == 21
    assert curve.answered[i[0.55]] == 95 and curve.errors[i[0.55]] == 10
    assert curve.error_rate[i[0.55]] == round(10 / 95, 4)
    assert curve.answered[i[0.6]] == 85 and curve.errors[i[0.6]] == 0
    assert curve.automation_rate[i[0.6]] == round(85 / 95, 4)
    assert curve.answered[i[0.85]] == 30  # 0.85..0.99 twice over
    assert curve.answered[i[1.0]] == 0 and curve.error_rate[i[1.0]] is None
    assert curve.recommended == 0.6


def test_whatif_hand_checked_small_fixture() -> None:
    # (external_id, intent, confidence, handled_by, outcome, csat, human msgs, ttr s, repeat,
    #  thumbs down, human request)
    rows = [
        ("a", "x", 0.95, "ai", "resolved", 5, 0, None, 0, 0, 0),  # ok
        ("b", "x", 0.90, "ai", "resolved", None, 0, None, 0, 1, 0),  # thumbs down → wrong
        ("c", "x", 0.70, "ai", "escalated", None, 0, None, 0, 0, 0),  # escalated → wrong
        ("d", "x", 0.40, "hybrid", "resolved", 5, 1, 60.0, 0, 0, 0),  # simple human → ok
        ("e", "x", 0.20, "human", "resolved", 5, 2, 60.0, 0, 0, 0),  # two messages → wrong
        ("f", "x", 0.10, "ai", "resolved", 3, 0, None, 0, 0, 0),  # CSAT 3 → wrong
        ("g", "x", None, "ai", "resolved", 5, 0, None, 0, 0, 0),  # no confidence: not on curve
        ("h", "y", 0.99, "ai", "resolved", 5, 0, None, 1, 0, 0),  # other intent
    ]
    data = from_rows(rows)
    wrong = data.flags(DialsConfig())["wrong"]
    assert wrong.tolist() == [False, True, True, False, True, True, False, True]
    curve = whatif(data, "x", DialsConfig(target_error=0.34))
    got = dict(zip(curve.thresholds, zip(curve.answered, curve.errors, strict=True), strict=True))
    assert curve.conversations == 6
    assert got[0.0] == (6, 4) and got[0.1] == (6, 4) and got[0.15] == (5, 3)
    assert got[0.4] == (4, 2) and got[0.45] == (3, 2) and got[0.75] == (2, 1)
    assert got[0.95] == (1, 0) and got[1.0] == (0, 0)
    assert curve.automation_rate[curve.thresholds.index(0.4)] == round(4 / 6, 4)
    assert curve.error_rate[curve.thresholds.index(0.45)] == round(2 / 3, 4)
    assert curve.recommended == 0.95  # first threshold with error ≤ 34%: 0/1
    assert whatif(data, "x", DialsConfig(target_error=0.5)).recommended == 0.25  # 2/4


def test_set_based_curve_matches_a_loop() -> None:
    rng = np.random.default_rng(7)
    conf = np.round(rng.random(500), 3)
    outcome = rng.choice(["resolved", "escalated"], 500)
    rows = [
        (f"c{k}", "x", float(conf[k]), "ai", str(outcome[k]), None, 0, None, 0, 0, 0)
        for k in range(500)
    ]
    curve = whatif(from_rows(rows), "x")
    for k, t in enumerate(curve.thresholds):
        answered = [o for c, o in zip(conf, outcome, strict=True) if c >= t]
        assert curve.answered[k] == len(answered)
        assert curve.errors[k] == sum(o == "escalated" for o in answered)


def test_apply_creates_a_new_draft_version_and_audits(planted: Database, store: Store) -> None:
    with planted.connect() as conn:
        before = conn.execute(
            sa.select(agent_versions.c.config).where(agent_versions.c.label == "v1")
        ).scalar_one()
    with planted.begin() as conn:
        result = apply_for(conn, store.id, "track_order", actor="coach", days=60)
    assert result["new_version"] == "v1+track_order@0.60" and result["status"] == "draft"
    assert (result["before"], result["after"]) == (0.8, 0.6)
    with planted.connect() as conn:
        assert get_policy(conn, store.id, "v1+track_order@0.60").thresholds["track_order"] == 0.6
        status = conn.execute(
            sa.select(agent_versions.c.status).where(
                agent_versions.c.label == "v1+track_order@0.60"
            )
        ).scalar_one()
        after = conn.execute(
            sa.select(agent_versions.c.config).where(agent_versions.c.label == "v1")
        ).scalar_one()
        audit = (
            conn.execute(sa.select(audit_log.c.details).where(audit_log.c.action == "dials.apply"))
            .scalars()
            .all()
        )
        assert current_version(conn, store.id) == "v1"  # a draft is not in force
    assert status == "draft" and after == before
    assert len(audit) == 1 and audit[0]["intent"] == "track_order"
    assert audit[0]["reason"].startswith("tighten the threshold for track_order")
    assert audit[0]["evidence"]["simple_human"] == 45


def test_apply_explicit_threshold_and_errors(planted: Database, store: Store) -> None:
    with planted.begin() as conn:
        out = apply_for(
            conn, store.id, "size_help", actor="coach", threshold=0.7, as_version="v2-size"
        )
        assert out["before"] == 0.5 and get_policy(conn, store.id, "v2-size").thresholds == {
            "track_order": 0.8,
            "size_help": 0.7,
        }
    with planted.begin() as conn, pytest.raises(ValidationFailed, match="size_help"):
        apply_for(conn, store.id, "size_help", actor="coach", days=60)  # clean: nothing to apply
    with planted.begin() as conn, pytest.raises(NotFound, match="nope"):
        apply_for(conn, store.id, "size_help", actor="coach", threshold=0.7, from_version="nope")
    with planted.begin() as conn, pytest.raises(ValidationFailed, match="already exists"):
        apply_for(conn, store.id, "size_help", actor="coach", threshold=0.9, as_version="v2-size")


def test_loader_flags_and_window(planted: Database, store: Store) -> None:
    with planted.connect() as conn:
        data = load(conn, store.id, days=60)
        empty = load(conn, store.id, since=datetime(2030, 1, 1), days=None)
    ids = data.external_id.tolist()
    rep = {ids[k] for k in np.flatnonzero(data.repeat)}
    assert {"ret-bad-1", "ret-bad-3", "ret-bad-5", "ret-bad-0"} <= rep
    assert not any(x.startswith("ret-again") for x in rep)
    simple = data.flags(DialsConfig())["simple"]
    assert {ids[k] for k in np.flatnonzero(simple)} == {f"to-simple-{i}" for i in range(45)}
    assert len(empty.external_id) == 0
    assert recommend(empty, get_policy_default()).recommendations == []


def get_policy_default() -> Any:
    from shopcoach.agent.escalation import EscalationPolicy

    return EscalationPolicy.model_validate({})
