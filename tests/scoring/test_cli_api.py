"""`shopcoach score …` through CliRunner, and /api/v1/scoring through the ASGI app."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from shopcoach.cli import app
from shopcoach.store.engine import Database
from shopcoach.stores import Store
from tests.conftest import make_key
from tests.scoring.helpers import ingest
from tests.scoring.test_run import priced, seed_kb

runner = CliRunner()


def cli(db_url: str, *args: str) -> str:
    result = runner.invoke(app, ["--db", db_url, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def seed(db: Database, store: Store) -> None:
    seed_kb(db, store)
    with db.begin() as conn:
        ingest(conn, store, [
            priced("nov-old", datetime(2026, 11, 10), "The Alpine 30L Backpack is $129.99."),
            priced("nov-right", datetime(2026, 11, 10), "The Alpine 30L Backpack is $99.99."),
        ])  # fmt: skip


def test_cli_score_commands(db: Database, store: Store, db_url: str, tmp_path: Path) -> None:
    seed(db, store)
    out = cli(db_url, "score", "run")
    assert "Scored 2 of 2" in out and "1 hallucination flags" in out
    assert "Scored 0 of 2" in cli(db_url, "score", "run")
    data = json.loads(cli(db_url, "score", "show", "nov-old"))
    assert data["dimensions"]["accuracy"]["label"] == "fail"
    flags = json.loads(cli(db_url, "score", "flags", "--json"))
    assert [(f["kind"], f["verified"]) for f in flags] == [("price", "99.99 USD")]
    assert "99.99 USD" in cli(db_url, "score", "flags")
    queue = json.loads(cli(db_url, "score", "review-queue", "--json"))
    assert [q["conversation"] for q in queue] == ["nov-old"]
    out = cli(db_url, "score", "label", "nov-right", "--dimension", "tone", "--label", "fail",
              "--note", "too curt")  # fmt: skip
    assert "judge said pass" in out
    agree = json.loads(cli(db_url, "score", "agreement", "--json"))
    assert agree[0]["dimension"] == "tone" and agree[0]["n"] == 1
    shown = json.loads(cli(db_url, "score", "config", "show"))
    assert shown["version"] == 0
    shown["config"]["brand_voice"]["banned_phrases"] = ["no worries"]
    path = tmp_path / "scoring.json"
    path.write_text(json.dumps(shown))
    assert "v1 saved" in cli(db_url, "score", "config", "set", str(path))
    assert "unchanged" in cli(db_url, "score", "config", "set", str(path))
    assert "Scored 2 of 2" in cli(db_url, "score", "run")
    assert "grounding" in cli(db_url, "score", "judges")


def test_api_scoring_endpoints(client: TestClient, db: Database, store: Store) -> None:
    seed(db, store)
    admin = {"Authorization": f"Bearer {make_key(db, store, 'admin')}"}
    read = {"Authorization": f"Bearer {make_key(db, store, 'read')}"}
    ingest_h = {"Authorization": f"Bearer {make_key(db, store, 'ingest')}"}
    assert client.post("/api/v1/scoring/run", headers=read).status_code == 403
    r = client.post("/api/v1/scoring/run", headers=admin, json={"full": False})
    assert r.status_code == 200 and r.json()["scored"] == 2
    assert client.post("/api/v1/scoring/run", headers=admin).json()["scored"] == 0
    s = client.get("/api/v1/scoring/conversations/nov-old", headers=read).json()
    assert s["dimensions"]["accuracy"]["label"] == "fail" and s["flags"][0]["kind"] == "price"
    assert client.get("/api/v1/scoring/conversations/nope", headers=read).status_code == 404
    flags = client.get("/api/v1/scoring/flags", headers=read, params={"kind": "price"}).json()
    assert flags["flags"][0]["verified"] == "99.99 USD"
    queue = client.get("/api/v1/scoring/review-queue", headers=read).json()
    assert [q["conversation"] for q in queue["conversations"]] == ["nov-old"]
    body = {"dimension": "accuracy", "label": "pass", "labeler": "ana", "note": "ok"}
    assert client.post("/api/v1/scoring/conversations/nov-old/labels", headers=read,
                       json=body).status_code == 403  # fmt: skip
    r = client.post("/api/v1/scoring/conversations/nov-old/labels", headers=ingest_h, json=body)
    assert r.status_code == 200 and r.json()["dimensions"]["accuracy"]["label"] == "pass"
    bad = client.post("/api/v1/scoring/conversations/nov-old/labels", headers=ingest_h,
                      json={**body, "label": "great"})  # fmt: skip
    assert bad.status_code == 422
    agree = client.get("/api/v1/scoring/agreement", headers=read).json()["agreement"]
    assert agree[0]["dimension"] == "accuracy" and agree[0]["n"] == 1
    assert client.get("/api/v1/scoring/summary", headers=read).json()["scored"] == 2
    cfg = client.get("/api/v1/scoring/config", headers=read).json()
    assert cfg["version"] == 0
    cfg["config"]["weights"]["tone"] = 5
    r = client.put("/api/v1/scoring/config", headers=admin, json=cfg["config"])
    assert r.status_code == 200 and r.json() == {**r.json(), "version": 1, "created": True}
    bad_cfg = client.put("/api/v1/scoring/config", headers=admin, json={"weights": {"tone": -1}})
    assert bad_cfg.status_code == 422 and "weights.tone" in bad_cfg.text
    names = {j["name"] for j in client.get("/api/v1/scoring/judges", headers=read).json()["judges"]}
    assert names == {"grounding", "overlap", "brand_voice", "outcome_signals", "llm"}
