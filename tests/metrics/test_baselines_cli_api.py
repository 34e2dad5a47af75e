"""Baselines (pin, compare, audit), the `shopcoach metrics` CLI and the metrics API."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from shopcoach import audit
from shopcoach.cli import app
from shopcoach.errors import NotFound, ValidationFailed
from shopcoach.metrics import Filters, compare_baseline, list_baselines, pin_baseline
from shopcoach.store.engine import Database
from shopcoach.stores import Store
from tests.conftest import make_key
from tests.metrics.test_series import END, W1, W2, fixture  # noqa: F401  (the fixture)

runner = CliRunner()


def test_pin_then_compare_gives_deltas(db: Database, fixture: Store) -> None:  # noqa: F811
    with db.begin() as conn:
        base = pin_baseline(conn, fixture.id, "pre-launch", since=W1, until=W2, actor="sam")
        with pytest.raises(ValidationFailed, match="already a baseline"):
            pin_baseline(conn, fixture.id, "pre-launch", since=W1, until=W2, actor="sam")
        chat = pin_baseline(conn, fixture.id, "chat", since=W1, until=W2,
                            filters=Filters(channel="chat"), actor="sam")  # fmt: skip
    assert base.metric_values["conversations"] == 6
    assert base.metric_values["automated_resolution_rate"] == round(2 / 6, 6)
    assert chat.metric_values["conversations"] == 5
    with db.connect() as conn:
        # Default period: the latest week with data (week 2: 2 conversations, 1 resolved).
        cmp = compare_baseline(conn, fixture.id, "pre-launch")
        assert [b.name for b in list_baselines(conn, fixture.id)] == ["pre-launch", "chat"]
        actions = [e.action for e in audit.entries(conn, store_id=fixture.id)]
        with pytest.raises(NotFound, match="no baseline named 'nope'"):
            compare_baseline(conn, fixture.id, "nope")
    assert cmp.period_start == W2
    deltas = {d.metric: d for d in cmp.deltas}
    auto = deltas["automated_resolution_rate"]
    assert (auto.baseline, auto.current, auto.delta) == (round(2 / 6, 6), 0.5, 0.166667)
    assert auto.better is True and deltas["escalation_rate"].better is True  # 0.5 → 0
    assert deltas["conversations"].better is None and deltas["conversations"].delta == -4
    assert actions.count("metrics.baseline.pin") == 2


def run(db_url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", db_url, *args], catch_exceptions=False)
    return result.exit_code, result.output


def test_cli_series_baseline_and_compare(db_url: str, fixture: Store) -> None:  # noqa: F811
    code, out = run(db_url, "metrics", "--weekly", "--since", "2026-11-02", "--until",
                    "2026-11-16", "--json")  # fmt: skip
    assert code == 0, out
    data = json.loads(out)
    assert [p["conversations"] for p in data["points"]] == [6, 2]
    code, out = run(db_url, "metrics", "--daily", "--days", "7", "--by", "channel")
    assert code == 0 and "daily" in out.lower() and "email" not in out  # last 7 days: chat
    code, out = run(db_url, "metrics", "baseline", "pin", "pre-launch", "--since", "2026-11-02",
                    "--until", "2026-11-09")  # fmt: skip
    assert code == 0 and "6 conversations" in out, out
    code, out = run(db_url, "metrics", "baseline", "list")
    assert code == 0 and "pre-launch" in out
    code, out = run(db_url, "metrics", "compare", "pre-launch", "--json")
    assert code == 0
    deltas = {d["metric"]: d for d in json.loads(out)["deltas"]}
    assert deltas["automated_resolution_rate"]["current"] == 0.5
    code, out = run(db_url, "metrics", "compare", "pre-launch")
    assert code == 0 and "better" in out


def test_api_series_baselines_compare(
    client: TestClient,
    db: Database,
    fixture: Store,  # noqa: F811
) -> None:
    read = {"Authorization": f"Bearer {make_key(db, fixture, 'read')}"}
    admin = {"Authorization": f"Bearer {make_key(db, fixture, 'admin')}"}
    got = client.get("/api/v1/metrics", params={"since": "2026-11-02", "until": "2026-11-16",
                                                 "by": "channel"}, headers=read)  # fmt: skip
    assert got.status_code == 200, got.text
    points = got.json()["points"]
    assert {(p["period_start"], p["segment"], p["conversations"]) for p in points} == {
        ("2026-11-02", "chat", 5), ("2026-11-02", "email", 1),
        ("2026-11-09", "chat", 2), ("2026-11-09", "email", 0),
    }  # fmt: skip
    body = {"name": "pre-launch", "since": "2026-11-02", "until": "2026-11-09"}
    denied = client.post("/api/v1/metrics/baselines", json=body, headers=read)
    assert denied.status_code == 403
    assert client.post("/api/v1/metrics/baselines", json=body, headers=admin).status_code == 201
    listed = client.get("/api/v1/metrics/baselines", headers=read).json()["baselines"]
    assert listed[0]["metric_values"]["conversations"] == 6
    cmp = client.get("/api/v1/metrics/baselines/pre-launch/compare", headers=read).json()
    assert cmp["period_start"] == "2026-11-09T00:00:00"
    bad = client.get("/api/v1/metrics", params={"since": "yesterday-ish"}, headers=read)
    assert bad.status_code == 422 and bad.json()["error"]["hint"]
    missing = client.get("/api/v1/metrics/baselines/nope/compare", headers=read)
    assert missing.status_code == 404
    assert datetime.fromisoformat(cmp["period_end"]) == END
