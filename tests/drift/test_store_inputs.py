"""Drift from the store (R-MON-4): planted drift in stored data must fire, clean data must not."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from shopcoach.drift.store import list_findings, run_drift, windows
from shopcoach.store.engine import Database
from shopcoach.store.tables import (
    agent_turns,
    conversations,
    drift_findings,
    kb_answer_sources,
    kb_items,
    kb_versions,
    messages,
)
from shopcoach.stores import Store

NOW = datetime(2026, 11, 9)
TEXTS = {
    "track_order": ["where is my order {n}", "has order {n} shipped yet", "tracking for {n}?"],
    "gift_card": [
        "my gift card {n} code is not working",
        "gift card balance {n} shows zero",
        "cannot redeem gift card {n} at checkout",
    ],
    "returns": ["how do I return item {n}", "refund for return {n} please"],
}


def plant_conversations(
    db: Database,
    store: Store,
    mix: dict[str, int],
    *,
    days_ago: tuple[float, float],
    prefix: str,
    confidence: tuple[float, float] = (0.85, 0.05),
    failed: dict[str, float] | None = None,
    seed: int = 0,
    now: datetime = NOW,
) -> None:
    """``mix`` intent -> count, spread over ``days_ago`` (newest, oldest) before NOW."""
    rng = random.Random(seed)
    convs: list[dict[str, Any]] = []
    texts: list[str] = []
    k = 0
    for intent, count in mix.items():
        for _ in range(count):
            at = now - timedelta(days=rng.uniform(*days_ago))
            fail = rng.random() < (failed or {}).get(intent, 0.0)
            convs.append(
                {
                    "store_id": store.id,
                    "external_id": f"{prefix}-{k}",
                    "channel": "chat",
                    "started_at": at,
                    "handled_by": "ai",
                    "intent": intent,
                    "confidence": min(1.0, max(0.0, rng.gauss(*confidence))),
                    "outcome": "escalated" if fail else "resolved",
                    "tags": [],
                    "metadata": {},
                    "message_count": 2,
                    "content_hash": f"h{prefix}{k}",
                    "ingested_at": at,
                    "updated_at": at,
                }
            )
            texts.append(rng.choice(TEXTS[intent]).format(n=rng.randint(1000, 9999)))
            k += 1
    with db.begin() as conn:
        ids = (
            conn.execute(
                conversations.insert().returning(conversations.c.id, sort_by_parameter_order=True),
                convs,
            )
            .scalars()
            .all()
        )
        conn.execute(
            messages.insert(),
            [
                row
                for cid, c, text in zip(ids, convs, texts, strict=True)
                for row in (
                    {
                        "conversation_id": cid,
                        "seq": 0,
                        "role": "ai",
                        "text": "Hi! How can I help?",
                        "sent_at": c["started_at"],
                    },
                    {
                        "conversation_id": cid,
                        "seq": 1,
                        "role": "customer",
                        "text": text,
                        "sent_at": c["started_at"],
                    },
                )
            ],
        )


def test_intent_mix_shift_fires_and_is_stored(db: Database, store: Store) -> None:
    plant_conversations(
        db, store, {"track_order": 240, "gift_card": 40}, days_ago=(7.1, 34), prefix="ref"
    )
    plant_conversations(
        db, store, {"track_order": 15, "gift_card": 65}, days_ago=(0.1, 6.9), prefix="cur", seed=1
    )
    with db.begin() as conn:
        (res,) = run_drift(conn, store.id, detectors=["intent_mix"], now=NOW)
    assert res.drifted and res.n_reference == 280 and res.n_current == 80
    assert res.moved[0].item in {"gift_card", "track_order"}
    assert any("gift card" in e.text for e in res.examples)
    with db.begin() as conn:  # same window again: the finding is replaced, not duplicated
        run_drift(conn, store.id, detectors=["intent_mix"], now=NOW)
        (finding,) = list_findings(conn, store.id)
        count = conn.execute(sa.select(sa.func.count()).select_from(drift_findings)).scalar()
    assert count == 1
    assert finding["drifted"] and finding["window_end"] == "2026-11-09T00:00:00Z"
    assert finding["window_start"] == "2026-11-02T00:00:00Z"
    assert finding["reference_start"] == "2026-10-05T00:00:00Z"
    assert finding["result"]["summary"] == res.summary and finding["score"] is not None


def test_same_mix_does_not_fire(db: Database, store: Store) -> None:
    plant_conversations(
        db,
        store,
        {"track_order": 240, "gift_card": 40, "returns": 40},
        days_ago=(7.1, 34),
        prefix="ref",
    )
    plant_conversations(
        db,
        store,
        {"track_order": 60, "gift_card": 10, "returns": 10},
        days_ago=(0.1, 6.9),
        prefix="cur",
        seed=1,
    )
    with db.begin() as conn:
        results = run_drift(
            conn, store.id, detectors=["intent_mix", "confidence", "language"], now=NOW
        )
    assert [(r.detector, r.drifted) for r in results] == [
        ("intent_mix", False),
        ("confidence", False),
        ("language", False),
    ]
    assert all(r.statistics for r in results)  # they ran


def test_confidence_drop_and_new_failure_cluster(db: Database, store: Store) -> None:
    plant_conversations(
        db,
        store,
        {"track_order": 200, "returns": 100},
        days_ago=(7.1, 34),
        prefix="ref",
        failed={"track_order": 0.2, "returns": 0.2},
    )
    plant_conversations(
        db,
        store,
        {"track_order": 50, "returns": 25, "gift_card": 40},
        days_ago=(0.1, 6.9),
        prefix="cur",
        seed=1,
        confidence=(0.55, 0.1),
        failed={"track_order": 0.2, "returns": 0.2, "gift_card": 0.9},
    )
    with db.begin() as conn:
        conf, fail = run_drift(
            conn, store.id, detectors=["confidence", "failure_clusters"], now=NOW
        )
    assert conf.drifted and conf.examples
    assert fail.drifted
    assert any("gift" in m.detail or "gift" in m.item for m in fail.moved if m.drifted)


def kb_item(
    conn: sa.Connection, store: Store, key: str, versions: list[dict[str, Any]]
) -> list[int]:
    item_id = conn.execute(
        kb_items.insert()
        .values(
            store_id=store.id,
            kind="article",
            key=key,
            first_seen=NOW - timedelta(days=90),
            updated_at=NOW,
        )
        .returning(kb_items.c.id)
    ).scalar_one()
    ids = []
    for no, extra in enumerate(versions, start=1):
        row = {
            "item_id": item_id,
            "version_no": no,
            "content_hash": f"{key}{no}",
            "title": key,
            "body": f"{key} v{no}",
            "category": [],
            "attributes": {},
            "metadata": {},
            "source": "test",
            "created_at": NOW - timedelta(days=90),
            **extra,
        }
        ids.append(
            conn.execute(
                kb_versions.insert().values(**row).returning(kb_versions.c.id)
            ).scalar_one()
        )
    conn.execute(
        kb_items.update().where(kb_items.c.id == item_id).values(current_version_id=ids[-1])
    )
    return ids


def cite(conn: sa.Connection, store: Store, ref: str, version_id: int, at: datetime) -> None:
    conn.execute(
        kb_answer_sources.insert().values(
            store_id=store.id, answer_ref=ref, version_id=version_id, document_id="", recorded_at=at
        )
    )


def test_policy_superseded_after_answers_cited_it(db: Database, store: Store) -> None:
    changed = NOW - timedelta(days=1)
    with db.begin() as conn:
        returns_v1, _ = kb_item(conn, store, "returns-policy", [{"superseded_at": changed}, {}])
        (shipping,) = kb_item(conn, store, "shipping", [{}])
        for i in range(30):  # reference: answers from knowledge that is still current
            cite(conn, store, f"ref-{i}", shipping, NOW - timedelta(days=8 + i % 20))
        for i in range(20):
            cite(conn, store, f"cur-ship-{i}", shipping, NOW - timedelta(days=3, hours=i))
        for i in range(6):  # answered from returns v1, replaced since
            cite(conn, store, f"cur-ret-{i}", returns_v1, NOW - timedelta(days=2, hours=i))
    with db.begin() as conn:
        (res,) = run_drift(conn, store.id, detectors=["concept"], now=NOW)
    assert res.drifted
    assert res.moved[0].item == "article:returns-policy" and "current is 2" in res.moved[0].detail
    examples = {e.id for e in res.examples}
    assert len(examples) == 5 and examples <= {f"cur-ret-{i}" for i in range(6)}
    assert all("article:returns-policy@1 (outdated)" in e.reason for e in res.examples)
    # A week later the change is old news only if nobody cites the old version any more.
    with db.begin() as conn:
        for i in range(20):
            cite(conn, store, f"later-{i}", shipping, NOW + timedelta(days=3))
        (later,) = run_drift(conn, store.id, detectors=["concept"], now=NOW + timedelta(days=7))
    assert not later.drifted


def turn(store: Store, at: datetime, retrieved: list[dict[str, Any]], i: int) -> dict[str, Any]:
    return {
        "store_id": store.id,
        "conversation_external_id": f"t{i}",
        "agent_version": "v1",
        "message": f"question {i}",
        "reply": "answer",
        "action": "answer",
        "reasons": [],
        "intent": "returns",
        "confidence": 0.9,
        "out_of_scope": False,
        "retrieved": retrieved,
        "used": [],
        "draft": "",
        "draft_source": "extractive",
        "grounding": {},
        "latency_ms": 10.0,
        "stage_ms": {},
        "created_at": at,
    }


def test_retrieval_pollution_from_agent_turns(db: Database, store: Store) -> None:
    with db.begin() as conn:
        (holiday,) = kb_item(
            conn,
            store,
            "holiday-returns",
            [{"valid_from": date(2025, 11, 20), "valid_to": date(2026, 1, 15)}],
        )
        (summer,) = kb_item(conn, store, "summer-sale", [{"metadata": {"season": [6, 8]}}])
        (policy,) = kb_item(conn, store, "returns", [{"reviewed_at": date(2026, 9, 1)}])
        rows = []
        for i in range(40):
            rows.append(
                turn(
                    store,
                    NOW - timedelta(days=10 + i % 20),
                    [
                        {
                            "doc_id": "returns#0",
                            "kind": "article",
                            "version": str(policy),
                            "score": 1.0,
                        }
                    ],
                    i,
                )
            )
        for i in range(40, 60):
            bad = holiday if i % 2 else summer
            rows.append(
                turn(
                    store,
                    NOW - timedelta(days=1 + i % 5),
                    [
                        {"doc_id": "returns#0", "kind": "article", "version": None, "score": 1.0},
                        {"doc_id": "x#0", "kind": "article", "version": str(bad), "score": 0.5},
                    ],
                    i,
                )
            )
        conn.execute(agent_turns.insert(), rows)
    with db.begin() as conn:
        (res,) = run_drift(conn, store.id, detectors=["retrieval_pollution"], now=NOW)
    assert res.drifted and res.n_reference == 40 and res.n_current == 40
    assert res.statistic("polluted_share").value == 0.5
    assert res.statistic("expired_share").value == 0.25
    assert res.statistic("out_of_season_share").value == 0.25


def test_no_data_says_why(db: Database, store: Store) -> None:
    with db.begin() as conn:
        results = run_drift(conn, store.id, now=NOW)
    assert len(results) == 6 and not any(r.drifted for r in results)
    assert all(r.summary.startswith("Not run:") for r in results)


def test_default_window_is_floored_to_the_hour() -> None:
    w = windows()
    assert w.end.minute == 0 and w.end - w.start == timedelta(days=7)
    assert w.start - w.reference_start == timedelta(days=28)
