"""The monthly summary, its week-1 sample and the campaign report (R-REV-3/4), on a planted
store, on SQLite and PostgreSQL.

October 2026: 40 AI conversations, 30 resolved (75%). November: 60 in the first week (for
the sample), 48 of them resolved by the AI (80%), plus 20 tagged ``black-friday`` on Nov
27-28 of which 10 escalated. A threshold change, a knowledge import and a closed fix item
happen in November (at the wall clock of the test run, which is in 2026-11 … or later: the
month under test is the one the changes fall in).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from shopcoach.capture.writer import ingest_conversations
from shopcoach.cli import app
from shopcoach.errors import ValidationFailed
from shopcoach.kb.api import import_kb
from shopcoach.review.calendar import campaign_report, month_bounds, monthly_summary
from shopcoach.review.calendar_render import campaign_markdown, monthly_markdown
from shopcoach.review.dials_store import apply_for
from shopcoach.review.fixlist import add_item, close
from shopcoach.store.engine import Database
from shopcoach.store.sql import utcnow
from shopcoach.stores import Store
from tests.conftest import make_key
from tests.review.test_dials import _conv

OCT, NOV = datetime(2026, 10, 5, 9, tzinfo=UTC), datetime(2026, 11, 2, 9, tzinfo=UTC)


def plant(db: Database, store: Store, tmp_path: Path) -> str:
    convs: list[dict[str, Any]] = []
    for i in range(40):
        convs.append(_conv(f"oct-{i}", i, "track_order", 0.9, "ai",
                           outcome="resolved" if i < 30 else "escalated",
                           start=OCT + timedelta(hours=i)))  # fmt: skip
    for i in range(60):
        convs.append(_conv(f"nov-{i}", i, "track_order", 0.9, "ai",
                           outcome="resolved" if i < 48 else "escalated",
                           start=NOV + timedelta(hours=2 * i)))  # fmt: skip
    for i in range(20):
        c = _conv(f"bf-{i}", i, "gift_card", 0.9, "ai",
                  outcome="resolved" if i < 10 else "escalated",
                  start=datetime(2026, 11, 27, 8, tzinfo=UTC) + timedelta(hours=i))  # fmt: skip
        c["tags"] = ["black-friday", "promo_10%"]
        convs.append(c)
    with db.begin() as conn:
        assert ingest_conversations(conn, store, list(enumerate(convs))).accepted == len(convs)
    folder = tmp_path / "help"
    folder.mkdir()
    (folder / "gift.md").write_text("---\ntitle: Gift cards\n---\nGift cards never expire.\n")
    import_kb(db, folder, kind="article")
    with db.begin() as conn:
        apply_for(conn, store.id, "track_order", actor="coach", threshold=0.6)
        item = add_item(conn, store.id, "nov-50", "escalated a simple tracking question",
                        actor="coach")  # fmt: skip
        close(conn, store.id, item.id, "agent_version:v2", actor="coach")
    return month_bounds(utcnow().date())[0]


def test_monthly_summary(db: Database, store: Store, tmp_path: Path) -> None:
    this_month = plant(db, store, tmp_path)
    with db.connect() as conn:
        nov = monthly_summary(conn, store, "2026-11")
        again = monthly_summary(conn, store, "2026-11")
        changes = monthly_summary(conn, store, this_month)
    assert (nov.start, nov.end) == (datetime(2026, 11, 1), datetime(2026, 12, 1))
    assert nov.metrics["conversations"] == 80 and nov.previous["conversations"] == 40
    assert nov.previous["automated_resolution_rate"] == 0.75
    assert nov.metrics["automated_resolution_rate"] == (48 + 10) / 80
    rate = next(d for d in nov.deltas if d["metric"] == "automated_resolution_rate")
    assert rate["delta"] == pytest.approx((58 / 80) - 0.75) and rate["better"] is False
    # The week-1 sample: 50 of the 60 first-week conversations, seeded per store and month.
    assert len(nov.sample) == 50 and set(nov.sample) <= {f"nov-{i}" for i in range(60)}
    assert nov.sample == again.sample and nov.sample_seed == again.sample_seed
    kinds = sorted(i.kind for i in changes.improvements)
    assert kinds == ["fix", "knowledge", "threshold"]
    threshold = next(i for i in changes.improvements if i.kind == "threshold")
    assert "track_order" in threshold.what and threshold.metric == "automated_resolution_rate"
    fix = next(i for i in changes.improvements if i.kind == "fix")
    assert fix.what.endswith("fixed by agent_version:v2")
    md = monthly_markdown(nov.to_dict())
    assert md.startswith("# Monthly summary · default · 2026-11")
    assert "| Automation rate | 75.0% | 72.5% | -2.5 pts ✗ |" in md
    assert "Week-1 sample for human scoring (50 conversations" in md


def test_campaign_report(db: Database, store: Store, tmp_path: Path) -> None:
    plant(db, store, tmp_path)
    with db.connect() as conn:
        r = campaign_report(conn, store, since=datetime(2026, 11, 27),
                            until=datetime(2026, 11, 30), tag="promo_10%",
                            baseline_since=datetime(2026, 10, 1),
                            baseline_until=datetime(2026, 11, 1))  # fmt: skip
        untagged = campaign_report(conn, store, since=datetime(2026, 11, 27),
                                   until=datetime(2026, 11, 30), tag="other",
                                   baseline_since=datetime(2026, 10, 1),
                                   baseline_until=datetime(2026, 11, 1))  # fmt: skip
        with pytest.raises(ValidationFailed, match="baseline"):
            campaign_report(conn, store, since=datetime(2026, 11, 27), until=datetime(2026, 12, 1))
    assert r.campaign["conversations"] == 20 and r.tagged is not None
    assert r.tagged["conversations"] == 20 and r.tagged["automated_resolution_rate"] == 0.5
    assert untagged.tagged is not None and untagged.tagged["conversations"] == 0
    drop = next(d for d in r.tagged_deltas or [] if d["metric"] == "automated_resolution_rate")
    assert drop["baseline"] == 0.75 and drop["delta"] == -0.25
    md = campaign_markdown(r.to_dict())
    assert "Conversations tagged 'promo_10%'" in md and "| Automation rate | 75.0% | 50.0%" in md


def test_cli_and_api(db: Database, store: Store, db_url: str, client: TestClient,
                     tmp_path: Path) -> None:  # fmt: skip
    plant(db, store, tmp_path)
    r = CliRunner().invoke(app, ["--db", db_url, "review", "monthly", "--month", "2026-11"],
                           catch_exceptions=False)  # fmt: skip
    assert r.exit_code == 0 and "Monthly summary" in r.output
    r = CliRunner().invoke(app, ["--db", db_url, "review", "campaign", "--since", "2026-11-27",
                                 "--until", "2026-11-30", "--tag", "black-friday",
                                 "--baseline-since", "2026-10-01", "--baseline-until",
                                 "2026-11-01", "--json"], catch_exceptions=False)  # fmt: skip
    assert r.exit_code == 0 and '"tag": "black-friday"' in r.output
    headers = {"Authorization": f"Bearer {make_key(db, store, 'read')}"}
    got = client.get("/api/v1/review/monthly", headers=headers, params={"month": "2026-11"})
    assert got.status_code == 200 and len(got.json()["sample"]) == 50
    bad = client.get("/api/v1/review/monthly", headers=headers, params={"month": "Nov"})
    assert bad.status_code == 422 and "YYYY-MM" in bad.text
    params = {"since": "2026-11-27T00:00:00Z", "until": "2026-11-30", "tag": "black-friday",
              "baseline_since": "2026-10-01", "baseline_until": "2026-11-01", "format": "md"}
    camp = client.get("/api/v1/review/campaign", headers=headers, params=params)
    assert camp.status_code == 200 and "Campaign report" in camp.text
