"""The capture SDK: ``shopcoach.Client``. It never breaks the shop.

Calls return at once: records are validated locally (the same pydantic models the server
uses), queued, and sent in batches on a background thread — by count (``flush_at``), by
age (``flush_interval``) and by size (``max_batch_bytes``) — with retries and exponential
backoff on network errors, 429 and 5xx. On bad configuration or an unreachable server it
logs one clear warning and carries on; it never raises into the host application. Pending
records are flushed when the interpreter exits.

    from shopcoach import Client
    client = Client(base_url="http://127.0.0.1:8000", api_key="sc_…")  # or SHOPCOACH_URL/_API_KEY
    client.log_conversation({...})
    client.log_signal({"type": "thumbs", "value": -1, ...})
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import random
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from pydantic import BaseModel, ValidationError

from shopcoach.capture.schema import ConversationIn, SignalIn
from shopcoach.capture.validate import problems_from

log = logging.getLogger("shopcoach.sdk")

_ENDPOINTS = {"conversations": "/api/v1/ingest/conversations", "signals": "/api/v1/ingest/signals"}
_RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}


@dataclass
class ClientStats:
    """Counters for what the client did; read them to monitor the integration."""

    queued: int = 0
    sent: int = 0
    rejected: int = 0  # refused by the server's validation (per record)
    invalid: int = 0  # refused locally before queueing
    dropped: int = 0  # lost: queue full, or retries exhausted
    retries: int = 0
    batches: int = 0


class _Flush:
    def __init__(self) -> None:
        self.done = threading.Event()


class Client:
    """Queueing, batching capture client. See the module docstring."""

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        flush_at: int = 100,
        flush_interval: float = 1.0,
        max_batch_bytes: int = 1_000_000,
        max_queue_size: int = 10_000,
        max_retries: int = 5,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        timeout: float = 10.0,
        enabled: bool = True,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.stats = ClientStats()
        self._warned: set[str] = set()
        self.base_url = (base_url or os.environ.get("SHOPCOACH_URL") or "").rstrip("/")
        self.api_key = api_key or os.environ.get("SHOPCOACH_API_KEY") or ""
        self.flush_at = max(1, flush_at)
        self.flush_interval = max(0.01, flush_interval)
        self.max_batch_bytes = max(1024, max_batch_bytes)
        self.max_retries = max(0, max_retries)
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.enabled = enabled and self._config_ok()
        self._queue: queue.Queue[tuple[str, bytes] | _Flush | None] = queue.Queue(max_queue_size)
        self._thread: threading.Thread | None = None
        self._http: httpx.Client | None = None
        if self.enabled:
            self._http = httpx.Client(
                base_url=self.base_url,
                timeout=timeout,
                transport=transport,
                headers={
                    "Authorization": f"Bearer {self.api_key}",
                    "Content-Type": "application/json",
                },
            )
            self._thread = threading.Thread(target=self._run, name="shopcoach-sdk", daemon=True)
            self._thread.start()
            atexit.register(self.shutdown)

    # -- configuration ------------------------------------------------------------------
    def _warn_once(self, key: str, message: str) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.warning(message)

    def _config_ok(self) -> bool:
        if not self.base_url:
            self._warn_once(
                "config",
                "Shopcoach capture is disabled: no server URL. Pass "
                "base_url= or set SHOPCOACH_URL (e.g. http://127.0.0.1:8000).",
            )
            return False
        if not self.base_url.startswith(("http://", "https://")):
            self._warn_once(
                "config",
                f"Shopcoach capture is disabled: base_url "
                f"{self.base_url!r} must start with http:// or https://.",
            )
            return False
        if not self.api_key.startswith("sc_"):
            self._warn_once(
                "config",
                "Shopcoach capture is disabled: no valid API key. Pass "
                "api_key= or set SHOPCOACH_API_KEY; create one with "
                "`shopcoach keys create --scope ingest`.",
            )
            return False
        return True

    # -- public API -----------------------------------------------------------------------
    def log_conversation(self, conversation: dict[str, Any] | BaseModel) -> bool:
        """Queue a conversation (schema: docs/import-schema.md). False if not queued."""
        return self._enqueue("conversations", conversation, ConversationIn)

    def log_signal(self, signal: dict[str, Any] | BaseModel) -> bool:
        """Queue a signal. False if not queued (disabled, invalid, or queue full)."""
        return self._enqueue("signals", signal, SignalIn)

    def add_fix_item(
        self, conversation_id: str, note: str, owner: str | None = None
    ) -> dict[str, Any] | None:
        """Put a conversation on the AI fix list (R-REV-2), at once, not queued: one request
        with the client's timeout. Returns the created item (``id``, ``status`` …), or None
        on any failure — disabled client, unknown conversation, server unreachable — after
        one warning per kind of failure. Needs a key with the ``ingest`` (or ``admin``) scope.
        """
        if not self.enabled or self._http is None:
            return None
        try:
            body = {"conversation_id": conversation_id, "note": note, "owner": owner}
            response = self._http.post("/api/v1/fix-items", content=orjson.dumps(body))
            if response.status_code == 201:
                item: dict[str, Any] = response.json()
                return item
            try:
                error = response.json().get("error", {})
                reason = f"{error.get('message')} {error.get('hint') or ''}".strip()
            except ValueError:
                reason = response.text[:300]
            self._warn_once(f"fix-{response.status_code}",
                            f"Shopcoach refused a fix item (HTTP {response.status_code}): "
                            f"{reason} (Warned once per status.)")  # fmt: skip
        except Exception as exc:  # never raise into the shop
            self._warn_once("fix-unreachable", f"Shopcoach fix item not sent: cannot reach "
                            f"{self.base_url} ({exc.__class__.__name__}).")  # fmt: skip
        return None

    def flush(self, timeout: float | None = 30.0) -> bool:
        """Send everything queued so far; True if it finished within ``timeout``."""
        if not self.enabled or self._thread is None or not self._thread.is_alive():
            return True
        marker = _Flush()
        try:
            self._queue.put(marker, timeout=timeout)
        except queue.Full:
            return False
        return marker.done.wait(timeout)

    def shutdown(self, timeout: float = 10.0) -> None:
        """Flush and stop the background thread. Safe to call more than once."""
        if not self.enabled:
            return
        self.flush(timeout)
        self.enabled = False
        try:
            self._queue.put(None, timeout=1)
        except queue.Full:
            pass
        if self._thread is not None:
            self._thread.join(timeout)
        if self._http is not None:
            self._http.close()
        atexit.unregister(self.shutdown)

    # -- internals ------------------------------------------------------------------------
    def _enqueue(
        self, kind: str, record: dict[str, Any] | BaseModel, model: type[BaseModel]
    ) -> bool:
        if not self.enabled:
            return False
        try:
            try:
                data = record if isinstance(record, model) else model.model_validate(record)
            except ValidationError as exc:
                self.stats.invalid += 1
                first = problems_from(exc)[0]
                self._warn_once(
                    f"invalid-{kind}-{first.field}",
                    f"Shopcoach dropped an invalid {kind[:-1]}: {first.field}: "
                    f"{first.reason}. (Warned once per field.)",
                )
                return False
            payload = orjson.dumps(data.model_dump(mode="json", exclude_none=True))
            self._queue.put_nowait((kind, payload))
            self.stats.queued += 1
            return True
        except queue.Full:
            self.stats.dropped += 1
            self._warn_once(
                "full",
                "Shopcoach capture queue is full; dropping records. The "
                "server may be down or too slow; raise max_queue_size if needed.",
            )
            return False
        except Exception as exc:  # never raise into the shop
            self._warn_once("unexpected", f"Shopcoach capture error (ignored): {exc!r}")
            return False

    def _run(self) -> None:
        pending: dict[str, list[bytes]] = {"conversations": [], "signals": []}
        sizes = {"conversations": 0, "signals": 0}
        deadline = time.monotonic() + self.flush_interval
        while True:
            timeout = max(0.0, deadline - time.monotonic())
            try:
                item = self._queue.get(timeout=timeout)
            except queue.Empty:
                item = _Flush()  # interval elapsed: send what is pending
                timed_out = True
            else:
                timed_out = False
            if item is None:
                self._send_all(pending, sizes)
                return
            if isinstance(item, _Flush):
                self._send_all(pending, sizes)
                item.done.set()
                if timed_out:
                    deadline = time.monotonic() + self.flush_interval
                continue
            kind, payload = item
            if sizes[kind] + len(payload) > self.max_batch_bytes and pending[kind]:
                self._send(kind, pending[kind])
                pending[kind], sizes[kind] = [], 0
            pending[kind].append(payload)
            sizes[kind] += len(payload)
            if len(pending[kind]) >= self.flush_at or sizes[kind] >= self.max_batch_bytes:
                self._send(kind, pending[kind])
                pending[kind], sizes[kind] = [], 0

    def _send_all(self, pending: dict[str, list[bytes]], sizes: dict[str, int]) -> None:
        for kind in pending:
            if pending[kind]:
                self._send(kind, pending[kind])
                pending[kind], sizes[kind] = [], 0

    def _send(self, kind: str, payloads: list[bytes]) -> None:
        body = b'{"' + kind.encode() + b'":[' + b",".join(payloads) + b"]}"
        assert self._http is not None
        for attempt in range(self.max_retries + 1):
            try:
                response = self._http.post(_ENDPOINTS[kind], content=body)
            except httpx.HTTPError as exc:
                reason = f"cannot reach {self.base_url} ({exc.__class__.__name__})"
            except Exception as exc:  # never raise into the shop
                reason = f"unexpected error {exc!r}"
            else:
                if response.status_code < 300:
                    self._accept(kind, len(payloads), response)
                    return
                if response.status_code not in _RETRY_STATUS:
                    self.stats.dropped += len(payloads)
                    self._warn_once(
                        f"http-{response.status_code}",
                        f"Shopcoach refused a batch of {kind} "
                        f"(HTTP {response.status_code}): {response.text[:300]}",
                    )
                    return
                reason = f"HTTP {response.status_code}"
            if attempt < self.max_retries:
                self.stats.retries += 1
                delay = min(self.backoff_max, self.backoff_base * 2**attempt)
                time.sleep(delay * (0.5 + random.random() / 2))
        self.stats.dropped += len(payloads)
        self._warn_once(
            "unreachable",
            f"Shopcoach capture dropped {len(payloads)} {kind} "
            f"after {self.max_retries + 1} attempts: {reason}. The shop is "
            "unaffected; check that `shopcoach serve` is running.",
        )

    def _accept(self, kind: str, count: int, response: httpx.Response) -> None:
        self.stats.batches += 1
        try:
            rejected = response.json().get("rejected", [])
        except ValueError:
            rejected = []
        self.stats.rejected += len(rejected)
        self.stats.sent += count - len(rejected)
        if rejected:
            first = rejected[0]
            self._warn_once(
                f"rejected-{kind}",
                f"Shopcoach rejected {len(rejected)} {kind} "
                f"in a batch; first: index {first.get('index')}, field "
                f"{first.get('field')}: {first.get('reason')}",
            )
