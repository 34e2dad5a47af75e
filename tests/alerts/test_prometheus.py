"""GET /metrics (R-MON-3): exposition format 0.0.4, parsed back, with the values planted."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from shopcoach.alerts import prometheus
from shopcoach.store.engine import Database
from shopcoach.store.sql import utcnow
from shopcoach.store.tables import alerts, conversation_scores, conversations, drift_findings
from shopcoach.stores import Store
from tests.conftest import make_key


def plant(db: Database, store: Store, now: datetime) -> None:
    """Conversations: 10 in the last 24 h (6 AI-resolved), 10 more 3 days ago (2 AI-resolved),
    5 a month ago; scores for the recent ones; alerts; drift findings."""
    rows: list[dict[str, Any]] = []

    def conv(i: int, at: datetime, handled: str, outcome: str | None, channel: str) -> None:
        rows.append(
            {
                "store_id": store.id,
                "external_id": f"c{i}",
                "channel": channel,
                "started_at": at,
                "handled_by": handled,
                "outcome": outcome,
                "tags": [],
                "metadata": {},
                "message_count": 2,
                "content_hash": f"h{i}",
                "ingested_at": at,
                "updated_at": at,
            }
        )

    for i in range(10):
        at = now - timedelta(hours=2 + i)
        conv(i, at, "ai", "resolved" if i < 6 else "escalated", "chat")
    for i in range(10, 20):
        at = now - timedelta(days=3, hours=i)
        conv(i, at, "ai" if i < 12 else "human", "resolved" if i < 16 else None, "email")
    for i in range(20, 25):
        conv(i, now - timedelta(days=30), "ai", "abandoned", "chat")
    with db.begin() as conn:
        conn.execute(conversations.insert(), rows)
        ids = dict(
            conn.execute(
                conversations.select().with_only_columns(
                    conversations.c.external_id, conversations.c.id
                )
            ).all()
        )
        conn.execute(
            conversation_scores.insert(),
            [
                {
                    "store_id": store.id,
                    "conversation_id": ids[f"c{i}"],
                    "config_version": 1,
                    "input_hash": "x",
                    "started_at": rows[i]["started_at"],
                    "accuracy": 100.0 if i % 2 else 50.0,
                    "relevance": 100.0,
                    "tone": None,
                    "resolution": 0.0,
                    "total": 60.0 + i,
                    "needs_review": False,
                    "details": {},
                    "scored_at": now,
                }
                for i in list(range(4)) + [21]
            ],
        )
        base = {
            "store_id": store.id,
            "title": "t",
            "message": "m",
            "subject": {},
            "details": {},
            "opened_at": now,
            "updated_at": now,
        }
        conn.execute(
            alerts.insert(),
            [
                {
                    **base,
                    "rule": "dimension_drop",
                    "fingerprint": "a",
                    "state": "open",
                    "severity": "critical",
                },
                {
                    **base,
                    "rule": "dimension_drop",
                    "fingerprint": "b",
                    "state": "open",
                    "severity": "critical",
                },
                {
                    **base,
                    "rule": "resolution_drop",
                    "fingerprint": "c",
                    "state": "open",
                    "severity": "warning",
                },
                {
                    **base,
                    "rule": "resolution_drop",
                    "fingerprint": "d",
                    "state": "resolved",
                    "severity": "warning",
                },
            ],
        )
        f = {"store_id": store.id, "window_end": now, "summary": "s", "details": {}}
        conn.execute(
            drift_findings.insert(),
            [
                {
                    **f,
                    "detector": "intent_mix",
                    "window_start": now - timedelta(days=7),
                    "drifted": True,
                    "computed_at": now - timedelta(days=1),
                },
                {
                    **f,
                    "detector": "intent_mix",
                    "window_start": now - timedelta(days=6),
                    "drifted": True,
                    "computed_at": now - timedelta(days=2),
                },
                {
                    **f,
                    "detector": "confidence",
                    "window_start": now - timedelta(days=7),
                    "drifted": False,
                    "computed_at": now,
                },
                {
                    **f,
                    "detector": "language",
                    "window_start": now - timedelta(days=40),
                    "drifted": True,
                    "computed_at": now - timedelta(days=30),
                },
            ],
        )


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def test_metrics_endpoint(client: TestClient, db: Database, store: Store) -> None:
    now = utcnow()
    plant(db, store, now)
    read = {"Authorization": f"Bearer {make_key(db, store, 'read')}"}
    assert client.get("/metrics").status_code == 401
    ingest_only = {"Authorization": f"Bearer {make_key(db, store, 'ingest')}"}
    assert client.get("/metrics", headers=ingest_only).status_code == 403
    r = client.get("/metrics", headers=read)
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert "# TYPE shopcoach_conversations_total counter" in r.text
    got = samples(r.text)
    st = ("store", store.slug)

    def val(name: str, **labels: str) -> float:
        return got[(name, tuple(sorted([st, *labels.items()])))]

    assert val("shopcoach_conversations_total", outcome="resolved", channel="chat") == 6
    assert val("shopcoach_conversations_total", outcome="escalated", channel="chat") == 4
    assert val("shopcoach_conversations_total", outcome="abandoned", channel="chat") == 5
    assert val("shopcoach_conversations_total", outcome="resolved", channel="email") == 6
    assert val("shopcoach_conversations_total", outcome="unknown", channel="email") == 4
    assert val("shopcoach_window_conversations", window="24h") == 10
    assert val("shopcoach_automated_resolution_rate", window="24h") == pytest.approx(0.6)
    assert val("shopcoach_automated_resolution_rate", window="7d") == pytest.approx(8 / 20)
    assert val("shopcoach_score_average", dimension="accuracy") == pytest.approx(75.0)
    assert val("shopcoach_score_average", dimension="total") == pytest.approx(61.5)
    assert ("shopcoach_score_average", (("dimension", "tone"), st)) not in got
    assert val("shopcoach_scored_conversations_7d") == 4
    assert val("shopcoach_alerts_open", severity="critical", rule="dimension_drop") == 2
    assert val("shopcoach_alerts_open", severity="warning", rule="resolution_drop") == 1
    assert val("shopcoach_drift_findings_drifted", detector="intent_mix") == 2
    assert val("shopcoach_drift_findings_drifted", detector="confidence") == 0
    assert val("shopcoach_drift_findings_drifted", detector="language") == 0  # a month ago


def test_empty_store_renders(db: Database, store: Store) -> None:
    with db.connect() as conn:
        families = prometheus.collect(conn, store.id, detectors=("concept",))
    got = samples(prometheus.render(store.slug, families).decode())
    assert got[("shopcoach_window_conversations", (("store", store.slug), ("window", "7d")))] == 0
    assert not any(name == "shopcoach_automated_resolution_rate" for name, _ in got)
    assert (
        got[("shopcoach_drift_findings_drifted", (("detector", "concept"), ("store", store.slug)))]
        == 0
    )
