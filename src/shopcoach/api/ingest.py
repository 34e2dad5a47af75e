"""Capture endpoints: batches of conversations and signals.

The body is parsed here (not by FastAPI's model binding) so that one bad record cannot
sink the batch: the good records are stored and every bad one comes back with its index,
field and reason. The OpenAPI document still describes the record schema (see app.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import sqlalchemy as sa
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from shopcoach.api.auth import IngestKey
from shopcoach.capture.writer import IngestResult, ingest_conversations, ingest_signals
from shopcoach.errors import ShopcoachError, ValidationFailed
from shopcoach.keys import KeyInfo
from shopcoach.store.engine import Database
from shopcoach.stores import Store, get_store

router = APIRouter(prefix="/api/v1/ingest", tags=["capture"])


class PayloadTooLarge(ShopcoachError):
    code = "payload_too_large"
    http_status = 413


class InvalidJson(ShopcoachError):
    code = "invalid_json"
    http_status = 400


async def _records(request: Request, key: str) -> list[Any]:
    settings = request.app.state.settings
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > settings.max_body_bytes:
        raise PayloadTooLarge(
            f"The request body is {int(length):,} bytes; the limit is {settings.max_body_bytes:,}.",
            hint="Send smaller batches (SHOPCOACH_MAX_BODY_BYTES sets the limit).",
        )
    body = await request.body()
    if len(body) > settings.max_body_bytes:
        raise PayloadTooLarge(
            f"The request body is {len(body):,} bytes; the limit is {settings.max_body_bytes:,}.",
            hint="Send smaller batches (SHOPCOACH_MAX_BODY_BYTES sets the limit).",
        )
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidJson(
            f"The request body is not valid JSON: {exc}.",
            hint=f"Send a JSON object with a list under '{key}'.",
        ) from exc
    if isinstance(data, dict):
        data = data.get(key)
    if not isinstance(data, list):
        raise ValidationFailed(
            f"The request body must be a JSON object with a list under '{key}'.",
            hint=f'Send {{"{key}": [ ... ]}}; see /docs for the record schema.',
        )
    if len(data) > settings.max_batch_records:
        raise PayloadTooLarge(
            f"The batch has {len(data):,} records; the limit is {settings.max_batch_records:,}.",
            hint="Split it (SHOPCOACH_MAX_BATCH_RECORDS sets the limit).",
        )
    return data


Writer = Callable[..., IngestResult]


def _write(db: Database, key: KeyInfo, data: list[Any], writer: Writer) -> dict[str, Any]:
    with db.begin() as conn:
        store: Store = get_store(conn, key.store_slug)
        result = writer(conn, store, list(enumerate(data)), allowed_store_ids={store.id})
    return result.to_dict()


async def _ingest(request: Request, key: KeyInfo, field: str, writer: Writer) -> dict[str, Any]:
    data = await _records(request, field)
    try:
        return await run_in_threadpool(_write, request.app.state.db, key, data, writer)
    except sa.exc.OperationalError as exc:
        raise ShopcoachError(
            f"The database could not take the batch ({exc.orig}).",
            hint="Nothing from this batch was stored; retry it — retries are idempotent.",
        ) from exc


@router.post(
    "/conversations",
    summary="Capture a batch of conversations",
    openapi_extra={"x-shopcoach-body": "ConversationBatch"},
)
async def post_conversations(request: Request, key: IngestKey) -> dict[str, Any]:
    """Store conversations with their messages. Good records are stored even when others in
    the batch are bad; ``rejected`` lists each bad one with index, field and reason.
    Re-sending a conversation is idempotent (unchanged ones are counted, not duplicated)."""
    return await _ingest(request, key, "conversations", ingest_conversations)


@router.post(
    "/signals",
    summary="Capture a batch of signals",
    openapi_extra={"x-shopcoach-body": "SignalBatch"},
)
async def post_signals(request: Request, key: IngestKey) -> dict[str, Any]:
    """Store signals (thumbs, CSAT, escalations, repeat contacts, …), idempotently."""
    return await _ingest(request, key, "signals", ingest_signals)
