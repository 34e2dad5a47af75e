"""The agent over HTTP (POST /respond, GET /search) and in the terminal (shopcoach chat)."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from shopcoach.cli import app
from shopcoach.kb.api import import_kb
from shopcoach.kb.usage import answer_sources
from shopcoach.settings import Settings
from shopcoach.store.engine import Database
from shopcoach.store.tables import agent_turns
from shopcoach.stores import Store
from tests.conftest import make_key

RETURNS = """---
title: Returns and refunds
---
# Returns

You can return most items within 30 days of delivery for a full refund. Items must be unused.

# Refunds

Refunds are issued 5-7 business days after we receive your return.
"""
SHIPPING = """# Shipping

Standard shipping takes 3-5 business days. Free standard shipping on orders over $35.
"""
PRODUCTS = [
    {
        "id": "MUG-1",
        "title": "Stoneware coffee mug 12 oz",
        "description": "Glazed stoneware mug.",
        "price": 14.0,
        "in_stock": True,
        "category": "Kitchen > Mugs",
        "brand": "Juniper",
    },
    {
        "id": "KETTLE-2",
        "title": "Gooseneck pour-over kettle",
        "description": "1 litre kettle.",
        "price": 49.5,
        "in_stock": False,
        "category": "Kitchen > Kettles",
        "brand": "Juniper",
    },
]


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """Lexical search here: deterministic and fast (hybrid search has its own tests)."""
    return Settings(database_url=db_url, home=tmp_path / "data", embedder="none")


@pytest.fixture
def kb(db: Database, store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "help"
    folder.mkdir()
    (folder / "returns.md").write_text(RETURNS)
    (folder / "shipping.md").write_text(SHIPPING)
    products = tmp_path / "products.jsonl"
    products.write_bytes(b"\n".join(orjson.dumps(p) for p in PRODUCTS) + b"\n")
    assert import_kb(db, folder, kind="article").created == 2
    assert import_kb(db, products, kind="product").created == 2


def test_respond_answers_and_stores_the_trace(
    client: TestClient, db: Database, store: Store, kb: None
) -> None:
    headers = {"Authorization": f"Bearer {make_key(db, store, 'agent')}"}
    r = client.post(
        "/api/v1/respond",
        headers=headers,
        json={"conversation_id": "web-1", "message": "How long do refunds take?"},
    )
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["action"] == "answer" and "5-7 business days" in data["reply"]
    assert data["grounding"]["ok"] is True and data["citations"]
    with db.connect() as conn:
        row = conn.execute(sa.select(agent_turns).where(agent_turns.c.id == data["turn_id"])).one()
        sources = answer_sources(conn, store.id, f"turn:{data['turn_id']}")
    assert row.conversation_external_id == "web-1" and row.reply == data["reply"]
    assert sources, "the knowledge versions the answer used are recorded (R-KB-4)"
    r2 = client.post(
        "/api/v1/respond",
        headers=headers,
        json={"conversation_id": "web-1", "message": "Can I talk to a person?"},
    )
    assert r2.json()["action"] == "escalate"
    handoff = r2.json()["handoff"]
    assert handoff["transcript_tail"][0]["text"] == "How long do refunds take?"  # restored


def test_respond_needs_the_agent_scope(client: TestClient, db: Database, store: Store) -> None:
    headers = {"Authorization": f"Bearer {make_key(db, store, 'ingest')}"}
    r = client.post(
        "/api/v1/respond", headers=headers, json={"conversation_id": "x", "message": "hi"}
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "scope_denied"
    bad = client.post(
        "/api/v1/respond",
        headers={"Authorization": f"Bearer {make_key(db, store, 'agent')}"},
        json={"conversation_id": "", "message": "hi"},
    )
    assert bad.status_code == 422 and "conversation_id" in bad.text


def test_search_endpoint_with_filters(
    client: TestClient, db: Database, store: Store, kb: None
) -> None:
    headers = {"Authorization": f"Bearer {make_key(db, store, 'agent')}"}
    r = client.get("/api/v1/search", headers=headers, params={"q": "kettle", "kind": "product"})
    assert r.status_code == 200, r.text
    assert [h["doc_id"] for h in r.json()["results"]] == ["KETTLE-2"]
    r = client.get(
        "/api/v1/search",
        headers=headers,
        params={"q": "kettle mug", "in_stock": "true", "kind": "product"},
    )
    assert [h["doc_id"] for h in r.json()["results"]] == ["MUG-1"]
    r = client.get("/api/v1/search", headers=headers, params={"q": "refund"})
    assert r.json()["results"][0]["kind"] == "article"
    assert r.json()["rewritten"] is None  # a known word: searched as typed
    r = client.get(
        "/api/v1/search", headers=headers, params={"q": "stoneware kettel", "kind": "product"}
    )
    body = r.json()
    assert body["rewritten"]["corrections"] == [{"typed": "kettel", "searched": "kettle"}]
    assert "KETTLE-2" in [h["doc_id"] for h in body["results"]]


def test_search_accepts_read_or_agent_keys_only(
    client: TestClient, db: Database, store: Store, kb: None
) -> None:
    read = {"Authorization": f"Bearer {make_key(db, store, 'read')}"}
    r = client.get("/api/v1/search", headers=read, params={"q": "kettle", "kind": "product"})
    assert r.status_code == 200 and r.json()["results"][0]["doc_id"] == "KETTLE-2"
    ingest = {"Authorization": f"Bearer {make_key(db, store, 'ingest')}"}
    denied = client.get("/api/v1/search", headers=ingest, params={"q": "kettle"})
    assert denied.status_code == 403
    assert "'read' or 'agent'" in denied.json()["error"]["message"]


def test_new_knowledge_is_searchable_without_restart(
    client: TestClient, db: Database, store: Store, kb: None, tmp_path: Path
) -> None:
    headers = {"Authorization": f"Bearer {make_key(db, store, 'agent')}"}
    assert (
        client.get("/api/v1/search", headers=headers, params={"q": "teapot"}).json()["results"]
        == []
    )
    extra = tmp_path / "more.jsonl"
    extra.write_bytes(
        orjson.dumps({"id": "POT-3", "title": "Cast iron teapot", "price": 39.0}) + b"\n"
    )
    import_kb(db, extra, kind="product")
    found = client.get("/api/v1/search", headers=headers, params={"q": "teapot"}).json()
    assert [h["doc_id"] for h in found["results"]] == ["POT-3"]


def test_chat_cli(db_url: str, db: Database, store: Store, kb: None, settings: Settings) -> None:
    runner = CliRunner()
    r = runner.invoke(
        app,
        [
            "--db",
            db_url,
            "--home",
            str(settings.home),
            "chat",
            "-m",
            "How much is the stoneware coffee mug?",
            "-m",
            "I want to speak to a human",
            "--conversation",
            "term-1",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "$14.00" in r.output and "escalated: asked_for_human" in r.output
    with db.connect() as conn:
        n = conn.scalar(
            sa.select(sa.func.count())
            .select_from(agent_turns)
            .where(agent_turns.c.conversation_external_id == "term-1")
        )
    assert n == 2
    assert json  # the module is used by other tests in this file


def test_index_is_persisted_and_reopened_incrementally(
    db: Database, store: Store, kb: None, settings: Settings, tmp_path: Path
) -> None:
    from shopcoach.kb.search import KnowledgeSearch

    first = KnowledgeSearch(db, store, settings.home, embedder=None)
    assert first.sync().added == len(first.documents()) > 0
    assert (settings.home / "index" / store.slug / "manifest.json").is_file()
    reopened = KnowledgeSearch(db, store, settings.home, embedder=None)  # a restart
    assert len(reopened.documents()) == len(first.documents())
    again = reopened.sync()
    assert (again.added, again.updated, again.removed) == (0, 0, 0)
    changed = tmp_path / "changed.jsonl"
    changed.write_bytes(orjson.dumps({**PRODUCTS[0], "price": 15.0}) + b"\n")
    import_kb(db, changed, kind="product")
    assert reopened.sync().updated == 1
    assert [h.price for h in reopened.search("stoneware mug", k=1)] == [15.0]


def test_search_query_cli(
    db_url: str, db: Database, store: Store, kb: None, settings: Settings
) -> None:
    runner = CliRunner()
    base = ["--db", db_url, "--home", str(settings.home), "search", "query"]
    r = runner.invoke(app, [*base, "kettle", "--kind", "product", "--json"],
                      env={"SHOPCOACH_EMBEDDER": "none"})  # fmt: skip
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["mode"] == "lexical" and [h["doc_id"] for h in out["results"]] == ["KETTLE-2"]
    r = runner.invoke(app, [*base, "kettle mug", "--kind", "product", "--in-stock"],
                      env={"SHOPCOACH_EMBEDDER": "none"})  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "MUG-1" in r.output and "KETTLE-2" not in r.output
    r = runner.invoke(app, [*base, "electric kettel without lid", "--kind", "product"],
                      env={"SHOPCOACH_EMBEDDER": "none"})  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "kettel → kettle" in r.output and "left out: lid" in r.output, r.output
    bad = runner.invoke(app, [*base, "kettle", "--valid-at", "soon"])
    assert bad.exit_code == 1 and "YYYY-MM-DD" in str(bad.exception.hint)  # type: ignore[union-attr]
