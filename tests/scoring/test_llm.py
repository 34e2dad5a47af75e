"""The llm judge against a real OpenAI-compatible server on loopback (canned verdicts)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from shopcoach import scoring
from shopcoach.errors import ConfigError
from shopcoach.settings import Settings
from shopcoach.store.engine import Database
from shopcoach.stores import Store
from tests.conftest import conversation
from tests.scoring.helpers import ingest


class _Handler(BaseHTTPRequestHandler):
    seen: list[dict[str, Any]] = []
    reply = '{"label": "partial", "reason": "answer is terse"}'

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen.append({"path": self.path, "auth": self.headers.get("Authorization"),
                                "body": body})  # fmt: skip
        out = json.dumps(
            {"choices": [{"message": {"role": "assistant", "content": type(self).reply}}]}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def llm_url() -> Iterator[str]:
    _Handler.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()
    thread.join()


def test_llm_judge_scores_tone_through_the_endpoint(
    db: Database, store: Store, llm_url: str
) -> None:
    with db.begin() as conn:
        ingest(conn, store, [conversation("c-1")])
        scoring.save_config(conn, store.id, scoring.parse_config(
            {"judges": {**scoring.ScoringConfig().judges, "tone": "llm"}}), actor="t")  # fmt: skip
    settings = Settings(llm_base_url=llm_url, llm_model="judge-1", llm_api_key="k-123")
    report = scoring.score_conversations(db, store.id, settings=settings)
    assert report.scored == 1
    assert len(_Handler.seen) == 1
    call = _Handler.seen[0]
    assert call["path"] == "/v1/chat/completions" and call["auth"] == "Bearer k-123"
    assert call["body"]["model"] == "judge-1" and "TONE" in call["body"]["messages"][1]["content"]
    with db.connect() as conn:
        tone = scoring.get_score(conn, store.id, "c-1")["dimensions"]["tone"]
    assert (tone["judge"], tone["label"], tone["reason"]) == ("llm", "partial", "answer is terse")
    _Handler.reply = "I think it is fine."  # no JSON verdict: the run stops with a clear error
    with pytest.raises(ConfigError, match="no usable verdict"):
        scoring.score_conversations(db, store.id, settings=settings, full=True)
    _Handler.reply = '{"label": "partial", "reason": "answer is terse"}'
