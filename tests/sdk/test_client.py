"""The SDK against a real server on loopback (uvicorn) and a misbehaving local peer."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import orjson
import pytest
import sqlalchemy as sa
import uvicorn

from shopcoach import Client
from shopcoach.api.app import create_app
from shopcoach.capture.schema import ConversationIn
from shopcoach.settings import Settings
from shopcoach.store.engine import Database
from shopcoach.store.tables import conversations, signals
from shopcoach.stores import Store
from tests.conftest import ROOT, conversation, make_key, signal


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_url(settings: Settings, db: Database, store: Store) -> Iterator[str]:
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, db), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(5)


def _count(db: Database, table: sa.Table) -> int:
    with db.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_batches_by_count_and_flushes(live_url: str, db: Database, store: Store) -> None:
    client = Client(live_url, make_key(db, store, "ingest"), flush_at=10, flush_interval=60)
    for i in range(25):
        assert client.log_conversation(conversation(f"c-{i}"))
    assert client.log_signal(signal("s-1", conversation_id="c-3"))
    assert client.flush(timeout=10)
    assert _count(db, conversations) == 25 and _count(db, signals) == 1
    # 25 conversations at flush_at=10 → 10 + 10 + 5, plus one signal batch.
    assert client.stats.batches == 4 and client.stats.sent == 26
    client.shutdown()


def test_interval_and_byte_limits(live_url: str, db: Database, store: Store) -> None:
    one = len(
        orjson.dumps(
            ConversationIn.model_validate(conversation("c-0")).model_dump(
                mode="json", exclude_none=True
            )
        )
    )
    # Room for two records per batch: six records must go out in three batches.
    client = Client(
        live_url,
        make_key(db, store, "ingest"),
        flush_at=1000,
        flush_interval=0.2,
        max_batch_bytes=int(2.5 * one),
    )
    for i in range(6):
        client.log_conversation(conversation(f"c-{i}"))
    deadline = time.monotonic() + 10
    while _count(db, conversations) < 6 and time.monotonic() < deadline:
        time.sleep(0.05)  # no flush(): the interval and the byte limit alone send them
    assert _count(db, conversations) == 6
    client.flush()  # nothing left to send; waits until the last response is processed
    assert client.stats.batches == 3
    client.shutdown()


def test_bad_configuration_warns_once_and_never_raises(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHOPCOACH_URL", raising=False)
    monkeypatch.delenv("SHOPCOACH_API_KEY", raising=False)
    with caplog.at_level(logging.WARNING, logger="shopcoach.sdk"):
        client = Client()
        assert client.log_conversation(conversation()) is False
        assert client.log_conversation(conversation()) is False
        client.flush()
        client.shutdown()
        Client("ftp://x", "sc_a_b")
        Client("http://127.0.0.1:1", "not-a-key")
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 3
    assert "SHOPCOACH_URL" in messages[0]
    assert "http:// or https://" in messages[1]
    assert "shopcoach keys create --scope ingest" in messages[2]


def test_unreachable_server_drops_with_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    client = Client(
        f"http://127.0.0.1:{_free_port()}",
        "sc_abc_def",
        max_retries=2,
        backoff_base=0.01,
        flush_at=1,
    )
    with caplog.at_level(logging.WARNING, logger="shopcoach.sdk"):
        client.log_conversation(conversation("a"))
        client.log_conversation(conversation("b"))
        assert client.flush(timeout=10)
    assert client.stats.dropped == 2 and client.stats.retries == 4
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1 and "after 3 attempts" in warnings[0]
    client.shutdown()


def test_invalid_record_is_refused_locally(caplog: pytest.LogCaptureFixture) -> None:
    client = Client(f"http://127.0.0.1:{_free_port()}", "sc_abc_def")
    with caplog.at_level(logging.WARNING, logger="shopcoach.sdk"):
        assert (
            client.log_signal({"type": "csat", "value": 9, "occurred_at": "2026-11-02T10:00:00Z"})
            is False
        )
    assert client.stats.invalid == 1
    assert "out of range for csat" in caplog.records[0].getMessage()
    client.shutdown()


class _Flaky(BaseHTTPRequestHandler):
    """Answers 503 to the first two requests, then accepts; records what it got."""

    calls: list[int] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server API
        self.rfile.read(int(self.headers["Content-Length"]))
        _Flaky.calls.append(1)
        status = 503 if len(_Flaky.calls) <= 2 else 200
        body = b'{"rejected": []}' if status == 200 else b'{"error": {}}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_retries_with_backoff_on_503() -> None:
    _Flaky.calls = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = Client(
            f"http://127.0.0.1:{server.server_address[1]}",
            "sc_abc_def",
            backoff_base=0.01,
            flush_at=1,
        )
        client.log_conversation(conversation())
        assert client.flush(timeout=10)
        assert len(_Flaky.calls) == 3
        assert (client.stats.retries, client.stats.sent, client.stats.dropped) == (2, 1, 0)
        client.shutdown()
    finally:
        server.shutdown()
        server.server_close()


def test_pending_records_are_flushed_at_exit(live_url: str, db: Database, store: Store) -> None:
    key = make_key(db, store, "ingest")
    script = (
        "from shopcoach import Client\n"
        "from tests.conftest import conversation\n"
        f"c = Client({live_url!r}, {key!r}, flush_at=1000, flush_interval=3600)\n"
        "for i in range(7):\n"
        "    c.log_conversation(conversation(f'exit-{i}'))\n"
        "# no flush(): the interpreter exits with everything still queued\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert _count(db, conversations) == 7
