"""Capture over HTTP through the ASGI app: auth, partial batches, idempotency, limits."""

from __future__ import annotations

from fastapi.testclient import TestClient

from shopcoach.store.engine import Database
from shopcoach.stores import Store
from tests.conftest import conversation, make_key, signal


def test_batch_stores_good_records_and_reports_bad_ones(
    client: TestClient, ingest_headers: dict[str, str]
) -> None:
    bad = conversation("c-bad", confidence=1.7)
    body = {"conversations": [conversation("c-1"), bad, conversation("c-2")]}
    response = client.post("/api/v1/ingest/conversations", json=body, headers=ingest_headers)
    assert response.status_code == 200
    data = response.json()
    assert (data["received"], data["accepted"], data["created"]) == (3, 2, 2)
    assert data["rejected"] == [
        {
            "index": 1,
            "external_id": "c-bad",
            "field": "confidence",
            "reason": "Input should be less than or equal to 1",
            "problems": [
                {"field": "confidence", "reason": "Input should be less than or equal to 1"}
            ],
        }
    ]
    retry = client.post("/api/v1/ingest/conversations", json=body, headers=ingest_headers).json()
    assert (retry["created"], retry["unchanged"]) == (0, 2)


def test_signals_batch(client: TestClient, ingest_headers: dict[str, str]) -> None:
    body = {"signals": [signal("s-1"), signal("s-2", type="human_request", value=None)]}
    data = client.post("/api/v1/ingest/signals", json=body, headers=ingest_headers).json()
    assert (data["created"], data["rejected"]) == (2, [])


def test_missing_wrong_and_revoked_keys(client: TestClient, db: Database, store: Store) -> None:
    url = "/api/v1/ingest/conversations"
    missing = client.post(url, json={"conversations": []})
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "missing_api_key"
    assert "shopcoach keys create --scope ingest" in missing.json()["error"]["hint"]
    assert missing.headers["www-authenticate"] == "Bearer"

    wrong = client.post(
        url, json={"conversations": []}, headers={"Authorization": "Bearer sc_deadbeef_nope"}
    )
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (401, "invalid_api_key")

    read_only = make_key(db, store, "read")
    denied = client.post(url, json={"conversations": []}, headers={"X-API-Key": read_only})
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "scope_denied"
    assert "'ingest'" in denied.json()["error"]["message"]


def test_body_problems(client: TestClient, ingest_headers: dict[str, str]) -> None:
    url = "/api/v1/ingest/conversations"
    not_json = client.post(url, content=b"{oops", headers=ingest_headers)
    assert (not_json.status_code, not_json.json()["error"]["code"]) == (400, "invalid_json")
    wrong_shape = client.post(url, json={"items": []}, headers=ingest_headers)
    assert wrong_shape.status_code == 422
    assert "'conversations'" in wrong_shape.json()["error"]["message"]
    too_many = client.post(url, json={"conversations": [{}] * 1001}, headers=ingest_headers)
    assert too_many.status_code == 413
    assert "SHOPCOACH_MAX_BATCH_RECORDS" in too_many.json()["error"]["hint"]


def test_key_cannot_write_to_another_store(
    client: TestClient, ingest_headers: dict[str, str]
) -> None:
    body = {"conversations": [conversation("x", store="elsewhere")]}
    data = client.post("/api/v1/ingest/conversations", json=body, headers=ingest_headers).json()
    assert data["created"] == 0 and data["rejected"][0]["field"] == "store"


def test_openapi_describes_the_record_schema(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    body = doc["paths"]["/api/v1/ingest/conversations"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith("ConversationBatch")
    schemas = doc["components"]["schemas"]
    assert "started_at" in schemas["ConversationIn"]["required"]
    assert "thumbs" in schemas["SignalType"]["enum"]
