"""Alert sinks (R-MON-3): config validation, payloads on the wire, CRUD and the test action."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from shopcoach.alerts.delivery import add_sink, list_sinks, send_test_message
from shopcoach.alerts.sinks import (
    SINK_KINDS,
    SendFailed,
    alert_payload,
    send,
    slack_message,
    validate_config,
)
from shopcoach.cli import app
from shopcoach.errors import ValidationFailed
from shopcoach.store.engine import Database
from shopcoach.stores import Store
from tests.alerts.test_sinks_peers import Mailbox, Recorder, dead_url, http_peer, smtp_peer
from tests.conftest import ROOT

__all__ = ["http_peer", "smtp_peer"]  # fixtures used below


def alert_row(**overrides: Any) -> dict[str, Any]:
    from datetime import datetime

    row: dict[str, Any] = {
        "id": 7,
        "rule": "dimension_drop",
        "fingerprint": "dimension_drop:accuracy:2026-W45",
        "state": "open",
        "severity": "critical",
        "title": "Accuracy fell 6.2 points",
        "message": "Accuracy averaged 81.0 this week vs 87.2 over the last 4 weeks.",
        "subject": {"metric": "accuracy"},
        "value": 81.0,
        "threshold": 84.2,
        "period_start": datetime(2026, 11, 2),
        "period_end": datetime(2026, 11, 9),
        "details": {"baseline": 87.2},
        "diagnosis": "Returns policy changed",
        "remediation": "Re-index the returns article",
        "opened_at": datetime(2026, 11, 9, 6),
        "resolved_at": None,
    }
    row.update(overrides)
    return row


def test_every_sink_kind_is_registered_and_documented() -> None:
    doc = (ROOT / "docs" / "alert-sinks.md").read_text()
    assert set(SINK_KINDS) == {"webhook", "slack", "email"}
    for kind, spec in SINK_KINDS.items():
        assert f"### `{kind}`" in doc
        for name in spec.config.model_fields:
            assert f"`{name}`" in doc, f"{kind}.{name} undocumented"


@pytest.mark.parametrize(
    "kind,config,field",
    [
        ("webhook", {}, "url"),
        ("webhook", {"url": "hooks.example.com"}, "url"),
        ("slack", {"url": "https://x", "channel": "#ops"}, "channel"),
        ("email", {"smtp_host": "mail", "from_addr": "a@b.c", "to": []}, "to"),
        ("email", {"smtp_host": "mail", "from_addr": "a@b.c", "to": ["nobody"]}, "to"),
        (
            "email",
            {"smtp_host": "mail", "from_addr": "a@b.c", "to": ["x@y.z"], "security": "tls"},
            "security",
        ),
    ],
)
def test_bad_config_names_the_field_and_the_fix(
    kind: str, config: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as err:
        validate_config(kind, config)
    assert field in err.value.message and kind in err.value.message
    assert err.value.hint


def test_unknown_kind() -> None:
    with pytest.raises(ValidationFailed, match="pagerduty"):
        validate_config("pagerduty", {})


def test_webhook_posts_the_alert_json(http_peer: Recorder) -> None:
    payload = alert_payload(alert_row(), "opened", "juniper")
    with httpx.Client() as client:
        send("webhook", {"url": http_peer.url, "headers": {"X-Token": "s3"}}, payload, client)
    (req,) = http_peer.requests
    assert req["headers"]["X-Token"] == "s3"
    body = req["json"]
    assert body["event"] == "opened" and body["store"] == "juniper" and body["id"] == 7
    assert body["period_start"] == "2026-11-02T00:00:00Z"
    assert body["diagnosis"] == "Returns policy changed" and body["value"] == 81.0


def test_slack_message_format(http_peer: Recorder) -> None:
    payload = alert_payload(alert_row(), "opened", "juniper")
    with httpx.Client() as client:
        send("slack", {"url": http_peer.url}, payload, client)
    body = http_peer.requests[0]["json"]
    assert set(body) == {"text", "blocks"}
    assert "Accuracy fell 6.2 points" in body["text"] and ":red_circle:" in body["text"]
    assert [b["type"] for b in body["blocks"]] == ["header", "section", "section", "context"]
    assert body["blocks"][0]["text"]["type"] == "plain_text"
    fields = {f["text"].split("\n")[0] for f in body["blocks"][2]["fields"]}
    assert {"*Rule*", "*Value*", "*Threshold*", "*Remediation*"} <= fields
    resolved = slack_message(alert_payload(alert_row(state="resolved"), "resolved", "j"))
    assert resolved["text"].startswith(":white_check_mark: [RESOLVED]")


def test_http_failures_raise_send_failed(http_peer: Recorder) -> None:
    http_peer.status = 500
    payload = alert_payload(alert_row(), "opened", "j")
    with httpx.Client() as client:
        with pytest.raises(SendFailed, match="HTTP 500"):
            send("webhook", {"url": http_peer.url}, payload, client)
        with pytest.raises(SendFailed, match="ConnectError"):
            send("webhook", {"url": dead_url(), "timeout": 2}, payload, client)


def test_email_plain_and_html(smtp_peer: tuple[Mailbox, int]) -> None:
    box, port = smtp_peer
    config = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "security": "none",
        "from_addr": "alerts@shop.test",
        "to": ["ops@shop.test", "cto@shop.test"],
    }
    with httpx.Client() as client:
        send("email", config, alert_payload(alert_row(), "opened", "juniper"), client)
    (msg,) = box.messages
    assert box.envelopes == [("alerts@shop.test", ["ops@shop.test", "cto@shop.test"])]
    assert msg["Subject"] == "[ALERT] [critical] Accuracy fell 6.2 points (juniper)"
    plain = msg.get_body(("plain",))
    html_part = msg.get_body(("html",))
    assert plain is not None and html_part is not None
    assert "Remediation: Re-index the returns article" in plain.get_content()
    assert "<th align='left'>Diagnosis</th>" in html_part.get_content()


def test_email_to_a_dead_server_fails_cleanly() -> None:
    from tests.alerts.test_sinks_peers import free_port

    config = {
        "smtp_host": "127.0.0.1",
        "smtp_port": free_port(),
        "security": "none",
        "from_addr": "a@shop.test",
        "to": ["b@shop.test"],
        "timeout": 2,
    }
    with httpx.Client() as client, pytest.raises(SendFailed, match="SMTP 127.0.0.1"):
        send("email", config, alert_payload(alert_row(), "opened", "j"), client)


def test_crud_and_test_action(db: Database, store: Store, http_peer: Recorder) -> None:
    with db.begin() as conn:
        add_sink(conn, store.id, "hook", "webhook", {"url": http_peer.url}, actor="test")
        with pytest.raises(ValidationFailed, match="already exists"):
            add_sink(conn, store.id, "hook", "webhook", {"url": http_peer.url}, actor="test")
        (sink,) = list_sinks(conn, store.id)
        assert sink.config["timeout"] == 10.0 and sink.enabled
    with db.connect() as conn:
        assert send_test_message(conn, store.id, "hook") == {
            "sink": "hook",
            "ok": True,
            "detail": "sent",
        }
    assert http_peer.requests[0]["json"]["event"] == "test"
    http_peer.status = 503
    with db.connect() as conn:
        result = send_test_message(conn, store.id, "hook")
    assert not result["ok"] and "HTTP 503" in result["detail"]


def test_api_sinks(
    client: TestClient,
    admin_headers: dict[str, str],
    db: Database,
    store: Store,
    http_peer: Recorder,
    smtp_peer: tuple[Mailbox, int],
) -> None:
    from tests.conftest import make_key

    box, port = smtp_peer
    r = client.post(
        "/api/v1/alert-sinks",
        headers=admin_headers,
        json={
            "name": "mail",
            "kind": "email",
            "config": {
                "smtp_host": "127.0.0.1",
                "smtp_port": port,
                "security": "none",
                "username": None,
                "password": "hunter2",
                "from_addr": "a@shop.test",
                "to": ["ops@shop.test"],
            },
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["config"]["password"] == "***"
    bad = client.post(
        "/api/v1/alert-sinks",
        headers=admin_headers,
        json={"name": "x", "kind": "slack", "config": {"url": "nope"}},
    )
    assert bad.status_code == 422 and "url" in bad.json()["error"]["message"]
    read = {"Authorization": f"Bearer {make_key(db, store, 'read')}"}
    assert client.get("/api/v1/alert-sinks", headers=read).status_code == 403
    assert client.post("/api/v1/alert-sinks/mail/test", headers=admin_headers).json()["ok"]
    assert box.messages[0]["Subject"].startswith("[TEST]")
    client.post(
        "/api/v1/alert-sinks",
        headers=admin_headers,
        json={"name": "hook", "kind": "webhook", "config": {"url": http_peer.url}},
    )
    r = client.patch("/api/v1/alert-sinks/hook", headers=admin_headers, json={"enabled": False})
    assert r.json()["enabled"] is False
    names = [
        s["name"] for s in client.get("/api/v1/alert-sinks", headers=admin_headers).json()["sinks"]
    ]
    assert names == ["hook", "mail"]
    assert client.delete("/api/v1/alert-sinks/hook", headers=admin_headers).status_code == 200
    assert client.delete("/api/v1/alert-sinks/hook", headers=admin_headers).status_code == 404


def test_cli_sinks(db_url: str, db: Database, store: Store, http_peer: Recorder) -> None:
    runner = CliRunner()
    def run(*args: str) -> tuple[int, str]:  # the real path: `shopcoach alerts sinks …`
        res = runner.invoke(app, ["--db", db_url, "alerts", "sinks", *args])
        return res.exit_code, res.output

    code, out = run("add", "ops", "--kind", "slack", "--url", http_peer.url)
    assert code == 0, out
    code, out = run("add", "bad", "--kind", "email", "--smtp-host", "m")
    assert code == 1
    code, out = run("list", "--json")
    assert '"name": "ops"' in out
    code, out = run("test", "ops")
    assert code == 0 and "sent" in out
    assert "TEST" in http_peer.requests[0]["json"]["text"]
    code, out = run("deliver")
    assert code == 0 and "Sent 0" in out
    code, out = run("remove", "ops")
    assert code == 0
