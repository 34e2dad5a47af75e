"""`shopcoach drift …` and /api/v1/drift on a real database with planted drift."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from shopcoach.cli import app
from shopcoach.store.engine import Database
from shopcoach.store.sql import utcnow
from shopcoach.stores import Store
from tests.conftest import make_key
from tests.drift import test_store_inputs as planted


def plant_shift(db: Database, store: Store) -> None:
    # The CLI and API use the current time: plant relative to it.
    now = utcnow()
    planted.plant_conversations(
        db, store, {"track_order": 240, "gift_card": 40}, days_ago=(8, 34), prefix="ref", now=now
    )
    planted.plant_conversations(
        db,
        store,
        {"track_order": 15, "gift_card": 65},
        days_ago=(1.1, 6),
        prefix="cur",
        seed=1,
        now=now,
    )


def test_cli(db_url: str, db: Database, store: Store) -> None:
    plant_shift(db, store)
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str]:
        res = runner.invoke(app, ["--db", db_url, "drift", *args], catch_exceptions=False)
        return res.exit_code, res.output

    code, out = run("run", "--detector", "intent_mix", "--detector", "confidence", "--json")
    assert code == 0, out
    results = {r["detector"]: r for r in json.loads(out)["results"]}
    assert results["intent_mix"]["drifted"] and not results["confidence"]["drifted"]
    code, out = run("list", "--json", "--drifted")
    assert [f["detector"] for f in json.loads(out)["findings"]] == ["intent_mix"]
    code, out = run("detectors")
    assert code == 0 and "retrieval_pollution" in out and "tabular" not in out
    code, out = run("run")
    assert code == 0 and "intent_mix" in out and "Not run" in out
    res = runner.invoke(app, ["--db", db_url, "drift", "run", "--detector", "tabular"])
    assert res.exit_code == 1 and "no store inputs" in str(res.exception)


def test_api(client: TestClient, db: Database, store: Store, admin_headers: dict[str, str]) -> None:
    plant_shift(db, store)
    read = {"Authorization": f"Bearer {make_key(db, store, 'read')}"}
    assert client.post("/api/v1/drift/run", headers=read, json={}).status_code == 403
    r = client.post(
        "/api/v1/drift/run",
        headers=admin_headers,
        json={"detectors": ["intent_mix"], "config": {"intent_mix": {"top_k": 1}}},
    )
    assert r.status_code == 200, r.text
    (result,) = r.json()["results"]
    assert result["drifted"] and len(result["moved"]) == 1
    bad = client.post("/api/v1/drift/run", headers=admin_headers, json={"detectors": ["nope"]})
    assert bad.status_code >= 400 and "nope" in bad.json()["error"]["message"]
    findings = client.get("/api/v1/drift/findings", headers=read).json()["findings"]
    assert [f["detector"] for f in findings] == ["intent_mix"] and findings[0]["drifted"]
    names = [
        d["name"] for d in client.get("/api/v1/drift/detectors", headers=read).json()["detectors"]
    ]
    assert "concept" in names and "tabular" not in names
