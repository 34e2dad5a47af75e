"""deliver_pending (R-MON-3): table-driven, retried, bounded, idempotent, against real peers."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from shopcoach.alerts.delivery import add_sink, deliver_pending, deliver_pending_db
from shopcoach.cli import app
from shopcoach.errors import Busy
from shopcoach.settings import Settings
from shopcoach.store import leases
from shopcoach.store.engine import Database
from shopcoach.store.tables import alert_deliveries, alerts
from shopcoach.stores import Store
from tests.alerts.test_sinks_peers import Mailbox, Recorder, dead_url, http_peer, smtp_peer
from tests.conftest import make_key

__all__ = ["http_peer", "smtp_peer"]
T0 = datetime(2026, 11, 9, 6, 0)


def insert_alert(db: Database, store: Store, fingerprint: str, **overrides: Any) -> int:
    row: dict[str, Any] = {
        "store_id": store.id,
        "rule": "resolution_drop",
        "fingerprint": fingerprint,
        "state": "open",
        "severity": "warning",
        "title": f"Resolution rate fell ({fingerprint})",
        "message": "Automated resolution 61% this week vs 66% last week.",
        "subject": {"metric": "automated_resolution_rate"},
        "value": 0.61,
        "threshold": 0.64,
        "period_start": datetime(2026, 11, 2),
        "period_end": datetime(2026, 11, 9),
        "details": {},
        "opened_at": T0,
        "updated_at": T0,
    }
    row.update(overrides)
    with db.begin() as conn:
        return int(conn.execute(alerts.insert().values(**row).returning(alerts.c.id)).scalar_one())


def set_state(db: Database, alert_id: int, state: str) -> None:
    with db.begin() as conn:
        conn.execute(alerts.update().where(alerts.c.id == alert_id).values(state=state))


def deliveries(db: Database) -> list[tuple[int, str, bool, str]]:
    d = alert_deliveries.c
    with db.connect() as conn:
        rows = conn.execute(sa.select(d.alert_id, d.sink, d.ok, d.detail).order_by(d.id))
        return [(a, s, bool(ok), detail) for a, s, ok, detail in rows]


def sink(
    db: Database, store: Store, name: str, kind: str, config: dict[str, Any], enabled: bool = True
) -> None:
    with db.begin() as conn:
        add_sink(conn, store.id, name, kind, config, enabled=enabled, actor="test")


def deliver(db: Database, store: Store, **kw: Any) -> Any:
    with db.begin() as conn:
        return deliver_pending(conn, store.id, **kw)


def test_sends_each_open_alert_once_per_sink(
    db: Database, store: Store, http_peer: Recorder, smtp_peer: tuple[Mailbox, int]
) -> None:
    box, port = smtp_peer
    sink(db, store, "hook", "webhook", {"url": http_peer.url})
    sink(
        db,
        store,
        "mail",
        "email",
        {
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "security": "none",
            "from_addr": "a@shop.test",
            "to": ["ops@shop.test"],
        },
    )
    sink(db, store, "off", "webhook", {"url": http_peer.url}, enabled=False)
    a1 = insert_alert(db, store, "f1")
    a2 = insert_alert(db, store, "f2")
    insert_alert(db, store, "f3", state="acknowledged")
    insert_alert(db, store, "f4", state="resolved")  # never announced: nothing to resolve
    report = deliver(db, store)
    assert (report.sent, report.failed, report.gave_up) == (4, 0, 0)
    assert sorted(r["json"]["id"] for r in http_peer.requests) == [a1, a2]
    assert {r["json"]["event"] for r in http_peer.requests} == {"opened"}
    assert len(box.messages) == 2
    assert sorted(deliveries(db)) == sorted(
        [(a, s, True, "opened: ok") for a in (a1, a2) for s in ("hook", "mail")]
    )
    again = deliver(db, store)  # idempotent
    assert (again.sent, again.failed) == (0, 0)
    assert len(http_peer.requests) == 2 and len(box.messages) == 2


def test_failure_is_recorded_and_retried(db: Database, store: Store, http_peer: Recorder) -> None:
    sink(db, store, "hook", "webhook", {"url": http_peer.url})
    sink(db, store, "down", "slack", {"url": dead_url(), "timeout": 2})
    a1 = insert_alert(db, store, "f1")
    http_peer.status = 500
    first = deliver(db, store)
    assert (first.sent, first.failed) == (0, 2)
    rows = deliveries(db)
    assert {(s, ok) for _, s, ok, _ in rows} == {("hook", False), ("down", False)}
    details = {s: d for _, s, _, d in rows}
    assert details["hook"].startswith("opened: HTTP 500")
    assert details["down"].startswith("opened: ConnectError")
    http_peer.status = 200
    second = deliver(db, store)  # retried; the dead peer fails again, still recorded
    assert (second.sent, second.failed) == (1, 1)
    assert http_peer.requests[-1]["json"]["id"] == a1
    assert len(http_peer.requests) == 2
    third = deliver(db, store)
    assert (third.sent, third.failed) == (0, 1)
    assert len(http_peer.requests) == 2


def test_retries_are_bounded(db: Database, store: Store) -> None:
    sink(db, store, "down", "webhook", {"url": dead_url(), "timeout": 1})
    insert_alert(db, store, "f1")
    settings = Settings(alert_max_attempts=3)
    for _ in range(3):
        assert deliver_pending_db(db, store.id, settings=settings).failed == 1
    final = deliver_pending_db(db, store.id, settings=settings)
    assert (final.sent, final.failed, final.gave_up) == (0, 0, 1)
    assert len(deliveries(db)) == 3


def test_resolution_is_announced_once(db: Database, store: Store, http_peer: Recorder) -> None:
    sink(db, store, "hook", "webhook", {"url": http_peer.url})
    a1 = insert_alert(db, store, "f1")
    assert deliver(db, store).sent == 1
    set_state(db, a1, "acknowledged")
    assert deliver(db, store).sent == 0
    set_state(db, a1, "resolved")
    sink(db, store, "late", "webhook", {"url": http_peer.url})  # never told it opened
    assert deliver(db, store).sent == 1
    assert deliver(db, store).sent == 0
    events = [(r["json"]["event"], r["json"]["state"]) for r in http_peer.requests]
    assert events == [("opened", "open"), ("resolved", "resolved")]
    assert [d for *_, d in deliveries(db)] == ["opened: ok", "resolved: ok"]
    with db.connect() as conn:
        recorded = conn.execute(sa.select(alert_deliveries.c.event).order_by(alert_deliveries.c.id))
        assert [e for (e,) in recorded] == ["opened", "resolved"]


def test_other_stores_alerts_are_not_sent(db: Database, store: Store, http_peer: Recorder) -> None:
    from shopcoach.stores import ensure_store

    with db.begin() as conn:
        other, _ = ensure_store(conn, "other", "Other shop", actor="test")
    sink(db, store, "hook", "webhook", {"url": http_peer.url})
    insert_alert(db, other, "f1")
    assert deliver(db, store).sent == 0
    assert deliver(db, other).sent == 0  # no sinks there


class Gate(ThreadingHTTPServer):
    """A webhook peer that holds each request until ``release`` is set: a slow sink."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _GateHandler)
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.requests = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class _GateHandler(BaseHTTPRequestHandler):
    server: Gate

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.server.requests += 1
        self.server.arrived.set()
        self.server.release.wait(20)
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: Any) -> None:
        pass


def test_overlapping_runs_send_each_message_once(db: Database, store: Store) -> None:
    """A second run while the first is still sending (a cron job overlapping "deliver now")
    is refused with Busy and sends nothing; without the lease both would plan and send the
    same open alert."""
    gate = Gate()
    server = threading.Thread(target=gate.serve_forever, daemon=True)
    server.start()
    try:
        sink(db, store, "slow", "webhook", {"url": gate.url, "timeout": 30})
        insert_alert(db, store, "f1")
        first: dict[str, Any] = {}
        run = threading.Thread(target=lambda: first.update(r=deliver_pending_db(db, store.id)))
        run.start()
        assert gate.arrived.wait(20), "the first run never reached the sink"
        with pytest.raises(Busy) as exc:
            deliver_pending_db(db, store.id)
        assert f"alerts.deliver:{store.id}" in exc.value.message
        gate.release.set()
        run.join(20)
        assert first["r"].sent == 1 and gate.requests == 1
        assert deliver_pending_db(db, store.id).sent == 0  # lease released; nothing new
        assert gate.requests == 1
    finally:
        gate.release.set()
        gate.shutdown()
        gate.server_close()
        server.join()


def test_a_crashed_runs_lease_lapses(db: Database, store: Store, http_peer: Recorder) -> None:
    sink(db, store, "hook", "webhook", {"url": http_peer.url})
    insert_alert(db, store, "f1")
    past = datetime(2020, 1, 1)
    leases.acquire(db, f"alerts.deliver:{store.id}", timedelta(minutes=2), now=past)
    assert deliver_pending_db(db, store.id).sent == 1  # the 2020 lease expired long ago
    assert len(http_peer.requests) == 1


def test_busy_in_the_api_and_the_cli(
    db: Database, db_url: str, store: Store, client: TestClient
) -> None:
    held = leases.acquire(db, f"alerts.deliver:{store.id}", timedelta(minutes=5))
    headers = {"Authorization": f"Bearer {make_key(db, store, 'admin')}"}
    r = client.post("/api/v1/alert-sinks/deliver", headers=headers)
    assert r.status_code == 409
    err = r.json()["error"]
    assert err["code"] == "busy" and held.holder in err["message"] and err["hint"]
    result = CliRunner().invoke(app, ["--db", db_url, "alerts", "sinks", "deliver"])
    assert isinstance(result.exception, Busy) and held.holder in result.exception.message
    leases.release(db, held)
    assert client.post("/api/v1/alert-sinks/deliver", headers=headers).json()["sent"] == 0
