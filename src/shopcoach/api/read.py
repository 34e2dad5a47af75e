"""Read endpoints: health, stats, one conversation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from shopcoach import __version__
from shopcoach.api.auth import ReadKey
from shopcoach.conversations import get_conversation
from shopcoach.stats import conversation_stats
from shopcoach.store.migrate import current_revision

router = APIRouter(prefix="/api/v1")


@router.get("/health", tags=["meta"], summary="Liveness and schema revision")
def health(request: Request) -> dict[str, Any]:
    db = request.app.state.db
    return {
        "status": "ok",
        "version": __version__,
        "schema": current_revision(db.engine),
        "database": db.dialect,
    }


@router.get("/stats", tags=["read"], summary="Capture counts by day, outcome and channel")
def stats(
    request: Request,
    key: ReadKey,
    days: Annotated[int, Query(ge=1, le=3660, description="Window length in days.")] = 30,
) -> dict[str, Any]:
    with request.app.state.db.connect() as conn:
        return conversation_stats(conn, key.store_id, key.store_slug, days=days).to_dict()


@router.get(
    "/conversations/{external_id}",
    tags=["read"],
    summary="One conversation with its (redacted) messages and signals",
)
def conversation(request: Request, external_id: str, key: ReadKey) -> dict[str, Any]:
    with request.app.state.db.connect() as conn:
        return get_conversation(conn, key.store_id, external_id)
