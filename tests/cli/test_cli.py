"""The command line through Typer's CliRunner against a real database."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from shopcoach.cli import app
from shopcoach.store.engine import open_store
from shopcoach.store.tables import conversations, messages
from tests.conftest import ROOT, conversation

runner = CliRunner()


def run(db_url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", db_url, *args], catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture
def initialised(db_url: str) -> str:
    code, out = run(db_url, "init")
    assert code == 0, out
    return db_url


def test_init_then_ingest_examples_and_stats(initialised: str) -> None:
    code, out = run(
        initialised, "ingest", "conversations", str(ROOT / "examples" / "conversations.jsonl")
    )
    assert code == 0, out
    assert "300 accepted" in out and "0 rejected" in out
    code, out = run(initialised, "ingest", "signals", str(ROOT / "examples" / "signals.jsonl"))
    assert code == 0 and "0 rejected" in out, out
    code, out = run(initialised, "stats", "--days", "60", "--json")
    data = json.loads(out)
    assert data["conversations"] == 300
    assert sum(data["by_outcome"].values()) == 300
    assert sum(d["conversations"] for d in data["by_day"]) == 300
    code, out = run(initialised, "stats")
    assert code == 0 and "By outcome" in out and "By channel" in out


def test_rejected_lines_are_reported_with_line_field_reason(
    initialised: str, tmp_path: Path
) -> None:
    path = tmp_path / "mixed.jsonl"
    bad = conversation("c-2", handled_by="robot")
    path.write_bytes(
        b"\n".join(
            [
                orjson.dumps(conversation("c-1")),
                b"{not json",
                orjson.dumps(bad),
                b"",
                orjson.dumps(conversation("c-3")),
            ]
        )
    )
    rejects = tmp_path / "rejects.jsonl"
    code, out = run(initialised, "ingest", "conversations", str(path), "--rejects", str(rejects))
    assert code == 0, out
    assert "2 accepted" in out and "2 rejected" in out
    lines = [orjson.loads(x) for x in rejects.read_bytes().splitlines()]
    assert [(r["line"], r["field"]) for r in lines] == [(2, ""), (3, "handled_by")]
    assert "not valid JSON" in lines[0]["reason"]
    assert "'ai', 'human' or 'hybrid'" in lines[1]["reason"]
    code, out = run(initialised, "ingest", "conversations", str(path))
    assert "already imported completely" in out
    code, out = run(initialised, "ingest", "conversations", str(path), "--restart")
    assert "2 unchanged" in out


def test_uninitialised_database_gives_a_hint(db_url: str) -> None:
    result = runner.invoke(app, ["--db", db_url, "stats"])
    assert result.exit_code != 0
    assert "shopcoach db upgrade" in str(result.exception.hint)  # type: ignore[union-attr]


def test_keys_and_audit(initialised: str) -> None:
    code, out = run(
        initialised, "keys", "create", "--name", "shop", "--scope", "ingest", "--scope", "read"
    )
    assert code == 0, out
    key = next(w for w in out.split() if w.startswith("sc_"))
    prefix = key.split("_")[1]
    code, out = run(initialised, "keys", "list")
    assert prefix in out and key not in out
    code, out = run(initialised, "keys", "revoke", prefix)
    assert code == 0 and "revoked" in out
    code, out = run(initialised, "audit")
    assert "key.revoke" in out and "key.create" in out and "store.create" in out


def test_db_status_and_upgrade(initialised: str) -> None:
    code, out = run(initialised, "db", "status")
    assert "up to date" in out
    code, out = run(initialised, "db", "upgrade")
    assert "up to date" in out


def test_show_prints_redacted_conversation(initialised: str, tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    path.write_bytes(
        orjson.dumps(
            conversation(
                "c-7",
                messages=[
                    {
                        "role": "customer",
                        "text": "card 4111 1111 1111 1111 please refund order #10234",
                    }
                ],
            )
        )
    )
    run(initialised, "ingest", "conversations", str(path))
    code, out = run(initialised, "show", "c-7")
    assert code == 0
    text = json.loads(out)["messages"][0]["text"]
    assert text == "card [CARD] please refund order #10234"
    db = open_store(initialised)
    with db.connect() as conn:
        stored = conn.execute(sa.select(messages.c.text)).scalar_one()
        assert conn.execute(sa.select(sa.func.count()).select_from(conversations)).scalar() == 1
    db.close()
    assert "4111" not in stored


def test_store_redaction_policy(initialised: str, tmp_path: Path) -> None:
    code, out = run(initialised, "stores", "redaction", "default", "--disable", "phone")
    assert code == 0 and json.loads(out)["phone"] is False
    path = tmp_path / "one.jsonl"
    path.write_bytes(
        orjson.dumps(
            conversation(
                "c-8",
                messages=[{"role": "customer", "text": "call +1 415 555 0132 or mail a@b.io"}],
            )
        )
    )
    run(initialised, "ingest", "conversations", str(path))
    code, out = run(initialised, "show", "c-8")
    assert json.loads(out)["messages"][0]["text"] == "call +1 415 555 0132 or mail [EMAIL]"
    bad = runner.invoke(
        app, ["--db", initialised, "stores", "redaction", "default", "--disable", "names"]
    )
    assert "Unknown redaction kind 'names'" in str(bad.exception)
    policy = tmp_path / "policy.json"
    policy.write_text(
        '{"custom": [{"name": "loyalty", "pattern": "LOY-[0-9]{6}", "placeholder": "[LOYALTY]"}]}'
    )
    code, out = run(initialised, "stores", "redaction", "default", "--file", str(policy))
    assert code == 0 and json.loads(out)["custom"][0]["name"] == "loyalty"
    code, out = run(initialised, "audit")
    assert "store.redaction_policy" in out


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_answers_on_loopback(initialised: str, workers: str) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "SHOPCOACH_DATABASE_URL": initialised, "SHOPCOACH_LOG_LEVEL": "warning"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "shopcoach", "serve", "--port", str(port), "--workers", workers],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        assert health.json()["status"] == "ok"
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/stats").status_code == 401
    finally:
        proc.terminate()
        proc.wait(15)


HEAVY = ("scipy", "sklearn", "numpy", "sqlalchemy", "alembic", "fastapi", "torch")


def _modules_after(statement: str) -> list[str]:
    code = f"import sys; {statement}; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_cli_module_loads_commands_on_first_use() -> None:
    """`import shopcoach.cli` (what the console script, and every import worker it spawns,
    runs first) loads no heavy library; a command's module loads when it runs."""
    assert _modules_after("import shopcoach.cli") == []
    assert _modules_after("import shopcoach.capture.chunks") == []  # an import worker's needs


def test_every_command_is_listed_and_loads() -> None:
    from shopcoach.cli import COMMANDS, GROUPS, load_command

    result = runner.invoke(app, ["--help"], catch_exceptions=False)
    assert result.exit_code == 0
    listed = [line.split()[1] for line in result.output.splitlines() if line.startswith("│ ")]
    assert [n for n in listed if n in COMMANDS or n in GROUPS] == [*COMMANDS, *GROUPS]
    for name in [*COMMANDS, *GROUPS]:
        assert load_command(name).name == name
        sub = runner.invoke(app, [name, "--help"], catch_exceptions=False)
        assert sub.exit_code == 0 and "Usage" in sub.output, (name, sub.output)


def test_a_mistyped_command_suggests_one_not_yet_loaded() -> None:
    result = runner.invoke(app, ["ingst"])
    assert result.exit_code == 2
    assert "Did you mean 'ingest'" in result.output
