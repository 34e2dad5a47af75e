"""The weekly coaching pack (R-REV-1) on a planted week, on SQLite and PostgreSQL.

Week 2026-W45 holds the dials plant of ``test_dials`` (track_order → tighten, returns →
loosen) plus, planted here: 12 answers contradicting the verified 14-day return window
(hallucination flags on the returns article), 30 escalated gift-card-balance questions with
no article (a knowledge gap), a resolution-rate drop against 2026-W44, ten scored
conversations, an open alert without diagnosis, a drift finding and a fix-list item.
The pack must find exactly those and rank its recommendations by estimated impact.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from shopcoach.capture.writer import ingest_conversations
from shopcoach.cli import app
from shopcoach.kb.api import import_kb
from shopcoach.review.fixlist import add_item
from shopcoach.review.pack import recommend, resolution_trend
from shopcoach.review.pack_load import build_weekly_pack
from shopcoach.review.pack_render import html, markdown
from shopcoach.store.engine import Database
from shopcoach.store.tables import (
    alerts,
    conversation_scores,
    conversations,
    drift_findings,
    fix_items,
    hallucination_flags,
    kb_items,
)
from shopcoach.stores import Store
from tests.conftest import make_key
from tests.review.test_dials import _conv, _iso, plant

W45 = datetime(2026, 11, 2)
GIFT = [
    "what's the balance on my gift card",
    "how do I check my gift card balance",
    "gift card balance please",
    "how much is left on my gift card",
    "can you tell me the remaining balance of my gift card",
]

RETURNS = """---
title: Returns policy
---
# Returns

You can return unworn items within 14 days of delivery for a full refund.
"""


def plant_week(db: Database, store: Store, tmp_path: Path) -> None:
    plant(db, store)  # the dials situations, all in W45
    convs: list[dict[str, Any]] = []
    for i in range(40):  # W44: every AI conversation resolved
        start = W45.replace(tzinfo=UTC) - timedelta(days=5, minutes=-i)
        convs.append(_conv(f"w44-{i}", i, "size_help", 0.9, "ai", start=start))
    for i in range(30):  # W45: gift card balance, escalated, nothing in the KB
        c = _conv(f"gift-q-{i}", i, "unknown", 0.2, "hybrid", outcome="escalated", humans=1,
                  start=W45.replace(tzinfo=UTC) + timedelta(days=3, minutes=i))  # fmt: skip
        c["intent"] = None
        c["messages"][0]["text"] = f"{GIFT[i % len(GIFT)]} (card {1000 + i})"
        convs.append(c)
    with db.begin() as conn:
        assert ingest_conversations(conn, store, list(enumerate(convs))).accepted == len(convs)
    folder = tmp_path / "help"
    folder.mkdir()
    (folder / "returns.md").write_text(RETURNS)
    import_kb(db, folder, kind="article")
    now = datetime(2026, 11, 8, 8)
    with db.begin() as conn:
        vid = conn.scalar(sa.select(kb_items.c.current_version_id))
        ids = dict(conn.execute(sa.select(conversations.c.external_id, conversations.c.id)).all())
        conn.execute(hallucination_flags.insert(), [
            {"store_id": store.id, "conversation_id": ids[f"ret-bad-{i}"], "message_seq": 1,
             "kind": "policy_window", "claim": "You have 30 days to return it.",
             "claimed": "30 days", "verified": "14 days", "source": f"article:returns@{vid}",
             "source_version_id": vid, "occurred_at": W45 + timedelta(hours=i), "detected_at": now}
            for i in range(12)
        ])  # fmt: skip
        conn.execute(conversation_scores.insert(), [
            {"store_id": store.id, "conversation_id": ids[f"ret-bad-{i}"], "config_version": 0,
             "input_hash": "x", "started_at": W45 + timedelta(hours=i), "accuracy": 0.0,
             "relevance": 50.0, "tone": 100.0, "resolution": 0.0, "accuracy_label": "fail",
             "relevance_label": "partial", "tone_label": "pass", "resolution_label": "fail",
             "total": 10.0 + i, "needs_review": True, "scored_at": now,
             "details": {"accuracy": {"reason": "says 30 days; verified 14 days",
                                      "evidence": [{"claimed": "30 days"}]}}}
            for i in range(12)
        ])  # fmt: skip
        conn.execute(alerts.insert().values(
            store_id=store.id, rule="resolution_drop", fingerprint="resolution_drop:W45",
            state="open", severity="critical", title="Automated resolution fell 8 points",
            message="…", subject={}, details={}, opened_at=now, updated_at=now))  # fmt: skip
        conn.execute(drift_findings.insert().values(
            store_id=store.id, detector="intent_mix", window_start=W45,
            window_end=W45 + timedelta(days=7), drifted=True, score=0.31, threshold=0.1,
            summary="gift card questions up from 0% to 9%", details={},
            computed_at=now))  # fmt: skip
        item = add_item(conn, store.id, "ret-bad-0", "quoted 30 days", actor="coach", owner="sam")
        conn.execute(fix_items.update().where(fix_items.c.id == item.id).values(created_at=now))


@pytest.fixture
def week(db: Database, store: Store, tmp_path: Path) -> Database:
    plant_week(db, store, tmp_path)
    return db


def test_the_pack_finds_the_planted_week(week: Database, store: Store) -> None:
    with week.connect() as conn:
        pack = build_weekly_pack(conn, store, "2026-W45", embedder="hashing")
    r = pack.resolution
    assert r["last_week"] == 1.0 and r["conversations_last_week"] == 40
    assert r["this_week"] is not None and r["dropped"] and r["delta_points"] < -2
    assert pack.escalations["count"] == 30
    assert [w["conversation_id"] for w in pack.worst] == [f"ret-bad-{i}" for i in range(10)]
    assert pack.worst[0]["dimensions"]["accuracy"]["reason"] == "says 30 days; verified 14 days"
    [c] = pack.contradictions
    assert (c["answers"], c["verified"], c["claimed"], c["title"]) == (
        12,
        "14 days",
        "30 days",
        "Returns policy",
    )
    assert [a["id"] for a in pack.alerts] and pack.drift[0]["detector"] == "intent_mix"
    assert [i["note"] for i in pack.fix_items["open"]] == ["quoted 30 days"]
    assert {d["intent"]: d["direction"] for d in pack.dials} == {
        "track_order": "tighten",
        "returns": "loosen",
    }
    gift = [g for g in pack.gaps if "gift" in g["label"]]
    assert gift and gift[0]["count"] == 30, (pack.gaps, pack.notes)
    add = next(r for r in pack.recommendations if r.kind == "add_article" and "gift" in r.title)
    assert add.title.startswith("Add an article for '") and "gift card" in add.title.split("—")[0]
    assert "— 30 unanswered this week, e.g. “" in add.title
    assert all(x.startswith("gift-q-") for x in add.evidence["conversation_ids"])
    kinds = [rec.kind for rec in pack.recommendations]
    assert 3 <= len(kinds) <= 5
    assert set(kinds) >= {"add_article", "fix_knowledge", "tighten_threshold"}
    impacts = [rec.impact for rec in pack.recommendations]
    assert impacts == sorted(impacts, reverse=True)
    fix = next(rec for rec in pack.recommendations if rec.kind == "fix_knowledge")
    assert fix.title.startswith("Update 'Returns policy' — contradicts the current policy window "
                                "'14 days' in 12 answers this week")  # fmt: skip
    assert fix.impact == 12 and fix.evidence["conversation_ids"][0] == "ret-bad-0"
    tighten = next(rec for rec in pack.recommendations if rec.kind == "tighten_threshold")
    assert tighten.title.startswith("Tighten the threshold for track_order from 0.80 to 0.60")
    assert tighten.impact == pytest.approx(45 / 4)


def test_rendered_pack_reads_and_escapes(week: Database, store: Store) -> None:
    with week.connect() as conn:
        data = build_weekly_pack(conn, store, "2026-W45", gaps=False).to_dict()
    md = markdown(data)
    assert md.startswith("# Weekly coaching pack · default · 2026-W45")
    assert "dropped more than 2 points" in md and "ret-bad-0" in md
    data["recommendations"][0]["title"] = "<script>alert(1)</script>"
    page = html(data)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "@media print" in page and page.count("<li>") >= 3


def test_recommend_is_pure_and_ranked() -> None:
    recs = recommend(
        gaps=[{"label": "gift card balance", "count": 37, "question_ids": ["c-9"],
               "examples": [{"id": "c-9", "text": "balance?"}], "article": None}],
        contradictions=[{"answers": 12, "kind": "policy_window", "verified": "14 days",
                         "claimed": "30 days", "title": "Returns", "cited": []}],
        dials=[], alerts=[{"id": 7, "state": "open", "title": "drop", "severity": "critical"}],
        conversations=1000, answered_success=0.5,
    )  # fmt: skip
    assert [r.kind for r in recs] == ["add_article", "fix_knowledge", "diagnose_alert"]
    assert (
        recs[0].title
        == "Add an article for 'gift card balance' — 37 unanswered this week, e.g. “balance?”"
    )
    assert recs[0].evidence["conversation_ids"] == ["c-9"]
    assert recs[0].impact == 18.5 and recs[0].impact_points == 1.85
    assert resolution_trend(0.70, 0.73, 10, 10)["dropped"] is True
    assert resolution_trend(0.72, 0.73, 10, 10)["dropped"] is False
    assert resolution_trend(None, 0.73, 0, 10)["delta_points"] is None


def test_cli_and_api(week: Database, store: Store, db_url: str, client: TestClient,
                     tmp_path: Path) -> None:  # fmt: skip
    out = tmp_path / "pack.html"
    r = CliRunner().invoke(app, ["--db", db_url, "review", "weekly", "--week", "2026-W45",
                                 "--format", "html", "--out", str(out), "--no-gaps"],
                           catch_exceptions=False)  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "<h1>Weekly coaching pack · 2026-W45</h1>" in out.read_text()
    headers = {"Authorization": f"Bearer {make_key(week, store, 'read')}"}
    got = client.get("/api/v1/review/weekly", headers=headers,
                     params={"week": "2026-W45", "gaps": "false"})  # fmt: skip
    assert got.status_code == 200, got.text
    assert got.json()["contradictions"][0]["answers"] == 12
    md = client.get("/api/v1/review/weekly", headers=headers,
                    params={"week": "2026-W45", "gaps": "false", "format": "md"})  # fmt: skip
    assert md.headers["content-type"].startswith("text/markdown")
    bad = client.get("/api/v1/review/weekly", headers=headers, params={"week": "W45"})
    assert bad.status_code == 422 and "ISO week" in bad.text
    _ = _iso
