"""Store, migrations and guarantees the database itself enforces (R-GOV)."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from shopcoach import audit
from shopcoach.errors import SchemaOutOfDate
from shopcoach.store.engine import Database, open_store
from shopcoach.store.migrate import head_revision, upgrade
from shopcoach.store.tables import audit_log, metadata
from shopcoach.stores import Store


def test_migrations_create_exactly_the_tables(db: Database) -> None:
    with db.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_upgrade_is_idempotent(db: Database) -> None:
    assert upgrade(db.engine) == (head_revision(), head_revision())


def test_empty_database_is_refused_with_a_hint(db_url: str) -> None:
    with pytest.raises(SchemaOutOfDate) as exc:
        open_store(db_url)
    assert "shopcoach db upgrade" in (exc.value.hint or "")


def test_old_schema_is_refused_with_a_hint(db: Database) -> None:
    with db.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0000'"))
    with pytest.raises(SchemaOutOfDate) as exc:
        open_store(db.url)
    assert "revision 0000" in exc.value.message
    assert exc.value.hint == "Run `shopcoach db upgrade` to migrate it."


def test_audit_log_is_append_only(db: Database, store: Store) -> None:
    with db.begin() as conn:
        audit.record(conn, "maria", "threshold.change", store_id=store.id, target="track_order")
    with db.connect() as conn:
        rows = audit.entries(conn, store_id=store.id)
    assert [r.action for r in rows][:2] == ["threshold.change", "store.create"]
    for statement in (sa.update(audit_log).values(actor="mallory"), sa.delete(audit_log)):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.begin() as conn:
            conn.execute(statement)
    with db.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar() == 2


def test_foreign_keys_and_wal_on_sqlite(db: Database) -> None:
    if db.dialect != "sqlite":
        pytest.skip("SQLite pragmas only apply to SQLite")
    with db.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        with pytest.raises(sa.exc.IntegrityError):
            conn.exec_driver_sql(
                "INSERT INTO api_keys (store_id, name, prefix, key_hash, scopes, created_at) "
                "VALUES (999, 'x', 'p', 'h', 'read', '2026-01-01')"
            )


def test_0006_backfills_the_event_of_earlier_deliveries(db_url: str) -> None:
    """Before 0006 the event was the first word of ``detail``; the migration keeps it."""
    from shopcoach.store.tables import alert_deliveries
    from shopcoach.stores import ensure_store
    from tests.alerts.test_delivery import insert_alert

    old = open_store(db_url, check=False)
    try:
        upgrade(old.engine, "0005")
        with old.begin() as conn:
            store, _ = ensure_store(conn, "default", actor="test")
        alert_id = insert_alert(old, store, "f1")
        d = alert_deliveries.c
        with old.begin() as conn:
            for detail in ("opened: ok", "resolved: HTTP 500: down", "opened: timed out"):
                conn.execute(sa.insert(alert_deliveries).values(
                    alert_id=alert_id, sink="hook", ok=detail.endswith("ok"), detail=detail,
                    attempted_at=datetime(2026, 11, 9)))  # fmt: skip
        upgrade(old.engine)
        with old.connect() as conn:
            events = conn.execute(sa.select(d.detail, d.event).order_by(d.id)).all()
        assert [e for _, e in events] == ["opened", "resolved", "opened"]
    finally:
        old.close()
