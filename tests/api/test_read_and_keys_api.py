"""Read endpoints, key management over HTTP, and the single error envelope."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from shopcoach.api.app import create_app
from shopcoach.errors import SchemaOutOfDate
from shopcoach.settings import Settings
from shopcoach.store.engine import Database
from shopcoach.store.migrate import head_revision
from shopcoach.store.tables import api_keys
from tests.conftest import conversation, signal


def test_health_needs_no_key(client: TestClient) -> None:
    data = client.get("/api/v1/health").json()
    assert data["status"] == "ok" and data["schema"] == head_revision()


def test_stats_and_conversation(
    client: TestClient, ingest_headers: dict[str, str], admin_headers: dict[str, str]
) -> None:
    record = conversation(
        "c-1", messages=[{"role": "customer", "text": "mail me at a.b@shop.io re #10234"}]
    )
    client.post(
        "/api/v1/ingest/conversations",
        json={"conversations": [record, conversation("c-2", channel="email", outcome="escalated")]},
        headers=ingest_headers,
    )
    client.post("/api/v1/ingest/signals", json={"signals": [signal("s-1")]}, headers=ingest_headers)
    stats = client.get("/api/v1/stats", headers=admin_headers).json()
    assert stats["conversations"] == 2 and stats["messages"] == 4 and stats["signals"] == 1
    assert stats["by_outcome"] == {"escalated": 1, "resolved": 1}
    assert stats["by_channel"] == {"chat": 1, "email": 1}
    assert stats["by_day"] == [{"day": "2026-11-02", "conversations": 2}]
    conv = client.get("/api/v1/conversations/c-1", headers=admin_headers).json()
    assert conv["messages"][0]["text"] == "mail me at [EMAIL] re #10234"
    assert conv["signals"][0]["type"] == "csat"
    missing = client.get("/api/v1/conversations/nope", headers=admin_headers)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_keys_lifecycle_over_http(
    client: TestClient, admin_headers: dict[str, str], db: Database
) -> None:
    created = client.post(
        "/api/v1/keys", json={"name": "shop backend", "scopes": ["ingest"]}, headers=admin_headers
    )
    assert created.status_code == 201
    key, prefix = created.json()["key"], created.json()["prefix"]
    assert key.startswith(f"sc_{prefix}_")
    with db.connect() as conn:  # only a hash of the secret is stored
        stored = conn.execute(
            sa.select(api_keys.c.key_hash).where(api_keys.c.prefix == prefix)
        ).scalar_one()
    secret = key.split("_", 2)[2]
    assert secret not in stored and stored == hashlib.sha256(secret.encode()).hexdigest()
    listed = client.get("/api/v1/keys", headers=admin_headers).json()["keys"]
    assert prefix in [k["prefix"] for k in listed] and all("key" not in k for k in listed)
    ok = client.post(
        "/api/v1/ingest/signals", json={"signals": []}, headers={"Authorization": f"Bearer {key}"}
    )
    assert ok.status_code == 200
    revoked = client.delete(f"/api/v1/keys/{prefix}", headers=admin_headers).json()
    assert revoked["revoked_at"] is not None
    after = client.post(
        "/api/v1/ingest/signals", json={"signals": []}, headers={"Authorization": f"Bearer {key}"}
    )
    assert after.status_code == 401 and "revoked" in after.json()["error"]["message"]
    bad_scope = client.post(
        "/api/v1/keys", json={"name": "x", "scopes": ["root"]}, headers=admin_headers
    )
    assert (
        bad_scope.status_code == 422
        and "ingest, read, agent, admin" in bad_scope.json()["error"]["hint"]
    )


def test_every_error_has_the_same_envelope(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    responses = [
        client.get("/api/v1/stats"),
        client.get("/api/v1/nowhere"),
        client.get("/api/v1/stats?days=0", headers=admin_headers),
        client.post("/api/v1/keys", json={"name": ""}, headers=admin_headers),
        client.put("/api/v1/health"),
    ]
    assert [r.status_code for r in responses] == [401, 404, 422, 422, 405]
    for r in responses:
        error = r.json()["error"]
        assert set(error) >= {"code", "message", "hint"}
        assert isinstance(error["code"], str) and error["message"]


def test_app_refuses_an_out_of_date_schema(db_url: str, tmp_path: Path) -> None:
    with pytest.raises(SchemaOutOfDate) as exc:
        create_app(Settings(database_url=db_url, home=tmp_path))
    assert exc.value.hint and "shopcoach db upgrade" in exc.value.hint
