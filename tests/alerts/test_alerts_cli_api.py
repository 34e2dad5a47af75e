"""`shopcoach alerts` through CliRunner and the alerts API through the ASGI app."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from shopcoach.cli import app
from shopcoach.store.engine import Database
from shopcoach.stores import Store
from tests.alerts.test_rules import history
from tests.conftest import make_key

runner = CliRunner()
NOW = "2026-11-10T09:00:00Z"


def run(db_url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", db_url, *args], catch_exceptions=False)
    return result.exit_code, result.output


def test_cli_check_list_show_ack_diagnose_resolve_rules(
    db_url: str, db: Database, store: Store
) -> None:
    history(db, store, last_accuracy=76, last_resolved=154)
    code, out = run(db_url, "alerts", "check", "--now", NOW, "--json")
    assert code == 0, out
    data = json.loads(out)
    assert len(data["opened"]) == 2 and data["delivery"]["sent"] == 0  # no sinks yet
    code, out = run(db_url, "alerts", "check", "--now", NOW, "--no-deliver")
    assert code == 0 and "0 opened, 2 updated" in out
    code, out = run(db_url, "alerts", "list", "--state", "open", "--json")
    alerts = json.loads(out)["alerts"]
    ids = {a["rule"]: a["id"] for a in alerts}
    code, out = run(db_url, "alerts", "show", str(ids["dimension-drop"]))
    assert code == 0 and "rolling average" in out and "w5-0" in out
    dim = str(ids["dimension-drop"])
    assert run(db_url, "alerts", "ack", dim, "--by", "sam")[0] == 0
    code, out = run(db_url, "alerts", "diagnose", dim, "--diagnosis", "KB article v4",
                    "--remediation", "rolled back")  # fmt: skip
    assert code == 0
    assert run(db_url, "alerts", "resolve", dim)[0] == 0
    code, out = run(db_url, "alerts", "list")
    assert code == 0 and "resolved" in out and "acknowledged" not in out
    code, out = run(db_url, "alerts", "rules", "add", "csat-low", "--metric", "csat_ai",
                    "--op", "<", "--threshold", "4")  # fmt: skip
    assert code == 0 and "csat_ai < 4 per week" in out
    assert run(db_url, "alerts", "rules", "disable", "resolution-drop")[0] == 0
    code, out = run(db_url, "alerts", "rules", "list", "--json")
    rules = {r["name"]: r for r in json.loads(out)["rules"]}
    assert rules["csat-low"]["params"]["threshold"] == 4.0
    assert rules["resolution-drop"]["enabled"] is False
    result = runner.invoke(app, ["--db", db_url, "alerts", "ack", dim])
    assert result.exit_code == 1  # resolved: cannot be acknowledged (a domain error)


def test_api_alerts_flow(client: TestClient, db: Database, store: Store) -> None:
    history(db, store, last_accuracy=80, last_resolved=154)
    read = {"Authorization": f"Bearer {make_key(db, store, 'read')}"}
    admin = {"Authorization": f"Bearer {make_key(db, store, 'admin')}"}
    assert client.post("/api/v1/alerts/check", headers=read).status_code == 403
    checked = client.post("/api/v1/alerts/check", params={"now": NOW}, headers=admin)
    assert checked.status_code == 200 and len(checked.json()["opened"]) == 1
    (alert,) = client.get("/api/v1/alerts", params={"state": "open"}, headers=read).json()["alerts"]
    assert alert["rule"] == "resolution-drop" and alert["details"]["drop_pp"] == 3.0
    one = client.get(f"/api/v1/alerts/{alert['id']}", headers=read).json()
    assert one["fingerprint"] == alert["fingerprint"]
    url = f"/api/v1/alerts/{alert['id']}"
    assert client.post(f"{url}/ack", headers=read).status_code == 403
    assert client.post(f"{url}/ack", headers=admin).json()["state"] == "acknowledged"
    noted = client.post(f"{url}/diagnosis", json={"diagnosis": "carrier outage"}, headers=admin)
    assert noted.json()["diagnosis"] == "carrier outage"
    assert client.post(f"{url}/resolve", headers=admin).json()["state"] == "resolved"
    again = client.post(f"{url}/resolve", headers=admin)
    assert again.status_code == 422 and again.json()["error"]["code"] == "invalid_request"
    assert client.get("/api/v1/alerts/999999", headers=read).status_code == 404
    rule = {"name": "slow", "metric": "latency_p95_ms", "op": ">", "threshold": 5000,
            "window": "day"}  # fmt: skip
    assert client.post("/api/v1/alerts/rules", json=rule, headers=admin).status_code == 201
    bad = client.post("/api/v1/alerts/rules", json={**rule, "name": "x", "metric": "nope"},
                      headers=admin)  # fmt: skip
    assert bad.status_code == 422 and "not a metric" in bad.json()["error"]["message"]
    patched = client.patch("/api/v1/alerts/rules/slow", json={"enabled": False}, headers=admin)
    assert patched.json()["enabled"] is False
    names = [r["name"] for r in client.get("/api/v1/alerts/rules", headers=read).json()["rules"]]
    assert names == ["dimension-drop", "resolution-drop", "slow"]
    assert client.delete("/api/v1/alerts/rules/slow", headers=admin).json() == {"deleted": "slow"}
