"""The AI fix list (R-REV-2): core, CLI (CliRunner), HTTP API and the SDK over loopback."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import uvicorn
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from shopcoach import Client
from shopcoach.api.app import create_app
from shopcoach.capture.writer import ingest_conversations
from shopcoach.cli import app
from shopcoach.errors import NotFound, ValidationFailed
from shopcoach.review import fixlist
from shopcoach.review.weeks import week_bounds
from shopcoach.settings import Settings
from shopcoach.store.engine import Database
from shopcoach.store.tables import audit_log, fix_items
from shopcoach.stores import Store
from tests.conftest import conversation, make_key
from tests.sdk.test_client import _free_port


@pytest.fixture
def convs(db: Database, store: Store) -> Database:
    with db.begin() as conn:
        records = [conversation(f"c-{i}") for i in range(3)]
        assert ingest_conversations(conn, store, list(enumerate(records))).accepted == 3
    return db


def _audit(db: Database) -> list[tuple[str, str, dict]]:
    with db.connect() as conn:
        rows = conn.execute(
            sa.select(audit_log.c.action, audit_log.c.target, audit_log.c.details)
            .where(audit_log.c.action.like("fix_item.%"))
            .order_by(audit_log.c.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_lifecycle_is_audited(convs: Database, store: Store) -> None:
    with convs.begin() as conn:
        item = fixlist.add_item(conn, store.id, "c-1", "quoted 30 days", actor="ana")
        assert (item.status, item.owner, item.conversation_id) == ("open", None, "c-1")
        fixlist.assign(conn, store.id, item.id, "ben", actor="ana")
        fixlist.set_status(conn, store.id, item.id, "in_progress", actor="ben")
        with pytest.raises(ValidationFailed, match="needs a fix_ref"):
            fixlist.set_status(conn, store.id, item.id, "done", actor="ben")
        with pytest.raises(ValidationFailed, match="needs a fix_ref"):
            fixlist.close(conn, store.id, item.id, "  ", actor="ben")
        done = fixlist.close(conn, store.id, item.id, "agent_version:v7", actor="ben")
    assert (done.status, done.owner, done.fix_ref) == ("done", "ben", "agent_version:v7")
    assert done.closed_at is not None
    actions = _audit(convs)
    assert [a for a, _, _ in actions] == ["fix_item.add"] + ["fix_item.update"] * 3
    assert all(t == f"fix_item:{item.id}" for _, t, _ in actions)
    assert actions[1][2]["changes"] == {"owner": [None, "ben"]}
    assert actions[-1][2]["changes"]["status"] == ["in_progress", "done"]
    with convs.begin() as conn:  # reopening forgets the fix and the close time
        again = fixlist.set_status(conn, store.id, item.id, "open", actor="ben")
    assert again.closed_at is None and again.fix_ref is None


def test_errors_name_the_record(convs: Database, store: Store) -> None:
    with convs.begin() as conn:
        with pytest.raises(NotFound, match="'c-404'"):
            fixlist.add_item(conn, store.id, "c-404", "wrong", actor="ana")
        with pytest.raises(ValidationFailed, match="needs a note"):
            fixlist.add_item(conn, store.id, "c-1", "   ", actor="ana")
        with pytest.raises(NotFound, match="No fix item 99"):
            fixlist.assign(conn, store.id, 99, "ben", actor="ana")
        item = fixlist.add_item(conn, store.id, "c-1", "x", actor="ana")
        with pytest.raises(ValidationFailed, match="'finished'"):
            fixlist.set_status(conn, store.id, item.id, "finished", actor="ana")


def test_pack_shows_open_and_closed_this_week(convs: Database, store: Store) -> None:
    with convs.begin() as conn:
        a = fixlist.add_item(conn, store.id, "c-0", "still open", actor="ana")
        b = fixlist.add_item(conn, store.id, "c-1", "fixed this week", actor="ana")
        c = fixlist.add_item(conn, store.id, "c-2", "fixed long ago", actor="ana")
        fixlist.close(conn, store.id, b.id, "kb:article/returns@4", actor="ana")
        fixlist.close(conn, store.id, c.id, "agent_version:v3", actor="ana")
        # c was closed three weeks ago (times are set by the library; move one back).
        past = datetime.now(UTC).replace(tzinfo=None) - timedelta(weeks=3)
        conn.execute(sa.update(fix_items).where(fix_items.c.id == c.id).values(closed_at=past))
    today = datetime.now(UTC).date()
    iso = today.isocalendar()
    with convs.connect() as conn:
        pack = fixlist.open_items_for_pack(conn, store.id, f"{iso.year}-W{iso.week:02d}")
        same = fixlist.open_items_for_pack(conn, store.id, today)
        before = fixlist.open_items_for_pack(conn, store.id, today - timedelta(weeks=5))
    assert [i.id for i in pack.open] == [a.id]
    assert [(i.id, i.fix_ref) for i in pack.closed] == [(b.id, "kb:article/returns@4")]
    assert same.to_dict() == pack.to_dict()
    assert before.open == [] and before.closed == []  # nothing existed then
    with pytest.raises(ValidationFailed, match="ISO week"):
        week_bounds("week 47")


runner = CliRunner()


def test_cli(convs: Database, db_url: str) -> None:
    def run(*args: str) -> str:
        result = runner.invoke(app, ["--db", db_url, "fix", *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    assert "Fix item 1 added: conversation c-2" in run("add", "c-2", "--note", "wrong size")
    run("assign", "1", "ben")
    assert "in_progress" in run("status", "1", "in_progress")
    items = json.loads(run("list", "--status", "in_progress", "--json"))
    assert [(i["id"], i["owner"], i["note"]) for i in items] == [(1, "ben", "wrong size")]
    assert "closed" in run("close", "1", "--fix-ref", "agent_version:v7")
    assert json.loads(run("list", "--json"))[0]["fix_ref"] == "agent_version:v7"
    assert "wrong size" in run("list")
    missing = runner.invoke(app, ["--db", db_url, "fix", "add", "nope", "--note", "x"])
    assert missing.exit_code != 0 and isinstance(missing.exception, NotFound)
    assert "'nope'" in str(missing.exception)


def test_api_scopes_and_flow(client: TestClient, convs: Database, store: Store) -> None:
    ingest = {"Authorization": f"Bearer {make_key(convs, store, 'ingest')}"}
    read = {"Authorization": f"Bearer {make_key(convs, store, 'read')}"}
    admin = {"Authorization": f"Bearer {make_key(convs, store, 'admin')}"}
    body = {"conversation_id": "c-1", "note": "promised a refund it cannot give"}
    assert client.post("/api/v1/fix-items", json=body, headers=read).status_code == 403
    r = client.post("/api/v1/fix-items", json=body, headers=ingest)
    assert r.status_code == 201 and r.json()["status"] == "open"
    item_id = r.json()["id"]
    r = client.post("/api/v1/fix-items", json={**body, "owner": "cy"}, headers=admin)
    assert r.status_code == 201 and r.json()["owner"] == "cy"
    r = client.post("/api/v1/fix-items", json={**body, "conversation_id": "c-9"}, headers=ingest)
    assert r.status_code == 404 and "'c-9'" in r.json()["error"]["message"]
    assert client.get("/api/v1/fix-items", headers=ingest).status_code == 403
    url = f"/api/v1/fix-items/{item_id}"
    r = client.patch(url, json={"owner": "ben", "status": "in_progress"}, headers=ingest)
    assert r.status_code == 200 and (r.json()["owner"], r.json()["status"]) == (
        "ben",
        "in_progress",
    )
    r = client.patch(url, json={"status": "done"}, headers=ingest)
    assert r.status_code == 422 and "fix_ref" in r.json()["error"]["message"]
    r = client.patch(url, json={"status": "done", "fix_ref": "agent_version:v7"}, headers=ingest)
    assert r.status_code == 200 and r.json()["closed_at"]
    assert client.get(url, headers=read).json()["fix_ref"] == "agent_version:v7"
    listed = client.get("/api/v1/fix-items?status=open", headers=read).json()["items"]
    assert [i["owner"] for i in listed] == ["cy"]
    iso = datetime.now(UTC).date().isocalendar()
    pack = client.get(f"/api/v1/fix-items?week={iso.year}-W{iso.week:02d}", headers=read).json()
    assert [i["id"] for i in pack["closed"]] == [item_id] and len(pack["open"]) == 1
    r = client.patch(url, json={"status": "finished"}, headers=ingest)
    assert r.status_code == 422 and r.json()["error"]["problems"][0]["field"] == "body.status"


@pytest.fixture
def live_url(settings: Settings, convs: Database, store: Store) -> Iterator[str]:
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, convs), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(5)


def test_sdk_add_fix_item(
    live_url: str, convs: Database, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client(live_url, make_key(convs, store, "ingest"))
    item = client.add_fix_item("c-2", "tone too curt", owner="dee")
    assert item is not None and (item["conversation_id"], item["owner"]) == ("c-2", "dee")
    with convs.connect() as conn:
        assert [i.id for i in fixlist.list_items(conn, store.id)] == [item["id"]]
    with caplog.at_level(logging.WARNING, logger="shopcoach.sdk"):
        assert client.add_fix_item("c-404", "x") is None  # never raises
        assert client.add_fix_item("c-405", "x") is None  # warned once per status
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1 and "HTTP 404" in warnings[0] and "'c-404'" in warnings[0]
    client.shutdown()
    reader = Client(live_url, make_key(convs, store, "read"))
    assert reader.add_fix_item("c-1", "x") is None  # 403: the key lacks the scope
    reader.shutdown()
    down = Client(f"http://127.0.0.1:{_free_port()}", "sc_x_y", timeout=1)
    assert down.add_fix_item("c-1", "x") is None
    down.shutdown(timeout=1)
    assert Client(None, None).add_fix_item("c-1", "x") is None  # disabled: no URL
