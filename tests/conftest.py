"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL when
SHOPCOACH_TEST_DATABASE_URL is set (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test):
each test then gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from shopcoach.api.app import create_app
from shopcoach.keys import create_key
from shopcoach.settings import Settings
from shopcoach.store.engine import Database, open_store
from shopcoach.store.migrate import upgrade
from shopcoach.stores import Store, ensure_store

PG_URL = os.environ.get("SHOPCOACH_TEST_DATABASE_URL")
ROOT = Path(__file__).resolve().parent.parent


def pytest_report_header() -> str:
    return f"shopcoach test database: {PG_URL or 'SQLite (tmp file per test)'}"


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'shopcoach.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = open_store(db_url, check=False)
    upgrade(database.engine)
    yield database
    database.close()


@pytest.fixture
def store(db: Database) -> Store:
    with db.begin() as conn:
        s, _ = ensure_store(conn, "default", "Juniper & Pine", actor="test")
    return s


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=db_url, home=tmp_path / "data")


@pytest.fixture
def client(settings: Settings, db: Database, store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(settings, db)) as c:
        yield c


def make_key(db: Database, store: Store, *scopes: str) -> str:
    with db.begin() as conn:
        plain, _ = create_key(conn, store.id, "test", list(scopes), actor="test")
    return plain


@pytest.fixture
def ingest_headers(db: Database, store: Store) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_key(db, store, 'ingest')}"}


@pytest.fixture
def admin_headers(db: Database, store: Store) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_key(db, store, 'admin')}"}


def conversation(external_id: str = "c-1", **overrides: Any) -> dict[str, Any]:
    """A valid conversation record in the import schema."""
    base: dict[str, Any] = {
        "external_id": external_id,
        "channel": "chat",
        "customer_id": "cust-0042",
        "started_at": "2026-11-02T10:15:00Z",
        "ended_at": "2026-11-02T10:19:30Z",
        "handled_by": "ai",
        "agent_version": "v2",
        "intent": "track_order",
        "confidence": 0.91,
        "outcome": "resolved",
        "csat": 5,
        "messages": [
            {
                "role": "customer",
                "text": "Where is order #10234?",
                "sent_at": "2026-11-02T10:15:00Z",
            },
            {
                "role": "ai",
                "text": "Order #10234 shipped with UPS on Nov 1.",
                "sent_at": "2026-11-02T10:15:02Z",
                "latency_ms": 1800,
                "citations": [{"source": "order", "id": "10234"}],
                "tool_calls": [
                    {
                        "name": "lookup_order",
                        "arguments": {"order_number": "10234"},
                        "result": {"status": "shipped"},
                        "latency_ms": 85,
                    }
                ],
            },
            {"role": "customer", "text": "great thanks", "sent_at": "2026-11-02T10:16:00Z"},
        ],
    }
    base.update(overrides)
    return base


def signal(external_id: str = "s-1", **overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "external_id": external_id,
        "type": "csat",
        "value": 4,
        "occurred_at": "2026-11-02T10:20:00Z",
        "conversation_id": "c-1",
        "source": "survey",
    }
    base.update(overrides)
    return base
